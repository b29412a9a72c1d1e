"""Generating a document from the case page: choose, fill in, preview, generate, download;
refused input keeps what was typed; only those allowed, and counsel only on their firm's cases."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from sqlmodel import select

from cases.documents.archive import GeneratedDocument
from cases.documents.bulk import BulkRun
from cases.documents.versions import upload_version
from cases.register.operations import move_stage
from cases.timeline.models import Attachment
from cases.users.models import Role
from tests.cases.documents.test_versions import SECOND
from tests.webapp.casefile_html import errors, section, values

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

LETTER = {
    "letter_no": "〔2026〕金诚律函字第12号",
    "pay_by": "2026-12-10",
    "lawyers": "李明\n王芳",
    "bank_account": "中国工商银行上海分行 1001 2345 6789",
    "facts": "贵司于2025年3月起停止付款。\n经我方多次催告，至今未付。",
}


@pytest.fixture
def firm(make_firm):
    return make_firm("金诚律师事务所")


@pytest.fixture
def case(make_case, firm):
    return make_case(firm=firm)


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_choose_a_template_suitable_ones_first(client, login_as, session, case):
    legal = login_as(Role.LEGAL)
    move_stage(session, legal, case, "accept")  # collection: the letters suit it
    session.commit()
    page = client.get(f"/cases/{case.id}/documents/new").get_data(as_text=True)
    listed = re.findall(r"template=(\w+)", page)
    assert set(listed) == {
        "collection_notice",
        "lawyer_letter",
        "repayment_agreement",
        "preservation_application",
        "complaint",
        "enforcement_application",
        "writeoff_application",
        "engagement_letter",
        "power_of_attorney",
    }
    assert "适用于本案" in page
    suitable = [name for name in listed if f"template={name}" in page.split("适用于本案")[0]]
    assert suitable[0] in ("collection_notice", "lawyer_letter")


def test_preview_then_generate_a_lawyer_letter(client, login_as, session, case):
    login_as(Role.LEGAL)
    form_page = client.get(f"/cases/{case.id}/documents/new?template=lawyer_letter")
    assert form_page.status_code == 200
    assert "函号（如〔2026〕沪明律函字第12号）" in form_page.get_data(as_text=True)

    url = f"/cases/{case.id}/documents/new?template=lawyer_letter"
    preview = client.post(url, data={**LETTER, "action": "preview"})
    assert preview.status_code == 200
    shown = _text(section(preview.get_data(as_text=True), "preview"))
    assert "律 师 函" in shown or "律师函" in shown
    assert "〔2026〕金诚律函字第12号" in shown
    assert "金诚律师事务所" in shown
    assert "经我方多次催告，至今未付。" in shown
    assert session.exec(select(GeneratedDocument)).all() == []  # a preview keeps nothing

    done = client.post(url, data={**LETTER, "action": "generate"})
    assert done.status_code == 303
    row = session.exec(select(GeneratedDocument).where(GeneratedDocument.case_id == case.id)).one()
    assert (row.template, row.revision, row.context["letter_no"]) == (
        "lawyer_letter",
        1,
        "〔2026〕金诚律函字第12号",
    )
    assert row.context["lawyers"] == ["李明", "王芳"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已生成律师函（第 1 版）。" in page
    download = client.get(f"/cases/{case.id}/attachments/{row.attachment_id}")
    doc = Document(io.BytesIO(download.data))
    assert any("〔2026〕金诚律函字第12号" in p.text for p in doc.paragraphs)
    assert session.get(Attachment, row.attachment_id).original_name.endswith("-律师函-v1-1.docx")


def test_refused_input_keeps_what_was_typed(client, login_as, session, case):
    login_as(Role.LEGAL)
    url = f"/cases/{case.id}/documents/new?template=lawyer_letter"
    typed = {**LETTER, "letter_no": "", "action": "generate"}
    response = client.post(url, data=typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = page[: page.index('id="preview"')]
    assert errors(form)["letter_no"] == ["此项必填"]
    kept = values(form)
    assert kept["pay_by"] == LETTER["pay_by"]
    assert kept["bank_account"] == LETTER["bank_account"]
    assert "王芳" in kept["lawyers"]
    assert session.exec(select(GeneratedDocument)).all() == []
    # the document's own rule: the pay-by date must follow the letter's date
    response = client.post(url, data={**LETTER, "pay_by": "2020-01-01", "action": "generate"})
    assert response.status_code == 422
    assert "pay_by" in errors(response.get_data(as_text=True))
    assert values(response.get_data(as_text=True))["pay_by"] == "2020-01-01"


def test_installment_rows_of_a_repayment_agreement(client, login_as, session, case):
    login_as(Role.LEGAL)
    url = f"/cases/{case.id}/documents/new?template=repayment_agreement"
    page = client.get(url).get_data(as_text=True)
    assert 'name="installments-0-due_on"' in page
    response = client.post(
        url,
        data={
            "installments-0-due_on": "2026-12-31",
            "installments-0-amount": "abc",
            "action": "preview",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert errors(page) == {"installments-0-amount": ["金额格式不正确"]}
    assert values(page)["installments-0-amount"] == "abc"  # kept as typed, in its row


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_finance_and_management_do_not_generate(client, login_as, case, role):
    login_as(role)
    assert client.get(f"/cases/{case.id}/documents/new").status_code == 403
    url = f"/cases/{case.id}/documents/new?template=lawyer_letter"
    assert client.post(url, data={**LETTER, "action": "generate"}).status_code == 403


def test_counsel_generates_on_their_firms_cases_only(
    client, login_as, make_user, make_firm, session, case, firm
):
    login_as(make_user(Role.COUNSEL, firm=firm, name="李明"))
    url = f"/cases/{case.id}/documents/new?template=lawyer_letter"
    assert "李明" in values(client.get(url).get_data(as_text=True))["lawyers"]
    assert client.post(url, data={**LETTER, "action": "generate"}).status_code == 303
    login_as(make_user(Role.COUNSEL, firm=make_firm()))
    assert client.get(url).status_code == 404
    assert client.post(url, data={**LETTER, "action": "generate"}).status_code == 404


def test_unknown_template_is_404(client, login_as, case):
    login_as(Role.LEGAL)
    assert client.get(f"/cases/{case.id}/documents/new?template=nope").status_code == 404


def test_the_page_and_bulk_runs_use_the_active_uploaded_version(
    app, client, login_as, session, make_user, case
):
    store = app.extensions["qingshou_files"]
    upload_version(session, make_user(Role.ADMIN), store, "lawyer_letter", SECOND, version="2")
    session.commit()
    login_as(Role.LEGAL)
    url = f"/cases/{case.id}/documents/new?template=lawyer_letter"
    assert "模板版本 2。" in client.get(url).get_data(as_text=True)
    preview = client.post(url, data={**LETTER, "action": "preview"}).get_data(as_text=True)
    assert "律 师 函（第二版）" in _text(section(preview, "preview"))
    runs = client.post(
        f"/documents/runs/new?firm_id={case.firm_id}&template=lawyer_letter",
        data={k: v for k, v in LETTER.items() if k != "facts"},
    )
    assert runs.status_code == 303
    run = session.exec(select(BulkRun)).one()
    assert run.template_version == "2"
    documents = session.exec(select(GeneratedDocument)).all()
    assert {d.template_version for d in documents} == {"2"}
