"""Matching confirmed money to installments and promises (``cases.plans.matching``): pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.plans.matching import (
    PROMISE_GRACE_DAYS,
    PromiseTerm,
    Receipt,
    Term,
    equal_installments,
    match_plan,
    match_promises,
    promise_dates,
)
from cases.plans.models import InstallmentStatus, PlanState, PlanStatus, PromiseRepeat
from cases.plans.models import PromiseStatus as P

D = Decimal
I = InstallmentStatus  # noqa: E741
SIGNED = date(2026, 1, 5)
# Three installments of 10,000 on the 31st of January, February (28th) and March.
TERMS = [
    Term(1, date(2026, 1, 31), D("10000.00")),
    Term(2, date(2026, 2, 28), D("10000.00")),
    Term(3, date(2026, 3, 31), D("10000.00")),
]


def receipts(*rows: tuple[str, str]) -> list[Receipt]:
    return [Receipt(n, date.fromisoformat(on), D(amount)) for n, (on, amount) in enumerate(rows, 1)]


# on, payments → statuses of the three installments, paid amounts, excess, plan status
PLAN_CASES = {
    "nothing-yet": (
        "2026-01-20",
        [],
        [I.DUE, I.DUE, I.DUE],
        ["0", "0", "0"],
        "0",
        PlanStatus.ACTIVE,
    ),
    "on-time": (
        "2026-03-01",
        [("2026-01-30", "10000"), ("2026-02-28", "10000")],
        [I.PAID, I.PAID, I.DUE],
        ["10000", "10000", "0"],
        "0",
        PlanStatus.ACTIVE,
    ),
    "due-date-itself-is-in-time": (
        "2026-01-31",
        [],
        [I.DUE, I.DUE, I.DUE],
        ["0", "0", "0"],
        "0",
        PlanStatus.ACTIVE,
    ),
    "missed-the-day-after-no-grace": (
        "2026-02-01",
        [],
        [I.MISSED, I.DUE, I.DUE],
        ["0", "0", "0"],
        "0",
        PlanStatus.IN_DEFAULT,
    ),
    "partial-before-due": (
        "2026-01-20",
        [("2026-01-15", "4000")],
        [I.PARTLY_PAID, I.DUE, I.DUE],
        ["4000", "0", "0"],
        "0",
        PlanStatus.ACTIVE,
    ),
    "partial-then-due-date-passes": (
        "2026-02-10",
        [("2026-01-15", "4000")],
        [I.MISSED, I.DUE, I.DUE],
        ["4000", "0", "0"],
        "0",
        PlanStatus.IN_DEFAULT,
    ),
    "late-payment-cures-the-default": (
        "2026-02-10",
        [("2026-02-05", "10000")],
        [I.PAID, I.DUE, I.DUE],
        ["10000", "0", "0"],
        "0",
        PlanStatus.ACTIVE,
    ),
    "one-payment-runs-on-into-the-next": (
        "2026-02-10",
        [("2026-01-20", "15000")],
        [I.PAID, I.PARTLY_PAID, I.DUE],
        ["10000", "5000", "0"],
        "0",
        PlanStatus.ACTIVE,
    ),
    "overpaid": (
        "2026-04-10",
        [("2026-01-31", "10000"), ("2026-02-20", "25000")],
        [I.PAID, I.PAID, I.PAID],
        ["10000", "10000", "10000"],
        "5000",
        PlanStatus.COMPLETED,
    ),
    "money-before-signing-does-not-count": (
        "2026-02-10",
        [("2026-01-04", "10000")],
        [I.MISSED, I.DUE, I.DUE],
        ["0", "0", "0"],
        "0",
        PlanStatus.IN_DEFAULT,
    ),
    "money-after-the-day-looked-at-does-not-count": (
        "2026-02-10",
        [("2026-02-11", "10000")],
        [I.MISSED, I.DUE, I.DUE],
        ["0", "0", "0"],
        "0",
        PlanStatus.IN_DEFAULT,
    ),
}


@pytest.mark.parametrize(
    ("on", "paid", "statuses", "amounts", "excess", "status"),
    list(PLAN_CASES.values()),
    ids=list(PLAN_CASES),
)
def test_installments_matched_in_due_date_order(on, paid, statuses, amounts, excess, status):
    standing = match_plan(TERMS, receipts(*paid), signed_on=SIGNED, on=date.fromisoformat(on))
    assert [row.status for row in standing.installments] == statuses
    assert [row.paid for row in standing.installments] == [D(a) for a in amounts]
    assert standing.excess == D(excess)
    assert standing.status(PlanState.ACTIVE) == status
    applied = sum((a.amount for a in standing.applications), D(0))
    counted = [r for r in receipts(*paid) if SIGNED <= r.received_on <= date.fromisoformat(on)]
    assert applied == sum((r.amount for r in counted), D(0))  # every counted yuan is applied


def test_late_payment_is_marked_late_and_dated():
    standing = match_plan(
        TERMS,
        receipts(("2026-02-05", "6000"), ("2026-02-07", "4000")),
        signed_on=SIGNED,
        on=date(2026, 2, 10),
    )
    first = standing.installments[0]
    assert (first.status, first.paid_on, first.late) == (I.PAID, date(2026, 2, 7), True)
    assert [(a.payment_id, a.no, a.amount) for a in standing.applications] == [
        (1, 1, D("6000")),
        (2, 1, D("4000")),
    ]


def test_overdue_and_remaining():
    standing = match_plan(
        TERMS, receipts(("2026-01-10", "3000")), signed_on=SIGNED, on=date(2026, 3, 5)
    )
    assert [r.status for r in standing.installments] == [I.MISSED, I.MISSED, I.DUE]
    assert standing.overdue == D("17000")
    assert standing.remaining == D("27000")
    assert standing.next_due.no == 3


def test_acceleration_makes_every_unpaid_installment_due_on_its_date():
    standing = match_plan(
        TERMS, [], signed_on=SIGNED, on=date(2026, 2, 10), accelerated_on=date(2026, 1, 31)
    )
    assert [r.status for r in standing.installments] == [I.MISSED] * 3
    assert {r.due_by for r in standing.installments} == {date(2026, 1, 31)}
    assert standing.status(PlanState.ACCELERATED) == PlanStatus.ACCELERATED
    paid = match_plan(
        TERMS,
        receipts(("2026-02-20", "30000")),
        signed_on=SIGNED,
        on=date(2026, 2, 21),
        accelerated_on=date(2026, 1, 31),
    )
    assert paid.status(PlanState.ACCELERATED) == PlanStatus.COMPLETED
    assert paid.status(PlanState.CANCELLED) == PlanStatus.CANCELLED


# ---- equal monthly installments -------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "count", "first", "expected"),
    [
        (
            "100000",
            4,
            "2026-01-15",
            [
                ("2026-01-15", "25000"),
                ("2026-02-15", "25000"),
                ("2026-03-15", "25000"),
                ("2026-04-15", "25000"),
            ],
        ),
        (
            "100000",
            3,
            "2026-01-31",
            [("2026-01-31", "33333.33"), ("2026-02-28", "33333.33"), ("2026-03-31", "33333.34")],
        ),
        ("0.05", 2, "2026-11-30", [("2026-11-30", "0.02"), ("2026-12-30", "0.03")]),
        ("5000", 1, "2026-06-01", [("2026-06-01", "5000")]),
    ],
    ids=["even", "remainder-on-the-last-and-month-ends", "cents", "single"],
)
def test_equal_installments(total, count, first, expected):
    rows = equal_installments(D(total), count, date.fromisoformat(first))
    assert rows == [(date.fromisoformat(d), D(a)) for d, a in expected]
    assert sum(a for _, a in rows) == D(total)


# ---- promises -------------------------------------------------------------------------------


def test_promise_dates():
    first = date(2026, 1, 31)
    assert promise_dates(first, None, 1) == [first]
    assert promise_dates(first, PromiseRepeat.WEEKLY, 3) == [
        date(2026, 1, 31),
        date(2026, 2, 7),
        date(2026, 2, 14),
    ]
    assert promise_dates(first, PromiseRepeat.MONTHLY, 3) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


MADE, DUE = date(2026, 3, 1), date(2026, 3, 10)
GRACE_END = date(2026, 3, 10 + PROMISE_GRACE_DAYS)

# on, payments → status, received
PROMISE_CASES = {
    "open-before-the-date": ("2026-03-05", [], P.OPEN, "0"),
    "open-within-the-grace": ("2026-03-13", [], P.OPEN, "0"),
    "broken-after-the-grace": ("2026-03-14", [], P.BROKEN, "0"),
    "kept-on-the-date": ("2026-03-20", [("2026-03-10", "5000")], P.KEPT, "5000"),
    "kept-within-the-grace": ("2026-03-20", [("2026-03-13", "5000")], P.KEPT, "5000"),
    "too-late-is-broken": ("2026-03-20", [("2026-03-14", "5000")], P.BROKEN, "0"),
    "several-payments-add-up": (
        "2026-03-20",
        [("2026-03-02", "2000"), ("2026-03-09", "3000")],
        P.KEPT,
        "5000",
    ),
    "short-is-broken": ("2026-03-20", [("2026-03-09", "4999.99")], P.BROKEN, "4999.99"),
    "money-before-the-promise-does-not-count": (
        "2026-03-20",
        [("2026-02-28", "5000")],
        P.BROKEN,
        "0",
    ),
    "more-than-promised-is-kept": ("2026-03-20", [("2026-03-05", "8000")], P.KEPT, "5000"),
}


@pytest.mark.parametrize(
    ("on", "paid", "status", "received"), list(PROMISE_CASES.values()), ids=list(PROMISE_CASES)
)
def test_a_promise_is_kept_by_confirmed_money_in_its_window(on, paid, status, received):
    out = match_promises(
        [PromiseTerm(1, MADE, DUE, D("5000"))], receipts(*paid), on=date.fromisoformat(on)
    )
    assert out[1].status == status
    assert out[1].paid == D(received)
    assert out[1].deadline == GRACE_END


def test_a_payment_counts_toward_one_promise_only():
    promises = [
        PromiseTerm(1, MADE, date(2026, 3, 10), D("5000")),
        PromiseTerm(2, MADE, date(2026, 3, 20), D("5000")),
    ]
    out = match_promises(promises, receipts(("2026-03-09", "5000")), on=date(2026, 3, 30))
    assert (out[1].status, out[2].status) == (P.KEPT, P.BROKEN)
    out = match_promises(
        promises, receipts(("2026-03-09", "5000"), ("2026-03-18", "5000")), on=date(2026, 3, 30)
    )
    assert (out[1].status, out[2].status) == (P.KEPT, P.KEPT)
    assert (out[1].kept_on, out[2].kept_on) == (date(2026, 3, 9), date(2026, 3, 18))


def test_a_late_payment_keeps_the_next_promise_not_the_broken_one():
    """Promised 5,000 by 10 March (broken), promised again on 15 March for 20 March."""
    promises = [
        PromiseTerm(1, MADE, date(2026, 3, 10), D("5000")),
        PromiseTerm(2, date(2026, 3, 15), date(2026, 3, 20), D("5000")),
    ]
    out = match_promises(promises, receipts(("2026-03-18", "5000")), on=date(2026, 3, 30))
    assert (out[1].status, out[2].status) == (P.BROKEN, P.KEPT)
