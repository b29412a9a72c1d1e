"""Generated documents appear on the case page with their version, revision and files, and
download under the case's own permission (counsel of another firm: 404)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cases.documents.archive import archive_document
from cases.documents.generate import generate_document
from cases.users.models import Role


@pytest.fixture
def generated(app, session, make_case, make_user, make_firm):
    firm = make_firm()
    legal = make_user(Role.LEGAL, name="王法务")
    case = make_case(actor=legal, firm=firm)
    store = app.extensions["qingshou_files"]
    row = archive_document(
        session,
        legal,
        case,
        store,
        template="lawyer_letter",
        template_version="1",
        title="律师函",
        context={"letter_no": "〔2026〕金诚律函字第12号"},
        docx=b"PK\x03\x04 letter",
        pdf=b"%PDF-1.7 letter",
    )
    session.commit()
    return case, firm, row


def test_the_case_page_lists_generated_documents(client, login_as, generated):
    case, _firm, row = generated
    login_as(Role.LEGAL)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    table = page[page.index('data-testid="generated"') :]
    table = table[: table.index("</table>")]
    assert "律师函" in table
    assert "v1" in table
    assert "王法务" in table
    assert f"/cases/{case.id}/attachments/{row.attachment_id}" in table
    assert f"/cases/{case.id}/attachments/{row.pdf_attachment_id}" in table
    response = client.get(f"/cases/{case.id}/attachments/{row.pdf_attachment_id}")
    assert response.data == b"%PDF-1.7 letter"


def test_counsel_of_another_firm_cannot_download(client, login_as, make_user, make_firm, generated):
    case, firm, row = generated
    login_as(make_user(Role.COUNSEL, firm=firm))
    assert client.get(f"/cases/{case.id}/attachments/{row.attachment_id}").status_code == 200
    login_as(make_user(Role.COUNSEL, firm=make_firm()))
    assert client.get(f"/cases/{case.id}/attachments/{row.attachment_id}").status_code == 404


WRITEOFF_FIELDS = {
    "reason": "enforcement_terminated",
    "reason_detail": ["经强制执行，被执行人无财产可供执行，法院裁定终结本次执行程序。"],
    "recovery_steps": ["2025年起多次催收并提起诉讼。"],
    "legal_opinion": ["债权已无法收回，符合核销条件。"],
}


def test_writeoff_cover_and_approval_sheet(app, client, login_as, session, make_case, make_user):
    legal = make_user(Role.LEGAL)
    case = make_case(actor=legal)
    login_as(Role.MANAGEMENT)
    first = client.get(f"/cases/{case.id}/writeoff-packet.pdf")
    assert first.status_code == 303  # nothing to cover yet: generate the form first
    assert first.headers["Location"].endswith(f"/cases/{case.id}/documents/new")
    store = app.extensions["qingshou_files"]
    generate_document(session, legal, case, store, "writeoff_application", fields=WRITEOFF_FIELDS)
    session.commit()
    response = client.get(f"/cases/{case.id}/writeoff-packet.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "核销申请材料" in text
    assert "核销审批单" in text
    assert "管理层审批" in text
    assert "终结本次执行程序" in text  # the reason from the generated form
    login_as(make_user(Role.COUNSEL))
    assert client.get(f"/cases/{case.id}/writeoff-packet.pdf").status_code in (403, 404)
