"""Generating a document for a case end to end: context from the database, the shipped
template rendered in the sandbox, LibreOffice's PDF, the archived revision; and a bulk run
through the job queue."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from sqlmodel import select

from cases.documents.archive import GeneratedDocument
from cases.documents.bulk import BulkRun, RunStatus
from cases.documents.generate import bulk_generator, generate_document
from cases.errors import ValidationError
from cases.timeline.models import Attachment
from cases.users.models import Role
from tests.factories import letter_run, valid_uscc

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FIELDS = {
    "letter_no": "〔2026〕金诚律函字第12号",
    "pay_by": "2026-12-10",
    "lawyers": ["李明"],
    "bank_account": "中国工商银行上海分行 1001 2345 6789",
}
ON = date(2026, 11, 23)


@pytest.fixture
def store(app):
    return app.extensions["qingshou_files"]


@pytest.fixture
def engaged(session, make_case, make_user, make_firm):
    firm = make_firm("金诚律师事务所")
    legal = make_user(Role.LEGAL)
    debtor = {"kind": "company", "name": "A&B <贸易> 有限公司", "uscc": valid_uscc(991)}
    case = make_case(actor=legal, firm=firm, debtor=debtor)
    return legal, case


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_a_lawyer_letter_for_a_case(session, engaged, store):
    legal, case = engaged
    row = generate_document(
        session, legal, case, store, "lawyer_letter", on=ON, fields=FIELDS, with_pdf=True
    )
    assert (row.template, row.template_version, row.revision) == ("lawyer_letter", "1", 1)
    docx = session.get(Attachment, row.attachment_id)
    text = _text(store.read(docx.stored_name))
    assert "〔2026〕金诚律函字第12号" in text
    assert "A&B <贸易> 有限公司" in text  # escaped in the XML, read back as typed
    assert "金诚律师事务所" in text
    assert row.context["letter_no"] == FIELDS["letter_no"]
    pdf = session.get(Attachment, row.pdf_attachment_id)
    assert store.read(pdf.stored_name).startswith(b"%PDF")
    again = generate_document(session, legal, case, store, "lawyer_letter", on=ON, fields=FIELDS)
    assert again.revision == 2
    assert again.pdf_attachment_id is None


def test_bad_fields_store_nothing(session, engaged, store):
    legal, case = engaged
    with pytest.raises(ValidationError) as exc:
        generate_document(
            session, legal, case, store, "lawyer_letter", on=ON, fields={**FIELDS, "pay_by": ""}
        )
    assert "pay_by" in exc.value.errors
    assert session.exec(select(GeneratedDocument)).all() == []


def test_a_bulk_run_through_the_queue(app, session, make_case, make_user, make_firm, store):
    firm = make_firm()
    legal = make_user(Role.LEGAL)
    cases = [make_case(actor=legal, firm=firm) for _ in range(3)]
    run = letter_run(session, legal, cases, FIELDS)
    session.commit()
    queue = app.extensions["qingshou_queue"]
    assert queue.huey.immediate  # tests run tasks inline (QS_QUEUE_URL=memory://)
    queue.enqueue_run(run.id)
    session.expire_all()
    run = session.get(BulkRun, run.id)
    assert (run.status, run.done, run.failed) == (RunStatus.DONE, 3, 0)
    with zipfile.ZipFile(io.BytesIO(store.read(run.zip_stored_name))) as bundle:
        names = bundle.namelist()
        assert len(names) == 3
        assert all("〔2026〕金诚律函字第12号" in _text(bundle.read(n)) for n in names)


def test_bulk_generator_parses_the_template_once(session, engaged, store, monkeypatch):
    from cases.documents import generate as module

    legal, case = engaged
    calls = []
    real = module.prepare
    monkeypatch.setattr(module, "prepare", lambda path: calls.append(path) or real(path))
    run = letter_run(session, legal, [case], FIELDS)
    generate = bulk_generator(store, on=ON)
    generate(session, legal, case, run)
    generate(session, legal, case, run)
    assert len(calls) == 1
