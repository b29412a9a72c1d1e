"""Repayment plans and promises to pay on the database (``cases.plans``): validation, who may
do what, matching against confirmed money only, missed → alert → acceleration with its date,
promises kept / broken / followed up, repeating promises, and whose alerts are whose.

The business date is frozen at 20 March 2026; the plan is signed on 5 January 2026 with
three installments of 10,000 on 31 January, 28 February and 31 March.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import BUSINESS_TZ
from cases.errors import DomainError, PermissionDenied, ValidationError
from cases.ledger.models import Payment, PaymentStatus
from cases.ledger.operations import record_payment
from cases.plans.models import (
    PlanInstallment,
    PlanState,
    PlanStatus,
    Promise,
    PromiseRepeat,
    PromiseStatus,
)
from cases.plans.operations import (
    accelerate,
    cancel_plan,
    create_plan,
    resolve_promise,
    update_plan,
)
from cases.plans.queries import (
    INSTALLMENT_MISSED,
    PROMISE_BROKEN,
    alerts_for,
    case_flags,
    open_alerts,
    plan_view,
    promise_views,
)
from cases.register.models import CaseStatus
from cases.register.operations import move_stage
from cases.timeline.operations import log_event
from cases.users.models import Role

D = Decimal
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        yield


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL)


@pytest.fixture
def case(make_case, legal):
    """Registered on 2 January 2026, before anything the tests log on it."""
    with time_machine.travel(datetime(2026, 1, 2, 9, 0, tzinfo=BUSINESS_TZ), tick=False):
        return make_case(actor=legal, handler_id=legal.id)


def terms(**changes):
    data = {
        "signed_on": "2026-01-05",
        "installments": [
            {"due_on": "2026-01-31", "amount": "10000"},
            {"due_on": "2026-02-28", "amount": "10000"},
            {"due_on": "2026-03-31", "amount": "10000"},
        ],
    }
    data.update(changes)
    return data


@pytest.fixture
def pay(session, make_user, legal):
    """Money on a case: recorded by finance (confirmed), reported by legal staff (pending
    until finance confirms), or rejected by finance."""
    finance = make_user(Role.FINANCE)

    def pay(case, on: str, amount: str, status=PaymentStatus.CONFIRMED) -> Payment:
        data = {"received_on": on, "amount": amount, "payer": "债务人"}
        if status == PaymentStatus.REJECTED:
            payment = Payment(
                case_id=case.id,
                received_on=date.fromisoformat(on),
                amount=D(amount),
                payer="债务人",
                status=status,
                rejected_reason="查无此款",
            )
            session.add(payment)
            session.flush()
            return payment
        payment = record_payment(
            session, finance if status == PaymentStatus.CONFIRMED else legal, case, data
        )
        assert payment.status == status
        return payment

    return pay


# ---- creating and changing plans ------------------------------------------------------------


def test_a_plan_with_its_installments_and_audit_trail(session, case, legal):
    session.info["actor_id"] = legal.id
    plan = create_plan(session, legal, case, terms(agreement_no="HK-2026-01"))
    rows = session.exec(select(PlanInstallment).where(PlanInstallment.plan_id == plan.id)).all()
    assert [(r.no, r.due_on, r.amount) for r in rows] == [
        (1, date(2026, 1, 31), D("10000.00")),
        (2, date(2026, 2, 28), D("10000.00")),
        (3, date(2026, 3, 31), D("10000.00")),
    ]
    assert (plan.state, plan.created_by_id, plan.agreement_no) == (
        PlanState.ACTIVE,
        legal.id,
        "HK-2026-01",
    )
    entities = session.exec(select(AuditEntry.entity).where(AuditEntry.case_id == case.id)).all()
    assert entities.count("repayment_plan") == 1
    assert entities.count("plan_installment") == 3


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE)


INVALID = {
    "dates-not-increasing": (
        {
            "installments": [
                {"due_on": "2026-02-28", "amount": "1"},
                {"due_on": "2026-02-28", "amount": "1"},
            ]
        },
        "installments.1.due_on",
    ),
    "zero-amount": (
        {"installments": [{"due_on": "2026-02-28", "amount": "0"}]},
        "installments.0.amount",
    ),
    "negative-amount": (
        {"installments": [{"due_on": "2026-02-28", "amount": "-5"}]},
        "installments.0.amount",
    ),
    "fractions-of-a-fen": (
        {"installments": [{"due_on": "2026-02-28", "amount": "10.005"}]},
        "installments.0.amount",
    ),
    "before-signing": (
        {"installments": [{"due_on": "2026-01-04", "amount": "10"}]},
        "installments.0.due_on",
    ),
    "signed-in-the-future": ({"signed_on": "2026-03-21"}, "signed_on"),
    "no-installments": ({"installments": []}, "installments"),
    "waiver-without-approver": ({"interest_waived": "3000"}, "waiver_approved_by_id"),
    "negative-waiver": ({"penalty_waived": "-1"}, "penalty_waived"),
}


@pytest.mark.parametrize(("changes", "field"), list(INVALID.values()), ids=list(INVALID))
def test_invalid_plans_are_refused_with_the_field(session, case, legal, changes, field):
    with pytest.raises(ValidationError) as exc:
        create_plan(session, legal, case, terms(**changes))
    assert field in exc.value.errors
    assert session.exec(select(PlanInstallment)).all() == []


def test_a_waiver_is_approved_by_legal_staff_or_management(session, case, legal, make_user):
    finance = make_user(Role.FINANCE)
    with pytest.raises(ValidationError) as exc:
        create_plan(
            session, legal, case, terms(interest_waived="3000", waiver_approved_by_id=finance.id)
        )
    assert list(exc.value.errors) == ["waiver_approved_by_id"]
    boss = make_user(Role.MANAGEMENT)
    plan = create_plan(
        session,
        legal,
        case,
        terms(interest_waived="3000.50", penalty_waived="1200", waiver_approved_by_id=boss.id),
    )
    assert (plan.interest_waived, plan.penalty_waived, plan.waiver_approved_by_id) == (
        D("3000.50"),
        D("1200.00"),
        boss.id,
    )


def test_the_agreement_must_be_on_the_case(session, case, legal, make_case, app):
    from cases.timeline.operations import attach_file

    other = make_case(actor=legal)
    store = app.extensions["qingshou_files"]
    foreign = attach_file(
        session, legal, other, store, filename="协议.pdf", data=b"%PDF-1.4 x", max_bytes=10**6
    )
    own = attach_file(
        session, legal, case, store, filename="协议.pdf", data=b"%PDF-1.4 y", max_bytes=10**6
    )
    with pytest.raises(ValidationError) as exc:
        create_plan(session, legal, case, terms(attachment_id=foreign.id))
    assert list(exc.value.errors) == ["attachment_id"]
    with pytest.raises(ValidationError) as exc:
        create_plan(session, legal, case, terms(document_id=999_999))
    assert list(exc.value.errors) == ["document_id"]
    assert create_plan(session, legal, case, terms(attachment_id=own.id)).attachment_id == own.id


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_only_plan_managers_create_plans(session, case, make_user, role):
    with pytest.raises(PermissionDenied):
        create_plan(session, make_user(role), case, terms())


def test_counsel_of_the_engaged_firm_may_create_a_plan(session, make_case, make_firm, make_user):
    firm = make_firm()
    case = make_case(firm=firm)
    counsel = make_user(Role.COUNSEL, firm=firm)
    assert create_plan(session, counsel, case, terms()).created_by_id == counsel.id


def test_one_plan_in_force_at_a_time(session, case, legal, pay):
    first = create_plan(session, legal, case, terms())
    with pytest.raises(DomainError, match="already has a repayment plan in force"):
        create_plan(session, legal, case, terms())
    cancel_plan(session, legal, first, {"reason": "重新签订还款协议"})
    second = create_plan(
        session,
        legal,
        case,
        terms(signed_on="2026-03-01", installments=[{"due_on": "2026-04-30", "amount": "30000"}]),
    )
    pay(case, "2026-03-10", "30000")
    assert plan_view(session, second).status == PlanStatus.COMPLETED
    create_plan(
        session,
        legal,
        case,
        terms(signed_on="2026-03-15", installments=[{"due_on": "2026-05-30", "amount": "500"}]),
    )  # a completed plan is no longer in force


def test_changing_a_plan_replaces_its_installments(session, case, legal):
    plan = create_plan(session, legal, case, terms())
    update_plan(
        session,
        legal,
        plan,
        terms(
            installments=[
                {"due_on": "2026-04-30", "amount": "15000"},
                {"due_on": "2026-05-31", "amount": "15000"},
            ]
        ),
    )
    view = plan_view(session, plan)
    assert [(r.no, r.due_on) for r in view.rows] == [(1, date(2026, 4, 30)), (2, date(2026, 5, 31))]
    assert view.status == PlanStatus.ACTIVE


# ---- matching, default, alerts, acceleration ------------------------------------------------


def test_only_confirmed_money_counts(session, case, legal, pay):
    plan = create_plan(session, legal, case, terms())
    pay(case, "2026-01-30", "10000", PaymentStatus.PENDING)
    pay(case, "2026-01-30", "10000", PaymentStatus.REJECTED)
    view = plan_view(session, plan)
    assert view.standing.paid == 0
    assert view.status == PlanStatus.IN_DEFAULT
    pay(case, "2026-01-30", "10000")
    pay(case, "2026-02-27", "10000")
    view = plan_view(session, plan)
    assert (view.standing.paid, view.status) == (D("20000"), PlanStatus.ACTIVE)


def test_missed_installment_raises_an_alert_and_offers_acceleration(session, case, legal, pay):
    plan = create_plan(session, legal, case, terms())
    pay(case, "2026-01-31", "10000")
    pay(case, "2026-02-20", "4000")  # second installment short by 6,000
    view = plan_view(session, plan)
    assert view.status == PlanStatus.IN_DEFAULT
    assert view.can_accelerate
    alerts = open_alerts(session, [case.id])
    assert [(a.kind, a.due_on, a.amount, a.case_number) for a in alerts] == [
        (INSTALLMENT_MISSED, date(2026, 2, 28), D("6000"), case.number)
    ]
    assert alerts[0].description.params == {"no": 2, "signed": "2026-01-05"}
    session.info["actor_id"] = legal.id
    accelerate(session, legal, plan, {"note": "依还款协议第四条宣布全部到期"})
    assert plan.state == PlanState.ACCELERATED
    assert plan.accelerated_on == date(2026, 2, 28)  # the missed installment's due date
    assert plan.accelerated_balance == D("16000")
    view = plan_view(session, plan)
    assert view.status == PlanStatus.ACCELERATED
    assert [r.due_by for r in view.standing.installments][1:] == [date(2026, 2, 28)] * 2
    alerts = open_alerts(session, [case.id])
    assert [(a.kind, a.due_on, a.amount) for a in alerts] == [
        (INSTALLMENT_MISSED, date(2026, 2, 28), D("16000"))
    ]
    assert "accelerated" in alerts[0].description.msgid
    with pytest.raises(DomainError):
        update_plan(session, legal, plan, terms())
    with pytest.raises(DomainError):
        accelerate(session, legal, plan)
    pay(case, "2026-03-18", "16000")
    assert plan_view(session, plan).status == PlanStatus.COMPLETED
    assert open_alerts(session, [case.id]) == []


def test_acceleration_needs_a_missed_installment(session, case, legal, pay):
    plan = create_plan(session, legal, case, terms())
    pay(case, "2026-01-31", "20000")
    with pytest.raises(DomainError, match="No installment has been missed"):
        accelerate(session, legal, plan)
    assert plan.state == PlanState.ACTIVE


@pytest.mark.parametrize(
    ("given", "field"),
    [("2026-01-30", "accelerated_on"), ("2026-03-21", "accelerated_on")],
    ids=["before-the-missed-due-date", "in-the-future"],
)
def test_acceleration_date_is_checked(session, case, legal, given, field):
    plan = create_plan(session, legal, case, terms())
    with pytest.raises(ValidationError) as exc:
        accelerate(session, legal, plan, {"accelerated_on": given})
    assert list(exc.value.errors) == [field]
    assert plan.state == PlanState.ACTIVE


def test_acceleration_from_the_date_of_the_creditors_notice(session, case, legal):
    plan = create_plan(session, legal, case, terms())
    accelerate(session, legal, plan, {"accelerated_on": "2026-02-15"})
    assert (plan.accelerated_on, plan.accelerated_balance) == (date(2026, 2, 15), D("30000"))


def test_installment_sale_needs_one_fifth_unpaid_article_634(session, case, legal, pay):
    """民法典 第六百三十四条: without a clause, at least one fifth of the price unpaid and due."""
    plan = create_plan(session, legal, case, terms(acceleration_basis="sale"))
    pay(case, "2026-01-31", "10000")
    pay(case, "2026-02-27", "5000")  # 5,000 of 30,000 unpaid and due: less than a fifth
    with pytest.raises(DomainError, match="one fifth"):
        accelerate(
            session, legal, plan, {"demanded_on": "2026-03-02", "accelerated_on": "2026-03-12"}
        )
    assert plan.state == PlanState.ACTIVE


def test_installment_sale_after_a_demand_article_634(session, case, legal, pay):
    """One fifth unpaid and due (10,000 of 30,000), then a demand and the period it gave."""
    plan = create_plan(session, legal, case, terms(acceleration_basis="sale"))
    pay(case, "2026-01-31", "10000")
    with pytest.raises(ValidationError) as exc:
        accelerate(session, legal, plan, {"accelerated_on": "2026-03-10"})
    assert list(exc.value.errors) == ["demanded_on"]
    with pytest.raises(ValidationError) as exc:
        accelerate(session, legal, plan, {"demanded_on": "2026-02-20"})  # before the miss
    assert set(exc.value.errors) == {"demanded_on", "accelerated_on"}
    with pytest.raises(ValidationError) as exc:
        accelerate(
            session, legal, plan, {"demanded_on": "2026-03-05", "accelerated_on": "2026-03-05"}
        )
    assert list(exc.value.errors) == ["accelerated_on"]
    accelerate(session, legal, plan, {"demanded_on": "2026-03-02", "accelerated_on": "2026-03-12"})
    assert (plan.accelerated_demand_on, plan.accelerated_on, plan.accelerated_balance) == (
        date(2026, 3, 2),
        date(2026, 3, 12),
        D("20000"),
    )


def test_no_acceleration_without_a_basis(session, case, legal):
    plan = create_plan(session, legal, case, terms(acceleration_basis="none"))
    with pytest.raises(DomainError, match="no acceleration clause"):
        accelerate(session, legal, plan)
    assert plan_view(session, plan).status == PlanStatus.IN_DEFAULT


def test_cancelling(session, case, legal):
    plan = create_plan(session, legal, case, terms())
    with pytest.raises(ValidationError):
        cancel_plan(session, legal, plan, {"reason": ""})
    cancel_plan(session, legal, plan, {"reason": "录入错误"})
    assert (plan.state, plan.cancel_reason, plan.cancelled_by_id) == (
        PlanState.CANCELLED,
        "录入错误",
        legal.id,
    )
    assert plan_view(session, plan).status == PlanStatus.CANCELLED
    assert open_alerts(session, [case.id]) == []  # a cancelled plan raises no alert
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_plan(session, legal, plan, {"reason": "again"})


# ---- promises to pay ------------------------------------------------------------------------


def contact(session, actor, case, on: str, **promise):
    data = {
        "kind": "contact",
        "channel": "phone",
        "occurred_at": f"{on}T10:00",
        "summary": "电话催收",
        **promise,
    }
    return log_event(session, actor, case, data)


def statuses(session, case):
    return [
        (v.promise.due_on.isoformat(), v.status)
        for v in promise_views(session, [case.id], TODAY)[case.id]
    ]


def test_a_promise_kept_by_confirmed_money(session, case, legal, pay):
    contact(session, legal, case, "2026-03-01", promised_amount="5000", promised_date="2026-03-10")
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.BROKEN)]
    pay(case, "2026-03-12", "5000", PaymentStatus.PENDING)
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.BROKEN)]
    pay(case, "2026-03-12", "5000")  # within the grace of 3 days
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.KEPT)]
    assert open_alerts(session, [case.id]) == []


def test_a_broken_promise_stays_flagged_until_a_new_contact(session, case, legal):
    contact(session, legal, case, "2026-03-01", promised_amount="5000", promised_date="2026-03-10")
    alerts = open_alerts(session, [case.id])
    assert [(a.kind, a.due_on, a.amount) for a in alerts] == [
        (PROMISE_BROKEN, date(2026, 3, 10), D("5000"))
    ]
    contact(session, legal, case, "2026-03-13")  # inside the grace: not a follow-up yet
    assert open_alerts(session, [case.id]) != []
    contact(session, legal, case, "2026-03-16")
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.FOLLOWED_UP)]
    view = promise_views(session, [case.id], TODAY)[case.id][0]
    assert view.followed_up_on == date(2026, 3, 16)
    assert open_alerts(session, [case.id]) == []


def test_moving_the_case_on_is_a_follow_up_registering_it_is_not(session, make_case, legal):
    case = make_case(actor=legal)  # registered today, after the promise below
    contact(session, legal, case, "2026-03-01", promised_amount="5000", promised_date="2026-03-10")
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.BROKEN)]
    move_stage(session, legal, case, "accept")  # e.g. a lawyer's letter, a suit …
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.FOLLOWED_UP)]


def test_a_broken_promise_resolved_by_hand(session, case, legal, make_user):
    contact(session, legal, case, "2026-03-01", promised_amount="5000", promised_date="2026-03-10")
    promise = session.exec(select(Promise)).one()
    with pytest.raises(PermissionDenied):
        resolve_promise(session, make_user(Role.FINANCE), promise, {"reason": "x"})
    with pytest.raises(ValidationError):
        resolve_promise(session, legal, promise, {"reason": ""})
    resolve_promise(session, legal, promise, {"reason": "债务人住院，已与其家属约定下周面谈"})
    assert promise.resolved_by_id == legal.id
    assert statuses(session, case) == [("2026-03-10", PromiseStatus.FOLLOWED_UP)]
    assert open_alerts(session, [case.id]) == []
    with pytest.raises(DomainError):
        resolve_promise(session, legal, promise, {"reason": "again"})


def test_an_open_promise_needs_no_follow_up(session, case, legal):
    contact(session, legal, case, "2026-03-15", promised_amount="5000", promised_date="2026-03-25")
    promise = session.exec(select(Promise)).one()
    assert statuses(session, case) == [("2026-03-25", PromiseStatus.OPEN)]
    with pytest.raises(DomainError):
        resolve_promise(session, legal, promise, {"reason": "x"})


def test_a_repeating_promise_is_tracked_payment_by_payment(session, case, legal, pay):
    contact(
        session,
        legal,
        case,
        "2026-01-20",
        promised_amount="3000",
        promised_date="2026-01-31",
        promise_repeat="monthly",
        promise_times=4,
    )
    rows = session.exec(select(Promise).order_by(Promise.seq)).all()
    assert [(p.seq, p.times, p.due_on, p.repeat) for p in rows] == [
        (1, 4, date(2026, 1, 31), PromiseRepeat.MONTHLY),
        (2, 4, date(2026, 2, 28), PromiseRepeat.MONTHLY),
        (3, 4, date(2026, 3, 31), PromiseRepeat.MONTHLY),
        (4, 4, date(2026, 4, 30), PromiseRepeat.MONTHLY),
    ]
    assert {p.made_on for p in rows} == {date(2026, 1, 20)}
    pay(case, "2026-01-30", "3000")
    assert statuses(session, case) == [
        ("2026-01-31", PromiseStatus.KEPT),
        ("2026-02-28", PromiseStatus.BROKEN),
        ("2026-03-31", PromiseStatus.OPEN),
        ("2026-04-30", PromiseStatus.OPEN),
    ]
    [alert] = open_alerts(session, [case.id])
    assert alert.description.params == {"made": "2026-01-20", "seq": 2, "times": 4}


def test_a_weekly_promise(session, case, legal):
    contact(
        session,
        legal,
        case,
        "2026-03-01",
        promised_amount="1000",
        promised_date="2026-03-02",
        promise_repeat="weekly",
        promise_times=3,
    )
    assert [d for d, _ in statuses(session, case)] == ["2026-03-02", "2026-03-09", "2026-03-16"]


BAD_PROMISES = {
    "repeat-without-times": ({"promise_repeat": "weekly"}, "promise_times"),
    "times-without-repeat": ({"promise_times": 3}, "promise_repeat"),
    "one-time-is-not-a-repeat": ({"promise_repeat": "weekly", "promise_times": 1}, "promise_times"),
    "at-most-24": ({"promise_repeat": "weekly", "promise_times": 25}, "promise_times"),
    "unknown-repeat": ({"promise_repeat": "daily", "promise_times": 3}, "promise_repeat"),
    "before-the-contact": ({"promised_date": "2026-02-28"}, "promised_date"),
    "repeat-without-a-promise": (
        {
            "promised_amount": None,
            "promised_date": None,
            "promise_repeat": "weekly",
            "promise_times": 2,
        },
        "promise_repeat",
    ),
}


@pytest.mark.parametrize(("changes", "field"), list(BAD_PROMISES.values()), ids=list(BAD_PROMISES))
def test_bad_promises_are_refused(session, case, legal, changes, field):
    promise = {"promised_amount": "1000", "promised_date": "2026-03-10", **changes}
    promise = {k: v for k, v in promise.items() if v is not None}
    with pytest.raises(ValidationError) as exc:
        contact(session, legal, case, "2026-03-01", **promise)
    assert field in exc.value.errors
    assert session.exec(select(Promise)).all() == []


# ---- whose alerts ---------------------------------------------------------------------------


def test_alerts_by_handler_firm_and_role(session, legal, make_user, make_case, make_firm):
    firm = make_firm()
    other_legal = make_user(Role.LEGAL)
    mine = make_case(actor=legal, handler_id=legal.id, firm=firm)
    theirs = make_case(actor=legal, handler_id=other_legal.id)
    closed = make_case(actor=legal, handler_id=legal.id)
    for case, on in ((mine, "2026-03-01"), (theirs, "2026-02-01"), (closed, "2026-02-01")):
        contact(session, legal, case, on, promised_amount="1000", promised_date=on)
    closed.status = CaseStatus.CLOSED
    session.flush()
    counsel = make_user(Role.COUNSEL, firm=firm)
    stranger = make_user(Role.COUNSEL)

    def cases_of(user):
        return [a.case_id for a in alerts_for(session, user)]

    assert cases_of(legal) == [mine.id]
    assert cases_of(other_legal) == [theirs.id]
    assert cases_of(counsel) == [mine.id]
    assert cases_of(stranger) == []
    everything = cases_of(make_user(Role.MANAGEMENT))
    assert theirs.id in everything
    assert mine.id in everything
    assert closed.id not in everything  # closed and written-off cases raise none
    assert everything.index(theirs.id) < everything.index(mine.id)  # by due date


def test_case_flags_for_the_list(session, case, legal, make_case):
    plain = make_case(actor=legal)
    create_plan(session, legal, case, terms())
    contact(session, legal, case, "2026-03-01", promised_amount="1000", promised_date="2026-03-05")
    flags = case_flags(session, [case.id, plain.id], TODAY)
    assert plain.id not in flags
    assert (flags[case.id].plan_status, flags[case.id].missed, flags[case.id].broken) == (
        PlanStatus.IN_DEFAULT,
        2,
        1,
    )
