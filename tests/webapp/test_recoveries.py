"""Money reported by counsel and confirmed by finance, the money queue, fee requests from the
case page to the PDF statement, and the API's payments."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlmodel import select

from cases.base import today
from cases.engagements.models import Engagement, FeeKind
from cases.ledger.models import Payment, PaymentStatus
from cases.ledger.operations import record_payment
from cases.settlement.models import FeeRequest, FeeRequestStatus
from cases.users.models import LawFirm, Role
from cases.users.operations import issue_token
from tests.webapp.casefile_html import errors, flashes, section

D = Decimal
PDF = b"%PDF-1.4 receipt"


pytestmark = pytest.mark.usefixtures("cheap_passwords")  # several users per test


@pytest.fixture
def firm(make_firm):
    return make_firm("金诚律师事务所")


@pytest.fixture
def case(make_case, firm, session):
    """Principal 120,000, engaged to ``firm`` a year ago on a 10% contingency."""
    case = make_case(firm=firm)
    engagement = session.exec(select(Engagement).where(Engagement.case_id == case.id)).one()
    engagement.starts_on = today() - timedelta(days=365)
    engagement.claim_amount = D("120000")
    engagement.fee_kind, engagement.fee_terms = FeeKind.CONTINGENCY, {"rate": "0.1"}
    engagement.terms_pending = False
    session.commit()
    return case


def report(**fields) -> dict[str, str]:
    return {
        "received_on": (today() - timedelta(days=2)).isoformat(),
        "amount": "25,000.00",
        "payer": "测试债务人有限公司",
        "method": "bank_transfer",
        "bank_ref": "ICBC-5501",
        "note": "法院执行款",
        **fields,
    }


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def payment_of(session, case) -> Payment:
    return session.exec(select(Payment).where(Payment.case_id == case.id)).one()


# ---- counsel reports, finance confirms ---------------------------------------------------------


def test_counsel_reports_money_and_finance_confirms_it(client, login_as, session, case, firm):
    login_as(Role.COUNSEL, firm=firm)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "报告收回款项" in section(page, "record-payment")

    response = client.post(f"/cases/{case.id}/payments", data=report())

    assert response.status_code == 303
    payment = payment_of(session, case)
    assert (payment.status, payment.amount) == (PaymentStatus.PENDING, D("25000.00"))
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已报告 ¥25,000.00，经财务确认后计入回款。" in flashes(page)
    payments = section(page, "payments")
    assert 'data-status="pending"' in payments
    assert 'data-testid="recovered">¥0.00<' in payments
    assert 'data-testid="pending">¥25,000.00<' in payments
    assert "confirm-payment" not in payments  # counsel cannot confirm
    assert "已报告，待财务确认" in section(page, "timeline")

    finance = login_as(Role.FINANCE)
    payments = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "payments")
    assert "confirm-payment" in payments
    response = client.post(f"/cases/{case.id}/payments/{payment.id}/confirm")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#payments"

    session.refresh(payment)
    session.refresh(case)
    assert (payment.status, payment.confirmed_by_id) == (PaymentStatus.CONFIRMED, finance.id)
    assert case.recovered_amount == D("25000.00")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"{case.number} 的回款 ¥25,000.00 已确认。" in flashes(page)
    assert 'data-testid="recovered">¥25,000.00<' in section(page, "payments")
    assert "财务已确认" in section(page, "timeline")


def test_finance_records_confirmed_money_at_once(client, login_as, session, case):
    login_as(Role.FINANCE)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "登记回款" in section(page, "record-payment")
    assert client.post(f"/cases/{case.id}/payments", data=report()).status_code == 303
    assert payment_of(session, case).status == PaymentStatus.CONFIRMED


def test_finance_rejects_from_the_case_page_with_a_reason(client, login_as, session, case, firm):
    login_as(Role.COUNSEL, firm=firm)
    client.post(f"/cases/{case.id}/payments", data=report())
    payment = payment_of(session, case)
    login_as(Role.FINANCE)

    refused = client.post(f"/cases/{case.id}/payments/{payment.id}/reject", data={"reason": ""})

    assert refused.status_code == 422
    assert errors(section(refused.get_data(as_text=True), "payments")) == {
        "reason": ["请说明退回理由"]
    }
    response = client.post(
        f"/cases/{case.id}/payments/{payment.id}/reject", data={"reason": "银行流水无此笔"}
    )
    assert response.status_code == 303
    session.refresh(payment)
    assert (payment.status, payment.rejected_reason) == (PaymentStatus.REJECTED, "银行流水无此笔")
    payments = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "payments")
    assert "银行流水无此笔" in payments
    assert 'data-status="rejected"' in payments


def test_a_duplicate_bank_reference_is_refused_naming_its_case(
    client, login_as, session, case, make_case
):
    finance = login_as(Role.FINANCE)
    other = make_case()
    session.info["actor_id"] = finance.id
    record_payment(session, finance, other, {**report(), "amount": "10"})
    session.commit()

    response = client.post(f"/cases/{case.id}/payments", data=report())

    assert response.status_code == 422
    shown = errors(section(response.get_data(as_text=True), "record-payment"))
    assert shown == {"bank_ref": [f"银行流水号 ICBC-5501 已登记在案件 {other.number}"]}


def test_an_asset_in_kind_needs_its_description(client, login_as, session, case):
    login_as(Role.FINANCE)
    data = report(method="in_kind", bank_ref="")
    response = client.post(f"/cases/{case.id}/payments", data=data)
    assert response.status_code == 422
    assert "asset_description" in errors(section(response.get_data(as_text=True), "record-payment"))
    data["asset_description"] = "厂房设备一批，协议作价"
    assert client.post(f"/cases/{case.id}/payments", data=data).status_code == 303
    assert payment_of(session, case).asset_description == "厂房设备一批，协议作价"


# ---- the money queue ----------------------------------------------------------------------------


def test_the_queue_lists_pending_money_and_lets_finance_decide(
    client, login_as, session, case, firm
):
    login_as(Role.COUNSEL, firm=firm)
    client.post(f"/cases/{case.id}/payments", data=report())
    payment = payment_of(session, case)
    assert client.get("/money").status_code == 403

    login_as(Role.LEGAL)
    page = client.get("/money").get_data(as_text=True)
    assert case.number in section(page, "pending-payments")
    assert "confirm-payment" not in page
    assert 'id="fees-to-pay"' not in page

    login_as(Role.FINANCE)
    page = client.get("/money").get_data(as_text=True)
    assert "confirm-payment" in section(page, "pending-payments")
    assert 'id="fees-to-approve"' not in page
    refused = client.post(
        f"/cases/{case.id}/payments/{payment.id}/reject", data={"reason": "", "back": "queue"}
    )
    assert refused.status_code == 422
    assert errors(section(refused.get_data(as_text=True), "pending-payments")) == {
        "reason": ["请说明退回理由"]
    }
    confirmed = client.post(
        f"/cases/{case.id}/payments/{payment.id}/confirm", data={"back": "queue"}
    )
    assert (confirmed.status_code, confirmed.headers["Location"]) == (303, "/money")
    assert case.number not in section(
        client.get("/money").get_data(as_text=True), "pending-payments"
    )


# ---- fee requests ------------------------------------------------------------------------------


@pytest.fixture
def confirmed(session, case, make_user):
    """50,000 recorded by finance: a 10% contingency earns 5,000."""
    finance = make_user(Role.FINANCE)
    session.info["actor_id"] = finance.id
    record_payment(session, finance, case, {**report(), "amount": "50000"})
    session.commit()
    return finance


def test_fee_request_from_counsel_to_payment(client, login_as, session, case, firm, confirmed):
    counsel = login_as(Role.COUNSEL, firm=firm)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/fee-requests/new"' in section(page, "fee-requests")

    preview = client.get(f"/cases/{case.id}/fee-requests/new").get_data(as_text=True)
    shown = section(preview, "fee-preview")
    assert 'data-testid="recovered-counted">¥50,000.00<' in shown
    assert 'data-testid="now-due">¥5,000.00<' in shown
    assert "风险代理：回收金额50,000.00的10% ¥5,000.00" in text(shown)
    assert "司发通〔2021〕87号 第(六)项" in shown

    form = {
        "note": "执行回款",
        "expenses.0.description": "差旅费",
        "expenses.0.amount": "1,200.00",
        "expenses.0.spent_on": today().isoformat(),
        "expenses.0.receipt": (io.BytesIO(PDF), "车票.pdf"),
    }
    response = client.post(
        f"/cases/{case.id}/fee-requests", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    row = session.exec(select(FeeRequest).where(FeeRequest.case_id == case.id)).one()
    assert response.headers["Location"] == f"/cases/{case.id}/fee-requests/{row.id}"
    assert (row.fee_amount, row.expenses_amount, row.requested_by_id) == (
        D("5000.00"),
        D("1200.00"),
        counsel.id,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="fee-total">¥6,200.00<' in page
    assert "车票.pdf" in section(page, "fee-expenses")
    assert "approve-fee" not in page  # counsel do not approve

    login_as(Role.LEGAL)
    assert client.post(f"/cases/{case.id}/fee-requests/{row.id}/approve").status_code == 303
    session.refresh(row)
    assert row.status == FeeRequestStatus.APPROVED

    login_as(Role.FINANCE)
    queue = client.get("/money").get_data(as_text=True)
    assert f"/cases/{case.id}/fee-requests/{row.id}" in section(queue, "fees-to-pay")
    refused = client.post(f"/cases/{case.id}/fee-requests/{row.id}/pay", data={"paid_on": ""})
    assert refused.status_code == 422
    assert set(errors(section(refused.get_data(as_text=True), "fee-decision"))) == {
        "paid_on",
        "paid_reference",
    }
    paid = client.post(
        f"/cases/{case.id}/fee-requests/{row.id}/pay",
        data={"paid_on": today().isoformat(), "paid_reference": "CMB-778"},
    )
    assert paid.status_code == 303
    session.refresh(row)
    assert (row.status, row.paid_reference) == (FeeRequestStatus.PAID, "CMB-778")

    pdf = client.get(f"/cases/{case.id}/fee-requests/{row.id}/statement.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in (case.number, "律师费结算单", "50,000.00", "5,000.00", "1,200.00", "6,200.00"):
        assert expected in words, expected
    assert "司发通" in words


def test_a_refused_fee_request_keeps_what_was_typed(client, login_as, session, case, firm):
    login_as(Role.COUNSEL, firm=firm)
    form = {"note": "差旅", "expenses.1.description": "住宿费", "expenses.1.amount": "300"}
    response = client.post(
        f"/cases/{case.id}/fee-requests", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    shown = errors(section(response.get_data(as_text=True), "fee-request-form"))
    assert shown["expenses.1.spent_on"] == ["此项必填"]
    assert shown["expenses.1.receipt"] == ["请附上该笔费用的票据"]
    assert 'value="住宿费"' in section(response.get_data(as_text=True), "fee-request-form")
    assert session.exec(select(FeeRequest)).all() == []


def test_nothing_due_is_said_clearly(client, login_as, case, firm):
    login_as(Role.COUNSEL, firm=firm)
    response = client.post(f"/cases/{case.id}/fee-requests", data={})
    assert response.status_code == 422
    assert "无可请款项" in response.get_data(as_text=True)


def test_legal_rejects_a_fee_request_with_a_reason(client, login_as, session, case, confirmed):
    login_as(Role.ADMIN)
    client.post(f"/cases/{case.id}/fee-requests", data={})
    row = session.exec(select(FeeRequest)).one()
    login_as(Role.LEGAL)
    refused = client.post(f"/cases/{case.id}/fee-requests/{row.id}/reject", data={})
    assert refused.status_code == 422
    assert errors(section(refused.get_data(as_text=True), "fee-decision")) == {
        "reason": ["请说明退回理由"]
    }
    ok = client.post(f"/cases/{case.id}/fee-requests/{row.id}/reject", data={"reason": "未附判决"})
    assert ok.status_code == 303
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "未附判决" in page
    assert 'data-testid="fee-status">法务已退回<' in page


def test_another_firm_never_sees_a_fee_request(
    client, login_as, session, case, confirmed, make_case, make_firm
):
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/fee-requests", data={})
    row = session.exec(select(FeeRequest)).one()
    urls = [
        f"/cases/{case.id}/fee-requests/{row.id}",
        f"/cases/{case.id}/fee-requests/{row.id}/statement.pdf",
        f"/cases/{case.id}/fee-requests/new",
    ]
    login_as(Role.COUNSEL, firm=make_firm())
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # under a case of one's own, another case's request id is not found either
    other_firm = make_firm()
    own = make_case(firm=other_firm)
    login_as(Role.COUNSEL, firm=other_firm)
    assert client.get(f"/cases/{own.id}/fee-requests/{row.id}").status_code == 404
    assert client.get(f"/cases/{own.id}/fee-requests/{row.id}/statement.pdf").status_code == 404


# ---- the API ---------------------------------------------------------------------------------


def test_api_lists_payments_with_their_status(client, session, case, firm, make_user):
    counsel = make_user(Role.COUNSEL, firm=session.get(LawFirm, firm.id))
    token = issue_token(session, counsel, "test")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"received_on": "2025-07-15", "amount": "800", "payer": "债务人", "bank_ref": "A-1"}

    posted = client.post(f"/api/v1/cases/{case.id}/payments", headers=headers, json=body)

    assert posted.status_code == 201
    assert posted.get_json()["status"] == "pending"
    listed = client.get(f"/api/v1/cases/{case.id}/payments", headers=headers).get_json()
    assert [p["status"] for p in listed["items"]] == ["pending"]
    assert (listed["recovered"], listed["pending"]) == ("0.00", "800.00")
    again = client.post(f"/api/v1/cases/{case.id}/payments", headers=headers, json=body)
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"] == {
        "bank_ref": [f"银行流水号 A-1 已登记在案件 {case.number}"]
    }
    cases = client.get("/api/v1/cases", headers=headers).get_json()["items"]
    assert [c["recovered"] for c in cases if c["id"] == case.id] == ["0.00"]
