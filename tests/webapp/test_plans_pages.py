"""Repayment plans and promises on the pages (``webapp/blueprints/plans.py``): the plan form
(saving, refusing with what was typed, its helpers), acceleration and cancellation, the case
page's panel, the case list's flags, the alerts page, repeating promises from the contact form,
and following up a broken promise. The business date is frozen at 20 March 2026.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.documents.archive import GeneratedDocument
from cases.ledger.operations import record_payment
from cases.plans.models import PlanState, Promise, RepaymentPlan
from cases.plans.operations import create_plan
from cases.timeline.operations import keep_file, log_event
from cases.users.models import Role
from tests.webapp.casefile_html import count, errors, flashes, options, section, values


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        yield


@pytest.fixture
def legal(login_as, client):
    user = login_as(Role.LEGAL)
    client.post("/lang/en")
    return user


@pytest.fixture
def case(make_case, legal):
    """Registered on 2 January 2026, before anything the tests log on it."""
    with time_machine.travel(datetime(2026, 1, 2, 9, 0, tzinfo=BUSINESS_TZ), tick=False):
        return make_case(actor=legal, handler_id=legal.id)


def plan_form(**fields: str) -> dict[str, str]:
    return {
        "signed_on": "2026-01-05",
        "agreement": "",
        "agreement_no": "HK-2026-007",
        "acceleration_basis": "clause",
        "interest_waived": "",
        "penalty_waived": "",
        "waiver_approved_by_id": "",
        "waiver_note": "",
        "installments.0.due_on": "2026-01-31",
        "installments.0.amount": "10,000.00",
        "installments.1.due_on": "2026-02-28",
        "installments.1.amount": "10000",
        "installments.2.due_on": "",
        "installments.2.amount": "",
        "installments.3.due_on": "2026-03-31",
        "installments.3.amount": "10000",
        "note": "",
        **fields,
    }


def a_plan(session, legal, case, **changes):
    data = {
        "signed_on": "2026-01-05",
        "installments": [
            {"due_on": "2026-01-31", "amount": "10000"},
            {"due_on": "2026-02-28", "amount": "10000"},
            {"due_on": "2026-03-31", "amount": "10000"},
        ],
        **changes,
    }
    plan = create_plan(session, legal, case, data)
    session.commit()
    return plan


def confirmed(session, make_user, case, on: str, amount: str) -> None:
    finance = make_user(Role.FINANCE)
    record_payment(session, finance, case, {"received_on": on, "amount": amount, "payer": "债务人"})
    session.commit()


# ---- the plan form --------------------------------------------------------------------------


def test_a_plan_typed_in_the_form_is_saved(client, session, case, make_user):
    boss = make_user(Role.MANAGEMENT, name="王总")
    page = client.get(f"/cases/{case.id}/plans/new")
    assert page.status_code == 200
    assert str(boss.id) in options(page.get_data(as_text=True), "waiver_approved_by_id")
    response = client.post(
        f"/cases/{case.id}/plans/new",
        data=plan_form(
            interest_waived="2,500.00",
            waiver_approved_by_id=str(boss.id),
            waiver_note="总经理办公会",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case.id}#plans")
    plan = session.exec(select(RepaymentPlan).where(RepaymentPlan.case_id == case.id)).one()
    assert (plan.agreement_no, plan.interest_waived, plan.waiver_approved_by_id) == (
        "HK-2026-007",
        Decimal("2500.00"),
        boss.id,
    )
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    panel = section(page, "plans")
    assert "In default" in panel  # 31 January went unpaid
    assert 'data-testid="plan-alerts"' in panel
    assert "王总" in panel
    assert 'id="accelerate"' in panel


def test_a_refused_plan_keeps_what_was_typed(client, session, case):
    form = plan_form(**{"installments.3.due_on": "2026-02-01", "installments.3.amount": "0"})
    response = client.post(f"/cases/{case.id}/plans/new", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    shown = values(page)
    for key in ("installments.3.due_on", "installments.0.amount", "agreement_no", "signed_on"):
        assert shown[key] == form[key]
    # the fourth form row (the third non-blank one) carries the messages
    assert set(errors(page)) >= {"installments.3.amount"}
    assert count(session, RepaymentPlan) == 0


def test_the_date_order_is_checked_on_the_row_typed(client, session, case):
    form = plan_form(**{"installments.3.due_on": "2026-02-01"})
    page = client.post(f"/cases/{case.id}/plans/new", data=form).get_data(as_text=True)
    assert "installments.3.due_on" in errors(page)
    assert count(session, RepaymentPlan) == 0


def test_a_waiver_without_its_approver_is_refused(client, session, case):
    response = client.post(f"/cases/{case.id}/plans/new", data=plan_form(penalty_waived="800"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "waiver_approved_by_id" in errors(page)
    assert values(page)["penalty_waived"] == "800"


def test_equal_monthly_installments_fill_the_rows(client, session, case):
    form = plan_form(
        **{
            "fill": "equal",
            "equal.total": "100,000",
            "equal.count": "3",
            "equal.first_due": "2026-04-30",
        }
    )
    response = client.post(f"/cases/{case.id}/plans/new", data=form)
    assert response.status_code == 200
    shown = values(response.get_data(as_text=True))
    assert [
        (shown[f"installments.{n}.due_on"], shown[f"installments.{n}.amount"]) for n in range(3)
    ] == [
        ("2026-04-30", "33333.33"),
        ("2026-05-30", "33333.33"),
        ("2026-06-30", "33333.34"),
    ]
    assert shown["installments.3.due_on"] == ""
    assert shown["agreement_no"] == "HK-2026-007"
    assert count(session, RepaymentPlan) == 0  # the helper saves nothing
    bad = client.post(f"/cases/{case.id}/plans/new", data={**form, "equal.count": "0"})
    assert bad.status_code == 422
    assert "equal.count" in errors(bad.get_data(as_text=True))


def test_a_plan_starts_from_the_generated_agreement(app, client, session, case, legal):
    store = app.extensions["qingshou_files"]
    session.info["actor_id"] = legal.id
    file = keep_file(session, legal, case, store, "还款协议.docx", b"PK docx", "application/zip")
    doc = GeneratedDocument(
        case_id=case.id,
        template="repayment_agreement",
        template_version="1",
        title="还款协议",
        revision=1,
        context={
            "on": "2026-03-02",
            "agreement_no": "HK-77",
            "installments": [
                {"no": 1, "due_on": "2026-04-15", "amount": "6000.00", "balance_after": "6000.00"},
                {"no": 2, "due_on": "2026-05-15", "amount": "6000.00", "balance_after": "0.00"},
            ],
        },
        attachment_id=file.id,
        created_by_id=legal.id,
    )
    session.add(doc)
    session.commit()
    shown = values(client.get(f"/cases/{case.id}/plans/new").get_data(as_text=True))
    assert shown["agreement"] == f"document:{doc.id}"
    assert (shown["signed_on"], shown["agreement_no"]) == ("2026-03-02", "HK-77")
    assert [shown[f"installments.{n}.due_on"] for n in range(2)] == ["2026-04-15", "2026-05-15"]
    response = client.post(f"/cases/{case.id}/plans/new", data=shown)
    assert response.status_code == 303
    plan = session.exec(select(RepaymentPlan)).one()
    assert plan.document_id == doc.id
    page = client.get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/attachments/{file.id}" in page  # the agreement is linked


def test_a_second_plan_is_refused_while_one_is_in_force(client, session, case, legal):
    a_plan(session, legal, case)
    response = client.post(f"/cases/{case.id}/plans/new", data=plan_form())
    assert response.status_code == 422
    assert "__all__" in errors(response.get_data(as_text=True))
    assert count(session, RepaymentPlan) == 1


def test_changing_a_plan(client, session, case, legal):
    plan = a_plan(session, legal, case)
    shown = values(client.get(f"/cases/{case.id}/plans/{plan.id}/edit").get_data(as_text=True))
    assert shown["installments.2.due_on"] == "2026-03-31"
    shown["installments.2.due_on"] = "2026-04-30"
    response = client.post(f"/cases/{case.id}/plans/{plan.id}/edit", data=shown)
    assert response.status_code == 303
    page = client.get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert "2026-04-30" in page or "Apr 30, 2026" in page


def test_another_cases_plan_is_not_found_under_this_case(client, session, case, legal, make_case):
    other = make_case(actor=legal)
    plan = a_plan(session, legal, other)
    assert client.get(f"/cases/{case.id}/plans/{plan.id}").status_code == 404
    assert (
        client.post(f"/cases/{case.id}/plans/{plan.id}/cancel", data={"reason": "x"}).status_code
        == 404
    )
    assert session.get(RepaymentPlan, plan.id).state == PlanState.ACTIVE


# ---- acceleration, cancellation -------------------------------------------------------------


def test_acceleration_from_the_plan_page(client, session, case, legal, make_user):
    plan = a_plan(session, legal, case)
    confirmed(session, make_user, case, "2026-01-31", "10000")
    page = client.get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert values(section(page, "accelerate"))["accelerated_on"] == "2026-02-28"
    bad = client.post(
        f"/cases/{case.id}/plans/{plan.id}/accelerate",
        data={"accelerated_on": "2026-02-01", "note": "依第四条"},
    )
    assert bad.status_code == 422
    shown = section(bad.get_data(as_text=True), "accelerate")
    assert (values(shown)["accelerated_on"], values(shown)["note"]) == ("2026-02-01", "依第四条")
    assert "accelerated_on" in errors(shown)
    assert session.get(RepaymentPlan, plan.id).state == PlanState.ACTIVE
    response = client.post(
        f"/cases/{case.id}/plans/{plan.id}/accelerate",
        data={"accelerated_on": "2026-02-28", "note": "依第四条"},
    )
    assert response.status_code == 303
    session.expire_all()
    plan = session.get(RepaymentPlan, plan.id)
    assert (plan.state, plan.accelerated_on, plan.accelerated_balance) == (
        PlanState.ACCELERATED,
        date(2026, 2, 28),
        Decimal("20000.00"),
    )
    page = client.get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert 'data-testid="plan-accelerated-on"' in page
    assert 'id="accelerate"' not in page


def test_acceleration_refused_when_nothing_is_missed(client, session, case, legal, make_user):
    plan = a_plan(session, legal, case)
    confirmed(session, make_user, case, "2026-01-31", "20000")
    response = client.post(f"/cases/{case.id}/plans/{plan.id}/accelerate", data={})
    assert response.status_code == 422
    assert 'data-testid="accelerate-refused"' in response.get_data(as_text=True)
    assert session.get(RepaymentPlan, plan.id).state == PlanState.ACTIVE


def test_cancelling_needs_a_reason(client, session, case, legal):
    plan = a_plan(session, legal, case)
    bad = client.post(f"/cases/{case.id}/plans/{plan.id}/cancel", data={"reason": ""})
    assert bad.status_code == 422
    assert "reason" in errors(bad.get_data(as_text=True))
    ok = client.post(
        f"/cases/{case.id}/plans/{plan.id}/cancel", data={"reason": "双方重新签订协议"}
    )
    assert ok.status_code == 303
    session.expire_all()
    assert session.get(RepaymentPlan, plan.id).state == PlanState.CANCELLED
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "plans")
    assert "Cancelled" in panel
    assert f"/cases/{case.id}/plans/new" in panel  # a new plan can be added


def test_finance_sees_the_plan_but_no_forms(client, session, case, legal, login_as):
    plan = a_plan(session, legal, case)
    login_as(Role.FINANCE)
    page = client.get(f"/cases/{case.id}/plans/{plan.id}").get_data(as_text=True)
    assert 'data-testid="installments"' in page
    for action in ("accelerate", "cancel", "edit"):
        assert f"/plans/{plan.id}/{action}" not in page
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "plans")
    assert 'data-testid="installments"' in panel
    assert "/plans/new" not in panel


# ---- lists and alerts -----------------------------------------------------------------------


def test_the_case_list_shows_the_plan_and_the_broken_promise(
    client, session, case, legal, make_case
):
    quiet = make_case(actor=legal, handler_id=legal.id)
    a_plan(session, legal, case)
    log_event(
        session,
        legal,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": "2026-03-01T10:00",
            "summary": "电话",
            "promised_amount": "1000",
            "promised_date": "2026-03-05",
        },
    )
    session.commit()
    page = client.get("/cases").get_data(as_text=True)
    flags = row(page, case.id)
    assert "Plan: In default" in flags
    assert "Installment missed" in flags
    assert "Promise broken" in flags
    assert 'data-testid="plan-flags"' not in row(page, quiet.id)


def row(page: str, case_id: int) -> str:
    start = page.index(f'<tr data-case-id="{case_id}"')
    return page[start : page.index("</tr>", start)]


def test_the_alerts_page_is_the_handlers_queue(client, session, case, legal, make_user, login_as):
    a_plan(session, legal, case)
    page = client.get("/plans/alerts").get_data(as_text=True)
    assert page.count(f'data-case-id="{case.id}"') == 2  # January and February missed
    login_as(Role.LEGAL)  # another lawyer of the department: not their case
    page = client.get("/plans/alerts").get_data(as_text=True)
    assert f'data-case-id="{case.id}"' not in page
    login_as(Role.MANAGEMENT)
    assert f'data-case-id="{case.id}"' in client.get("/plans/alerts").get_data(as_text=True)


# ---- promises from the contact form ---------------------------------------------------------


def contact_form(**fields: str) -> dict[str, str]:
    return {
        "kind": "contact",
        "occurred_on": "2026-03-10",
        "occurred_time": "15:30",
        "channel": "phone",
        "summary": "电话催收",
        "debtor_response": "同意每月还款",
        "promised_amount": "3,000",
        "promised_date": "2026-03-31",
        **fields,
    }


def test_a_repeating_promise_from_the_contact_form(client, session, case):
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert options(section(page, "log-event"), "promise_repeat") == ["", "weekly", "monthly"]
    response = client.post(
        f"/cases/{case.id}/events",
        data=contact_form(promise_repeat="monthly", promise_times="3"),
    )
    assert response.status_code == 303
    rows = session.exec(select(Promise).order_by(Promise.seq)).all()
    assert [(p.due_on, p.amount, p.seq, p.times) for p in rows] == [
        (date(2026, 3, 31), Decimal("3000.00"), 1, 3),
        (date(2026, 4, 30), Decimal("3000.00"), 2, 3),
        (date(2026, 5, 31), Decimal("3000.00"), 3, 3),
    ]
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "plans")
    assert panel.count('data-testid="promise-status"') == 3


def test_a_refused_repeating_promise_keeps_what_was_typed(client, session, case):
    response = client.post(f"/cases/{case.id}/events", data=contact_form(promise_repeat="weekly"))
    assert response.status_code == 422
    form = section(response.get_data(as_text=True), "log-event")
    assert values(form)["promise_repeat"] == "weekly"
    assert "promise_times" in errors(form)
    assert count(session, Promise) == 0


def test_following_up_a_broken_promise(client, session, case, legal):
    log_event(
        session,
        legal,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": "2026-03-01T10:00",
            "summary": "电话",
            "promised_amount": "1000",
            "promised_date": "2026-03-05",
        },
    )
    session.commit()
    promise = session.exec(select(Promise)).one()
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "plans")
    assert "Broken" in panel
    assert f"/promises/{promise.id}/resolve" in panel
    bad = client.post(f"/cases/{case.id}/promises/{promise.id}/resolve", data={"reason": ""})
    assert bad.status_code == 422
    assert "reason" in errors(bad.get_data(as_text=True))
    ok = client.post(
        f"/cases/{case.id}/promises/{promise.id}/resolve", data={"reason": "已发律师函"}
    )
    assert ok.status_code == 303
    shown = flashes(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert shown == ["The follow-up has been recorded; the promise is no longer flagged."]
    session.expire_all()
    assert session.get(Promise, promise.id).resolution_note == "已发律师函"
    assert f'data-case-id="{case.id}"' not in client.get("/plans/alerts").get_data(as_text=True)


def test_the_waiver_approvers_are_offered_by_name_and_role_never_by_email(
    client, session, case, make_user
):
    approver = make_user(Role.MANAGEMENT)
    page = client.get(f"/cases/{case.id}/plans/new").get_data(as_text=True)
    assert f"{approver.name} · Management" in page
    assert approver.email not in page  # counsel use this form too: staff e-mails stay private
