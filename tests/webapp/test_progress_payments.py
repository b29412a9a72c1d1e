"""Logging progress on the timeline and recording payments from the case file page."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import BUSINESS_TZ, today
from cases.ledger.models import Payment
from cases.register.models import Claim
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import Role
from tests.factories import valid_uscc
from tests.webapp.casefile_html import count, errors, flashes, section, values

TOMORROW = "tomorrow"  # replaced by the real date when the test runs


def _dated(form: dict[str, str]) -> dict[str, str]:
    tomorrow = (today() + timedelta(days=1)).isoformat()
    return {key: tomorrow if value == TOMORROW else value for key, value in form.items()}


def event_form(**fields: str) -> dict[str, str]:
    return _dated(
        {
            "kind": "contact",
            "occurred_on": (today() - timedelta(days=1)).isoformat(),
            "occurred_time": "15:30",
            "channel": "visit",
            "summary": "上门拜访，见到法定代表人",
            "debtor_response": "承认欠款，愿意分期",
            "promised_amount": "",
            "promised_date": "",
            **fields,
        }
    )


def payment_form(**fields: str) -> dict[str, str]:
    return _dated(
        {
            "received_on": (today() - timedelta(days=2)).isoformat(),
            "amount": "25000.00",
            "payer": "测试债务人有限公司",
            "method": "bank_transfer",
            "bank_ref": "ICBC-0091",
            "claim_id": "",
            "note": "第一期分期款",
            **fields,
        }
    )


def rows(session) -> tuple[int, int, int, int]:
    return (
        count(session, Event),
        count(session, Payment),
        count(session, Attachment),
        count(session, AuditEntry),
    )


# ---- the timeline ---------------------------------------------------------------------------


def test_the_form_defaults_to_a_contact_now(client, login_as, make_case):
    case = make_case()
    login_as(Role.LEGAL)
    before = datetime.now(BUSINESS_TZ)

    form = values(section(client.get(f"/cases/{case.id}").get_data(as_text=True), "log-event"))

    assert form["kind"] == "contact"
    assert form["occurred_on"] == today().isoformat()
    shown = datetime.strptime(f"{form['occurred_on']} {form['occurred_time']}", "%Y-%m-%d %H:%M")
    assert abs(shown.replace(tzinfo=BUSINESS_TZ) - before) < timedelta(minutes=2)


def test_a_contact_with_a_promise_goes_on_the_timeline(client, login_as, make_case, session):
    case = make_case()
    legal = login_as(Role.LEGAL)
    promised = (today() + timedelta(days=14)).isoformat()

    response = client.post(
        f"/cases/{case.id}/events",
        data=event_form(promised_amount="80,000", promised_date=promised),
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#timeline"
    event = session.exec(
        select(Event).where(Event.case_id == case.id, Event.kind == EventKind.CONTACT)
    ).one()
    yesterday = today() - timedelta(days=1)
    assert event.occurred_at == datetime(
        yesterday.year, yesterday.month, yesterday.day, 15, 30, tzinfo=BUSINESS_TZ
    )
    assert (
        event.channel,
        event.actor_id,
        event.promised_amount,
        event.promised_date.isoformat(),
    ) == ("visit", legal.id, Decimal("80000.00"), promised)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已记入案件进展。" in flashes(page)
    timeline = section(page, "timeline")
    assert "上门拜访，见到法定代表人" in timeline
    assert "承认欠款，愿意分期" in timeline
    assert "¥80,000.00" in timeline


def test_counsel_logs_progress_with_attachments_on_their_firms_case(
    client, login_as, make_case, make_firm, session
):
    firm = make_firm()
    case = make_case(firm=firm)
    counsel = login_as(Role.COUNSEL, firm=firm)

    response = client.post(
        f"/cases/{case.id}/events",
        content_type="multipart/form-data",
        data={
            **event_form(kind="progress", channel="", summary="已向法院递交起诉状"),
            "file": [
                (io.BytesIO(b"%PDF-1.7 complaint"), "民事起诉状.pdf"),
                (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "立案回执.png"),
            ],
        },
    )

    assert response.status_code == 303
    event = session.exec(
        select(Event).where(Event.case_id == case.id, Event.kind == EventKind.PROGRESS)
    ).one()
    files = session.exec(
        select(Attachment).where(Attachment.event_id == event.id).order_by(Attachment.id)
    ).all()
    assert [(f.original_name, f.content_type, f.uploaded_by_id) for f in files] == [
        ("民事起诉状.pdf", "application/pdf", counsel.id),
        ("立案回执.png", "image/png", counsel.id),
    ]
    timeline = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "timeline")
    assert "民事起诉状.pdf" in timeline
    assert "立案回执.png" in timeline


BAD_EVENTS = [
    pytest.param({"occurred_on": TOMORROW}, "occurred_on", "该日期不能晚于今天", id="future-date"),
    pytest.param({"occurred_on": ""}, "occurred_on", "此项必填", id="no-date"),
    pytest.param(
        {"occurred_on": "2026-02-30"}, "occurred_on", "日期时间格式不正确", id="impossible-date"
    ),
    pytest.param({"channel": ""}, "channel", "请选择联系方式", id="contact-without-channel"),
    pytest.param({"summary": ""}, "summary", "此项必填", id="no-summary"),
    pytest.param(
        {"promised_amount": "5000"},
        "promised_date",
        "承诺还款须同时填写金额和日期",
        id="promise-without-date",
    ),
    pytest.param(
        {"promised_amount": "-5", "promised_date": "2030-01-01"},
        "promised_amount",
        "须大于 0",
        id="negative-promise",
    ),
    pytest.param(
        {"promised_amount": "5千", "promised_date": "2030-01-01"},
        "promised_amount",
        "金额格式不正确",
        id="malformed-promise",
    ),
    pytest.param(
        {"promised_amount": "5.005", "promised_date": "2030-01-01"},
        "promised_amount",
        "最多 2 位小数",
        id="promise-three-decimals",
    ),
    pytest.param({"kind": "payment"}, "kind", "此类事件由系统自动记录", id="automatic-kind"),
]


@pytest.mark.parametrize(("typed", "field", "message"), BAD_EVENTS)
def test_a_bad_event_is_refused_in_chinese_with_the_values_kept(
    client, login_as, make_case, session, typed, field, message
):
    case = make_case()
    login_as(Role.LEGAL)
    form = event_form(**typed)
    before = rows(session)

    response = client.post(f"/cases/{case.id}/events", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = section(page, "log-event")
    assert message in errors(shown).get(field, []), errors(shown)
    kept = values(shown)
    assert {name: kept.get(name) for name in form if name != "kind"} == {
        name: value for name, value in form.items() if name != "kind"
    }
    assert rows(session) == before
    assert errors(section(page, "record-payment")) == {}  # the other forms are untouched


def test_a_bad_attachment_refuses_the_whole_entry(client, login_as, make_case, session, app):
    case = make_case()
    login_as(Role.LEGAL)
    before = rows(session)

    response = client.post(
        f"/cases/{case.id}/events",
        content_type="multipart/form-data",
        data={
            **event_form(),
            "file": [
                (io.BytesIO(b"%PDF-1.4 ok"), "好.pdf"),
                (io.BytesIO(b"MZ\x90\x00"), "病毒.exe"),
            ],
        },
    )

    shown = section(response.get_data(as_text=True), "log-event")
    assert response.status_code == 422
    assert errors(shown) == {"file": ["不接受“.exe”类型的文件"]}
    assert values(shown)["summary"] == "上门拜访，见到法定代表人"
    assert "提交未成功时不会保留已选文件，请重新选择。" in shown
    assert rows(session) == before
    root = app.extensions["qingshou_files"].root
    assert not [path for path in root.rglob("*") if path.is_file()]  # no file written either


# ---- payments -------------------------------------------------------------------------------


def test_finance_records_a_payment_and_the_totals_follow(client, login_as, make_case, session):
    case = make_case()  # principal ¥120,000.00
    finance = login_as(Role.FINANCE)

    response = client.post(f"/cases/{case.id}/payments", data=payment_form(amount="1,234.50"))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#payments"
    payment = session.exec(select(Payment).where(Payment.case_id == case.id)).one()
    assert (
        payment.amount,
        payment.payer,
        payment.method,
        payment.bank_ref,
        payment.recorded_by_id,
    ) == (Decimal("1234.50"), "测试债务人有限公司", "bank_transfer", "ICBC-0091", finance.id)
    session.refresh(case)
    assert case.recovered_amount == Decimal("1234.50")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已登记回款 ¥1,234.50。" in flashes(page)
    payments = section(page, "payments")
    assert "ICBC-0091" in payments
    assert "第一期分期款" in payments
    assert "¥118,765.50" in section(page, "summary")  # outstanding
    assert 'data-kind="payment"' in section(page, "timeline")


def test_a_payment_can_name_one_of_the_cases_claims(client, login_as, make_case, session):
    case = make_case()
    claim = session.exec(select(Claim).where(Claim.case_id == case.id)).one()
    login_as(Role.LEGAL)

    response = client.post(
        f"/cases/{case.id}/payments", data=payment_form(claim_id=str(claim.id), method="court")
    )

    assert response.status_code == 303
    payment = session.exec(select(Payment).where(Payment.case_id == case.id)).one()
    assert (payment.claim_id, payment.method) == (claim.id, "court")


def test_the_payment_form_defaults_to_today_and_the_debtor(client, login_as, make_case):
    case = make_case(debtor={"kind": "company", "name": "默认付款人有限公司", "uscc": valid_uscc()})
    login_as(Role.FINANCE)

    form = values(section(client.get(f"/cases/{case.id}").get_data(as_text=True), "record-payment"))

    assert (form["received_on"], form["payer"], form["method"]) == (
        today().isoformat(),
        "默认付款人有限公司",
        "bank_transfer",
    )


BAD_PAYMENTS = [
    pytest.param({"amount": "-100"}, "amount", "须大于 0", id="negative"),
    pytest.param({"amount": "0"}, "amount", "须大于 0", id="zero"),
    pytest.param({"amount": "一万"}, "amount", "金额格式不正确", id="malformed"),
    pytest.param({"amount": "1,23"}, "amount", "金额格式不正确", id="bad-grouping"),
    pytest.param({"amount": "99.999"}, "amount", "最多 2 位小数", id="three-decimals"),
    pytest.param({"amount": ""}, "amount", "此项必填", id="no-amount"),
    pytest.param(
        {"received_on": TOMORROW}, "received_on", "收款日期不能晚于今天", id="future-date"
    ),
    pytest.param({"received_on": ""}, "received_on", "此项必填", id="no-date"),
    pytest.param({"payer": ""}, "payer", "此项必填", id="no-payer"),
    pytest.param({"method": "bitcoin"}, "method", "不是允许的取值", id="unknown-method"),
    pytest.param({"claim_id": "abc"}, "claim_id", "须为整数", id="malformed-claim"),
]


@pytest.mark.parametrize(("typed", "field", "message"), BAD_PAYMENTS)
def test_a_bad_payment_is_refused_in_chinese_with_the_values_kept(
    client, login_as, make_case, session, typed, field, message
):
    case = make_case()
    login_as(Role.FINANCE)
    form = payment_form(**typed)
    before = rows(session)

    response = client.post(f"/cases/{case.id}/payments", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = section(page, "record-payment")
    assert message in errors(shown).get(field, []), errors(shown)
    kept = values(shown)
    assert {name: kept.get(name) for name in form if name not in ("method", "claim_id")} == {
        name: value for name, value in form.items() if name not in ("method", "claim_id")
    }
    assert rows(session) == before
    session.refresh(case)
    assert case.recovered_amount == Decimal("0.00")


def test_a_claim_of_another_case_is_refused(client, login_as, make_case, session):
    case, other = make_case(), make_case()
    foreign = session.exec(select(Claim).where(Claim.case_id == other.id)).one()
    login_as(Role.LEGAL)
    before = rows(session)

    response = client.post(
        f"/cases/{case.id}/payments", data=payment_form(claim_id=str(foreign.id))
    )

    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "record-payment")) == {
        "claim_id": ["该债权不属于本案"]
    }
    assert rows(session) == before
