"""Fee requests, hand-worked once more as a lawyer checks a firm's invoice (``cases.settlement``).

Every arrangement type against the 司发通〔2021〕87号 第(六)项 cap (18% of the part of the
amount recovered below 1,000,000; 15% to 5,000,000 …), the deduction of earlier requests, and
the rounding policy of ``cases.money``: exact figures, ONE rounding, half-up to the fen, at
the end — never a component rounded on its own first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cases.engagements.models import FeeKind
from cases.money import to_fen
from cases.settlement.compute import EARNED_LABEL, Recovery, fee_due
from tests.cases.test_recoveries_fees import earlier, engagement, received

D = Decimal
STAGE_RATES = {"non_litigation": "0.1", "litigation": "0.15", "enforcement": "0.2"}
BASE_2_PLUS_15 = {"base": {"rate": "0.02"}, "contingency": {"rate": "0.15"}}


def by_stage(*pairs: tuple[str, str]) -> list[Recovery]:
    return [
        Recovery(i, date(2025, 3, i), D(amount), "债务人", "bank_transfer", None, stage, stage)
        for i, (stage, amount) in enumerate(pairs, start=1)
    ]


@pytest.mark.parametrize(
    ("kind", "terms", "claim", "money", "before", "payable", "now_due"),
    [
        # 30,000 fixed; 400,000 of 1,000,000 received = 40% → 12,000 (seed 003: fees only on
        # money received)
        pytest.param(
            FeeKind.FIXED,
            {"amount": "30000"},
            "1000000",
            received("400000"),
            [],
            "12000.00",
            "12000.00",
            id="fixed",
        ),
        # 5% of a claim of 1,000,000 = 50,000; 250,000 received = 25% → 12,500
        pytest.param(
            FeeKind.CLAIM_PERCENTAGE,
            {"rate": "0.05"},
            "1000000",
            received("250000"),
            [],
            "12500.00",
            "12500.00",
            id="claim-percentage",
        ),
        # 25% of 1,500,000 = 375,000 > cap 18% × 1,000,000 + 15% × 500,000 = 255,000
        # (司发通〔2021〕87号 第(六)项)
        pytest.param(
            FeeKind.CONTINGENCY,
            {"rate": "0.25"},
            "2000000",
            received("1500000"),
            [],
            "255000.00",
            "255000.00",
            id="flat-capped-87号第六项",
        ),
        # 20% to 1,000,000 + 15% above on 1,200,000 = 200,000 + 30,000 = 230,000
        # > cap 180,000 + 30,000 = 210,000
        pytest.param(
            FeeKind.CONTINGENCY,
            {"tiers": [["1000000", "0.2"], [None, "0.15"]]},
            "3000000",
            received("1200000"),
            [],
            "210000.00",
            "210000.00",
            id="tiered-capped-87号第六项",
        ),
        # before suit 10% × 100,000 + litigation 15% × 200,000 + enforcement 20% × 300,000
        # = 10,000 + 30,000 + 60,000 = 100,000 ≤ cap 18% × 600,000 = 108,000
        pytest.param(
            FeeKind.CONTINGENCY,
            {"stage_rates": STAGE_RATES},
            "1000000",
            by_stage(
                ("non_litigation", "100000"),
                ("litigation", "200000"),
                ("enforcement", "300000"),
            ),
            [],
            "100000.00",
            "100000.00",
            id="by-stage",
        ),
        # 2% × 1,000,000 = 20,000 earned half on 500,000 = 10,000, + 15% × 500,000 = 75,000
        # → 85,000 ≤ cap 90,000; earlier: 30,000 paid and 5,000 awaiting approval are
        # deducted, 20,000 rejected is not → 50,000 due now
        pytest.param(
            FeeKind.BASE_PLUS_CONTINGENCY,
            BASE_2_PLUS_15,
            "1000000",
            received("500000"),
            [("30000", "paid"), ("20000", "rejected"), ("5000", "requested")],
            "85000.00",
            "50000.00",
            id="base-plus-contingency-less-earlier",
        ),
        # Base 10 on a claim of 1,000 earned on 12.34 = 0.1234, + 10% × 12.34 = 1.234:
        # exactly 1.3574 → 1.36 (rounding the base first gave 0.12 + 1.234 → 1.35)
        pytest.param(
            FeeKind.BASE_PLUS_CONTINGENCY,
            {"base": {"amount": "10"}, "contingency": {"rate": "0.1"}},
            "1000",
            received("12.34"),
            [],
            "1.36",
            "1.36",
            id="one-rounding-at-the-end",
        ),
        # 12.5% × 0.04 = 0.005 (cap 0.0072): half-up → 0.01, not the banker's 0.00
        pytest.param(
            FeeKind.CONTINGENCY,
            {"rate": "0.125"},
            "1000",
            received("0.04"),
            [],
            "0.01",
            "0.01",
            id="half-up-to-the-fen",
        ),
        # everything requested already: nothing more is due, never a negative amount
        pytest.param(
            FeeKind.CONTINGENCY,
            {"rate": "0.1"},
            "1000000",
            received("100000"),
            [("10000", "paid"), ("500", "approved")],
            "10000.00",
            "0.00",
            id="never-negative",
        ),
    ],
)
def test_fee_due_hand_worked(kind, terms, claim, money, before, payable, now_due):
    due = fee_due(engagement(kind, terms, claim), money, earlier(*before))
    assert due.payable == D(payable)
    assert due.now_due == D(now_due)
    # the components add up, exactly, to what is payable before its one rounding
    exact = sum((s.value for s in due.components), D(0))
    limit = due.earned if due.cap is None else min(due.earned, due.cap.value)
    assert exact == limit
    assert to_fen(exact) == due.payable


def test_rejected_requests_are_not_deducted_even_when_passed_in():
    """Rule 6: only requests not rejected count against the fee now due."""
    due = fee_due(
        engagement(FeeKind.CONTINGENCY, {"rate": "0.1"}),
        received("100000"),
        earlier(("4000", "rejected"), ("1000", "paid")),
    )
    assert due.already_requested == D("1000")
    assert due.now_due == D("9000.00")
    assert [e.status for e in due.earlier] == ["paid"]


def test_the_earned_share_is_shown_half_up():
    """123,450 of 1,000,000 is 12.345% → shown 12.35% (half-up, ``cases.money``)."""
    due = fee_due(engagement(FeeKind.FIXED, {"amount": "30000"}), received("123450"))
    step = due.components[1]
    assert step.label == EARNED_LABEL
    assert step.params["share"] == "12.35%"
    assert due.payable == D("3703.50")  # 30,000 × 12.345%
