"""Generating a document for a case: context → .docx (→ PDF) → archived revision.

The one path used by the case page, the API and bulk runs: ``build_context`` (case data and the
legal arithmetic, validated against the template's schema), ``render_docx`` (sandboxed Jinja),
``docx_to_pdf`` where the template offers a PDF (LibreOffice, headless), and
``archive_document`` (a new revision on the case, never overwriting).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from cases.base import today
from cases.documents import versions
from cases.documents.archive import GeneratedDocument, archive_document
from cases.documents.bulk import BulkRun, Generate
from cases.documents.catalog import TemplateInfo
from cases.documents.context import build_context
from cases.documents.render import PreparedTemplate, prepare, render_docx
from cases.register import policies
from cases.register.models import Case
from cases.timeline.storage import FileStore
from cases.users.models import User

SOFFICE_TIMEOUT = 120  # seconds for one conversion


class ConversionError(RuntimeError):
    """LibreOffice could not turn the document into a PDF."""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionError(
            "LibreOffice (soffice) is not installed: run scripts/bootstrap.sh --system"
        )
    return found


def docx_to_pdf(docx: bytes, *, timeout: int = SOFFICE_TIMEOUT) -> bytes:
    """The PDF of a .docx as LibreOffice prints it (a private profile per call, so that
    conversions in parallel do not fight over one)."""
    with tempfile.TemporaryDirectory(prefix="qs-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell; the input is our file
            [
                soffice(),
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(source),
            ],
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "HOME": str(work)},
            check=False,
        )
        target = work / "document.pdf"
        if result.returncode != 0 or not target.exists():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()
            raise ConversionError(f"LibreOffice failed ({result.returncode}): {detail[:300]}")
        return target.read_bytes()


def generate_document(
    session: Session,
    actor: User,
    case: Case,
    store: FileStore,
    name: str,
    *,
    on: date | None = None,
    fields: Mapping[str, Any] | None = None,
    with_pdf: bool = False,
    prepared: PreparedTemplate | None = None,
) -> GeneratedDocument:
    """Fill template ``name`` — the version in use (``versions.current``) — for ``case`` and
    keep the result on the case as a new revision naming that version.

    ``fields`` are what the user typed (the template's ``…Fields`` schema); a bad value raises
    ``ValidationError`` naming its field, and nothing is stored.
    """
    policies.require(actor, "case.generate_document")
    info = versions.current(session, name, store=store)
    return _generate(session, actor, case, store, info, on, fields, with_pdf, prepared)


def _generate(
    session: Session,
    actor: User,
    case: Case,
    store: FileStore,
    info: TemplateInfo,
    on: date | None,
    fields: Mapping[str, Any] | None,
    with_pdf: bool,
    prepared: PreparedTemplate | None,
) -> GeneratedDocument:
    policies.require(actor, "case.generate_document")
    context = build_context(session, case, info.name, on=on or today(), fields=fields)
    docx = render_docx(prepared or info.path, context)
    pdf = docx_to_pdf(docx) if with_pdf and info.offers_pdf else None
    return archive_document(
        session,
        actor,
        case,
        store,
        template=info.name,
        template_version=info.version,
        title=info.title,
        context=context,
        docx=docx,
        pdf=pdf,
    )


def bulk_generator(store: FileStore, *, on: date | None = None) -> Generate:
    """The ``generate`` step of ``cases.documents.bulk.process_run``: each version of a
    template parsed once per worker (``prepare``), the run's common fields applied to every
    case. Each case gets the version in use when it is generated."""
    prepared: dict[tuple[str, str], PreparedTemplate] = {}

    def generate(session: Session, actor: User, case: Case, run: BulkRun) -> GeneratedDocument:
        info = versions.current(session, run.template, store=store)
        key = (info.name, info.version)
        if key not in prepared:
            prepared[key] = prepare(info.path)
        return _generate(session, actor, case, store, info, on, run.fields, False, prepared[key])

    return generate
