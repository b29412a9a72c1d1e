"""Versions of the document templates uploaded by admins, and which one is in use.

The templates shipped in ``templates/letters`` and ``templates/filings`` (``catalog``) are the
versions "from the repository". An admin may upload a new version of one of them
(``upload_version``): a .docx that

- is at most ``MAX_BYTES`` (5 MB);
- is a zip archive whose headers promise a sane expansion — at most ``MAX_MEMBERS`` members,
  ``MAX_UNCOMPRESSED`` (50 MB) in all, no member larger than ``RATIO_FLOOR`` compressed more
  than ``MAX_RATIO`` times, no encryption, stored or deflated only — all read from the central
  directory before a byte is decompressed (a zip bomb is refused unopened; ``zipfile`` never
  inflates a member beyond the size its header declares, so the headers bound the work);
- holds ``word/document.xml``;
- passes ``cases.documents.contract.check_template`` against the template's context schema:
  Jinja that parses and compiles in the sandbox, no variable, field or filter the schema does
  not declare, nothing the sandbox forbids, ``render.prepare`` succeeds, and the sample
  contexts (``cases.documents.samples``) render;

with a version number greater than every version of that template so far, the shipped one
included (whole numbers, compared as numbers). A refused file raises ``ValidationError`` on
``file`` listing every problem found (on ``version`` for the number).

Every version stays stored and downloadable. At most one uploaded version of a template is
active (a partial unique index); ``current`` gives the ``TemplateInfo`` generation uses: the
active upload's file and version, else the shipped template. ``activate`` picks a version,
``use_shipped`` goes back to the repository's.
"""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import datetime
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, Session, SQLModel, select

from cases.base import UTCDateTime, utcnow
from cases.documents import catalog
from cases.documents.archive import DOCX_TYPE
from cases.documents.contract import check_template
from cases.documents.samples import sample_context
from cases.errors import N_, Message, NotFound, ValidationError
from cases.register import policies
from cases.timeline.storage import FileStore
from cases.users.models import User
from cases.validation import parse

MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_RATIO = 100  # uncompressed / compressed; Word's XML parts deflate 5–20 times
RATIO_FLOOR = 256 * 1024  # smaller members may compress as they like
DOCUMENT_XML = "word/document.xml"
MB = 1024 * 1024

CHOOSE_FILE = N_("Choose a .docx file to upload")
TOO_LARGE = N_("The file is larger than %(mb)s MB")
NOT_DOCX = N_("The file is not a Word document (.docx)")
TOO_MANY_MEMBERS = N_(
    "The file holds %(count)s parts, more than a Word document has (at most %(limit)s): refused"
)
EXPANDS = N_(
    "The file would expand to %(mb)s MB, more than the %(limit)s MB allowed: "
    "refused as a possible zip bomb"
)
RATIO = N_(
    "The part “%(member)s” is compressed %(ratio)s times, more than a Word document ever is "
    "(at most %(limit)s): refused as a possible zip bomb"
)
ODD_MEMBER = N_(
    "The part “%(member)s” is encrypted or compressed in an unusual way: "
    "save the file again from Word as .docx"
)
NO_DOCUMENT = N_("The file has no word/document.xml: it is not a Word document (.docx)")
REFUSED = N_("The template was not accepted: %(count)s problem(s) found")
VERSION_NUMBER = N_("The version is a whole number, such as 2")
VERSION_NOT_NEWER = N_("The version must be greater than %(latest)s, the latest of this template")
VERSION_INCOMPARABLE = N_(
    "Version %(existing)s of this template is not a whole number: a new version cannot be "
    "compared with it"
)
NO_VERSION = N_("No such template version")


class TemplateVersionBase(SQLModel):
    name: str = Field(max_length=64, index=True)  # a shipped template's name
    version: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)


