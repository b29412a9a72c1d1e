"""Fees due on money received, hand-worked for every arrangement type (``cases.settlement``).

Each example is worked out in its docstring or comment the way a lawyer would check a firm's
invoice: the recoveries counted, each component, the 司发通〔2021〕87号 第(六)项 cap on the
amount recovered (18% to 1,000,000; 15% to 5,000,000; 12% to 10,000,000 …), earlier requests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cases.engagements.models import Engagement, FeeKind
from cases.errors import DomainError
from cases.settlement.compute import (
    CAPPED_LABEL,
    EARNED_LABEL,
    NO_STAGE_RATE_LABEL,
    NOTHING_RECEIVED_LABEL,
    EarlierRequest,
    Recovery,
    fee_due,
    fee_stage_on,
)

D = Decimal


def engagement(kind: FeeKind, terms: dict, claim: str = "1000000", **kw) -> Engagement:
    return Engagement(
        id=7,
        case_id=1,
        firm_id=3,
        scope_litigation=True,
        starts_on=date(2025, 1, 1),
        claim_amount=D(claim),
        fee_kind=kind,
        fee_terms=terms,
        **kw,
    )


def received(*amounts: str, fee_stage: str = "litigation") -> list[Recovery]:
    return [
        Recovery(
            payment_id=i,
            received_on=date(2025, 3, i),
            amount=D(amount),
            payer="债务人",
            method="bank_transfer",
            bank_ref=f"REF{i}",
            stage="litigation",
            fee_stage=fee_stage,
        )
        for i, amount in enumerate(amounts, start=1)
    ]


def earlier(*rows: tuple[str, str]) -> list[EarlierRequest]:
    at = datetime(2025, 4, 1, tzinfo=UTC)
    return [EarlierRequest(i, status, D(fee), at) for i, (fee, status) in enumerate(rows, 1)]


def values(due) -> list[Decimal]:
    return [step.value for step in due.components]


# ---- fixed fee ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recovered", "payable", "steps"),
    [
        # 30,000 agreed; 400,000 of 1,000,000 received = 40% → 12,000 earned
        pytest.param(["150000", "250000"], "12000.00", ["30000", "-18000.00"], id="40-percent"),
        # the whole claim received: the whole fee, no adjustment
        pytest.param(["1000000"], "30000.00", ["30000"], id="all-received"),
        # more than the claim (interest, costs): never more than the agreed fee
        pytest.param(["1200000"], "30000.00", ["30000"], id="over-the-claim"),
        # nothing confirmed yet: nothing earned
        pytest.param([], "0.00", ["30000", "-30000"], id="nothing-yet"),
    ],
)
def test_fixed_fee_is_earned_in_proportion_to_money_received(recovered, payable, steps):
    due = fee_due(engagement(FeeKind.FIXED, {"amount": "30000"}), received(*recovered))
    assert due.payable == D(payable)
    assert values(due) == [D(s) for s in steps]
    assert due.cap is None  # no contingency part: no 司发通 cap
    assert due.now_due == D(payable)
    assert due.rule.endswith("不得提前预支")


def test_fixed_fee_share_is_rounded_half_up_to_the_fen():
    # 10,000 × 100,000 / 300,000 = 3,333.333… → 3,333.33 (33.33%)
    due = fee_due(engagement(FeeKind.FIXED, {"amount": "10000"}, "300000"), received("100000"))
    assert due.payable == D("3333.33")
    earned = due.components[1]
    assert earned.label == EARNED_LABEL
    assert earned.params["share"] == "33.33%"


def test_nothing_received_is_said_so():
    due = fee_due(engagement(FeeKind.FIXED, {"amount": "30000"}), [])
    assert due.components[1].label == NOTHING_RECEIVED_LABEL


# ---- percentage of the claim (seed 001: 4–5%) -------------------------------------------------


def test_claim_percentage_is_earned_on_money_received():
    # 5% of the claim 800,000 = 40,000; 300,000 received = 37.5% → 15,000 (= 5% × 300,000)
    due = fee_due(
        engagement(FeeKind.CLAIM_PERCENTAGE, {"rate": "0.05"}, "800000"), received("300000")
    )
    assert values(due) == [D("40000.00"), D("-25000.00")]
    assert due.payable == D("15000.00")
    assert due.components[0].params == {"rate": "5%", "claim": D("800000")}


# ---- contingency ----------------------------------------------------------------------------


def test_flat_contingency_within_the_cap():
    # 15% × 600,000 = 90,000; cap 18% × 600,000 = 108,000
    due = fee_due(engagement(FeeKind.CONTINGENCY, {"rate": "0.15"}), received("600000"))
    assert due.payable == D("90000.00")
    assert due.cap.value == D("108000.00")
    assert not due.capped


def test_flat_contingency_capped_by_sifatong_2021_87_item_6():
    """司发通〔2021〕87号 第(六)项: 25% of 2,000,000 = 500,000; the cap on 2,000,000 is
    18% × 1,000,000 + 15% × 1,000,000 = 330,000, so 330,000 is payable and no more."""
    due = fee_due(engagement(FeeKind.CONTINGENCY, {"rate": "0.25"}), received("2000000"))
    assert due.earned == D("500000.00")
    assert due.cap.value == D("330000.00")
    assert due.capped
    assert values(due) == [D("500000.00"), D("-170000.00")]
    assert due.components[-1].label == CAPPED_LABEL
    assert due.payable == D("330000.00")
    assert due.cap.rule == "司发通〔2021〕87号 第(六)项"


def test_cap_across_three_tiers():
    # 20% of 6,000,000 = 1,200,000; cap = 180,000 + 15% × 4,000,000 + 12% × 1,000,000 = 900,000
    due = fee_due(engagement(FeeKind.CONTINGENCY, {"rate": "0.2"}), received("6000000"))
    assert due.cap.value == D("900000.00")
    assert due.payable == D("900000.00")


def test_tiered_contingency():
    # 18% of the first 500,000 = 90,000; 12% of the next 1,000,000 = 120,000 → 210,000;
    # cap on 1,500,000 = 180,000 + 75,000 = 255,000
    terms = {"tiers": [["500000", "0.18"], [None, "0.12"]]}
    due = fee_due(engagement(FeeKind.CONTINGENCY, terms, "2000000"), received("900000", "600000"))
    assert values(due) == [D("90000.00"), D("120000.00")]
    assert due.payable == D("210000.00")
    assert due.cap.value == D("255000.00")


def test_contingency_by_stage_uses_the_stage_each_payment_was_received_at():
    """10% before suit, 15% in litigation, 18% in enforcement:
    100,000 before suit → 10,000; 200,000 + 50,000 in litigation → 37,500;
    300,000 in enforcement → 54,000; total 101,500 on 650,000 (cap 117,000)."""
    terms = {"stage_rates": {"non_litigation": "0.10", "litigation": "0.15", "enforcement": "0.18"}}
    money = [
        *received("100000", fee_stage="non_litigation"),
        *received("200000", "50000", fee_stage="litigation"),
        *received("300000", fee_stage="enforcement"),
    ]
    due = fee_due(engagement(FeeKind.CONTINGENCY, terms), money)
    assert values(due) == [D("10000.00"), D("37500.00"), D("54000.00")]
    assert [s.params["stage"] for s in due.components] == [
        "non_litigation",
        "litigation",
        "enforcement",
    ]
    assert due.payable == D("101500.00")
    assert due.cap.value == D("117000.00")


def test_money_received_at_a_stage_without_a_rate_earns_nothing():
    terms = {"stage_rates": {"litigation": "0.15"}}
    money = [
        *received("100000", fee_stage="non_litigation"),
        *received("200000", fee_stage="litigation"),
    ]
    due = fee_due(engagement(FeeKind.CONTINGENCY, terms), money)
    assert due.components[0].label == NO_STAGE_RATE_LABEL
    assert due.components[0].value == 0
    assert due.payable == D("30000.00")


# ---- base plus contingency (seed 001: 1–3% plus 10–15%) -------------------------------------


def test_base_plus_contingency_with_already_paid_deducted():
    """2% of the claim 1,000,000 = 20,000, earned on 500,000 received = 10,000; 12% of
    500,000 = 60,000; 70,000 in all (cap 90,000). Earlier: 30,000 paid and 5,000 awaiting
    approval → 35,000 already asked; 35,000 due now, of the 30,000 already paid."""
    terms = {"base": {"rate": "0.02"}, "contingency": {"rate": "0.12"}}
    due = fee_due(
        engagement(FeeKind.BASE_PLUS_CONTINGENCY, terms),
        received("200000", "300000"),
        earlier(("30000.00", "paid"), ("5000.00", "requested")),
    )
    assert values(due) == [D("20000.00"), D("-10000.00"), D("60000.00")]
    assert due.payable == D("70000.00")
    assert due.already_requested == D("35000.00")
    assert due.already_paid == D("30000.00")
    assert due.now_due == D("35000.00")


def test_base_plus_contingency_capped_counts_the_base_inside_the_cap():
    """Fixed 50,000 + 15%, claim 1,000,000, 200,000 received: base earned 20% = 10,000,
    contingency 30,000 → 40,000; cap 18% × 200,000 = 36,000 ("合计": the base counts)."""
    terms = {"base": {"amount": "50000"}, "contingency": {"rate": "0.15"}}
    due = fee_due(engagement(FeeKind.BASE_PLUS_CONTINGENCY, terms), received("200000"))
    assert due.earned == D("40000.00")
    assert due.payable == D("36000.00")
    assert values(due)[-1] == D("-4000.00")


def test_a_management_override_never_lifts_the_payable_above_the_cap():
    terms = {"rate": "0.3"}
    overridden = engagement(FeeKind.CONTINGENCY, terms, cap_override_reason="董事会批准")
    due = fee_due(overridden, received("1000000"))
    assert due.payable == D("180000.00")
    assert due.engagement["cap_override"] is True


def test_nothing_more_is_due_once_earlier_requests_took_it_all():
    due = fee_due(
        engagement(FeeKind.CONTINGENCY, {"rate": "0.1"}),
        received("100000"),
        earlier(("12000.00", "approved")),
    )
    assert due.payable == D("10000.00")
    assert due.now_due == D("0.00")


def test_contingency_in_a_forbidden_matter_is_refused():
    """司发通〔2021〕87号 第(五)项: no contingency on unpaid wages."""
    forbidden = engagement(FeeKind.CONTINGENCY, {"rate": "0.1"}, matter_type="unpaid_wages")
    with pytest.raises(DomainError):
        fee_due(forbidden, received("100000"))


def test_the_computation_is_kept_as_json():
    terms = {"base": {"rate": "0.02"}, "contingency": {"rate": "0.12"}}
    data = fee_due(engagement(FeeKind.BASE_PLUS_CONTINGENCY, terms), received("500000")).as_dict()
    assert data["payable"] == "70000.00"
    assert data["recovered"] == "500000.00"
    assert data["recoveries"][0]["received_on"] == "2025-03-01"
    assert data["components"][0] == {
        "label": "%(rate)s of the claim %(claim)s",
        "value": "20000.00",
        "params": {"rate": "2%", "claim": "1000000"},
    }
    assert data["cap"]["rule"] == "司发通〔2021〕87号 第(六)项"
    assert data["engagement"]["fee_terms"] == terms
    assert data["engagement"]["starts_on"] == "2025-01-01"


# ---- the stage a payment was received at ------------------------------------------------------

HISTORY = [
    (date(2025, 1, 1), "intake"),
    (date(2025, 1, 5), "collection"),
    (date(2025, 3, 1), "litigation"),
    (date(2025, 6, 1), "negotiation"),
    (date(2025, 9, 1), "enforcement"),
    (date(2025, 12, 1), "closed"),
]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 12, 1), ("intake", "non_litigation")),  # before the case was registered
        (date(2025, 2, 1), ("collection", "non_litigation")),
        (date(2025, 3, 1), ("litigation", "litigation")),  # a move that day counts
        (date(2025, 7, 1), ("negotiation", "litigation")),  # agreement reached in court
        (date(2025, 9, 30), ("enforcement", "enforcement")),
        (date(2025, 12, 2), ("closed", "enforcement")),  # last money after closing
    ],
)
def test_fee_stage_on_a_day(day, expected):
    assert fee_stage_on(HISTORY, day) == expected


def test_an_agreement_before_suit_is_paid_at_the_non_litigation_rate():
    history = [(date(2025, 1, 1), "intake"), (date(2025, 2, 1), "negotiation")]
    assert fee_stage_on(history, date(2025, 3, 1)) == ("negotiation", "non_litigation")
