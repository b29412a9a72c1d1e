"""Management figures: periods, aging by dimension, the stage funnel, money recovered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cases.errors import ValidationError
from cases.ledger.models import PaymentStatus
from cases.register.aging import AgingBucket, bucket_for
from cases.register.stages import Stage
from cases.reports import periods
from cases.reports.dimensions import Dimension, names
from cases.reports.figures import aging, funnel, recovered, recovered_total
from cases.reports.periods import PeriodKind
from cases.users.models import Role
from tests.factories import add_payment, claim_in

D = Decimal
ON = date(2024, 3, 1)  # 2024 is a leap year: 29 February lies in the last 366 days


# ---- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        pytest.param("week", date(2026, 1, 4), date(2025, 12, 29), date(2026, 1, 4), id="sun"),
        pytest.param("week", date(2026, 1, 5), date(2026, 1, 5), date(2026, 1, 11), id="mon"),
        pytest.param("month", date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29), id="leap"),
        pytest.param("month", date(2025, 2, 28), date(2025, 2, 1), date(2025, 2, 28), id="feb"),
        pytest.param("month", date(2025, 12, 31), date(2025, 12, 1), date(2025, 12, 31), id="dec"),
        pytest.param("quarter", date(2025, 5, 1), date(2025, 4, 1), date(2025, 6, 30), id="q2"),
        pytest.param("quarter", date(2025, 12, 9), date(2025, 10, 1), date(2025, 12, 31), id="q4"),
        pytest.param("year", date(2025, 7, 1), date(2025, 1, 1), date(2025, 12, 31), id="year"),
    ],
)
def test_period_containing_a_day(kind, day, start, end):
    period = periods.containing(kind, day)
    assert (period.start, period.end) == (start, end)
    assert day in period


@pytest.mark.parametrize(
    ("now", "year"),
    [
        # 23:30 on 31 December Beijing time is 15:30 UTC: still the old year
        pytest.param(datetime(2025, 12, 31, 15, 30, tzinfo=UTC), 2025, id="2330-beijing"),
        # 00:30 on 1 January Beijing time is 16:30 UTC on 31 December: the new year
        pytest.param(datetime(2025, 12, 31, 16, 30, tzinfo=UTC), 2026, id="0030-beijing"),
    ],
)
def test_current_period_follows_the_beijing_calendar(now, year):
    assert periods.current(PeriodKind.YEAR, now).start == date(year, 1, 1)
    assert periods.current(PeriodKind.MONTH, now).start == date(year, 1 if year == 2026 else 12, 1)
    assert periods.current(PeriodKind.WEEK, now).start == date(2025, 12, 29)  # a Monday


def test_period_instants_are_beijing_midnights():
    period = periods.containing("month", date(2025, 12, 5))
    assert period.start_at == datetime(2025, 11, 30, 16, 0, tzinfo=UTC)
    assert period.end_at == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    assert period.days == 31


def test_custom_period_bounds():
    period = periods.between(date(2025, 3, 5), date(2025, 3, 5))
    assert period.kind == PeriodKind.CUSTOM
    assert period.days == 1
    with pytest.raises(ValidationError):
        periods.between(date(2025, 3, 5), date(2025, 3, 4))


# ---- aging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        pytest.param(-1, AgingBucket.NOT_DUE, id="due-tomorrow"),
        pytest.param(0, AgingBucket.DAYS_0_30, id="due-today"),
        pytest.param(30, AgingBucket.DAYS_0_30, id="30"),
        pytest.param(31, AgingBucket.DAYS_31_90, id="31"),
        pytest.param(90, AgingBucket.DAYS_31_90, id="90"),
        pytest.param(91, AgingBucket.DAYS_91_180, id="91"),
        pytest.param(180, AgingBucket.DAYS_91_180, id="180"),
        pytest.param(181, AgingBucket.DAYS_181_365, id="181"),
        # 2023-03-02: 365 days before 2024-03-01 across 29 February
        pytest.param(365, AgingBucket.DAYS_181_365, id="365-leap"),
        # 2023-03-01, the same calendar day a year before, is 366 days: one to two years
        pytest.param(366, AgingBucket.YEARS_1_2, id="366-calendar-year-in-a-leap-year"),
        pytest.param(730, AgingBucket.YEARS_1_2, id="730"),
        pytest.param(731, AgingBucket.YEARS_2_3, id="731"),
        pytest.param(1095, AgingBucket.YEARS_2_3, id="1095"),
        pytest.param(1096, AgingBucket.OVER_3_YEARS, id="1096"),
        pytest.param(4000, AgingBucket.OVER_3_YEARS, id="long-ago"),
    ],
)
def test_aging_bucket_boundaries(session, make_case, days, bucket):
    due = ON - timedelta(days=days)
    make_case(claims=[claim_in("1000.00", due.isoformat())])
    (row,) = aging(session, Dimension.BRANCH, on=ON)
    assert row.buckets[bucket].count == 1
    assert row.buckets[bucket].amount == D("1000.00")
    assert row.total.count == 1
    assert bucket_for(due, ON) == bucket  # the SQL agrees with the case page


def test_aging_counts_outstanding_principal_and_skips_settled_and_written_off(session, make_case):
    partly = make_case(claims=[claim_in("1000.00", "2024-02-20")])
    add_payment(session, partly, "400.00", date(2024, 2, 25))
    add_payment(session, partly, "500.00", date(2024, 2, 26), PaymentStatus.PENDING)  # not counted
    settled = make_case(claims=[claim_in("300.00", "2024-02-20")])
    add_payment(session, settled, "300.00", date(2024, 2, 25))
    gone = make_case(claims=[claim_in("700.00", "2024-02-20")])
    gone.stage = Stage.WRITTEN_OFF
    session.flush()
    (row,) = aging(session, Dimension.BRANCH, on=ON)
    assert row.buckets[AgingBucket.DAYS_0_30] == type(row.total)(1, D("600.00"))
    assert row.total.count == 1


def test_aging_by_each_dimension(session, make_case, make_creditor, make_user, make_firm):
    bank = make_creditor(name="某银行股份有限公司")
    branch = make_creditor(name="某银行北京分行", parent_id=bank.id)
    sub_branch = make_creditor(name="某银行北京海淀支行", parent_id=branch.id)
    other = make_creditor(name="某集团有限公司")
    alice, bob = make_user(Role.LEGAL, name="张三"), make_user(Role.LEGAL, name="李四")
    firm = make_firm("某律师事务所")
    specs = [  # creditor, handler, firm, principal, due
        (bank, alice, None, "100.00", "2024-02-20"),  # 0–30
        (branch, alice, firm, "200.00", "2023-12-01"),  # 91 days: 91–180
        (sub_branch, bob, firm, "400.00", "2024-02-20"),  # 0–30
        (other, None, None, "800.00", "2020-01-01"),  # over 3 years
    ]
    for creditor, handler, by_firm, principal, due in specs:
        make_case(
            creditor=creditor,
            firm=by_firm,
            handler_id=handler.id if handler else None,
            claims=[claim_in(principal, due)],
        )

    def table(dimension):
        return {
            row.key: {b: (c.count, c.amount) for b, c in row.buckets.items() if c.count}
            for row in aging(session, dimension, on=ON)
        }

    young, mid, old = AgingBucket.DAYS_0_30, AgingBucket.DAYS_91_180, AgingBucket.OVER_3_YEARS
    assert table(Dimension.CREDITOR) == {
        bank.id: {young: (2, D("500.00")), mid: (1, D("200.00"))},  # the whole tree
        other.id: {old: (1, D("800.00"))},
    }
    assert table(Dimension.BRANCH) == {
        bank.id: {young: (1, D("100.00"))},
        branch.id: {mid: (1, D("200.00"))},
        sub_branch.id: {young: (1, D("400.00"))},
        other.id: {old: (1, D("800.00"))},
    }
    assert table(Dimension.HANDLER) == {
        alice.id: {young: (1, D("100.00")), mid: (1, D("200.00"))},
        bob.id: {young: (1, D("400.00"))},
        None: {old: (1, D("800.00"))},
    }
    assert list(table(Dimension.FIRM)) == [firm.id, None]  # unassigned last
    assert table(Dimension.FIRM)[firm.id] == {young: (1, D("400.00")), mid: (1, D("200.00"))}
    assert names(session, Dimension.CREDITOR, [bank.id, None]) == {bank.id: "某银行股份有限公司"}
    assert names(session, Dimension.HANDLER, [bob.id]) == {bob.id: "李四"}
    assert names(session, Dimension.FIRM, [firm.id]) == {firm.id: "某律师事务所"}


# ---- funnel ---------------------------------------------------------------------------------


def test_funnel_counts_cases_and_amounts_per_stage_in_ladder_order(session, make_case):
    first = make_case(claims=[claim_in("1000.00", "2024-01-01")])
    add_payment(session, first, "250.00", date(2024, 2, 1))
    make_case(claims=[claim_in("500.00", "2024-01-01"), claim_in("300.00", "2024-02-01")])
    sued = make_case(claims=[claim_in("900.00", "2024-01-01")])
    sued.stage = Stage.LITIGATION
    session.flush()
    steps = funnel(session)
    assert [s.stage for s in steps] == list(Stage)
    by_stage = {s.stage: (s.count, s.claimed, s.outstanding) for s in steps}
    assert by_stage[Stage.INTAKE] == (2, D("1800.00"), D("1550.00"))
    assert by_stage[Stage.LITIGATION] == (1, D("900.00"), D("900.00"))
    assert by_stage[Stage.ENFORCEMENT] == (0, D("0.00"), D("0.00"))


# ---- money recovered ------------------------------------------------------------------------


def test_recovered_this_week_month_year_confirmed_money_only(session, make_case, make_user):
    alice = make_user(Role.LEGAL)
    mine = make_case(handler_id=alice.id, claims=[claim_in("900000.00", "2025-01-31")])
    other = make_case(claims=[claim_in("900000.00", "2025-01-31")])
    add_payment(session, mine, "100.00", date(2025, 12, 31))  # the 23:30 Beijing-time transfer
    add_payment(session, mine, "20.00", date(2026, 1, 1))
    add_payment(session, mine, "3.00", date(2025, 12, 29))  # Monday: same week as 1 January
    add_payment(session, other, "4000.00", date(2026, 1, 2))
    add_payment(session, other, "50000.00", date(2026, 1, 2), PaymentStatus.PENDING)
    add_payment(session, other, "600000.00", date(2026, 1, 2), PaymentStatus.REJECTED)
    add_payment(session, other, "7.00", date(2025, 12, 28))  # Sunday: the week before

    def by_handler(kind, now):
        period = periods.current(kind, now)
        return {r.key: (r.payments, r.amount) for r in recovered(session, "handler", period)}

    old_year = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 Beijing time
    new_year = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 Beijing time
    assert by_handler("year", old_year) == {alice.id: (2, D("103.00")), None: (1, D("7.00"))}
    assert by_handler("month", old_year) == by_handler("year", old_year)
    assert by_handler("year", new_year) == {alice.id: (1, D("20.00")), None: (1, D("4000.00"))}
    assert by_handler("week", new_year) == {alice.id: (3, D("123.00")), None: (1, D("4000.00"))}
    week = periods.current("week", new_year)
    assert recovered_total(session, week).amount == D("4123.00")
    by_branch = {r.key: r.amount for r in recovered(session, "branch", week)}
    assert by_branch == {mine.creditor_id: D("4123.00")}
    by_creditor = {r.key: r.amount for r in recovered(session, "creditor", week)}
    assert by_creditor == by_branch
