"""Generated documents kept on their case, one row per generation, never overwritten.

A generated file is an ``Attachment`` of the case (so it is listed, downloaded and permitted
exactly like an uploaded file) plus a ``GeneratedDocument`` row that says how it was made: the
template's name and version, the context it was filled with (as JSON, so the figures in a
letter can be traced years later), the file's sha256, who made it and when. Generating again
for the same case and template adds revision n + 1; earlier revisions stay.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from cases.base import UTCDateTime, utcnow
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.timeline.operations import keep_file
from cases.timeline.storage import FileStore
from cases.users.models import User

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


class GeneratedDocument(SQLModel, table=True):
    __tablename__ = "generated_document"
    __audit_mask__ = ("context",)  # kept on the row itself; not copied into the trail
    __table_args__ = (
        sa.UniqueConstraint("case_id", "template", "revision", name="uq_generated_revision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    template: str = Field(max_length=64)
    template_version: str = Field(max_length=20)
    title: str = Field(max_length=200)
    revision: int
    context: dict[str, Any] = Field(sa_type=sa.JSON)
    attachment_id: int = Field(foreign_key="attachment.id")
    pdf_attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON-able in a document context: {type(value).__name__}")


def context_json(context: dict[str, Any]) -> dict[str, Any]:
    """The context as JSON data: Decimals as strings (exact), dates in ISO form."""
    return json.loads(json.dumps(context, default=_plain, ensure_ascii=False))


def next_revision(session: Session, case_id: int, template: str) -> int:
    latest = session.exec(
        select(sa.func.max(GeneratedDocument.revision)).where(
            GeneratedDocument.case_id == case_id, GeneratedDocument.template == template
        )
    ).one()
    return (latest or 0) + 1


def archive_document(
    session: Session,
    actor: User,
    case: Case,
    store: FileStore,
    *,
    template: str,
    template_version: str,
    title: str,
    context: dict[str, Any],
    docx: bytes,
    pdf: bytes | None = None,
) -> GeneratedDocument:
    """Keep a generated document (and its PDF) on ``case`` as the next revision."""
    policies.require(actor, "case.generate_document")
    revision = next_revision(session, case.id, template)
    stem = f"{case.number}-{title}-v{template_version}-{revision}"
    docx_file = keep_file(session, actor, case, store, f"{stem}.docx", docx, DOCX_TYPE)
    pdf_file = keep_file(session, actor, case, store, f"{stem}.pdf", pdf, PDF_TYPE) if pdf else None
    row = GeneratedDocument(
        case_id=case.id,
        template=template,
        template_version=template_version,
        title=title,
        revision=revision,
        context=context_json(context),
        attachment_id=docx_file.id,
        pdf_attachment_id=pdf_file.id if pdf_file else None,
        created_by_id=actor.id,
    )
    session.add(row)
    touch(case)
    session.flush()
    return row


def generated_for(session: Session, case_id: int) -> list[GeneratedDocument]:
    """The case's generated documents, newest first."""
    stmt = (
        select(GeneratedDocument)
        .where(GeneratedDocument.case_id == case_id)
        .order_by(GeneratedDocument.created_at.desc(), GeneratedDocument.id.desc())
    )
    return list(session.exec(stmt))
