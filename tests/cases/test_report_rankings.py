"""Rankings of a period by money recovered and by recovery rate (seed 004 六(一)2 per group),
against a small book worked by hand.

The book, March 2025 (principal; "paid" is confirmed money by the date received):

    case  branch  handler  firm  principal  due         paid
    K1    A       h1       F1    100,000    2025-01-15  20,000 on 02-10, 30,000 on 03-20
    K2    A       h2       F1     50,000    2025-03-10  10,000 on 03-31
    K3    B       h2       F2     40,000    2025-02-28  40,000 on 03-05 (+5,000 pending: never)
    K4    B       h3       —      60,000    2025-05-31  20,000 on 03-15 (paid before it is due)
    K5    B       —        F2     30,000    2025-01-01  nothing

A and B are branches of one bank. Due in March (principal due by 31 March less money
received before 1 March) and collected in March, per case:

    K1 80,000 / 30,000   K2 50,000 / 10,000   K3 40,000 / 40,000   K5 30,000 / 0
    K4 is not due by 31 March: its 20,000 is money recovered but not in any recovery rate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.ledger.models import PaymentStatus
from cases.reports import periods, rates
from cases.reports.dimensions import Dimension
from cases.reports.rankings import (
    competition_ranks,
    ranking,
    rankings,
    rates_by_group,
)
from cases.users.models import Role
from tests.factories import add_payment, claim_in

D = Decimal
MARCH = periods.containing("month", date(2025, 3, 1))


pytestmark = pytest.mark.usefixtures("cheap_passwords")  # several users per test


@pytest.fixture
def book(session, make_case, make_creditor, make_user, make_firm):
    bank = make_creditor(name="某银行股份有限公司")
    a = make_creditor(name="某银行A分行", parent_id=bank.id)
    b = make_creditor(name="某银行B分行", parent_id=bank.id)
    h1, h2, h3 = (make_user(Role.LEGAL, name=n) for n in ("甲承办人", "乙承办人", "丙承办人"))
    f1, f2 = make_firm("A律师事务所"), make_firm("B律师事务所")

    def case(creditor, handler, firm, principal, due):
        return make_case(
            creditor=creditor,
            firm=firm,
            handler_id=handler.id if handler else None,
            claims=[claim_in(principal, due, "2024-06-01")],
        )

    k1 = case(a, h1, f1, "100000.00", "2025-01-15")
    add_payment(session, k1, "20000.00", date(2025, 2, 10))
    add_payment(session, k1, "30000.00", date(2025, 3, 20))
    k2 = case(a, h2, f1, "50000.00", "2025-03-10")
    add_payment(session, k2, "10000.00", date(2025, 3, 31))
    k3 = case(b, h2, f2, "40000.00", "2025-02-28")
    add_payment(session, k3, "40000.00", date(2025, 3, 5))
    add_payment(session, k3, "5000.00", date(2025, 3, 6), PaymentStatus.PENDING)
    k4 = case(b, h3, None, "60000.00", "2025-05-31")
    add_payment(session, k4, "20000.00", date(2025, 3, 15))
    case(b, None, f2, "30000.00", "2025-01-01")
    return {"bank": bank, "A": a, "B": b, "h1": h1, "h2": h2, "h3": h3, "F1": f1, "F2": f2}


def _table(rows):
    return [(r.rank, r.name, r.recovered, r.rate) for r in rows]


def test_branches_by_money_and_by_rate(session, book):
    result = ranking(session, Dimension.BRANCH, MARCH)
    # money: B 40,000 (K3) + 20,000 (K4) = 60,000; A 30,000 (K1) + 10,000 (K2) = 40,000
    # rate:  B 40,000 / (40,000 + 30,000) = 57.142…%; A 40,000 / (80,000 + 50,000) = 30.769…%
    assert _table(result.by_amount) == [
        (1, "某银行B分行", D("60000.00"), D("57.14")),
        (2, "某银行A分行", D("40000.00"), D("30.77")),
    ]
    assert [(r.rank, r.name) for r in result.by_rate] == [(1, "某银行B分行"), (2, "某银行A分行")]
    assert [(r.due, r.collected) for r in result.by_amount] == [
        (D("70000.00"), D("40000.00")),
        (D("130000.00"), D("40000.00")),
    ]


def test_handlers_unassigned_cases_are_not_ranked_and_no_due_means_no_rate(session, book):
    result = ranking(session, Dimension.HANDLER, MARCH)
    # money: h2 10,000 + 40,000 = 50,000; h1 30,000; h3 20,000 (K5 has no handler)
    assert _table(result.by_amount) == [
        (1, "乙承办人", D("50000.00"), D("55.56")),  # 50,000 / 90,000
        (2, "甲承办人", D("30000.00"), D("37.50")),  # 30,000 / 80,000
        (3, "丙承办人", D("20000.00"), None),  # K4 is not due in March: no rate
    ]
    # h3 has nothing due in March: listed after the ranked ones, without a rank
    assert [(r.rank, r.name) for r in result.by_rate] == [
        (1, "乙承办人"),
        (2, "甲承办人"),
        (None, "丙承办人"),
    ]


def test_firms_tied_on_money_share_the_rank(session, book):
    result = ranking(session, Dimension.FIRM, MARCH)
    # money: F1 30,000 + 10,000 = 40,000; F2 40,000 + 0 = 40,000: a tie, by name within it
    assert [(r.rank, r.name, r.recovered) for r in result.by_amount] == [
        (1, "A律师事务所", D("40000.00")),
        (1, "B律师事务所", D("40000.00")),
    ]
    # rate: F2 40,000 / (40,000 + 30,000) = 57.14; F1 40,000 / 130,000 = 30.77
    assert [(r.rank, r.name, r.rate) for r in result.by_rate] == [
        (1, "B律师事务所", D("57.14")),
        (2, "A律师事务所", D("30.77")),
    ]


def test_group_rates_add_up_to_the_whole_book(session, book):
    # the whole book: due 80,000 + 50,000 + 40,000 + 30,000 = 200,000; collected 80,000: 40%
    whole = rates.recovery_rate(session, MARCH)
    assert whole.value == D("40.00")
    by_branch = rates_by_group(session, Dimension.BRANCH, MARCH)
    assert sum(g.due for g in by_branch.values()) == whole.inputs["denominator"] == D("200000")
    assert sum(g.collected for g in by_branch.values()) == whole.inputs["numerator"]
    # one creditor (the bank, A and B under it): its rate is the whole book's
    (only,) = rates_by_group(session, Dimension.CREDITOR, MARCH).values()
    assert (only.key, only.due, only.collected) == (book["bank"].id, D("200000.00"), D("80000.00"))
    assert only.rate == whole.value


@pytest.mark.parametrize(
    "period",
    [
        MARCH,
        periods.containing("quarter", date(2025, 2, 1)),
        periods.containing("year", date(2024, 5, 1)),
        periods.between(date(2025, 3, 6), date(2025, 3, 31)),
    ],
    ids=["march", "q1", "2024", "custom"],
)
def test_one_group_has_the_whole_books_rate_in_any_period(
    session, make_case, make_creditor, period
):
    branch = make_creditor(name="唯一分行")
    first = make_case(creditor=branch, claims=[claim_in("100000.00", "2025-01-15", "2024-06-01")])
    add_payment(session, first, "20000.00", date(2025, 2, 10))
    add_payment(session, first, "30000.00", date(2025, 3, 20))
    second = make_case(creditor=branch, claims=[claim_in("50000.00", "2025-03-10", "2024-06-01")])
    add_payment(session, second, "10000.00", date(2025, 3, 31))
    make_case(creditor=branch, claims=[claim_in("70000.00", "2024-12-31", "2024-06-01")])
    whole = rates.recovery_rate(session, period)
    (only,) = rates_by_group(session, Dimension.BRANCH, period).values()
    assert (only.collected, only.due) == (whole.inputs["numerator"], whole.inputs["denominator"])
    assert only.rate == whole.value


def test_rankings_cover_branches_handlers_and_firms(session, book):
    found = rankings(session, MARCH)
    assert list(found) == [Dimension.BRANCH, Dimension.HANDLER, Dimension.FIRM]
    assert all(r.period == MARCH for r in found.values())


def test_a_period_without_money_ranks_by_nothing(session, book):
    quiet = periods.containing("month", date(2024, 1, 1))
    result = ranking(session, Dimension.BRANCH, quiet)
    assert result.by_amount == []  # nothing due, nothing received: no group to rank


@pytest.mark.parametrize(
    ("values", "ranks"),
    [
        pytest.param(["5", "4", "3"], [1, 2, 3], id="distinct"),
        pytest.param(["5", "5", "3"], [1, 1, 3], id="tie-first-skips-second"),
        pytest.param(["5", "4", "4", "2"], [1, 2, 2, 4], id="tie-middle-1224"),
        pytest.param(["4.0", "4.00", "1"], [1, 1, 3], id="equal-decimals-tie"),
        pytest.param(["3", None, "7"], [2, None, 1], id="none-unranked"),
        pytest.param([], [], id="empty"),
    ],
)
def test_competition_ranks(values, ranks):
    assert competition_ranks([None if v is None else D(v) for v in values]) == ranks
