"""Engagement fee terms beside the statutory cap, worked by hand (司发通〔2021〕87号 第(六)项).

The cap on a contingency engagement is cumulative on the amount actually recovered: 18 percent
up to 1,000,000, 15 percent to 5,000,000, 12 percent to 10,000,000, 9 percent to 50,000,000,
6 percent above. Terms "can exceed the cap" when, for some recovery between nothing and the
whole claim, the fee they give is above it; a base fee paid up front always can (the cap of
nothing recovered is nothing).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.engagements import terms
from cases.engagements.models import Engagement, FeeKind
from cases.errors import DomainError, ValidationError
from cases.fees import contingency_cap

D = Decimal
RULE = "司发通〔2021〕87号 第(六)项"


def engagement(kind: FeeKind, fee_terms: dict, claim: str, **scope: bool) -> Engagement:
    scope = scope or {"scope_litigation": True}
    return Engagement(
        case_id=1,
        firm_id=1,
        starts_on=date(2026, 11, 2),
        claim_amount=D(claim),
        fee_kind=kind,
        fee_terms=fee_terms,
        **scope,
    )


# (id, kind, terms, claim, fee at full recovery, cap at full claim, can exceed)
CASES = [
    (
        "contingency 20 percent flat: 400,000 against 180,000 + 150,000 = 330,000",
        FeeKind.CONTINGENCY,
        {"rate": "0.20"},
        "2000000",
        "400000",
        "330000",
        True,
    ),
    (
        "contingency 15 percent flat: 300,000, never above the cap",
        FeeKind.CONTINGENCY,
        {"rate": "0.15"},
        "2000000",
        "300000",
        "330000",
        False,
    ),
    (
        "contingency 18 percent flat on 100,000: equal to the cap is within it",
        FeeKind.CONTINGENCY,
        {"rate": "0.18"},
        "100000",
        "18000",
        "18000",
        False,
    ),
    (
        "base 2 percent + 12 percent: the base alone exceeds the cap of nothing recovered",
        FeeKind.BASE_PLUS_CONTINGENCY,
        {"base": {"rate": "0.02"}, "contingency": {"rate": "0.12"}},
        "2000000",
        "280000",  # 40,000 + 240,000, itself within 330,000
        "330000",
        True,
    ),
    (
        "fixed base 30,000 + 10 percent",
        FeeKind.BASE_PLUS_CONTINGENCY,
        {"base": {"amount": "30000"}, "contingency": {"rate": "0.10"}},
        "1000000",
        "130000",
        "180000",
        True,
    ),
    (
        "tiers 18 / 15 on 5,000,000: the cap's own tiers",
        FeeKind.CONTINGENCY,
        {"tiers": [["1000000", "0.18"], [None, "0.15"]]},
        "5000000",
        "780000",  # 180,000 + 600,000
        "780000",
        False,
    ),
    (
        "tiers 18 / 15 on 8,000,000: 15 percent above 5,000,000 where the cap allows 12",
        FeeKind.CONTINGENCY,
        {"tiers": [["1000000", "0.18"], [None, "0.15"]]},
        "8000000",
        "1230000",  # 180,000 + 7,000,000 x 15%
        "1140000",  # 180,000 + 600,000 + 3,000,000 x 12%
        True,
    ),
    (
        "tiers 30 / 20 (seed 003): 300,000 on the first million against 180,000",
        FeeKind.CONTINGENCY,
        {"tiers": [["1000000", "0.3"], [None, "0.2"]]},
        "1500000",
        "400000",
        "255000",
        True,
    ),
]


@pytest.mark.parametrize(
    ("kind", "fee_terms", "claim", "fee", "cap", "exceeds"),
    [pytest.param(*c[1:], id=f"{RULE}: {c[0]}") for c in CASES],
)
def test_cap_check_on_the_whole_claim(kind, fee_terms, claim, fee, cap, exceeds):
    check = terms.check(engagement(kind, fee_terms, claim))
    assert check.full.fee_total == D(fee)
    assert check.cap is not None
    assert check.cap.value == D(cap) == contingency_cap(D(claim))
    assert check.cap.rule == RULE
    assert check.can_exceed_cap is exceeds
    assert any(p.over for p in check.points) is exceeds


def test_the_points_show_where_the_terms_pass_the_cap():
    """20 percent on 2,000,000: the fee and the cap at 0, at the 1,000,000 bound, at the claim."""
    check = terms.check(engagement(FeeKind.CONTINGENCY, {"rate": "0.2"}, "2000000"))
    assert [(p.recovered, p.fee, p.cap, p.over) for p in check.points] == [
        (D(0), D(0), D(0), False),
        (D(1_000_000), D(200_000), D(180_000), True),
        (D(2_000_000), D(400_000), D(330_000), True),
    ]


def test_stage_rates_are_checked_at_every_stage_covered():
    """15 percent in court is within the cap; 20 percent in enforcement is not."""
    e = engagement(
        FeeKind.CONTINGENCY,
        {"stage_rates": {"litigation": "0.15", "enforcement": "0.2"}},
        "500000",
        scope_litigation=True,
        scope_enforcement=True,
    )
    check = terms.check(e)
    assert check.can_exceed_cap
    assert check.points[-1].fee == D(100_000)  # the higher rate at 500,000
    assert check.points[-1].cap == D(90_000)


@pytest.mark.parametrize(
    ("kind", "fee_terms", "fee"),
    [
        (FeeKind.FIXED, {"amount": "30000"}, "30000"),
        (FeeKind.CLAIM_PERCENTAGE, {"rate": "0.05"}, "100000"),  # seed 001: 5 percent
    ],
    ids=["fixed fee", "percentage of the claim"],
)
def test_no_contingency_no_cap(kind, fee_terms, fee):
    check = terms.check(engagement(kind, fee_terms, "2000000"))
    assert check.cap is None
    assert check.points == ()
    assert not check.can_exceed_cap
    assert check.full.fee_total == D(fee)


def test_terms_in_words():
    e = engagement(
        FeeKind.BASE_PLUS_CONTINGENCY,
        {
            "base": {"rate": "0.02"},
            "contingency": {"tiers": [["1000000", "0.15"], [None, "0.1"]]},
        },
        "2000000",
    )
    lines = [(s.label, s.params) for s in terms.describe(e)]
    assert lines == [
        (terms.BASE_CLAIM_TERMS, {"rate": "2%", "claim": D("2000000")}),
        (terms.TIER_TERMS, {"rate": "15%", "lower": D(0), "upper": D("1000000")}),
        (terms.TOP_TIER_TERMS, {"rate": "10%", "lower": D("1000000")}),
    ]


@pytest.mark.parametrize(
    ("kind", "fee_terms", "field"),
    [
        (FeeKind.FIXED, {}, "amount"),
        (FeeKind.CLAIM_PERCENTAGE, {"rate": "1.5"}, "rate"),  # 150 percent
        (FeeKind.CONTINGENCY, {}, "rate"),
        (FeeKind.CONTINGENCY, {"tiers": [[None, "0.2"], ["100", "0.1"]]}, "tiers"),
        (FeeKind.BASE_PLUS_CONTINGENCY, {"base": {"rate": "x"}}, "base.rate"),
        (
            FeeKind.BASE_PLUS_CONTINGENCY,
            {"base": {"amount": "1000"}, "contingency": {"rate": "-0.1"}},
            "contingency.rate",
        ),
    ],
)
def test_bad_terms_name_the_field(kind, fee_terms, field):
    with pytest.raises(ValidationError) as caught:
        terms.check(engagement(kind, fee_terms, "100000"))
    assert field in caught.value.errors


def test_contingency_is_refused_in_a_forbidden_matter():
    """司发通〔2021〕87号 第(五)项: no contingency fee in a marriage matter."""
    e = engagement(FeeKind.CONTINGENCY, {"rate": "0.1"}, "100000")
    e.matter_type = "marriage"
    with pytest.raises(DomainError):
        terms.check(e)