class TemplateVersionCreate(TemplateVersionBase):
    @field_validator("version", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> str:
        text = str(value if value is not None else "").strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
            raise PydanticCustomError("version", VERSION_NUMBER)
        return str(int(text))  # "02" is 2

    @field_validator("note", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> str:
        return str(value or "").strip()


class TemplateVersion(TemplateVersionBase, table=True):
    __tablename__ = "template_version"
    __table_args__ = (
        sa.UniqueConstraint("name", "version", name="uq_template_version_name_version"),
        sa.CheckConstraint("size > 0", name="size_positive"),
        # At most one active version per template.
        sa.Index(
            "uq_template_version_active",
            "name",
            unique=True,
            sqlite_where=sa.text("is_active"),
            postgresql_where=sa.text("is_active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    stored_name: str = Field(max_length=80)  # in the FileStore
    sha256: str = Field(max_length=64)
    size: int
    is_active: bool = False
    uploaded_by_id: int = Field(foreign_key="app_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- queries -------------------------------------------------------------------------------------


def versions(session: Session, name: str) -> list[TemplateVersion]:
    """Every uploaded version of template ``name``, newest first."""
    stmt = (
        select(TemplateVersion)
        .where(TemplateVersion.name == name)
        .order_by(TemplateVersion.uploaded_at.desc(), TemplateVersion.id.desc())
    )
    return list(session.exec(stmt))


def active_versions(session: Session) -> dict[str, TemplateVersion]:
    """The active uploaded version of each template that has one, by template name."""
    rows = session.exec(select(TemplateVersion).where(TemplateVersion.is_active))
    return {row.name: row for row in rows}


def get_version(session: Session, name: str, version_id: int) -> TemplateVersion:
    row = session.get(TemplateVersion, version_id)
    if row is None or row.name != name:
        raise NotFound(NO_VERSION)
    return row


def current(session: Session, name: str, *, store: FileStore) -> catalog.TemplateInfo:
    """The template generation uses: the active upload (its stored file, its version), else
    the shipped one. ``NotFound`` for a name that is not a shipped template."""
    info = catalog.get(name)
    row = session.exec(
        select(TemplateVersion).where(TemplateVersion.name == name, TemplateVersion.is_active)
    ).first()
    if row is None:
        return info
    return replace(info, path=store.path(row.stored_name), version=row.version)


def next_version(session: Session, name: str) -> str:
    """The number to offer for the next upload ("" when the versions are not numbers)."""
    numbers = _numbers(session, catalog.get(name))
    if numbers is None:
        return ""
    return str(max(numbers) + 1)


def _numbers(session: Session, info: catalog.TemplateInfo) -> list[int] | None:
    existing = [info.version, *(row.version for row in versions(session, info.name))]
    if not all(v.isascii() and v.isdigit() for v in existing):
        return None
    return [int(v) for v in existing]


# ---- checks of an uploaded file ------------------------------------------------------------------


def check_package(data: bytes) -> None:
    """Refuse (``ValidationError`` on ``file``) what is not a small, sane .docx package, from
    the zip headers alone: nothing is decompressed here."""

    def refuse(msgid: str, **params: Any) -> ValidationError:
        return ValidationError.single("file", msgid, **params)

    if not data:
        raise refuse(CHOOSE_FILE)
    if len(data) > MAX_BYTES:
        raise refuse(TOO_LARGE, mb=MAX_BYTES // MB)
    if not data.startswith(b"PK\x03\x04"):
        raise refuse(NOT_DOCX)
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:  # reads the central directory only
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise refuse(NOT_DOCX) from None
    if len(members) > MAX_MEMBERS:
        raise refuse(TOO_MANY_MEMBERS, count=len(members), limit=MAX_MEMBERS)
    total = 0
    for member in members:
        if member.flag_bits & 0x1 or member.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise refuse(ODD_MEMBER, member=member.filename)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise refuse(RATIO, member=member.filename, ratio=int(ratio), limit=MAX_RATIO)
        total += member.file_size
    if total > MAX_UNCOMPRESSED:
        raise refuse(EXPANDS, mb=-(-total // MB), limit=MAX_UNCOMPRESSED // MB)
    if DOCUMENT_XML not in {m.filename for m in members}:
        raise refuse(NO_DOCUMENT)


def _samples(name: str) -> list[dict[str, Any]]:
    """The contexts a new version must render: a full one and the sparsest one."""
    return [sample_context(name, rows=2), sample_context(name, rows=1, minimal=True)]


def check_file(info: catalog.TemplateInfo, data: bytes) -> None:
    """Every check of an uploaded file for template ``info``; ``ValidationError`` on ``file``
    with a summary and each problem found."""
    check_package(data)
    report = check_template(data, info.context_class, samples=_samples(info.name))
    if not report.ok:
        summary = Message(REFUSED, count=len(report.problems))
        raise ValidationError({"file": [summary, *report.messages()]})


def _check_version(session: Session, info: catalog.TemplateInfo, version: str) -> None:
    numbers = _numbers(session, info)
    if numbers is None:
        existing = [info.version, *(row.version for row in versions(session, info.name))]
        odd = next(v for v in existing if not (v.isascii() and v.isdigit()))
        raise ValidationError.single("version", VERSION_INCOMPARABLE, existing=odd)
    if int(version) <= max(numbers):
        raise ValidationError.single("version", VERSION_NOT_NEWER, latest=max(numbers))


# ---- operations (admin only; flush, never commit) ------------------------------------------------


def upload_version(
    session: Session,
    actor: User,
    store: FileStore,
    name: str,
    data: bytes,
    *,
    version: str,
    note: str = "",
    activate: bool = True,
) -> TemplateVersion:
    """Check and keep a new version of template ``name``; it is used from now on when
    ``activate`` (the default). The version number and the file are both checked, and all
    their problems reported together."""
    policies.require(actor, "template.manage")
    info = catalog.get(name)
    errors: dict[str, list[Message]] = {}
    fields: TemplateVersionCreate | None = None
    try:
        fields = parse(TemplateVersionCreate, {"name": name, "version": version, "note": note})
        _check_version(session, info, fields.version)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        check_file(info, data)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors or fields is None:
        raise ValidationError(errors)
    if activate:
        _make_active(session, name, None)  # the one in use so far steps down first
    stored = store.save(data, DOCX_TYPE)
    row = TemplateVersion.model_validate(
        fields,
        update={
            "stored_name": stored.stored_name,
            "sha256": stored.sha256,
            "size": stored.size,
            "uploaded_by_id": actor.id,
            "is_active": activate,
        },
    )
    session.add(row)
    session.flush()
    return row


def _make_active(session: Session, name: str, row: TemplateVersion | None) -> None:
    for other in session.exec(
        select(TemplateVersion).where(TemplateVersion.name == name, TemplateVersion.is_active)
    ):
        if other is not row:
            other.is_active = False
    session.flush()  # before the new one: the unique index allows one active per template
    if row is not None and not row.is_active:
        row.is_active = True
        session.flush()


def activate(session: Session, actor: User, version_id: int) -> TemplateVersion:
    """Use uploaded version ``version_id`` of its template from now on."""
    policies.require(actor, "template.manage")
    row = session.get(TemplateVersion, version_id)
    if row is None:
        raise NotFound(NO_VERSION)
    _make_active(session, row.name, row)
    return row


def use_shipped(session: Session, actor: User, name: str) -> catalog.TemplateInfo:
    """Go back to the version from the repository for template ``name``."""
    policies.require(actor, "template.manage")
    info = catalog.get(name)
    _make_active(session, name, None)
    return info
