"""Allocating money received (民法典 第五百六十一条; RULES.md §4), against hand-worked tables.

Costs of enforcing the claim first, then interest, then principal; whatever is left after all
three is an overpayment (``unapplied``). Expected values are written out by hand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.ledger import Allocation, allocate, allocate_payments
from cases.ledger.allocation import ALLOCATION_RULE

D = Decimal

# (id, amount, costs, interest, principal,
#  to_costs, to_interest, to_principal, unapplied, remaining costs, interest, principal)
CASES = [
    # 1,000 against 100 / 200 / 5,000: costs 100, interest 200, the other 700 to principal
    ("costs-interest-then-principal", "1000", "100", "200", "5000",
     "100", "200", "700", "0", "0", "0", "4300"),
    # 60 does not cover the costs of 100: all of it to costs, interest and principal untouched
    ("short-of-costs", "60", "100", "200", "5000",
     "60", "0", "0", "0", "40", "200", "5000"),
    # exactly the costs
    ("exactly-the-costs", "100", "100", "200", "5000",
     "100", "0", "0", "0", "0", "200", "5000"),
    # 150: costs 100, then 50 of the 200 interest
    ("into-interest", "150", "100", "200", "5000",
     "100", "50", "0", "0", "0", "150", "5000"),
    # exactly costs + interest: principal untouched
    ("exactly-costs-and-interest", "300", "100", "200", "5000",
     "100", "200", "0", "0", "0", "0", "5000"),
    # exactly everything
    ("exactly-everything", "5300", "100", "200", "5000",
     "100", "200", "5000", "0", "0", "0", "0"),
    # 6,000 against 5,300 due: 700 overpaid
    ("overpayment", "6000", "100", "200", "5000",
     "100", "200", "5000", "700", "0", "0", "0"),
    # nothing paid: nothing applied, everything still due
    ("zero-payment", "0", "100", "200", "5000",
     "0", "0", "0", "0", "100", "200", "5000"),
    # no costs or interest due: straight to principal
    ("principal-only", "0.01", "0", "0", "1234567.89",
     "0", "0", "0.01", "0", "0", "0", "1234567.88"),
    # fen precision kept: 1,234.56 against 12.34 / 567.89 / 10,000
    ("fen", "1234.56", "12.34", "567.89", "10000",
     "12.34", "567.89", "654.33", "0", "0", "0", "9345.67"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "costs", "interest", "principal", "expected"),
    [(c[1], c[2], c[3], c[4], c[5:]) for c in CASES],
    ids=[f"民法典561-{c[0]}" for c in CASES],
)
def test_allocation_order_民法典_561(amount, costs, interest, principal, expected):
    result = allocate(D(amount), costs=D(costs), interest=D(interest), principal=D(principal))
    got = (
        result.to_costs,
        result.to_interest,
        result.to_principal,
        result.unapplied,
        result.remaining_costs,
        result.remaining_interest,
        result.remaining_principal,
    )
    assert got == tuple(D(v) for v in expected)
    assert result.amount == D(amount)
    assert result.rule == ALLOCATION_RULE == "民法典 第五百六十一条"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": D("-0.01")},
        {"costs": D("-1")},
        {"interest": D("-1")},
        {"principal": D("-1")},
        {"amount": 100.0},  # floats never carry money
        {"principal": "abc"},
    ],
    ids=["negative-amount", "negative-costs", "negative-interest", "negative-principal",
         "float", "not-a-number"],
)  # fmt: skip
def test_allocation_refuses_negative_or_non_decimal_input(kwargs):
    args = {"amount": D(100), "costs": D(0), "interest": D(0), "principal": D(100), **kwargs}
    amount = args.pop("amount")
    with pytest.raises(ValueError):  # noqa: PT011 - messages are for developers
        allocate(amount, **args)


def test_allocation_is_json_ready_and_frozen():
    result = allocate(
        "150", costs="100", interest="200", principal="5000", paid_on=date(2026, 1, 5)
    )
    assert result.as_dict() == {
        "amount": "150",
        "to_costs": "100",
        "to_interest": "50",
        "to_principal": "0",
        "unapplied": "0",
        "remaining_costs": "0",
        "remaining_interest": "150",
        "remaining_principal": "5000",
        "paid_on": "2026-01-05",
        "rule": "民法典 第五百六十一条",
    }
    assert result.remaining == D("5150")
    with pytest.raises(AttributeError):
        result.to_costs = D(0)  # type: ignore[misc]


def test_payments_are_applied_in_date_order_against_running_balances():
    # due: costs 300, interest 1,000, principal 10,000. Given out of order:
    #   2026-01-10  200 → costs 200 (costs left 100)
    #   2026-02-10  500 → costs 100, interest 400 (interest left 600)
    #   2026-03-10  800 → interest 600, principal 200 (principal left 9,800)
    #   2026-03-10  50  → same day, after the 800 as given: principal 50 (9,750 left)
    #   2026-04-10 10,000 → principal 9,750, 250 overpaid
    payments = [
        (date(2026, 3, 10), D("800")),
        (date(2026, 1, 10), D("200")),
        (date(2026, 4, 10), D("10000")),
        (date(2026, 3, 10), D("50")),
        (date(2026, 2, 10), D("500")),
    ]
    result = allocate_payments(payments, costs=D(300), interest=D(1000), principal=D(10000))
    rows = [
        (a.paid_on, a.amount, a.to_costs, a.to_interest, a.to_principal, a.unapplied)
        for a in result
    ]
    assert rows == [
        (date(2026, 1, 10), D(200), D(200), D(0), D(0), D(0)),
        (date(2026, 2, 10), D(500), D(100), D(400), D(0), D(0)),
        (date(2026, 3, 10), D(800), D(0), D(600), D(200), D(0)),
        (date(2026, 3, 10), D(50), D(0), D(0), D(50), D(0)),
        (date(2026, 4, 10), D(10000), D(0), D(0), D(9750), D(250)),
    ]
    assert [(a.remaining_costs, a.remaining_interest, a.remaining_principal) for a in result] == [
        (D(100), D(1000), D(10000)),
        (D(0), D(600), D(10000)),
        (D(0), D(0), D(9800)),
        (D(0), D(0), D(9750)),
        (D(0), D(0), D(0)),
    ]


def test_no_payments_no_allocations_and_bad_dates_refused():
    assert allocate_payments([], costs=D(1), interest=D(1), principal=D(1)) == []
    with pytest.raises(ValueError, match="date"):
        allocate_payments([("2026-01-01", D(1))], costs=D(1), interest=D(1), principal=D(1))


# ---- properties -----------------------------------------------------------------------------

FAST = settings(database=None, max_examples=200, deadline=None)
MONEY = st.decimals(min_value=0, max_value=D("1e11"), places=2)


def _check(a: Allocation, costs: Decimal, interest: Decimal, principal: Decimal) -> None:
    parts = (a.to_costs, a.to_interest, a.to_principal, a.unapplied)
    assert sum(parts) == a.amount
    assert all(p >= 0 for p in parts)
    assert (a.remaining_costs, a.remaining_interest, a.remaining_principal) == (
        costs - a.to_costs,
        interest - a.to_interest,
        principal - a.to_principal,
    )
    assert min(a.remaining_costs, a.remaining_interest, a.remaining_principal) >= 0
    # the order of 第五百六十一条: nothing reaches a later part while an earlier one is owed
    if a.to_interest:
        assert a.remaining_costs == 0
    if a.to_principal:
        assert a.remaining_costs == a.remaining_interest == 0
    if a.unapplied:
        assert a.remaining == 0


@FAST
@given(amount=MONEY, costs=MONEY, interest=MONEY, principal=MONEY)
def test_components_add_up_to_the_amount_and_are_never_negative(amount, costs, interest, principal):
    _check(allocate(amount, costs=costs, interest=interest, principal=principal), costs, interest,
           principal)  # fmt: skip


@FAST
@given(
    payments=st.lists(st.tuples(st.dates(date(2020, 1, 1), date(2030, 12, 31)), MONEY), max_size=8),
    costs=MONEY,
    interest=MONEY,
    principal=MONEY,
)
def test_a_payment_sequence_pays_no_more_than_was_due(payments, costs, interest, principal):
    result = allocate_payments(payments, costs=costs, interest=interest, principal=principal)
    assert len(result) == len(payments)
    balance = (costs, interest, principal)
    for a in result:
        _check(a, *balance)
        balance = (a.remaining_costs, a.remaining_interest, a.remaining_principal)
    assert [a.paid_on for a in result] == sorted(p[0] for p in payments)
    applied = sum(a.to_costs + a.to_interest + a.to_principal for a in result)
    assert applied == min(sum(p[1] for p in payments), costs + interest + principal)
