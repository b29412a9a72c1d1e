"""Generated documents are archived on their case as new revisions, never overwritten."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.documents.archive import (
    DOCX_TYPE,
    GeneratedDocument,
    archive_document,
    context_json,
    generated_for,
)
from cases.errors import PermissionDenied
from cases.timeline.models import Attachment
from cases.timeline.storage import FileStore
from cases.users.models import Role


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


CONTEXT = {
    "debtor": {"name": "A&B <公司>"},
    "total": Decimal("989475.00"),
    "pay_by": date(2026, 12, 1),
}


def _archive(session, actor, case, store, data=b"PK\x03\x04 docx", **kw):
    return archive_document(
        session,
        actor,
        case,
        store,
        template="lawyer_letter",
        template_version="1",
        title="律师函",
        context=CONTEXT,
        docx=data,
        **kw,
    )


def test_each_generation_is_a_new_revision(session, make_case, make_user, store):
    legal = make_user(Role.LEGAL)
    case = make_case(actor=legal)
    first = _archive(session, legal, case, store)
    second = _archive(session, legal, case, store, data=b"PK\x03\x04 second", pdf=b"%PDF-1.7")
    assert (first.revision, second.revision) == (1, 2)
    assert [d.id for d in generated_for(session, case.id)] == [second.id, first.id]
    docx = session.get(Attachment, first.attachment_id)
    assert docx.content_type == DOCX_TYPE
    assert docx.sha256 == hashlib.sha256(b"PK\x03\x04 docx").hexdigest()
    assert docx.original_name == f"{case.number}-律师函-v1-1.docx"
    assert store.read(docx.stored_name) == b"PK\x03\x04 docx"  # revision 1 is untouched
    pdf = session.get(Attachment, second.pdf_attachment_id)
    assert (pdf.content_type, pdf.original_name) == (
        "application/pdf",
        f"{case.number}-律师函-v1-2.pdf",
    )
    assert first.context == {
        "debtor": {"name": "A&B <公司>"},
        "total": "989475.00",
        "pay_by": "2026-12-01",
    }
    assert first.created_by_id == legal.id


def test_generation_is_audited_without_copying_the_context(session, make_case, make_user, store):
    legal = make_user(Role.LEGAL)
    case = make_case(actor=legal)
    session.info["actor_id"] = legal.id
    row = _archive(session, legal, case, store)
    session.commit()
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "generated_document", AuditEntry.entity_id == row.id
        )
    ).one()
    assert entry.changes["template"] == [None, "lawyer_letter"]
    assert entry.changes["context"] == [None, "***"]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_only_legal_counsel_and_admin_generate(session, make_case, make_user, store, role):
    case = make_case()
    with pytest.raises(PermissionDenied):
        _archive(session, make_user(role), case, store)
    assert session.exec(select(GeneratedDocument)).all() == []


def test_context_json_keeps_money_exact():
    assert context_json({"a": Decimal("0.10"), "d": [date(2026, 1, 2)]}) == {
        "a": "0.10",
        "d": ["2026-01-02"],
    }
    with pytest.raises(TypeError):
        context_json({"x": object()})
