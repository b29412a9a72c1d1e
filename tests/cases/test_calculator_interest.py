"""The calculator's interest tool (RULES.md §5): typed inputs → figures, against values worked
out by hand, and the field errors a person sees.

The LPR is the bundled history (``cases/interest/lpr.csv``); the one-year rate is 3.45% from
2023-08-21 to 2024-07-21 and 3.35% from 2024-07-22, the five-year-plus rate 4.20% from
2023-06-20 to 2024-02-19. Where a daily amount has no finite decimal form the expected value is
the exact fraction and its half-up fen; the figure exceeds the fraction by less than
days × 10⁻²⁰ yuan (the one rounding of ``cases.interest``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from cases.calculator import (
    BEFORE_FIRST_LPR,
    END_BEFORE_START,
    MARKUP_AND_SPREAD,
    NEGATIVE_LPR_RATE,
    NO_LPR_AT_ALL,
    NO_LPR_ON_FILE,
    InterestInput,
    interest,
)
from cases.errors import DomainError, ValidationError
from cases.interest import PAST_LAST_LPR, LprSeries
from cases.interest.calc import BEFORE_2020_RULES
from cases.money import to_fen
from cases.validation import parse

D = Decimal
F = Fraction
LPR = LprSeries.bundled()
TINY = Fraction(400, 10**20)  # every period below is shorter than 400 days


def compute(**fields: Any):
    return interest(parse(InterestInput, fields), LPR)


def assert_interest(value: Decimal, exact: Fraction, fen: str) -> None:
    assert to_fen(value) == D(fen)
    assert 0 <= Fraction(value) - exact < TINY, (value, exact)


# (id, fields, exact interest, fen, number of periods)
CASES = [
    # 民法典 第674条: 1,000,000 × 3.65% / 365 = 100 a day; 2 → 31 March is 30 days = 3,000
    ("民法典674-contract-365", {"kind": "contract", "principal": "1000000", "annual_rate": "3.65",
      "start": "2025-03-01", "end": "2025-03-31"}, F(3000), "3000.00", 1),
    # 1,000,000 × 4.35% = 43,500 a year; 30 days / 360 = 3,625
    ("民法典674-contract-360", {"kind": "contract", "principal": "1000000", "annual_rate": "4.35",
      "start": "2025-03-01", "end": "2025-03-31", "basis": "360"}, F(3625), "3625.00", 1),
    # LPR 1y 3.45% for 2–21 July 2024 (20 days), 3.35% from 22 July (10 days):
    # (34,500 × 20 + 33,500 × 10) / 365 = 1,025,000 / 365 = 2,808.219178…
    ("LPR-changes-inside", {"kind": "lpr", "principal": "1000000", "start": "2024-07-01",
      "end": "2024-07-31"}, F(1025000, 365), "2808.22", 2),
    # 买卖合同解释 第18条: LPR 3.45% × 1.5 = 5.175%; 51,750 × 30 / 365 = 4,253.424657…
    ("买卖合同解释18-markup-50", {"kind": "lpr", "principal": "1000000", "markup": "50",
      "start": "2023-09-01", "end": "2023-10-01"}, F(1552500, 365), "4253.42", 1),
    # LPR 3.45% + 1.5 points = 4.95%; 49,500 × 30 / 360 = 4,125
    ("LPR-plus-spread", {"kind": "lpr", "principal": "1000000", "spread": "1.5",
      "start": "2023-09-01", "end": "2023-10-01", "basis": "360"}, F(4125), "4125.00", 1),
    # five-year-plus LPR 4.20%: 42,000 × 30 / 360 = 3,500
    ("LPR-5y", {"kind": "lpr", "principal": "1000000", "term": "5y", "start": "2024-01-01",
      "end": "2024-01-31", "basis": "360"}, F(3500), "3500.00", 1),
    # 民间借贷规定 第25条: LPR 3.45% on 1 Sep 2023 × 4 = 13.8%; 365 days on 100,000 = 13,800
    ("民间借贷规定25-cap", {"kind": "lending_cap", "principal": "100000",
      "contract_date": "2023-09-01", "start": "2023-09-01", "end": "2024-08-31"},
     F(13800), "13800.00", 1),
    # 迟延履行利息解释 第1条: 1,000,000 × 0.0175% a day × 100 days (2 Jan → 11 Apr 2025) = 17,500
    ("迟延履行利息解释1-late", {"kind": "late_performance", "principal": "1000000",
      "start": "2025-01-01", "end": "2025-04-11"}, F(17500), "17500.00", 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "exact", "fen", "periods"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_kind_of_interest_by_hand(fields, exact, fen, periods):
    figure = compute(**fields)

    assert_interest(figure.value, exact, fen)
    valued = [s for s in figure.steps if s.value is not None]
    assert len(valued) == periods
    assert sum(Fraction(s.value) for s in valued) == Fraction(figure.value)
    assert figure.warnings == ()


def test_lpr_change_gives_one_step_per_rate():
    figure = compute(kind="lpr", principal="1000000", start="2024-07-01", end="2024-07-31")

    first, second = figure.steps
    assert (first.params["from"], first.params["to"], first.params["rate"]) == (
        date(2024, 7, 2),
        date(2024, 7, 21),
        D("3.45"),
    )
    assert (second.params["from"], second.params["days"], second.params["rate"]) == (
        date(2024, 7, 22),
        10,
        D("3.35"),
    )
    assert_interest(first.value, F(690000, 365), "1890.41")
    assert_interest(second.value, F(335000, 365), "917.81")


def test_a_markup_in_percent_becomes_the_multiplier_fraction_买卖合同解释_18():
    figure = compute(
        kind="lpr", principal="1000000", markup="50", start="2023-09-01", end="2023-10-01"
    )

    assert figure.inputs["multiplier"] == D("0.5")
    assert figure.inputs["spread"] is None
    (step,) = figure.steps
    assert step.params["rate"] == D("5.175")  # 3.45 × 1.5
    assert step.params["lpr"] == D("3.45")
    assert "第十八条" in figure.rule


def test_the_lending_cap_is_four_times_the_lpr_at_formation_民间借贷规定_25():
    # The LPR fell to 3.35% on 22 July 2024; the cap stays 4 × 3.45% for the whole period.
    figure = compute(
        kind="lending_cap",
        principal="100000",
        contract_date="2023-09-01",
        start="2024-01-01",
        end="2024-12-31",
    )

    assert figure.inputs["cap_rate"] == D("13.8")
    assert figure.steps[0].params["lpr"] == D("3.45")
    assert "第二十五条" in figure.rule


def test_a_contract_before_20_august_2020_is_flagged_民间借贷规定_31():
    figure = compute(
        kind="lending_cap",
        principal="100000",
        contract_date="2020-01-01",
        start="2020-01-01",
        end="2020-12-31",
    )
    assert BEFORE_2020_RULES in figure.warnings


@pytest.mark.parametrize(
    ("fields", "warned"),
    [
        ({"kind": "lpr", "end": str(LPR.known_until)}, False),
        ({"kind": "lpr", "end": str(LPR.known_until + timedelta(days=1))}, True),
        ({"kind": "lending_cap", "contract_date": str(LPR.known_until)}, False),
        ({"kind": "lending_cap", "contract_date": str(LPR.known_until + timedelta(days=1))}, True),
    ],
    ids=["lpr-last-known-day", "lpr-day-after", "cap-last-known-day", "cap-day-after"],
)
def test_computing_past_the_last_lpr_is_flagged(fields, warned):
    base = {"principal": "100000", "start": str(LPR.last_date), "end": str(LPR.known_until)}
    figure = compute(**{**base, **fields})
    assert (PAST_LAST_LPR in figure.warnings) is warned


def test_the_other_kinds_do_not_need_the_lpr():
    empty = LprSeries()
    for kind, extra in (("contract", {"annual_rate": "4"}), ("late_performance", {})):
        data = parse(
            InterestInput,
            {"kind": kind, "principal": "100", "start": "2010-01-01", "end": "2010-02-01", **extra},
        )
        assert interest(data, empty).value > 0


# ---- what a person is told ------------------------------------------------------------------

GOOD = {
    "kind": "contract",
    "principal": "1000000",
    "annual_rate": "4",
    "start": "2024-01-01",
    "end": "2024-02-01",
}


@pytest.mark.parametrize(
    ("changes", "field", "msgid"),
    [
        ({"end": "2023-12-31"}, "end", END_BEFORE_START),
        ({"annual_rate": None}, "annual_rate", "This field is required"),
        ({"markup": "50", "spread": "1"}, "spread", MARKUP_AND_SPREAD),
        ({"kind": "lending_cap"}, "contract_date", "This field is required"),
        ({"kind": "lending_cap", "contract_date": "2019-08-19"}, "contract_date", BEFORE_FIRST_LPR),
        ({"kind": "lpr", "start": "2019-08-18"}, "start", BEFORE_FIRST_LPR),
        ({"basis": "366"}, "basis", "Day-count basis must be 360 or 365"),
        ({"term": "3y"}, "term", "Not one of the allowed values"),
        ({"kind": "compound"}, "kind", "Not one of the allowed values"),
        ({"principal": "0"}, "principal", "Must be greater than %(gt)s"),
        ({"principal": "1.234"}, "principal", "At most %(decimal_places)s decimal places"),
        ({"annual_rate": "101"}, "annual_rate", "Must be at most %(le)s"),
        ({"markup": "-100"}, "markup", "Must be greater than %(gt)s"),
        ({"start": "2024-02-30"}, "start", "Not a valid date (YYYY-MM-DD)"),
    ],
    ids=[
        "end-before-start",
        "contract-without-rate",
        "markup-and-spread",
        "cap-without-contract-date",
        "cap-before-first-lpr",
        "lpr-before-first-lpr",
        "basis-366",
        "term-3y",
        "unknown-kind",
        "zero-principal",
        "three-decimals",
        "rate-above-100",
        "markup-minus-100",
        "no-such-date",
    ],
)
def test_bad_input_is_refused_on_its_field(changes, field, msgid):
    fields = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}

    with pytest.raises(ValidationError) as caught:
        parse(InterestInput, fields)

    assert [m.msgid for m in caught.value.errors[field]] == [msgid]


def test_the_lpr_from_the_first_publication_is_accepted():
    # 19 August 2019 is not counted: interest runs from 20 August, the first LPR's day.
    figure = compute(kind="lpr", principal="1000000", start="2019-08-19", end="2019-08-20")
    assert figure.steps[0].params["lpr"] == D("4.25")


def test_a_spread_that_takes_the_rate_below_zero_is_refused():
    with pytest.raises(ValidationError) as caught:
        compute(kind="lpr", principal="1000", spread="-4", start="2024-01-01", end="2024-02-01")
    assert caught.value.errors["spread"][0].msgid == NEGATIVE_LPR_RATE


def test_a_negative_spread_above_zero_is_computed():
    # five-year-plus LPR 4.20% − 0.55 points = 3.65%: 1,000,000 × 3.65% / 365 = 100 a day
    figure = compute(
        kind="lpr",
        principal="1000000",
        term="5y",
        spread="-0.55",
        start="2024-01-01",
        end="2024-01-31",
    )
    assert figure.value == D(3000)


def test_without_lpr_rows_the_lpr_kinds_are_refused():
    data = parse(InterestInput, {**GOOD, "kind": "lpr"})
    with pytest.raises(DomainError) as caught:
        interest(data, LprSeries())
    assert caught.value.message.msgid == NO_LPR_AT_ALL


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "lpr", "start": "2024-01-01", "end": "2024-02-01"}, "start"),
        ({"kind": "lending_cap", "contract_date": "2024-01-01"}, "contract_date"),
    ],
    ids=["lpr", "lending-cap"],
)
def test_dates_before_the_first_lpr_on_file_are_refused(fields, field):
    later = LprSeries.from_rows([("2024-06-20", "3.45", "3.95")])
    data = parse(InterestInput, {**GOOD, "start": "2024-01-01", "end": "2024-02-01", **fields})
    with pytest.raises(ValidationError) as caught:
        interest(data, later)
    assert caught.value.errors[field][0].msgid == NO_LPR_ON_FILE
