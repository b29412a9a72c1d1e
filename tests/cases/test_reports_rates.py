"""The rates of seed 004 (《关于客户欠款管理办法》六(一)2–4) against hand-worked periods.

The book (principal; "paid" is confirmed money by date received):

    C1  100,000 signed 2024-10-01 due 2025-01-15; paid 20,000 on 02-10, 30,000 on 03-20;
        10,000 reported 03-25 (pending) and 5,000 (rejected) never count
    C2   50,000 signed 2025-01-01 due 2025-03-10 + 40,000 signed 2025-02-01 due 2025-05-31;
        paid 10,000 on 03-31
    C3   60,000 signed 2024-06-01 due 2024-12-31; paid 6,000 on 02-01 (confirmed then);
        written off 2025-03-15 10:00 Beijing time; 1,000 received 03-28 afterwards
    C4   30,000 signed 2025-04-01 due 2025-04-30: not yet a receivable in March
    C5   20,000 signed 2024-01-01 due 2024-06-30; written off 2025-02-20 10:00 Beijing time
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from cases.base import BUSINESS_TZ
from cases.ledger.models import Payment, PaymentStatus
from cases.register.operations import refresh_totals
from cases.register.stages import Stage
from cases.reports import periods, rates
from cases.reports.rates import percent
from cases.timeline.models import Event, EventKind

D = Decimal
MARCH = periods.containing("month", date(2025, 3, 1))
Q1 = periods.containing("quarter", date(2025, 2, 1))
Y2024 = periods.containing("year", date(2024, 5, 1))
NOTHING = periods.between(date(2020, 1, 1), date(2020, 12, 31))


def _claim(principal, signed, due):
    return {
        "contract_ref": f"HT-{due}",
        "contract_title": "购销合同",
        "principal": D(principal),
        "signed_on": signed,
        "due_date": due,
    }


def _pay(session, case, amount, on, status=PaymentStatus.CONFIRMED):
    confirmed = status == PaymentStatus.CONFIRMED
    session.add(
        Payment(
            case_id=case.id,
            received_on=on,
            amount=D(amount),
            payer="债务人",
            status=status,
            confirmed_at=datetime.combine(on, time(12), BUSINESS_TZ) if confirmed else None,
            rejected_reason="银行流水未见此款" if status == PaymentStatus.REJECTED else None,
        )
    )
    refresh_totals(session, case)


def _write_off(session, case, at):
    case.stage = Stage.WRITTEN_OFF
    session.add(
        Event(
            case_id=case.id,
            kind=EventKind.STAGE_CHANGE,
            occurred_at=at,
            summary="核销",
            from_stage=Stage.ENFORCEMENT.value,
            to_stage=Stage.WRITTEN_OFF.value,
        )
    )


@pytest.fixture
def book(session, make_case):
    c1 = make_case(claims=[_claim("100000.00", "2024-10-01", "2025-01-15")])
    _pay(session, c1, "20000.00", date(2025, 2, 10))
    _pay(session, c1, "30000.00", date(2025, 3, 20))
    _pay(session, c1, "10000.00", date(2025, 3, 25), PaymentStatus.PENDING)
    _pay(session, c1, "5000.00", date(2025, 3, 26), PaymentStatus.REJECTED)
    c2 = make_case(
        claims=[
            _claim("50000.00", "2025-01-01", "2025-03-10"),
            _claim("40000.00", "2025-02-01", "2025-05-31"),
        ]
    )
    _pay(session, c2, "10000.00", date(2025, 3, 31))
    c3 = make_case(claims=[_claim("60000.00", "2024-06-01", "2024-12-31")])
    _pay(session, c3, "6000.00", date(2025, 2, 1))
    _write_off(session, c3, datetime(2025, 3, 15, 10, tzinfo=BUSINESS_TZ))
    _pay(session, c3, "1000.00", date(2025, 3, 28))  # recovery of written-off debt
    make_case(claims=[_claim("30000.00", "2025-04-01", "2025-04-30")])
    c5 = make_case(claims=[_claim("20000.00", "2024-01-01", "2024-06-30")])
    _write_off(session, c5, datetime(2025, 2, 20, 10, tzinfo=BUSINESS_TZ))
    session.flush()


# (period, numerator, denominator, percent): each worked by hand from the book above
RECOVERY = [
    # due: C1 100,000−20,000 + C2 50,000 + C3 60,000−6,000 (C5 gone before 1 March) = 184,000
    # collected in March: C1 30,000 + C2 10,000 + C3 1,000 = 41,000 → 22.2826…%
    pytest.param(MARCH, "41000.00", "184000.00", "22.28", id="seed004-6.1.2-march"),
    # due: C1 100,000 + C2 50,000 + C3 60,000 + C5 20,000 = 230,000 (nothing paid before)
    # collected: 20,000 + 30,000 + 10,000 + 6,000 + 1,000 = 67,000 → 29.1304…%
    pytest.param(Q1, "67000.00", "230000.00", "29.13", id="seed004-6.1.2-q1"),
    # due in 2024: C3 60,000 (due on 31 December itself) + C5 20,000; nothing collected
    pytest.param(Y2024, "0.00", "80000.00", "0.00", id="seed004-6.1.2-2024"),
    pytest.param(NOTHING, "0.00", "0.00", None, id="seed004-6.1.2-nothing-due"),
]
OVERDUE = [
    # receivables at 31 March: C1 100,000−50,000 + C2 90,000−10,000 (C3, C5 written off,
    # C4 signed in April) = 130,000; overdue: C1 50,000 + C2 50,000−10,000 = 90,000 → 69.2307…%
    pytest.param(MARCH, "90000.00", "130000.00", "69.23", id="seed004-6.1.3-march"),
    pytest.param(Q1, "90000.00", "130000.00", "69.23", id="seed004-6.1.3-q1"),
    # at 31 Dec 2024: C1 100,000 (not yet due) + C3 60,000 (due that day) + C5 20,000
    # = 180,000; overdue C3 + C5 = 80,000 → 44.444…%
    pytest.param(Y2024, "80000.00", "180000.00", "44.44", id="seed004-6.1.3-2024"),
]
BAD_DEBT = [
    # written off in March: C3 60,000 − 6,000 confirmed by then = 54,000 → 54,000 / 130,000
    pytest.param(MARCH, "54000.00", "130000.00", "41.54", id="seed004-6.1.4-march"),
    # Q1 adds C5 20,000 (written off in February) = 74,000 → 56.923…%
    pytest.param(Q1, "74000.00", "130000.00", "56.92", id="seed004-6.1.4-q1"),
    pytest.param(Y2024, "0.00", "180000.00", "0.00", id="seed004-6.1.4-2024"),
]


def _check(figure, period, numerator, denominator, expected, rule):
    assert figure.inputs == {
        "start": period.start,
        "end": period.end,
        "numerator": D(numerator),
        "denominator": D(denominator),
    }
    assert figure.value == (None if expected is None else D(expected))
    assert figure.rule == rule
    assert bool(figure.warnings) == (expected is None)
    assert figure.as_dict()["inputs"]["numerator"] == numerator


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("period", "numerator", "denominator", "expected"), RECOVERY)
def test_recovery_rate(session, period, numerator, denominator, expected):
    figure = rates.recovery_rate(session, period)
    _check(figure, period, numerator, denominator, expected, rates.RECOVERY_RULE)


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("period", "numerator", "denominator", "expected"), OVERDUE)
def test_overdue_rate(session, period, numerator, denominator, expected):
    figure = rates.overdue_rate(session, period)
    _check(figure, period, numerator, denominator, expected, rates.OVERDUE_RULE)


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("period", "numerator", "denominator", "expected"), BAD_DEBT)
def test_bad_debt_rate(session, period, numerator, denominator, expected):
    figure = rates.bad_debt_rate(session, period)
    _check(figure, period, numerator, denominator, expected, rates.BAD_DEBT_RULE)


@pytest.mark.usefixtures("book")
def test_all_three_rates_of_a_period(session):
    found = rates.rates(session, MARCH)
    assert {k: f.value for k, f in found.items()} == {
        "recovery": D("22.28"),
        "overdue": D("69.23"),
        "bad_debt": D("41.54"),
    }


@pytest.mark.parametrize(
    ("at", "month"),
    [
        pytest.param(datetime(2025, 3, 31, 23, 30, tzinfo=BUSINESS_TZ), 3, id="2330-31-march"),
        pytest.param(datetime(2025, 4, 1, 0, 30, tzinfo=BUSINESS_TZ), 4, id="0030-1-april"),
    ],
)
def test_write_off_falls_in_its_beijing_month(session, make_case, at, month):
    case = make_case(claims=[_claim("8000.00", "2024-01-01", "2024-06-30")])
    _write_off(session, case, at)
    session.flush()
    for m in (3, 4):
        period = periods.containing("month", date(2025, m, 1))
        expected = D("8000.00") if m == month else D("0.00")
        assert rates.written_off(session, period) == expected
    # on the books at the end of the month before its write-off only
    end_of_march = rates.receivables_at_end(session, periods.containing("month", date(2025, 3, 1)))
    assert end_of_march == ((D("8000.00"),) * 2 if month == 4 else (D("0.00"),) * 2)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        # 1 / 160 = 0.625%: half-up 0.63 (the banker's rounding gives 0.62)
        pytest.param("1", "160", "0.63", id="tie-rounds-up"),
        pytest.param("1", "3", "33.33", id="third"),
        pytest.param("2", "3", "66.67", id="two-thirds"),
        pytest.param("150", "100", "150.00", id="more-than-due"),
        pytest.param("5", "0", None, id="no-denominator"),
    ],
)
def test_percent_is_rounded_once_half_up(part, whole, expected):
    assert percent(D(part), D(whole)) == (None if expected is None else D(expected))
