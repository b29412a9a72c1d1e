"""Generated documents appear on the case page with their version, revision and files, and
download under the case's own permission (counsel of another firm: 404)."""

from __future__ import annotations

import pytest

from cases.documents.archive import archive_document
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
