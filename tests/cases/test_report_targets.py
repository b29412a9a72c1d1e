"""Targets per team and period (百日攻坚, seed 001: "清收盘活不良贷款1600万元") and their progress,
against a small book worked by hand.

The book (principal; "paid" is confirmed money by the date received):

    case  branch  handler  firm  paid
    K1    A       h1       F1    20,000 on 2025-02-10, 30,000 on 03-20
    K2    A       h2       F1    10,000 on 03-31
    K3    B       h2       F2    40,000 on 03-05 (+5,000 pending on 03-06: never counts)
    K4    B       h3       —     20,000 on 03-15; closed on 03-10 10:00 Beijing time

A and B are branches of one bank; C is another creditor without cases. The campaign window
runs from 2025-03-01 to 2025-06-08: 31 + 30 + 31 + 8 = 100 days.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.audit.models import AuditAction, AuditEntry
from cases.base import BUSINESS_TZ
from cases.errors import PermissionDenied, ValidationError
from cases.ledger.models import PaymentStatus
from cases.register.stages import Stage
from cases.reports import periods
from cases.reports.targets import (
    TargetMetric,
    TargetScope,
    TargetStatus,
    campaign_end,
    create_target,
    delete_target,
    progress,
    progress_all,
    scope_names,
    targets_during,
    update_target,
)
from cases.timeline.models import Event, EventKind
from cases.users.models import Role
from tests.factories import add_payment, claim_in

D = Decimal
START, END = date(2025, 3, 1), date(2025, 6, 8)


pytestmark = pytest.mark.usefixtures("cheap_passwords")  # several users per test


@pytest.fixture
def book(session, make_case, make_creditor, make_user, make_firm):
    bank = make_creditor(name="某银行股份有限公司")
    a = make_creditor(name="某银行A分行", parent_id=bank.id)
    b = make_creditor(name="某银行B分行", parent_id=bank.id)
    c = make_creditor(name="另一家公司")
    h1, h2, h3 = (make_user(Role.LEGAL, name=n) for n in ("甲承办人", "乙承办人", "丙承办人"))
    f1, f2 = make_firm("A律师事务所"), make_firm("B律师事务所")

    def case(creditor, handler, firm):
        return make_case(
            creditor=creditor,
            firm=firm,
            handler_id=handler.id,
            claims=[claim_in("200000.00", "2025-01-15")],
        )

    k1 = case(a, h1, f1)
    add_payment(session, k1, "20000.00", date(2025, 2, 10))
    add_payment(session, k1, "30000.00", date(2025, 3, 20))
    k2 = case(a, h2, f1)
    add_payment(session, k2, "10000.00", date(2025, 3, 31))
    k3 = case(b, h2, f2)
    add_payment(session, k3, "40000.00", date(2025, 3, 5))
    add_payment(session, k3, "5000.00", date(2025, 3, 6), PaymentStatus.PENDING)
    k4 = case(b, h3, None)
    add_payment(session, k4, "20000.00", date(2025, 3, 15))
    session.add(
        Event(
            case_id=k4.id,
            kind=EventKind.STAGE_CHANGE,
            occurred_at=datetime(2025, 3, 10, 10, tzinfo=BUSINESS_TZ),
            summary="结案",
            from_stage=Stage.NEGOTIATION.value,
            to_stage=Stage.CLOSED.value,
        )
    )
    session.flush()
    manager = make_user(Role.MANAGEMENT, name="管理层")
    session.info["actor_id"] = manager.id
    return {
        "bank": bank,
        "A": a,
        "B": b,
        "C": c,
        "h1": h1,
        "h2": h2,
        "h3": h3,
        "F1": f1,
        "F2": f2,
        "manager": manager,
    }


def _target(session, book, scope="branch", key="A", amount="200000.00", **kw):
    data = {
        "name": "百日攻坚",
        "scope": scope,
        "scope_key": book[key].id if key else None,
        "start_on": START,
        "end_on": END,
        "target_amount": D(amount),
        **kw,
    }
    return create_target(session, book["manager"], data)


def test_a_hundred_day_campaign_is_a_hundred_days():
    assert campaign_end(START, 100) == END
    target_days = (END - START).days + 1
    assert target_days == 100


# (scope, key, amount, on, achieved, percent, elapsed days, elapsed %, expected, remaining,
#  per day, status) — each worked by hand from the book above
PROGRESS = [
    # 21 March: 20 days over (1–20 March), 80 left; branch A has K1's 30,000 (20 March);
    # expected 200,000 × 20/100 = 40,000 > 30,000: behind; 170,000 / 80 = 2,125 a day
    pytest.param(
        "branch", "A", "200000.00", date(2025, 3, 21),
        "30000.00", "15.00", 20, "20.00", "40000.00", "170000.00", "2125.00", TargetStatus.BEHIND,
        id="branch-behind",
    ),
    # 31 March: K2's 10,000 arrives: 40,000 of 200,000 = 20%; 30 days over = 30%, expected
    # 60,000; 160,000 / 70 = 2,285.714… → 2,285.71
    pytest.param(
        "branch", "A", "200000.00", date(2025, 3, 31),
        "40000.00", "20.00", 30, "30.00", "60000.00", "160000.00", "2285.71", TargetStatus.BEHIND,
        id="branch-end-of-march",
    ),
    # the same money against 100,000: 30% reached, 30% expected (30,000): on track
    pytest.param(
        "branch", "A", "100000.00", date(2025, 3, 31),
        "40000.00", "40.00", 30, "30.00", "30000.00", "60000.00", "857.14", TargetStatus.ON_TRACK,
        id="branch-on-track",
    ),
    # 25,000 against K1's 30,000 by 21 March: achieved, nothing left to do
    pytest.param(
        "branch", "A", "25000.00", date(2025, 3, 21),
        "30000.00", "120.00", 20, "20.00", "5000.00", "0.00", "0.00", TargetStatus.ACHIEVED,
        id="branch-achieved",
    ),
    # after the window: 40,000 of 200,000, the whole window elapsed, no day left: missed
    pytest.param(
        "branch", "A", "200000.00", date(2025, 7, 1),
        "40000.00", "20.00", 100, "100.00", "200000.00", "160000.00", None, TargetStatus.MISSED,
        id="branch-missed",
    ),
    # before the window: K1's 20,000 of 10 February is not the campaign's
    pytest.param(
        "branch", "A", "200000.00", date(2025, 2, 15),
        "0.00", "0.00", 0, "0.00", "0.00", "200000.00", "2000.00", TargetStatus.UPCOMING,
        id="not-started",
    ),
    # the whole book in March: 30,000 + 10,000 + 40,000 + 20,000 (K3's pending 5,000 never)
    pytest.param(
        "book", None, "16000000.00", date(2025, 3, 31),
        "100000.00", "0.63", 30, "30.00", "4800000.00", "15900000.00", "227142.86",
        TargetStatus.BEHIND,
        id="book-16-million",
    ),
    # the bank with both branches under it is the whole book here
    pytest.param(
        "creditor", "bank", "200000.00", date(2025, 3, 31),
        "100000.00", "50.00", 30, "30.00", "60000.00", "100000.00", "1428.57",
        TargetStatus.ON_TRACK,
        id="creditor-tree",
    ),
    pytest.param(
        "creditor", "C", "200000.00", date(2025, 3, 31),
        "0.00", "0.00", 30, "30.00", "60000.00", "200000.00", "2857.14", TargetStatus.BEHIND,
        id="creditor-without-cases",
    ),
    # h2: K2 10,000 + K3 40,000
    pytest.param(
        "handler", "h2", "200000.00", date(2025, 3, 31),
        "50000.00", "25.00", 30, "30.00", "60000.00", "150000.00", "2142.86", TargetStatus.BEHIND,
        id="handler",
    ),
    # F2: K3's 40,000 (K4 has no firm)
    pytest.param(
        "firm", "F2", "40000.00", date(2025, 3, 31),
        "40000.00", "100.00", 30, "30.00", "12000.00", "0.00", "0.00", TargetStatus.ACHIEVED,
        id="firm-exactly-reached",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "scope",
        "key",
        "amount",
        "on",
        "achieved",
        "share",
        "elapsed",
        "elapsed_share",
        "expected",
        "remaining",
        "per_day",
        "status",
    ),
    PROGRESS,
)
def test_progress(
    session, book, scope, key, amount, on, achieved, share, elapsed, elapsed_share, expected,
    remaining, per_day, status,
):  # fmt: skip
    target = _target(session, book, scope, key, amount)
    found = progress(session, target, on)
    assert found.achieved == D(achieved)
    assert found.percent == D(share)
    assert (found.days, found.elapsed, found.left) == (100, elapsed, 100 - elapsed)
    assert found.elapsed_percent == D(elapsed_share)
    assert found.expected == D(expected)
    assert found.remaining == D(remaining)
    assert found.per_day == (None if per_day is None else D(per_day))
    assert found.status == status
    figure = found.figure
    assert figure.value == D(share)
    assert figure.inputs["achieved"] == D(achieved)
    assert figure.inputs["target"] == D(amount)
    assert "目标期间内确认收回金额" in figure.rule
    assert figure.steps[3].params["percent"] == D(share)  # a percentage, never shown as money
    assert figure.steps[4].params == {"elapsed": elapsed, "days": 100, "percent": D(elapsed_share)}


def test_cases_closed_in_the_window(session, book):
    target = _target(session, book, "book", None, "4", metric=TargetMetric.CLOSED)
    found = progress(session, target, date(2025, 3, 31))
    # K4 closed on 10 March: 1 of 4 cases = 25%; 30% of the time expected 1.2 cases: behind
    assert (found.achieved, found.percent, found.expected) == (D(1), D("25.00"), D("1.20"))
    assert found.status == TargetStatus.BEHIND
    assert found.figure.steps[1].value == 1  # a count, not money
    assert found.per_day == D("0.04")  # 3 cases over 70 days
    assert found.figure.steps[5].value == "1.20"  # shown as a number of cases, not money
    on_ninth = progress(session, target, date(2025, 3, 9))
    assert on_ninth.achieved == 0
    only_b = _target(session, book, "branch", "A", "1", metric=TargetMetric.CLOSED)
    assert progress(session, only_b, date(2025, 3, 31)).achieved == 0  # K4 is B's


def test_targets_read_together_reach_what_each_reaches_alone(session, book):
    """``progress_all`` reads every target in two queries (money, closed cases), each target a
    conditional sum over the windows together: windows that differ, every scope and both
    metrics give what each target gives read alone."""
    made = [
        _target(session, book, "creditor", "bank", "100000.00"),  # K1–K4: A and B under it
        _target(session, book, "branch", "B", "50000.00", start_on=date(2025, 3, 6)),
        _target(session, book, "handler", "h2", "50000.00", end_on=date(2025, 3, 30)),
        _target(session, book, "firm", "F1", "50000.00", start_on=date(2025, 2, 1)),
        _target(session, book, "book", None, "2", metric=TargetMetric.CLOSED),
        _target(session, book, "creditor", "bank", "2", metric=TargetMetric.CLOSED),
        _target(
            session, book, "book", None, "2", metric=TargetMetric.CLOSED, start_on=date(2025, 3, 11)
        ),
        _target(session, book, "branch", "A", "1000.00", start_on=date(2025, 4, 1)),  # later
    ]
    on = date(2025, 3, 31)
    together = [p.achieved for p in progress_all(session, made, on)]
    # creditor: 30,000 + 10,000 + 40,000 + 20,000; B from 6 March: K4's 20,000 (K3's 5 March
    # and the pending 6 March do not count); h2 to 30 March: K3's 40,000; F1 from 1 February:
    # K1 20,000 + 30,000 and K2 10,000; K4 closed on 10 March, in the first two windows only
    assert together == [D("100000.00"), D("20000.00"), D("40000.00"), D("60000.00"), 1, 1, 0, 0]
    assert together == [progress(session, t, on).achieved for t in made]


# ---- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"end_on": date(2025, 2, 28)}, "end_on", id="end-before-start"),
        pytest.param({"target_amount": D("0")}, "target_amount", id="amount-zero"),
        pytest.param({"target_amount": D("-5")}, "target_amount", id="amount-negative"),
        pytest.param({"target_amount": "abc"}, "target_amount", id="amount-not-a-number"),
        pytest.param({"name": ""}, "name", id="name-missing"),
        pytest.param({"scope_key": None}, "scope_key", id="branch-without-key"),
        pytest.param({"scope_key": 10**8}, "scope_key", id="branch-unknown"),
        pytest.param({"scope": "handler", "scope_key": 10**8}, "scope_key", id="handler-unknown"),
        pytest.param({"scope": "firm", "scope_key": 10**8}, "scope_key", id="firm-unknown"),
        pytest.param({"scope": "team"}, "scope", id="scope-unknown"),
        pytest.param(
            {"metric": "closed", "target_amount": D("2.5")}, "target_amount", id="half-a-case"
        ),
    ],
)
def test_a_bad_target_is_refused_with_the_field(session, book, changes, field):
    data = {
        "name": "百日攻坚",
        "scope": "branch",
        "scope_key": book["A"].id,
        "start_on": START,
        "end_on": END,
        "target_amount": D("1000.00"),
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        create_target(session, book["manager"], data)
    assert field in refused.value.errors


def test_a_handler_is_legal_staff(session, book, make_user):
    counsel = make_user(Role.COUNSEL)
    with pytest.raises(ValidationError) as refused:
        _target(session, book, "handler", None, scope_key=counsel.id)
    assert "scope_key" in refused.value.errors


def test_the_whole_book_has_no_key(session, book):
    target = _target(session, book, "book", None, scope_key=book["A"].id)
    assert (target.scope, target.scope_key) == (TargetScope.BOOK, None)


def test_one_day_window_is_allowed(session, book):
    target = _target(session, book, end_on=START)
    assert progress(session, target, START).days == 1


@pytest.mark.parametrize("role", [Role.LEGAL, Role.FINANCE, Role.COUNSEL])
def test_only_admin_and_management_set_targets(session, book, make_user, role):
    target = _target(session, book)
    someone = make_user(role)
    data = {"name": "x", "start_on": START, "end_on": END, "target_amount": D("1")}
    with pytest.raises(PermissionDenied):
        create_target(session, someone, data)
    with pytest.raises(PermissionDenied):
        update_target(session, someone, target, data)
    with pytest.raises(PermissionDenied):
        delete_target(session, someone, target)


def test_admin_sets_targets(session, book, make_user):
    admin = make_user(Role.ADMIN)
    data = {"name": "季度目标", "start_on": START, "end_on": END, "target_amount": D("1")}
    assert create_target(session, admin, data).created_by_id == admin.id


# ---- changes are audited --------------------------------------------------------------------


def _entries(session, target_id):
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "report_target", AuditEntry.entity_id == target_id)
        .order_by(AuditEntry.id)
    ).all()


def test_create_change_and_delete_are_audited_with_the_actor(session, book):
    manager = book["manager"]
    target = _target(session, book)
    assert target.created_by_id == manager.id
    update_target(
        session,
        manager,
        target,
        {
            "name": "百日攻坚（调整）",
            "scope": "branch",
            "scope_key": book["B"].id,
            "start_on": START,
            "end_on": END,
            "target_amount": D("300000.00"),
        },
    )
    target_id = target.id
    delete_target(session, manager, target)
    entries = _entries(session, target_id)
    assert [e.action for e in entries] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    ]
    assert {e.actor_id for e in entries} == {manager.id}
    assert entries[0].case_id is None
    assert entries[1].changes["target_amount"] == ["200000.00", "300000.00"]
    assert entries[1].changes["scope_key"] == [book["A"].id, book["B"].id]
    assert entries[1].changes["name"] == ["百日攻坚", "百日攻坚（调整）"]


# ---- which targets a period shows ---------------------------------------------------------------


def test_targets_overlapping_a_period_and_their_names(session, book):
    spring = _target(session, book)
    later = _target(
        session, book, "handler", "h1", start_on=date(2025, 7, 1), end_on=date(2025, 9, 30)
    )
    firm = _target(session, book, "firm", "F2", end_on=date(2025, 3, 1))  # one day
    march = periods.containing("month", date(2025, 3, 1))
    assert [t.id for t in targets_during(session, march)] == [firm.id, spring.id]
    third = periods.containing("quarter", date(2025, 8, 1))
    assert [t.id for t in targets_during(session, third)] == [later.id]
    assert scope_names(session, [spring, later, firm]) == {
        ("branch", book["A"].id): "某银行A分行",
        ("handler", book["h1"].id): "甲承办人",
        ("firm", book["F2"].id): "B律师事务所",
    }
