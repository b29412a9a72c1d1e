"""Interest (RULES.md §5), against values worked out by hand.

Each table names the article it follows; the arithmetic is in the comments. Where a daily
amount has no finite decimal form (a 365- or 360-day year), the expected value is the exact
fraction worked out by hand and its half-up fen rounding: the figure must round to that fen
and exceed the fraction by less than days × 10⁻²⁰ yuan (the one rounding of
``cases.interest``: a day's interest rounded up to 10⁻²⁰). Where the daily amount terminates,
the value must be exactly the textbook one. The property tests at the end check additivity
over split periods and monotonicity in the end date, exactly: sums are taken as ``Fraction``
because the values have more digits than the default decimal context keeps.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.interest import (
    PAST_LAST_LPR,
    LprRow,
    LprSeries,
    contract_interest,
    late_performance_interest,
    lpr_interest,
    private_lending_cap,
)
from cases.interest.calc import BEFORE_2020_RULES, LENDING_CAP_RULE, SALES_LPR_RULE
from cases.money import to_fen

D = Decimal
F = Fraction
BUNDLED_CSV = Path(__file__).resolve().parents[2] / "cases" / "interest" / "lpr.csv"
LPR = LprSeries.bundled()
QUANTUM = Fraction(1, 10**20)
TINY = 400 * QUANTUM  # every period in the tables is shorter than 400 days


def assert_interest(value: Decimal, exact: Fraction, fen: str) -> None:
    """``value`` is the exact fraction up to the documented rounding, and rounds to ``fen``."""
    assert to_fen(value) == D(fen)
    assert 0 <= Fraction(value) - exact < TINY, (value, exact)


def total(values) -> Fraction:
    """The exact sum (the default decimal context would round these long values)."""
    return sum((Fraction(v) for v in values), Fraction(0))


# ---- contract interest: 民法典 第五百零九条、第六百七十四条 ---------------------------------

# (id, principal, rate %, start, end, basis, exact interest, fen)
CONTRACT_CASES = [
    # 1,000,000 × 4.35% = 43,500 a year; 30 days / 360 = 3,625 exactly
    ("30-days-360", "1000000", "4.35", "2024-01-01", "2024-01-31", 360, F(3625), "3625.00"),
    # 43,500 × 30 / 365 = 261000/73 = 3,575.342465…
    ("30-days-365", "1000000", "4.35", "2024-01-01", "2024-01-31", 365, F(261000, 73), "3575.34"),
    # leap year 2024: 2023-12-31 → 2024-12-31 is 366 days; 6,000 a year
    # 360-day year: 6,000 × 366 / 360 = 6,100; 365-day year: 6,000 × 366 / 365 = 6,016.438356…
    ("leap-year-360", "100000", "6", "2023-12-31", "2024-12-31", 360, F(6100), "6100.00"),
    ("leap-year-365", "100000", "6", "2023-12-31", "2024-12-31", 365, F(439200, 73), "6016.44"),
    # 29 February counts: 28 Feb → 1 Mar 2024 is 2 days; 1,000 × 36.5% / 365 = 1 a day
    ("leap-day", "1000", "36.5", "2024-02-28", "2024-03-01", 365, F(2), "2.00"),
    # the start day is not counted: 1 March → 2 March is one day
    ("start-day-not-counted", "1000", "36.5", "2024-03-01", "2024-03-02", 365, F(1), "1.00"),
    ("same-day-is-zero", "1000", "36.5", "2024-03-01", "2024-03-01", 365, F(0), "0.00"),
    ("zero-rate", "1000", "0", "2024-03-01", "2024-04-01", 365, F(0), "0.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("principal", "rate", "start", "end", "basis", "exact", "fen"),
    [case[1:] for case in CONTRACT_CASES],
    ids=[f"民法典674-{case[0]}" for case in CONTRACT_CASES],
)
def test_contract_interest_民法典_674(principal, rate, start, end, basis, exact, fen):
    start, end = date.fromisoformat(start), date.fromisoformat(end)
    figure = contract_interest(D(principal), D(rate), start, end, basis=basis)
    assert_interest(figure.value, exact, fen)
    assert figure.inputs["days"] == (end - start).days
    assert figure.inputs["basis"] == basis
    assert "第六百七十四条" in figure.rule
    assert total(s.value for s in figure.steps) == figure.value


# Daily amounts that terminate: the value is exactly the textbook figure, no rounding at all.
@pytest.mark.parametrize(
    ("principal", "rate", "basis", "days", "expected"),
    [
        ("730000", "3.65", 365, 10, "730"),  # 730,000 × 3.65% / 365 = 73 a day
        ("720000", "3.6", 360, 10, "720"),  # 720,000 × 3.6% / 360 = 72 a day
        ("1000000", "3.65", 365, 18, "1800"),  # 100 a day
    ],
    ids=["民法典674-365-exact", "民法典674-360-exact", "民法典674-100-a-day"],
)
def test_contract_interest_is_exact_when_the_daily_amount_terminates(
    principal, rate, basis, days, expected
):
    start = date(2024, 5, 1)
    figure = contract_interest(D(principal), D(rate), start, start + timedelta(days), basis=basis)
    assert figure.value == D(expected)


def test_360_gives_more_than_365_for_the_same_period():
    a = contract_interest(D("1000000"), D("4.35"), date(2024, 1, 1), date(2024, 1, 31), basis=360)
    b = contract_interest(D("1000000"), D("4.35"), date(2024, 1, 1), date(2024, 1, 31), basis=365)
    assert a.value > b.value
    (step,) = a.steps
    assert step.params["from"] == date(2024, 1, 2)  # the first accruing day
    assert step.params["to"] == date(2024, 1, 31)
    assert step.params["days"] == 30


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"basis": 366}, "basis"),
        ({"basis": 0}, "basis"),
        ({"principal": D("-1")}, "principal"),
        ({"principal": 1000.0}, "float"),
        ({"annual_rate": D("-0.1")}, "rate"),
        ({"end": date(2023, 12, 31)}, "end before start"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_contract_interest_refuses_bad_input(kwargs, what):
    args = {
        "principal": D("1000"),
        "annual_rate": D("4.35"),
        "start": date(2024, 1, 1),
        "end": date(2024, 2, 1),
        "basis": 365,
    }
    args.update(kwargs)
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are for developers
        contract_interest(
            args["principal"], args["annual_rate"], args["start"], args["end"], basis=args["basis"]
        )


# ---- the LPR series -------------------------------------------------------------------------


def _csv_rows() -> list[dict[str, str]]:
    with BUNDLED_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_bundled_series_is_the_csv():
    rows = _csv_rows()
    assert [(r.effective_date, r.lpr_1y, r.lpr_5y) for r in LPR] == [
        (date.fromisoformat(r["effective_date"]), D(r["lpr_1y"]), D(r["lpr_5y_plus"])) for r in rows
    ]
    assert LPR[0] == LprRow(date(2019, 8, 20), D("4.25"), D("4.85"))  # the first publication


@pytest.mark.parametrize(
    ("day", "term", "rate"),
    [
        (date(2019, 8, 20), "1y", "4.25"),  # first publication
        (date(2019, 9, 19), "1y", "4.25"),  # the day before the next change
        (date(2019, 9, 20), "1y", "4.20"),  # the change day takes the new rate
        (date(2023, 6, 19), "1y", "3.65"),
        (date(2023, 6, 20), "1y", "3.55"),
        (date(2023, 8, 21), "1y", "3.45"),
        (date(2023, 8, 21), "5y", "4.20"),  # five-year-plus unchanged that day
        (date(2024, 2, 20), "5y", "3.95"),
        (date(2030, 1, 1), "1y", "3.00"),  # the last row holds on
    ],
)
def test_rate_on_takes_the_last_row_on_or_before_the_day(day, term, rate):
    assert LPR.rate_on(day, term) == D(rate)


def test_no_lpr_before_2019_08_20():
    with pytest.raises(ValueError, match="2019-08-20"):
        LPR.rate_on(date(2019, 8, 19))


def test_series_from_text_path_and_rows_agree_and_are_sorted():
    text = BUNDLED_CSV.read_text(encoding="utf-8")
    shuffled = [
        ("2023-08-21", "3.45", "4.20"),
        (date(2019, 8, 20), D("4.25"), D("4.85")),
        {"effective_date": "2023-06-20", "lpr_1y": "3.55", "lpr_5y": "4.20"},
    ]
    assert LprSeries.from_csv(text) == LprSeries.from_csv(BUNDLED_CSV) == LPR
    assert LprSeries.from_csv(str(BUNDLED_CSV)) == LPR
    small = LprSeries.from_rows(shuffled)
    assert [r.effective_date for r in small] == [
        date(2019, 8, 20),
        date(2023, 6, 20),
        date(2023, 8, 21),
    ]
    assert small.last_date == date(2023, 8, 21)


def test_series_is_immutable_and_refuses_bad_rows():
    with pytest.raises(AttributeError):
        LPR._rows = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="two LPR rows"):
        LprSeries.from_rows([("2023-06-20", "3.55", "4.20"), ("2023-06-20", "3.50", "4.20")])
    with pytest.raises(ValueError, match="between 0 and 100"):
        LprSeries.from_rows([("2023-06-20", "0", "4.20")])
    with pytest.raises(ValueError, match="line 2"):
        LprSeries.from_csv("effective_date,lpr_1y,lpr_5y\n2023-06-20,abc,4.20\n")
    with pytest.raises(ValueError, match="columns"):
        LprSeries.from_csv("day,rate\n2023-06-20,3.55\n")


@pytest.mark.parametrize(
    ("last", "known_until"),
    [
        (date(2025, 5, 20), date(2025, 6, 19)),  # next publication 2025-06-20
        (date(2022, 8, 22), date(2022, 9, 19)),  # published late (20th a Saturday); next 20 Sep
        (date(2024, 12, 20), date(2025, 1, 19)),  # across the year end
    ],
)
def test_the_last_row_is_certain_until_the_19th_of_the_next_month(last, known_until):
    series = LprSeries.from_rows([(last, "3.00", "3.50")])
    assert series.known_until == known_until


# ---- LPR-linked interest --------------------------------------------------------------------

# 1,000,000 from 2023-06-01 to 2023-09-30 (121 days accruing 2 June … 30 September), one-year
# LPR: 3.65% from 2022-08-22, 3.55% from 2023-06-20, 3.45% from 2023-08-21. Sub-periods:
#   2 Jun – 19 Jun: 18 days; 20 Jun – 20 Aug: 11 + 31 + 20 = 62 days; 21 Aug – 30 Sep: 11 + 30 = 41
PRINCIPAL = D("1000000")
START, END = date(2023, 6, 1), date(2023, 9, 30)
SUB_PERIODS = [
    (date(2023, 6, 2), date(2023, 6, 19), 18),
    (date(2023, 6, 20), date(2023, 8, 20), 62),
    (date(2023, 8, 21), date(2023, 9, 30), 41),
]
# (id, kwargs, rates per sub-period, exact interest per sub-period, fen per sub-period, total fen)
# Each part is 1,000,000 × rate% × days / 365 = rate × days × 10000 / 365.
LPR_CASES = [
    (
        "plain-LPR",
        {},
        ["3.65", "3.55", "3.45"],
        # 3.65 × 18 × 10000/365 = 1800; 3.55 × 62 → 2201000/365; 3.45 × 41 → 1414500/365
        [F(1800), F(2201000, 365), F(1414500, 365)],
        ["1800.00", "6030.14", "3875.34"],
        "11705.48",  # 1800 + 3615500/365 = 11705.479452…
    ),
    (
        "买卖合同解释18-LPR-times-1.5",
        {"multiplier": D("0.5")},
        ["5.475", "5.325", "5.175"],  # each LPR × 1.5
        # 5.475 × 18 → 150 a day → 2700; 5.325 × 62 → 3301500/365; 5.175 × 41 → 2121750/365
        [F(2700), F(3301500, 365), F(2121750, 365)],
        ["2700.00", "9045.21", "5813.01"],
        "17558.22",  # 2700 + 5423250/365 = 17558.219178…
    ),
    (
        "LPR-plus-1.5-points",
        {"spread": D("1.5")},
        ["5.15", "5.05", "4.95"],  # each LPR + 1.5
        # 5.15 × 18 → 927000/365; 5.05 × 62 → 3131000/365; 4.95 × 41 → 2029500/365
        [F(927000, 365), F(3131000, 365), F(2029500, 365)],
        ["2539.73", "8578.08", "5560.27"],
        "16678.08",  # 6087500/365 = 16678.082191…
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "rates", "parts", "part_fen", "total_fen"),
    [case[1:] for case in LPR_CASES],
    ids=[case[0] for case in LPR_CASES],
)
def test_lpr_interest_switches_rate_at_each_lpr_change(kwargs, rates, parts, part_fen, total_fen):
    figure = lpr_interest(PRINCIPAL, START, END, lpr=LPR, **kwargs)
    got = [
        (s.params["from"], s.params["to"], s.params["days"], s.params["rate"]) for s in figure.steps
    ]
    assert got == [(*period, D(rate)) for period, rate in zip(SUB_PERIODS, rates, strict=True)]
    for step, exact, fen in zip(figure.steps, parts, part_fen, strict=True):
        assert_interest(step.value, exact, fen)
        assert step.params["interest"] == step.value
    assert_interest(figure.value, sum(parts, F(0)), total_fen)
    assert total(s.value for s in figure.steps) == figure.value
    assert [s.params["lpr"] for s in figure.steps] == [D("3.65"), D("3.55"), D("3.45")]
    assert figure.warnings == ()
    assert figure.inputs["days"] == 121


def test_multiplier_cites_the_sales_contract_interpretation():
    times = lpr_interest(PRINCIPAL, START, END, lpr=LPR, multiplier=D("0.3"))
    plus = lpr_interest(PRINCIPAL, START, END, lpr=LPR, spread=D("0.3"))
    assert SALES_LPR_RULE in times.rule
    assert SALES_LPR_RULE not in plus.rule
    assert times.inputs["multiplier"] == D("0.3")
    assert plus.inputs["spread"] == D("0.3")


def test_lpr_at_the_breach_date_for_the_whole_period_买卖合同解释18():
    # the LPR in force on 2023-06-01 is 3.65%; × 1.5 = 5.475%; 1,000,000 × 5.475% / 365 = 150 a
    # day; 121 days = 18,150 exactly, although the LPR fell twice during the period
    figure = lpr_interest(
        PRINCIPAL, START, END, lpr=LPR, multiplier=D("0.5"), rate_date=date(2023, 6, 1)
    )
    assert figure.value == D("18150")
    assert figure.steps[0].params == {"date": date(2023, 6, 1), "lpr": D("3.65")}
    assert [(s.params["days"], s.params["rate"]) for s in figure.steps[1:]] == [(121, D("5.475"))]


def test_a_period_starting_the_day_before_a_change_has_no_empty_step():
    # accrues on 20 June 2023 only, the first day of 3.55%: 1,000,000 × 3.55% / 365
    figure = lpr_interest(PRINCIPAL, date(2023, 6, 19), date(2023, 6, 20), lpr=LPR)
    assert [(s.params["days"], s.params["rate"]) for s in figure.steps] == [(1, D("3.55"))]
    assert_interest(figure.value, F(35500, 365), "97.26")


def test_five_year_term():
    # 5-year-plus LPR 4.30% from 2022-08-22, 4.20% from 2023-06-20; 18 and 62 + 41 days
    figure = lpr_interest(PRINCIPAL, START, END, lpr=LPR, term="5y")
    assert [s.params["rate"] for s in figure.steps] == [D("4.30"), D("4.20"), D("4.20")]
    # (4.30 × 18 + 4.20 × 103) × 10000 / 365 = (77.4 + 432.6) × 10000 / 365 = 5100000/365
    assert_interest(figure.value, F(5100000, 365), "13972.60")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"multiplier": D("0.5"), "spread": D("1")},
        {"term": "3y"},
        {"basis": 364},
        {"multiplier": D("-1")},
        {"spread": D("-4")},
    ],
    ids=["multiplier-and-spread", "unknown-term", "basis", "multiplier-minus-one", "negative-rate"],
)
def test_lpr_interest_refuses_bad_input(kwargs):
    with pytest.raises(ValueError):  # noqa: PT011
        lpr_interest(PRINCIPAL, START, END, lpr=LPR, **kwargs)


@pytest.mark.parametrize(
    ("start", "allowed"),
    [
        (date(2019, 8, 18), False),  # would accrue on 19 August 2019: no LPR yet
        (date(2019, 8, 19), True),  # accrues from 20 August 2019, the first LPR
        (date(2018, 1, 1), False),
    ],
)
def test_no_lpr_interest_before_2019_08_20(start, allowed):
    if allowed:
        figure = lpr_interest(D("365000"), start, date(2019, 8, 20), lpr=LPR)
        assert figure.value == D("42.5")  # 365,000 × 4.25% / 365 = 42.50 for the one day
    else:
        with pytest.raises(ValueError, match="2019-08-20"):
            lpr_interest(D("365000"), start, date(2019, 8, 20), lpr=LPR)


def test_the_csv_last_row_is_the_one_the_warning_tests_assume():
    assert _csv_rows()[-1]["effective_date"] == "2025-05-20"
    assert LPR.known_until == date(2025, 6, 19)


@pytest.mark.parametrize(
    ("end", "warned"),
    [
        (date(2025, 6, 19), False),  # the last row (2025-05-20) is current until 19 June
        (date(2025, 6, 20), True),  # the June LPR may have changed the rate from 20 June
        (date(2026, 11, 23), True),
    ],
)
def test_warning_past_the_last_published_lpr(end, warned):
    figure = lpr_interest(PRINCIPAL, date(2025, 1, 1), end, lpr=LPR)
    if warned:
        assert figure.warnings == (PAST_LAST_LPR,)
        assert figure.steps[-1].params == {"date": date(2025, 5, 20), "from": date(2025, 6, 20)}
        assert figure.steps[-1].value is None
    else:
        assert figure.warnings == ()
    assert figure.inputs["lpr_last_date"] == date(2025, 5, 20)


def test_warning_when_the_fixed_rate_date_is_past_the_last_lpr():
    figure = lpr_interest(
        PRINCIPAL, date(2025, 1, 1), date(2025, 2, 1), lpr=LPR, rate_date=date(2025, 7, 1)
    )
    assert figure.warnings == (PAST_LAST_LPR,)


# ---- 民间借贷规定(2020) 第二十五条: 4 × one-year LPR at contract formation ---------------------


# (id, contract date, one-year LPR that day, cap rate %, exact interest on 100,000 for a year)
CAP_CASES = [
    # contract on 2021-03-15: LPR 3.85% (since 2020-04-20) → 15.40%; 100,000 × 15.40% × 365/365
    ("lpr-2020-04-20", date(2021, 3, 15), "3.85", "15.40", "15400.00"),
    ("day-before-change", date(2021, 12, 19), "3.85", "15.40", "15400.00"),
    ("on-change-day", date(2021, 12, 20), "3.80", "15.20", "15200.00"),  # 3.80 from 2021-12-20
    ("lpr-2022-01-20", date(2022, 1, 20), "3.70", "14.80", "14800.00"),
]


@pytest.mark.parametrize(
    ("contract_date", "lpr_1y", "cap_rate", "fen"),
    [case[1:] for case in CAP_CASES],
    ids=[f"民间借贷规定25-{case[0]}" for case in CAP_CASES],
)
def test_private_lending_cap_uses_the_lpr_at_contract_formation(
    contract_date, lpr_1y, cap_rate, fen
):
    end = contract_date.replace(year=contract_date.year + 1)  # 365 days: no 29 February between
    figure = private_lending_cap(
        D("100000"), contract_date, end, contract_date=contract_date, lpr=LPR
    )
    assert figure.inputs["lpr_1y"] == D(lpr_1y)
    assert figure.inputs["cap_rate"] == D(cap_rate)
    assert_interest(figure.value, F(D(fen)), fen)
    assert figure.rule == LENDING_CAP_RULE
    assert figure.warnings == ()


def test_the_cap_rate_does_not_follow_later_lpr_changes_民间借贷规定25():
    # 365,000 × 15.40% / 365 = 154 a day; 2021-03-15 → 2022-03-15 = 365 days = 56,210 exactly,
    # although the LPR fell on 2021-12-20 and 2022-01-20
    figure = private_lending_cap(
        D("365000"), date(2021, 3, 15), date(2022, 3, 15), contract_date=date(2021, 3, 15), lpr=LPR
    )
    assert figure.value == D("56210")
    assert [s.params.get("rate") for s in figure.steps] == [D("15.4"), D("15.4")]


def test_a_contract_before_2020_08_20_is_flagged_for_the_transitional_rule():
    figure = private_lending_cap(
        D("100000"), date(2020, 5, 1), date(2020, 6, 1), contract_date=date(2020, 5, 1), lpr=LPR
    )
    assert figure.warnings == (BEFORE_2020_RULES,)
    assert figure.inputs["cap_rate"] == D("15.4")  # 3.85 × 4


def test_no_cap_before_the_first_lpr_and_a_warning_past_the_last():
    with pytest.raises(ValueError, match="2019-08-20"):
        private_lending_cap(
            D("1000"), date(2019, 1, 1), date(2019, 2, 1), contract_date=date(2019, 1, 1), lpr=LPR
        )
    late = private_lending_cap(
        D("1000"), date(2025, 7, 1), date(2025, 8, 1), contract_date=date(2025, 7, 1), lpr=LPR
    )
    assert late.warnings == (PAST_LAST_LPR,)


# ---- 迟延履行利息解释(法释〔2014〕8号) 第一条: 0.0175% a day on the judgment debt --------------

LATE_CASES = [
    # 1,000,000 × 0.000175 × 30 = 5,250 (performance period ended 10 March, paid 9 April)
    ("30-days", "1000000", date(2024, 3, 10), date(2024, 4, 9), 30, "5250"),
    # 123,456.78 × 0.000175 × 45 = 123,456.78 × 0.007875 = 972.2221425 (exact, not rounded)
    ("exact-not-rounded", "123456.78", date(2024, 1, 1), date(2024, 2, 15), 45, "972.2221425"),
    # 28 Feb → 1 Mar 2024: 29 Feb and 1 Mar; 10,000 × 0.000175 × 2 = 3.5
    ("leap-day", "10000", date(2024, 2, 28), date(2024, 3, 1), 2, "3.5"),
    ("paid-on-the-last-day", "10000", date(2024, 2, 28), date(2024, 2, 28), 0, "0"),
]


@pytest.mark.parametrize(
    ("debt", "start", "end", "days", "expected"),
    [case[1:] for case in LATE_CASES],
    ids=[f"迟延履行利息解释1-{case[0]}" for case in LATE_CASES],
)
def test_late_performance_interest_迟延履行利息解释_1(debt, start, end, days, expected):
    figure = late_performance_interest(D(debt), start, end)
    assert figure.value == D(expected)
    assert figure.inputs["days"] == days
    assert figure.inputs["daily_rate"] == D("0.0175")
    assert "法释〔2014〕8号" in figure.rule
    if days:
        (step,) = figure.steps
        assert (step.params["from"], step.params["to"]) == (start + timedelta(1), end)


def test_figures_are_json_ready():
    data = lpr_interest(PRINCIPAL, START, END, lpr=LPR, multiplier=D("0.5")).as_dict()
    assert data["inputs"]["multiplier"] == "0.5"
    assert data["steps"][0]["params"]["from"] == "2023-06-02"
    assert data["value"].startswith("17558.2191780821917808")


# ---- properties: exact additivity and monotonicity ------------------------------------------

FAST = settings(database=None, max_examples=150, deadline=None)
PRINCIPALS = st.decimals(min_value=0, max_value=D("1e11"), places=2)
RATES = st.decimals(min_value=0, max_value=36, places=4)
BASIS = st.sampled_from([360, 365])
ANY_DAY = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
LPR_DAY = st.dates(min_value=date(2019, 8, 19), max_value=date(2030, 12, 31))


def _ordered(days: list[date]) -> list[date]:
    return sorted(days)


@FAST
@given(
    principal=PRINCIPALS, rate=RATES, basis=BASIS, days=st.lists(ANY_DAY, min_size=3, max_size=3)
)
def test_contract_interest_is_additive_and_monotone(principal, rate, basis, days):
    a, b, c = _ordered(days)
    ab = contract_interest(principal, rate, a, b, basis=basis).value
    bc = contract_interest(principal, rate, b, c, basis=basis).value
    ac = contract_interest(principal, rate, a, c, basis=basis).value
    assert total([ab, bc]) == ac  # exactly
    assert ab <= ac
    exact = Fraction(principal) * Fraction(rate) * (c - a).days / (100 * basis)
    assert 0 <= Fraction(ac) - exact <= (c - a).days * QUANTUM


@FAST
@given(
    principal=PRINCIPALS,
    adjustment=st.one_of(
        st.just({}),
        st.builds(lambda m: {"multiplier": m}, st.decimals(0, 1, places=2)),
        st.builds(lambda s: {"spread": s}, st.decimals(0, 5, places=2)),
    ),
    term=st.sampled_from(["1y", "5y"]),
    days=st.lists(LPR_DAY, min_size=3, max_size=3),
)
def test_lpr_interest_is_additive_and_monotone(principal, adjustment, term, days):
    a, b, c = _ordered(days)

    def interest(start: date, end: date) -> Decimal:
        return lpr_interest(principal, start, end, lpr=LPR, term=term, **adjustment).value

    ab, bc, ac = interest(a, b), interest(b, c), interest(a, c)
    assert total([ab, bc]) == ac  # exactly
    assert ab <= ac


@FAST
@given(debt=PRINCIPALS, days=st.lists(ANY_DAY, min_size=3, max_size=3))
def test_late_performance_interest_is_additive(debt, days):
    a, b, c = _ordered(days)
    ab = late_performance_interest(debt, a, b).value
    bc = late_performance_interest(debt, b, c).value
    assert total([ab, bc]) == late_performance_interest(debt, a, c).value
