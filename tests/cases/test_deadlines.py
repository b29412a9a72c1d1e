"""Legal deadlines: counting, holiday rollover, limitation, court periods, freezes, guarantees.

Expected dates are checked by hand against the State Council holiday schedules (2025 National
Day: 1–8 October, make-up Sunday 28 September and Saturday 11 October; 2026 Spring Festival:
15–23 February, make-up Saturdays 14 and 28 February; 2026 New Year: 1–3 January, make-up Sunday
4 January). ``test_holiday_data_is_what_the_cases_assume`` pins those facts, so that a change
in the ``chinesecalendar`` data fails there and not as a puzzling date below.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cases.deadlines import (
    DEADLINE_KINDS,
    NO_OLD_DATA,
    NOT_PUBLISHED,
    FreezeTerm,
    HolidayDataMissing,
    add_months,
    appeal_deadline,
    enforcement_deadline,
    explain_appeal_deadline,
    explain_enforcement_deadline,
    explain_freeze_expiry,
    explain_guarantee_period_expiry,
    explain_limitation_expiry,
    explain_presuit_preservation_deadline,
    freeze_expiry,
    guarantee_period_expiry,
    is_working_day,
    limitation_expiry,
    next_working_day,
    presuit_preservation_deadline,
    previous_working_day,
)

D = date


def test_holiday_data_is_what_the_cases_assume():
    holidays = set(chinese_calendar.get_holidays(D(2025, 9, 27), D(2026, 3, 1)))
    assert {D(2025, 10, 1) + timedelta(n) for n in range(8)} <= holidays
    assert {D(2026, 2, 15) + timedelta(n) for n in range(9)} <= holidays
    assert {D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3)} <= holidays
    makeup = {
        d for d in chinese_calendar.get_workdays(D(2025, 9, 1), D(2026, 3, 1)) if d.weekday() >= 5
    }
    assert makeup == {
        D(2025, 9, 28),
        D(2025, 10, 11),
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
    }
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


# --- counting: 民法典 第200–203条, 民事诉讼法 第85条 ------------------------------------------


@pytest.mark.parametrize(
    ("function", "start", "expected"),
    [
        pytest.param(
            lambda d: appeal_deadline(d, "judgment"),
            D(2025, 3, 3),
            D(2025, 3, 18),
            id="第171条-15d",
        ),
        pytest.param(
            lambda d: appeal_deadline(d, "ruling"), D(2025, 3, 3), D(2025, 3, 13), id="第171条-10d"
        ),
        pytest.param(
            lambda d: appeal_deadline(d, "payment_order_objection"),
            D(2025, 3, 3),
            D(2025, 3, 18),
            id="第227条-15d",
        ),
        pytest.param(presuit_preservation_deadline, D(2025, 3, 3), D(2025, 4, 2), id="第104条-30d"),
    ],
)
def test_start_day_not_counted_第201条_第85条(function, start, expected):
    assert function(start) == expected


@pytest.mark.parametrize(
    ("function", "start", "expected"),
    [
        pytest.param(
            lambda d: guarantee_period_expiry(d, months=1),
            D(2025, 1, 31),
            D(2025, 2, 28),
            id="第202条-jan31+1m",
        ),
        pytest.param(
            lambda d: guarantee_period_expiry(d, months=1),
            D(2024, 1, 31),
            D(2024, 2, 29),
            id="第202条-jan31+1m-leap",
        ),
        pytest.param(
            lambda d: guarantee_period_expiry(d, months=1),
            D(2025, 5, 31),
            D(2025, 6, 30),
            id="第202条-may31+1m",
        ),
        pytest.param(
            guarantee_period_expiry, D(2025, 3, 31), D(2025, 9, 30), id="第202条-mar31+6m"
        ),
        pytest.param(enforcement_deadline, D(2023, 3, 31), D(2025, 3, 31), id="第250条-2y"),
        # 29 Feb + 2 years: no 29 Feb 2026, so 28 Feb, a make-up Saturday: no rollover.
        pytest.param(enforcement_deadline, D(2024, 2, 29), D(2026, 2, 28), id="第202条-feb29+2y"),
    ],
)
def test_month_end_第202条(function, start, expected):
    assert function(start) == expected


def test_feb29_plus_three_years_第202条_then_rollover_in_an_uncovered_year():
    # 2027-02-28 (no 29th) is a Sunday: weekends are skipped even without 2027 holiday data.
    with pytest.warns(HolidayDataMissing, match="2027"):
        assert limitation_expiry(D(2024, 2, 29)) == D(2027, 3, 1)


@pytest.mark.parametrize(
    ("function", "start", "expected"),
    [
        # National Day 2025: 1–8 October.
        pytest.param(
            lambda d: appeal_deadline(d, "judgment"),
            D(2025, 9, 16),
            D(2025, 10, 9),
            id="第85条-oct1-national-day",
        ),
        pytest.param(
            lambda d: appeal_deadline(d, "ruling"),
            D(2025, 9, 28),
            D(2025, 10, 9),
            id="第85条-oct8-national-day",
        ),
        pytest.param(
            presuit_preservation_deadline, D(2025, 9, 5), D(2025, 10, 9), id="第104条-oct5"
        ),
        # Spring Festival 2026: 15–23 February.
        pytest.param(
            lambda d: appeal_deadline(d, "judgment"),
            D(2026, 2, 1),
            D(2026, 2, 24),
            id="第85条-feb16-spring-festival",
        ),
        pytest.param(
            lambda d: appeal_deadline(d, "ruling"),
            D(2026, 2, 13),
            D(2026, 2, 24),
            id="第85条-feb23-spring-festival",
        ),
        # An ordinary weekend.
        pytest.param(
            lambda d: guarantee_period_expiry(d, months=12),
            D(2025, 3, 15),
            D(2026, 3, 16),
            id="第203条-sunday",
        ),
    ],
)
def test_rollover_over_holidays_第203条_第85条(function, start, expected):
    assert function(start) == expected


@pytest.mark.parametrize(
    ("function", "start", "expected"),
    [
        pytest.param(
            lambda d: appeal_deadline(d, "judgment"),
            D(2025, 9, 13),
            D(2025, 9, 28),
            id="sun-2025-09-28",
        ),
        pytest.param(
            lambda d: appeal_deadline(d, "ruling"),
            D(2025, 10, 1),
            D(2025, 10, 11),
            id="sat-2025-10-11",
        ),
        pytest.param(
            lambda d: appeal_deadline(d, "ruling"),
            D(2026, 2, 4),
            D(2026, 2, 14),
            id="sat-2026-02-14",
        ),
        pytest.param(guarantee_period_expiry, D(2025, 8, 31), D(2026, 2, 28), id="sat-2026-02-28"),
        # New Year 2026 ends on Saturday 3 January; the first working day after is Sunday 4.
        pytest.param(
            lambda d: appeal_deadline(d, "ruling"),
            D(2025, 12, 24),
            D(2026, 1, 4),
            id="roll-onto-sun-2026-01-04",
        ),
    ],
)
def test_makeup_working_days_count_as_working_days_第203条(function, start, expected):
    assert function(start) == expected


def test_explanation_names_the_raw_end_the_rolled_end_and_the_reason():
    figure = explain_appeal_deadline(D(2025, 9, 16), "judgment")
    assert figure.value == D(2025, 10, 9)
    assert figure.rule == DEADLINE_KINDS["judgment"].rule
    assert "第171条" in figure.rule
    assert figure.inputs == {"served": D(2025, 9, 16), "kind": "judgment"}
    raw, rolled = figure.steps
    assert raw.value == D(2025, 10, 1)
    assert raw.params == {"count": 15, "start": D(2025, 9, 16)}
    assert rolled.value == D(2025, 10, 9)
    assert rolled.params == {"raw": D(2025, 10, 1), "holiday": "国庆节"}
    assert "statutory holiday" in rolled.label
    assert figure.warnings == ()
    assert figure.as_dict()["value"] == "2025-10-09"


def test_explanation_of_a_makeup_day():
    figure = explain_guarantee_period_expiry(D(2025, 8, 31))
    assert "make-up working day" in figure.steps[-1].label


# --- years without holiday data -------------------------------------------------------------


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        pytest.param(D(2026, 12, 31), D(2027, 1, 15), id="friday-unverified"),
        pytest.param(D(2027, 1, 1), D(2027, 1, 18), id="saturday-skipped"),
    ],
)
def test_uncovered_year_warns_and_skips_weekends_第85条(served, expected):
    with pytest.warns(HolidayDataMissing, match="2027.*may move"):
        assert appeal_deadline(served, "judgment") == expected


def test_uncovered_year_in_an_explanation_is_a_figure_warning_not_a_python_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = explain_appeal_deadline(D(2027, 1, 1), "judgment")
    assert figure.value == D(2027, 1, 18)
    assert figure.warnings == (NOT_PUBLISHED,)


def test_working_day_helpers():
    assert is_working_day(D(2025, 9, 28)) is True  # make-up Sunday
    assert is_working_day(D(2025, 10, 6)) is False  # Mid-autumn inside National Day
    assert next_working_day(D(2025, 10, 1)) == D(2025, 10, 9)
    assert next_working_day(D(2025, 10, 9)) == D(2025, 10, 9)
    assert previous_working_day(D(2025, 10, 8)) == D(2025, 9, 30)
    assert previous_working_day(D(2026, 2, 20)) == D(2026, 2, 14)
    with pytest.warns(HolidayDataMissing):
        assert is_working_day(D(2027, 1, 16)) is False
    with pytest.warns(HolidayDataMissing, match="2003"):
        assert next_working_day(D(2003, 1, 4)) == D(2003, 1, 6)
    assert explain_enforcement_deadline(D(2001, 1, 6)).warnings == (NO_OLD_DATA,)


def test_add_months_第202条():
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2024, 2, 29), 48) == D(2028, 2, 29)
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
    assert add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)


# --- limitation: 民法典 第188、194、195条 ----------------------------------------------------

START = D(2020, 6, 15)  # expires 2023-06-15, a Thursday


@pytest.mark.parametrize(
    ("start", "interruptions", "suspensions", "expected"),
    [
        pytest.param(START, [], [], D(2023, 6, 15), id="第188条-3y"),
        pytest.param(START, [D(2022, 3, 10)], [], D(2025, 3, 10), id="第195条-restart"),
        pytest.param(
            D(2018, 1, 10),
            [D(2021, 9, 1), D(2019, 5, 6)],  # any order; 2024-09-01 is a Sunday
            [],
            D(2024, 9, 2),
            id="第195条-two-restarts",
        ),
        pytest.param(
            D(2018, 1, 10), [D(2021, 2, 1)], [], D(2021, 1, 11), id="第195条-after-expiry"
        ),
        # 2021-01-10 is a Sunday: the period runs to Monday 11, and a demand that day counts.
        pytest.param(
            D(2018, 1, 10), [D(2021, 1, 11)], [], D(2024, 1, 11), id="第195条-on-rolled-last-day"
        ),
        pytest.param(START, [D(2020, 6, 1), START], [], D(2023, 6, 15), id="第195条-before-start"),
        pytest.param(
            START, [], [(D(2023, 3, 1), D(2023, 4, 10))], D(2023, 10, 10), id="第194条-last-6m"
        ),
        pytest.param(
            START,
            [],
            [(D(2022, 10, 1), D(2023, 1, 31))],
            D(2023, 7, 31),
            id="第194条-began-earlier-lasting-into-last-6m",
        ),
        pytest.param(
            START, [], [(D(2022, 1, 1), D(2022, 6, 30))], D(2023, 6, 15), id="第194条-earlier"
        ),
        pytest.param(
            START, [], [(D(2023, 7, 1), D(2023, 9, 1))], D(2023, 6, 15), id="第194条-after-expiry"
        ),
        # The suspension keeps the period open until 2023-10-10; a demand on 2023-08-01 then
        # restarts 3 years, to 2026-08-01, a Saturday.
        pytest.param(
            START,
            [D(2023, 8, 1)],
            [(D(2023, 3, 1), D(2023, 4, 10))],
            D(2026, 8, 3),
            id="第194条-then-第195条",
        ),
        # Restarted every two years from 2004: the 20-year long stop ends it on 2024-03-01.
        pytest.param(
            D(2004, 3, 1),
            [D(y, 3, 1) for y in range(2006, 2023, 2)],
            [],
            D(2024, 3, 1),
            id="第188条-20y-long-stop",
        ),
    ],
)
def test_limitation_expiry(start, interruptions, suspensions, expected):
    assert (
        limitation_expiry(start, interruptions=interruptions, suspensions=suspensions) == expected
    )


def test_limitation_explanation_names_each_restart_and_suspension():
    figure = explain_limitation_expiry(
        START,
        interruptions=[D(2023, 8, 1), D(2019, 1, 1), D(2030, 1, 1)],
        suspensions=[(D(2023, 3, 1), D(2023, 4, 10)), (D(2021, 1, 1), D(2021, 2, 1))],
    )
    assert figure.value == D(2026, 8, 3)
    assert figure.rule.startswith("《民法典》第188")
    labels = [step.label for step in figure.steps]
    assert labels[0].startswith("The creditor knew of the default")
    suspended = next(s for s in figure.steps if s.label.startswith("Suspended"))
    assert (suspended.value, suspended.params) == (
        D(2023, 10, 10),
        {"begin": D(2023, 3, 1), "end": D(2023, 4, 10)},
    )
    restart = next(s for s in figure.steps if s.label.startswith("Interrupted"))
    assert (restart.value, restart.params) == (D(2026, 8, 3), {"date": D(2023, 8, 1)})
    assert any("not after the start" in label for label in labels)
    assert any("does not revive" in label and "第19条" in label for label in labels)
    assert any("no suspension" in label for label in labels)
    assert figure.warnings == ()  # the uncovered long-stop year is not looked up


def test_limitation_long_stop_is_named():
    figure = explain_limitation_expiry(
        D(2004, 3, 1), interruptions=[D(y, 3, 1) for y in range(2006, 2023, 2)]
    )
    assert figure.steps[-1].label.startswith("Capped by the 20-year long stop")
    assert figure.steps[-1].value == D(2024, 3, 1)


def test_limitation_rejects_an_obstacle_ending_before_it_starts():
    with pytest.raises(ValueError, match="obstacle"):
        limitation_expiry(START, suspensions=[(D(2023, 4, 1), D(2023, 3, 1))])


# --- freezes: 民诉法解释 第485条, 财产保全规定 第18条 --------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "expiry", "renew_by"),
    [
        pytest.param(
            "deposit", D(2025, 3, 3), D(2026, 3, 3), D(2026, 2, 24), id="第485条-deposit-1y"
        ),
        # Expiry on a Spring Festival Saturday stays; 7 days before is the make-up Saturday.
        pytest.param(
            "deposit", D(2025, 2, 21), D(2026, 2, 21), D(2026, 2, 14), id="deposit-makeup"
        ),
        # 7 days before falls on 18 February (holiday): moved back to Saturday 14.
        pytest.param("deposit", D(2025, 2, 25), D(2026, 2, 25), D(2026, 2, 14), id="deposit-back"),
        pytest.param(
            "movable", D(2023, 10, 15), D(2025, 10, 15), D(2025, 9, 30), id="第485条-movable-2y"
        ),
        pytest.param(
            "immovable", D(2021, 6, 30), D(2024, 6, 30), D(2024, 6, 21), id="第485条-immovable-3y"
        ),
    ],
)
def test_freeze_terms_and_renewal_reminder(kind, start, expiry, renew_by):
    term = freeze_expiry(kind, start)
    assert term == FreezeTerm(kind, start, expiry, renew_by)
    assert chinese_calendar.is_workday(term.renew_by)
    figure = explain_freeze_expiry(kind, start)
    assert figure.value == renew_by  # the action date
    assert expiry in [step.value for step in figure.steps]


def test_freeze_in_an_uncovered_year_warns():
    with pytest.warns(HolidayDataMissing, match="2027"):
        term = freeze_expiry("immovable", D(2024, 2, 29))
    assert (term.expiry, term.renew_by) == (D(2027, 2, 28), D(2027, 2, 19))


def test_freeze_unknown_kind():
    with pytest.raises(ValueError, match="freeze kind"):
        freeze_expiry("shares", D(2025, 1, 1))  # type: ignore[arg-type]


# --- appeals and guarantees: 民事诉讼法 第171、227条; 民法典 第692条 -----------------------------


def test_appeal_unknown_kind():
    with pytest.raises(ValueError, match="appeal kind"):
        appeal_deadline(D(2025, 1, 1), "award")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        pytest.param(6, D(2025, 9, 15), id="第692条-6m-default"),
        pytest.param(12, D(2026, 3, 16), id="第692条-agreed-12m-sunday"),
        pytest.param(0, D(2025, 9, 15), id="第692条-ends-with-main-debt-counts-as-none"),
    ],
)
def test_guarantee_period_第692条(months, expected):
    assert guarantee_period_expiry(D(2025, 3, 15), months=months) == expected


def test_guarantee_period_default_and_negative():
    assert guarantee_period_expiry(D(2025, 3, 15)) == D(2025, 9, 15)
    with pytest.raises(ValueError, match="negative"):
        guarantee_period_expiry(D(2025, 3, 15), months=-1)


def test_deadline_kinds_cover_every_function():
    assert set(DEADLINE_KINDS) >= {
        "limitation",
        "guarantee_period",
        "presuit_preservation",
        "judgment",
        "ruling",
        "payment_order_objection",
        "enforcement",
        "freeze_renewal",
    }
    for kind in DEADLINE_KINDS.values():
        assert kind.label
        assert "第" in kind.rule


# --- properties ------------------------------------------------------------------------------

COVERED = st.dates(min_value=D(2004, 1, 1), max_value=D(2023, 12, 31))

RAW_ENDS = {
    "judgment": (lambda d: explain_appeal_deadline(d, "judgment"), lambda d: d + timedelta(15)),
    "ruling": (lambda d: explain_appeal_deadline(d, "ruling"), lambda d: d + timedelta(10)),
    "presuit": (explain_presuit_preservation_deadline, lambda d: d + timedelta(30)),
    "enforcement": (explain_enforcement_deadline, lambda d: add_months(d, 24)),
    "guarantee": (explain_guarantee_period_expiry, lambda d: add_months(d, 6)),
    "limitation": (explain_limitation_expiry, lambda d: add_months(d, 36)),
}


@pytest.mark.parametrize("name", sorted(RAW_ENDS))
@settings(max_examples=150, deadline=None)
@given(start=COVERED)
def test_deadline_is_the_first_working_day_on_or_after_the_raw_end(name, start):
    explain, raw_end = RAW_ENDS[name]
    raw = raw_end(start)
    figure = explain(start)
    assert figure.warnings == ()
    assert figure.value >= raw
    assert chinese_calendar.is_workday(figure.value)
    days_between = (figure.value - raw).days
    assert not any(chinese_calendar.is_workday(raw + timedelta(n)) for n in range(days_between))


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(["deposit", "movable", "immovable"]), start=COVERED)
def test_freeze_reminder_is_the_last_working_day_at_least_7_days_before_expiry(kind, start):
    term = freeze_expiry(kind, start)
    lead = term.expiry - timedelta(7)
    assert term.renew_by <= lead
    assert chinese_calendar.is_workday(term.renew_by)
    gap = (lead - term.renew_by).days
    assert not any(chinese_calendar.is_workday(lead - timedelta(n)) for n in range(gap))


LIMITATION_DATES = st.dates(min_value=D(2004, 1, 1), max_value=D(2030, 12, 31))
OBSTACLES = st.lists(
    st.tuples(LIMITATION_DATES, st.integers(0, 400)).map(lambda p: (p[0], p[0] + timedelta(p[1]))),
    max_size=3,
)


def _expiry(start, interruptions, suspensions=()) -> date:
    # The explain twin: years past the holiday data are a Figure warning, not a Python one.
    return explain_limitation_expiry(
        start, interruptions=interruptions, suspensions=suspensions
    ).value


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=D(2004, 1, 1), max_value=D(2015, 12, 31)),
    interruptions=st.lists(LIMITATION_DATES, max_size=4),
    extra=LIMITATION_DATES,
    suspensions=OBSTACLES,
)
def test_limitation_another_interruption_never_shortens_it(
    start, interruptions, extra, suspensions
):
    before = _expiry(start, interruptions, suspensions)
    after = _expiry(start, [*interruptions, extra], suspensions)
    assert after >= before


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=D(2004, 1, 1), max_value=D(2020, 12, 31)),
    first=st.integers(1, 1200),
    second=st.integers(1, 1200),
)
def test_limitation_is_monotone_in_the_interruption_date(start, first, second):
    """Of two interruptions within the period, the later one never gives an earlier expiry."""
    assume(first <= second)
    expiry = _expiry(start, [])
    early, late = start + timedelta(first), start + timedelta(second)
    assume(late <= expiry)
    assert _expiry(start, [early]) <= _expiry(start, [late])
    assert _expiry(start, [early]) >= expiry
