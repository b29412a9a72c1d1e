"""Court costs and lawyer fees (RULES.md §1, §2), against values worked out by hand.

Each table names the article it follows. Expected values are computed by hand from the tiers
of the article (the arithmetic is in the comments), never taken from the code under test.
The property tests at the end check the shape of the rules (monotone, bounded, exact halving,
explanations adding up) over random amounts in whole fen.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.errors import DomainError
from cases.fees import (
    CONTINGENCY_FORBIDDEN,
    MATTER_TYPES,
    BasePlusContingency,
    ClaimPercentage,
    Contingency,
    FixedFee,
    acceptance_fee,
    check_contingency_allowed,
    contingency_cap,
    enforcement_fee,
    explain_acceptance_fee,
    explain_contingency_cap,
    explain_enforcement_fee,
    explain_payment_order_fee,
    explain_preservation_fee,
    lawyer_fee,
    payment_order_fee,
    preservation_fee,
)
from cases.money import to_fen
from cases.register.stages import Stage

D = Decimal

# 《诉讼费用交纳办法》第十三条(一): 50 up to 10,000, then 2.5/2/1.5/1/0.9/0.8/0.7/0.6/0.5%
ACCEPTANCE_ART13_1 = [
    ("0.01", "50"),
    ("1", "50"),
    ("10000", "50"),
    ("10000.01", "50.00025"),  # 50 + 0.01 × 2.5%
    ("12345.67", "108.64175"),  # 50 + 2,345.67 × 2.5%
    ("50000", "1050"),  # 50 + 40,000 × 2.5%
    ("100000", "2300"),  # 50 + 90,000 × 2.5%
    ("100000.01", "2300.0002"),
    ("200000", "4300"),  # 2,300 + 100,000 × 2%
    ("200000.01", "4300.00015"),
    ("500000", "8800"),  # 4,300 + 300,000 × 1.5%
    ("500000.01", "8800.0001"),
    ("1000000", "13800"),  # 8,800 + 500,000 × 1%
    ("1000000.01", "13800.00009"),
    ("2000000", "22800"),  # 13,800 + 1,000,000 × 0.9%
    ("2000000.01", "22800.00008"),
    ("5000000", "46800"),  # 22,800 + 3,000,000 × 0.8%
    ("5000000.01", "46800.00007"),
    ("10000000", "81800"),  # 46,800 + 5,000,000 × 0.7%
    ("10000000.01", "81800.00006"),
    ("20000000", "141800"),  # 81,800 + 10,000,000 × 0.6%
    ("20000000.01", "141800.00005"),
    ("100000000", "541800"),  # 141,800 + 80,000,000 × 0.5%
]


@pytest.mark.parametrize(("amount", "fee"), ACCEPTANCE_ART13_1)
def test_acceptance_fee_per_art13_1_at_every_tier_boundary(amount, fee):
    assert acceptance_fee(D(amount)) == D(fee)


# 第十五、十六、十八条, once only (民诉法解释 第二百零六条)
@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("10000", "25"),
        ("10000.01", "25.000125"),
        ("12345.67", "54.320875"),
        ("100000", "1150"),
        ("1000000", "6900"),
        ("20000000", "70900"),
    ],
)
def test_acceptance_fee_halved_once_per_art15_16_18_and_interpretation_206(amount, fee):
    assert acceptance_fee(amount, halved=True) == D(fee)
    figure = explain_acceptance_fee(amount, halved=True)
    assert "第二百零六条" in figure.rule
    assert figure.inputs["halved"] is True


@pytest.mark.parametrize("halved", [2, "yes", None])
def test_acceptance_fee_halving_is_a_bool_so_it_cannot_apply_twice(halved):
    with pytest.raises(TypeError):
        acceptance_fee(100000, halved=halved)


@pytest.mark.parametrize(("amount", "message"), [(0, "positive"), ("-1", "negative")])
def test_acceptance_fee_refuses_a_zero_or_negative_property_claim_art13_1(amount, message):
    with pytest.raises(ValueError, match=message):
        acceptance_fee(amount)


def test_explain_acceptance_fee_art13_1_shows_one_step_per_tier():
    figure = explain_acceptance_fee(D("150000"))
    assert figure.value == D("3300")  # 50 + 2,250 + 50,000 × 2%
    assert figure.rule == "《诉讼费用交纳办法》第十三条(一)"
    assert [(s.value, s.params) for s in figure.steps] == [
        (D("50"), {"upper": D("10000")}),
        (D("2250"), {"rate": "2.5%", "lower": D("10000"), "upper": D("100000")}),
        (D("1000"), {"rate": "2%", "lower": D("100000"), "upper": D("150000")}),
    ]
    assert figure.steps[1].label == "%(rate)s of the part from %(lower)s to %(upper)s"
    assert json.loads(json.dumps(figure.as_dict()))["value"] == "3300.000"


# 第十四条(三): one third of the acceptance fee, kept to 0.000001 yuan (half-up)
@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("10000", "16.666667"),  # 50 / 3
        ("10000.01", "16.66675"),  # 50.00025 / 3, exact
        ("12345.67", "36.213917"),  # 108.64175 / 3 = 36.2139166…
        ("100000", "766.666667"),  # 2,300 / 3
        ("200000", "1433.333333"),  # 4,300 / 3
        ("1000000", "4600"),  # 13,800 / 3
        ("5000000", "15600"),  # 46,800 / 3
        ("20000000", "47266.666667"),  # 141,800 / 3
    ],
)
def test_payment_order_fee_is_one_third_per_art14_3(amount, fee):
    assert payment_order_fee(amount) == D(fee)


# 第十四条(二): 30 up to 1,000 or no amount; 1% to 100,000; 0.5% above; at most 5,000
PRESERVATION_ART14_2 = [
    (None, "30"),
    ("0", "30"),
    ("1000", "30"),
    ("1000.01", "30.0001"),
    ("50000", "520"),  # 30 + 49,000 × 1%
    ("100000", "1020"),  # 30 + 99,000 × 1%
    ("100000.01", "1020.00005"),
    ("500000", "3020"),  # 1,020 + 400,000 × 0.5%
    ("895999.99", "4999.99995"),  # 1,020 + 795,999.99 × 0.5%
    ("896000", "5000"),  # the cap is reached: 1,020 + 796,000 × 0.5%
    ("896000.01", "5000"),
    ("1020000", "5000"),
    ("1000000000", "5000"),
]


@pytest.mark.parametrize(("amount", "fee"), PRESERVATION_ART14_2)
def test_preservation_fee_per_art14_2_capped_at_5000(amount, fee):
    assert preservation_fee(amount) == D(fee)


def test_explain_preservation_fee_art14_2_shows_the_cap_as_a_step():
    figure = explain_preservation_fee("1020000")
    assert [s.value for s in figure.steps] == [D("30"), D("990"), D("4600"), D("-620")]
    assert figure.steps[-1].params == {"cap": D("5000")}


# 第十四条(一): 50 up to 10,000; 1.5% to 500,000; 1% to 5M; 0.5% to 10M; 0.1% above
ENFORCEMENT_ART14_1 = [
    ("0.01", "50"),
    ("10000", "50"),
    ("10000.01", "50.00015"),
    ("100000", "1400"),  # 50 + 90,000 × 1.5%
    ("500000", "7400"),  # 50 + 490,000 × 1.5%
    ("500000.01", "7400.0001"),
    ("5000000", "52400"),  # 7,400 + 4,500,000 × 1%
    ("5000000.01", "52400.00005"),
    ("10000000", "77400"),  # 52,400 + 5,000,000 × 0.5%
    ("10000000.01", "77400.00001"),
    ("20000000", "87400"),  # 77,400 + 10,000,000 × 0.1%
]


@pytest.mark.parametrize(("amount", "fee"), ENFORCEMENT_ART14_1)
def test_enforcement_fee_per_art14_1_at_every_tier_boundary(amount, fee):
    assert enforcement_fee(amount) == D(fee)


@pytest.mark.parametrize(
    ("amount", "message"), [(0, "court's choice"), (None, "not NoneType"), ("-5", "negative")]
)
def test_enforcement_fee_art14_1_refuses_no_amount(amount, message):
    with pytest.raises(ValueError, match=message):
        enforcement_fee(amount)


# 司发通〔2021〕87号 第(六)项: 18/15/12/9/6% at 1M/5M/10M/50M of the amount recovered
CAP_2021_ITEM6 = [
    ("0", "0"),
    ("100000", "18000"),
    ("1000000", "180000"),
    ("1000000.01", "180000.0015"),
    ("2000000", "330000"),  # 180,000 + 1,000,000 × 15%
    ("5000000", "780000"),  # 180,000 + 4,000,000 × 15%
    ("5000000.01", "780000.0012"),
    ("7654321", "1098518.52"),  # 780,000 + 2,654,321 × 12%
    ("10000000", "1380000"),  # 780,000 + 5,000,000 × 12%
    ("10000000.01", "1380000.0009"),
    ("50000000", "4980000"),  # 1,380,000 + 40,000,000 × 9%
    ("50000000.01", "4980000.0006"),
    ("100000000", "7980000"),  # 4,980,000 + 50,000,000 × 6%
]


@pytest.mark.parametrize(("recovered", "cap"), CAP_2021_ITEM6)
def test_contingency_cap_per_sifatong_2021_87_item6(recovered, cap):
    assert contingency_cap(recovered) == D(cap)
    assert contingency_cap(recovered, rule="2021") == D(cap)


# 《律师服务收费管理办法》(2006) 第十三条: 30% of the amount given
@pytest.mark.parametrize(
    ("amount", "cap"), [("0", "0"), ("1000000", "300000"), ("12345.67", "3703.701")]
)
def test_contingency_cap_per_2006_measures_art13(amount, cap):
    figure = explain_contingency_cap(amount, rule="2006")
    assert figure.value == D(cap)
    assert figure.rule == "《律师服务收费管理办法》第十三条"


def test_contingency_cap_refuses_unknown_rule_and_negative_recovery():
    with pytest.raises(ValueError, match="unknown contingency cap rule"):
        contingency_cap(1000, rule="2019")
    with pytest.raises(ValueError, match="negative"):
        contingency_cap(-1)


# ---------------------------------------------------------------- lawyer_fee, RULES.md §2

R = D  # readability: rates are Decimals too
STAGES = {"non_litigation": R("0.20"), "litigation": R("0.25"), "enforcement": R("0.30")}
CAP_LIKE_TIERS = (
    (D(1_000_000), R("0.18")),
    (D(5_000_000), R("0.15")),
    (D(10_000_000), R("0.12")),
    (D(50_000_000), R("0.09")),
    (None, R("0.06")),
)


def test_fixed_fee_keeps_expenses_apart_and_has_no_cap():
    result = lawyer_fee(FixedFee(D(50000), expenses=D(3000)), claim=1_000_000, recovered=0)
    assert result.fee_total == D(50000)
    assert result.expenses == D(3000)
    assert (result.cap, result.within_cap, result.can_exceed_cap) == (None, True, False)
    assert [(s.label, s.value) for s in result.components] == [("Fixed fee", D(50000))]


def test_claim_percentage_is_a_share_of_the_claim():
    result = lawyer_fee(
        ClaimPercentage(R("0.04"), expenses=D("1200")), claim="1234567.89", recovered=0
    )
    assert result.fee_total == D("49382.7156")  # 1,234,567.89 × 4%
    assert result.expenses == D("1200")
    assert result.cap is None


# (arrangement, claim, recovered, stage, fee, cap, within, can_exceed) — cap per 第(六)项
LAWYER_FEE_CASES = {
    "flat-25%-above-18%-cap": (Contingency(rate=R("0.25")), 1_000_000, 800_000, None,
                               "200000", "144000", False, True),
    "flat-10%-below-cap": (Contingency(rate=R("0.10")), 1_000_000, 500_000, None,
                           "50000", "90000", True, False),
    "flat-18%-equals-cap-up-to-1M": (Contingency(rate=R("0.18")), 1_000_000, 1_000_000, None,
                                     "180000", "180000", True, False),
    "flat-18%-exceeds-cap-above-1M": (Contingency(rate=R("0.18")), "1000000.01", 0, None,
                                      "0", "0", True, True),
    "flat-6%-never-exceeds": (Contingency(rate=R("0.06")), 10**11, 10**11, None,
                              "6000000000", "6001980000", True, False),
    # 0.0601 r > 0.06 r + 1,980,000 only above 19,800,000,000
    "flat-6.01%-up-to-19.8bn": (Contingency(rate=R("0.0601")), 19_800_000_000, 0, None,
                                "0", "0", True, False),
    "flat-6.01%-above-19.8bn": (Contingency(rate=R("0.0601")), "19800000000.01", 0, None,
                                "0", "0", True, True),
    "tiers-equal-to-cap": (Contingency(tiers=CAP_LIKE_TIERS), 10**9, 7_654_321, None,
                           "1098518.52", "1098518.52", True, False),
    # 100,000 + 1,500,000 × 10%; at 500,000 the fee 100,000 > cap 90,000
    "tiers-20%-then-10%": (Contingency(tiers=((D(500_000), R("0.2")), (None, R("0.1")))),
                           3_000_000, 2_000_000, None, "250000", "330000", True, True),
    # 18% to 100,000 then 20%: fine up to a claim of 100,000, exceeds beyond
    "tiers-18%-then-20%-claim-100k": (Contingency(tiers=((D(100_000), R("0.18")),
                                                         (None, R("0.20")))),
                                      100_000, 100_000, None, "18000", "18000", True, False),
    "tiers-18%-then-20%-claim-150k": (Contingency(tiers=((D(100_000), R("0.18")),
                                                         (None, R("0.20")))),
                                      150_000, 150_000, None, "28000", "27000", False, True),
    "stage-litigation-25%": (Contingency(stage_rates=STAGES), 1_000_000, 400_000, "litigation",
                             "100000", "72000", False, True),
    "stage-from-register-demand-letter": (Contingency(stage_rates=STAGES), 1_000_000, 400_000,
                                          Stage.DEMAND_LETTER, "80000", "72000", False, True),
    "stage-from-register-preservation": (Contingency(stage_rates=STAGES), 1_000_000, 400_000,
                                         "preservation", "100000", "72000", False, True),
    "stage-enforcement-30%": (Contingency(stage_rates=STAGES), 1_000_000, 400_000,
                              Stage.ENFORCEMENT, "120000", "72000", False, True),
    # 10/12/15%: at a claim of 2,000,000 the worst (15%) is 300,000 < 330,000
    "stage-rates-within-cap": (Contingency(stage_rates={"non_litigation": R("0.10"),
                                                        "litigation": R("0.12"),
                                                        "enforcement": R("0.15")}),
                               2_000_000, 800_000, "enforcement", "120000", "144000", True,
                               False),
    # at 10,000,000: 15% = 1,500,000 > 1,380,000
    "stage-rates-exceed-at-10M": (Contingency(stage_rates={"non_litigation": R("0.10"),
                                                           "enforcement": R("0.15")}),
                                  10_000_000, 800_000, "non_litigation", "80000", "144000",
                                  True, True),
    # base 2% of 1,000,000 = 20,000 counts inside the cap; 20,000 > cap 0 when nothing is recovered
    "base-2%-plus-12%": (BasePlusContingency(base=ClaimPercentage(R("0.02")),
                                             contingency=Contingency(rate=R("0.12"))),
                         1_000_000, 600_000, None, "92000", "108000", True, True),
    "base-inside-cap-low-recovery": (BasePlusContingency(base=ClaimPercentage(R("0.02")),
                                                         contingency=Contingency(rate=R("0.12"))),
                                     1_000_000, 100_000, None, "32000", "18000", False, True),
    "base-fixed-10000-plus-10%": (BasePlusContingency(base=FixedFee(D(10_000)),
                                                      contingency=Contingency(rate=R("0.1"))),
                                  500_000, 500_000, None, "60000", "90000", True, True),
    "base-zero-plus-10%": (BasePlusContingency(base=FixedFee(D(0)),
                                               contingency=Contingency(rate=R("0.1"))),
                           500_000, 500_000, None, "50000", "90000", True, False),
}  # fmt: skip


@pytest.mark.parametrize(
    ("arrangement", "claim", "recovered", "stage", "fee", "cap", "within", "can_exceed"),
    list(LAWYER_FEE_CASES.values()),
    ids=list(LAWYER_FEE_CASES),
)
def test_lawyer_fee_beside_the_cap_per_sifatong_2021_87_item6(
    arrangement, claim, recovered, stage, fee, cap, within, can_exceed
):
    result = lawyer_fee(arrangement, claim=claim, recovered=recovered, stage=stage)
    assert result.fee_total == D(fee)
    assert result.cap == D(cap)
    assert result.within_cap is within
    assert result.can_exceed_cap is can_exceed
    assert sum((s.value for s in result.components), D(0)) == result.fee_total
    assert "司发通〔2021〕87号" in result.rule


def test_lawyer_fee_expenses_are_neither_fee_nor_counted_against_the_cap():
    arrangement = Contingency(rate=R("0.18"), expenses=D(20_000))
    result = lawyer_fee(arrangement, claim=1_000_000, recovered=1_000_000)
    assert (result.fee_total, result.expenses, result.cap) == (D(180_000), D(20_000), D(180_000))
    assert result.within_cap is True
    combined = BasePlusContingency(
        base=FixedFee(D(5_000)), contingency=Contingency(rate=R("0.1")), expenses=D("850.50")
    )
    result = lawyer_fee(combined, claim=1_000_000, recovered=1_000_000)
    assert (result.fee_total, result.expenses) == (D(105_000), D("850.50"))


def test_lawyer_fee_tiered_contingency_shows_one_component_per_tier():
    arrangement = Contingency(tiers=((D(500_000), R("0.2")), (None, R("0.1"))))
    result = lawyer_fee(arrangement, claim=3_000_000, recovered=2_000_000)
    assert [(s.value, s.params) for s in result.components] == [
        (D(100_000), {"rate": "20%", "lower": D(0), "upper": D(500_000)}),
        (D(150_000), {"rate": "10%", "lower": D(500_000), "upper": D(2_000_000)}),
    ]


def test_fee_breakdown_as_dict_is_json_ready():
    arrangement = BasePlusContingency(
        base=ClaimPercentage(R("0.02")), contingency=Contingency(rate=R("0.12")), expenses=5000
    )
    data = json.loads(
        json.dumps(lawyer_fee(arrangement, claim=1_000_000, recovered=600_000).as_dict())
    )
    assert (data["fee_total"], data["expenses"], data["cap"]) == ("92000.00", "5000", "108000.00")
    assert data["within_cap"] is True
    assert data["can_exceed_cap"] is True
    assert [c["value"] for c in data["components"]] == ["20000.00", "72000.00"]
    assert data["inputs"]["arrangement"] == "BasePlusContingency"
    assert data["inputs"]["terms"]["contingency"]["rate"] == "0.12"


@pytest.mark.parametrize(
    ("stage", "message"),
    [(None, "depends on the stage"), ("negotiation", "cannot tell"), ("closed", "cannot tell")],
)
def test_stage_rates_need_a_clear_stage(stage, message):
    with pytest.raises(ValueError, match=message):
        lawyer_fee(Contingency(stage_rates=STAGES), claim=100, recovered=100, stage=stage)


def test_stage_rates_refuse_a_stage_they_do_not_price():
    arrangement = Contingency(stage_rates={"litigation": R("0.2")})
    with pytest.raises(ValueError, match="no rate for stage 'enforcement'"):
        lawyer_fee(arrangement, claim=100, recovered=100, stage="enforcement")


# 司发通〔2021〕87号 第(五)项; 《律师服务收费管理办法》第十一、十二条 — written out by hand
FORBIDDEN_ITEM5 = {
    "marriage",
    "inheritance",
    "social_insurance",
    "minimum_subsistence",
    "maintenance",
    "pension",
    "relief",
    "work_injury",
    "unpaid_wages",
    "criminal",
    "administrative",
    "state_compensation",
    "group_litigation",
}


def test_forbidden_matter_types_are_those_of_item5_and_art11_12():
    assert set(CONTINGENCY_FORBIDDEN) == FORBIDDEN_ITEM5
    assert "debt_collection" in MATTER_TYPES
    assert "debt_collection" not in CONTINGENCY_FORBIDDEN
    assert set(MATTER_TYPES) >= FORBIDDEN_ITEM5


@pytest.mark.parametrize("matter_type", sorted(FORBIDDEN_ITEM5))
def test_contingency_refused_for_forbidden_matters_per_item5(matter_type):
    arrangements = [
        Contingency(rate=R("0.1"), matter_type=matter_type),
        BasePlusContingency(
            base=FixedFee(D(1000)), contingency=Contingency(rate=R("0.1")), matter_type=matter_type
        ),
        BasePlusContingency(
            base=FixedFee(D(1000)), contingency=Contingency(rate=R("0.1"), matter_type=matter_type)
        ),
    ]
    for arrangement in arrangements:
        with pytest.raises(DomainError) as caught:
            lawyer_fee(arrangement, claim=100_000, recovered=50_000)
        assert caught.value.message.msgid.startswith("A contingency fee is not allowed")
        assert MATTER_TYPES[matter_type] in str(caught.value)
        assert "第(五)项" in str(caught.value)
    # a fixed fee or a share of the claim stays allowed
    check_contingency_allowed(FixedFee(D(1000), matter_type=matter_type))
    result = lawyer_fee(ClaimPercentage(R("0.05"), matter_type=matter_type), claim=100, recovered=0)
    assert result.fee_total == D(5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Contingency(), "exactly one"),
        (lambda: Contingency(rate=R("0.1"), stage_rates=STAGES), "exactly one"),
        (lambda: Contingency(rate=R("1.5")), "at most 1"),
        (lambda: Contingency(rate=0.2), "floats are never used"),
        (lambda: Contingency(tiers=((D(100), R("0.1")), (D(50), R("0.1")), (None, R("0.1")))),
         "must increase"),
        (lambda: Contingency(tiers=((D(100), R("0.1")),)), "no upper bound"),
        (lambda: Contingency(tiers=((None, R("0.1")), (D(100), R("0.1")))), "no upper bound"),
        (lambda: Contingency(tiers=()), "must not be empty"),
        (lambda: Contingency(stage_rates={"appeal": R("0.1")}), "stage_rates keys"),
        (lambda: FixedFee(D(-1)), "negative"),
        (lambda: FixedFee(D(1), matter_type="divorce"), "unknown matter type"),
        (lambda: ClaimPercentage(R("0.05"), expenses=D(-1)), "negative"),
        (lambda: BasePlusContingency(base=FixedFee(D(1), expenses=D(5)),
                                     contingency=Contingency(rate=R("0.1"))), "expenses"),
        (lambda: BasePlusContingency(base=Contingency(rate=R("0.1")),
                                     contingency=Contingency(rate=R("0.1"))), "base must be"),
    ],
)  # fmt: skip
def test_arrangements_refuse_malformed_terms(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_lawyer_fee_refuses_negative_amounts():
    with pytest.raises(ValueError, match="negative"):
        lawyer_fee(FixedFee(D(1)), claim=-1, recovered=0)
    with pytest.raises(ValueError, match="negative"):
        lawyer_fee(Contingency(rate=R("0.1")), claim=1, recovered="-0.01")


# ---------------------------------------------------------------- properties

FAST = settings(database=None, max_examples=150)
AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("100000000000"), places=2)
RECOVERIES = st.decimals(min_value=D(0), max_value=D("100000000000"), places=2)
CAP_RATES = [R("0.18"), R("0.15"), R("0.12"), R("0.09"), R("0.06")]
FEES = {
    "acceptance-art13-1": acceptance_fee,
    "payment-order-art14-3": payment_order_fee,
    "preservation-art14-2": preservation_fee,
    "enforcement-art14-1": enforcement_fee,
    "cap-2021-item6": contingency_cap,
}
EXPLAINED = {
    "acceptance-art13-1": (explain_acceptance_fee, acceptance_fee),
    "acceptance-halved-art15": (
        lambda a: explain_acceptance_fee(a, halved=True),
        lambda a: acceptance_fee(a, halved=True),
    ),
    "payment-order-art14-3": (explain_payment_order_fee, payment_order_fee),
    "preservation-art14-2": (explain_preservation_fee, preservation_fee),
    "enforcement-art14-1": (explain_enforcement_fee, enforcement_fee),
    "cap-2021-item6": (explain_contingency_cap, contingency_cap),
    "cap-2006-art13": (
        lambda a: explain_contingency_cap(a, rule="2006"),
        lambda a: contingency_cap(a, rule="2006"),
    ),
}


@pytest.mark.parametrize("fee", list(FEES.values()), ids=list(FEES))
@FAST
@given(a=AMOUNTS, b=AMOUNTS)
def test_fees_are_monotone_in_the_amount(fee, a, b):
    low, high = sorted((a, b))
    assert fee(low) <= fee(high)


@FAST
@given(amount=st.decimals(min_value=D("10000.01"), max_value=D("100000000000"), places=2))
def test_acceptance_fee_art13_1_is_between_half_and_two_and_a_half_percent(amount):
    fee = acceptance_fee(amount)
    assert amount * R("0.005") <= fee <= amount * R("0.025")


@FAST
@given(amount=AMOUNTS)
def test_halving_art15_16_18_is_exactly_half(amount):
    assert acceptance_fee(amount, halved=True) * 2 == acceptance_fee(amount)


@FAST
@given(amount=AMOUNTS)
def test_payment_order_third_art14_3_rounds_to_the_same_fen_as_the_exact_third(amount):
    exact = Fraction(acceptance_fee(amount)) / 3
    stored = payment_order_fee(amount)
    assert abs(Fraction(stored) - exact) <= Fraction(1, 2_000_000)
    expected_fen = D(math.floor(exact * 100 + Fraction(1, 2))).scaleb(-2)
    assert to_fen(stored) == expected_fen


@FAST
@given(amount=AMOUNTS)
def test_preservation_fee_art14_2_never_exceeds_5000(amount):
    assert D(30) <= preservation_fee(amount) <= D(5000)


@FAST
@given(recovered=RECOVERIES)
def test_contingency_cap_item6_is_at_most_18_percent(recovered):
    assert contingency_cap(recovered) <= recovered * R("0.18")


@FAST
@given(
    shares=st.lists(st.fractions(min_value=0, max_value=1), min_size=5, max_size=5),
    claim=RECOVERIES,
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_contingency_at_or_below_the_caps_marginal_rates_never_exceeds_it(shares, claim, fraction):
    rates = [
        (rate * D(s.numerator) / D(s.denominator)).quantize(R("0.0001"))
        for rate, s in zip(CAP_RATES, shares, strict=True)
    ]
    rates = [min(r, cap_rate) for r, cap_rate in zip(rates, CAP_RATES, strict=True)]
    tiers = tuple((bound, rate) for (bound, _), rate in zip(CAP_LIKE_TIERS, rates, strict=True))
    recovered = (claim * D(fraction.numerator) / D(fraction.denominator)).quantize(R("0.01"))
    recovered = min(recovered, claim)
    for arrangement in (Contingency(tiers=tiers), Contingency(rate=rates[-1])):
        result = lawyer_fee(arrangement, claim=claim, recovered=recovered)
        assert result.fee_total <= result.cap
        assert result.within_cap is True
        assert result.can_exceed_cap is False  # fmt: skip


@pytest.mark.parametrize(("explain", "plain"), list(EXPLAINED.values()), ids=list(EXPLAINED))
@FAST
@given(amount=AMOUNTS)
def test_explanations_equal_the_fee_and_their_steps_add_up(explain, plain, amount):
    figure = explain(amount)
    assert figure.value == plain(amount)
    assert sum((s.value for s in figure.steps), D(0)) == figure.value
    assert figure.rule.startswith(("《", "司发通"))
