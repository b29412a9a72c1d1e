"""The legal calculator: validated inputs → figures, for the calculator page and the API.

Each ``*Input`` model is what a person types (amounts in yuan, rates in percent, ISO dates);
``parse`` turns it into field errors in the user's language when it is wrong. The compute
functions hand the typed values to ``cases.fees``, ``cases.interest`` and ``cases.deadlines``
and return ``Figure`` objects (value, rule, inputs, steps), never bare numbers.

Rates are typed in percent (``25`` for 25%) and converted to the fractions ``cases.fees``
takes; ``cases.interest`` takes percent per year as typed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator
from sqlmodel import SQLModel

from cases import deadlines, fees
from cases.base import StrEnum
from cases.errors import N_
from cases.figures import Figure
from cases.validation import field_error

HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("999999999999.99")


def _money(**kw: Any) -> Any:
    return Field(max_digits=14, decimal_places=2, **kw)


def _percent(**kw: Any) -> Any:
    return Field(ge=0, le=100, max_digits=8, decimal_places=4, **kw)


# ---- court costs ----------------------------------------------------------------------------


class CourtCostsInput(SQLModel):
    amount: Decimal = _money(gt=0, le=MAX_AMOUNT)
    halved: bool = False
    preserved_amount: Decimal | None = _money(default=None, ge=0, le=MAX_AMOUNT)


def court_costs(data: CourtCostsInput) -> dict[str, Figure]:
    """Acceptance, payment-order, preservation and enforcement fees on one amount
    (《诉讼费用交纳办法》第十三、十四条); preservation on the amount preserved when given."""
    preserved = data.amount if data.preserved_amount is None else data.preserved_amount
    return {
        "acceptance": fees.explain_acceptance_fee(data.amount, halved=data.halved),
        "payment_order": fees.explain_payment_order_fee(data.amount),
        "preservation": fees.explain_preservation_fee(preserved or None),
        "enforcement": fees.explain_enforcement_fee(data.amount),
    }


COURT_COST_LABELS = {
    "acceptance": N_("Acceptance fee"),
    "payment_order": N_("Payment order fee"),
    "preservation": N_("Preservation fee"),
    "enforcement": N_("Enforcement fee"),
}


# ---- lawyer fees ----------------------------------------------------------------------------


class FeeKind(StrEnum):
    FIXED = "fixed"
    CLAIM_PERCENTAGE = "claim_percentage"
    CONTINGENCY = "contingency"
    BASE_PLUS_CONTINGENCY = "base_plus_contingency"


FEE_KIND_LABELS = {
    FeeKind.FIXED: N_("Fixed fee"),
    FeeKind.CLAIM_PERCENTAGE: N_("Percentage of the claim"),
    FeeKind.CONTINGENCY: N_("Contingency (风险代理)"),
    FeeKind.BASE_PLUS_CONTINGENCY: N_("Base fee plus contingency"),
}


class LawyerFeeInput(SQLModel):
    kind: FeeKind
    claim: Decimal = _money(ge=0, le=MAX_AMOUNT)
    recovered: Decimal = _money(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    fixed_amount: Decimal | None = _money(default=None, ge=0, le=MAX_AMOUNT)
    claim_rate: Decimal | None = _percent(default=None)
    contingency_rate: Decimal | None = _percent(default=None)
    expenses: Decimal = _money(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    matter_type: str = "debt_collection"

    @model_validator(mode="after")
    def _terms(self) -> LawyerFeeInput:
        if self.matter_type not in fees.MATTER_TYPES:
            raise field_error("matter_type", N_("Not one of the allowed values"))
        needs_base = self.kind in (FeeKind.FIXED, FeeKind.BASE_PLUS_CONTINGENCY)
        if needs_base and self.fixed_amount is None and self.claim_rate is None:
            field = "fixed_amount" if self.kind == FeeKind.FIXED else "claim_rate"
            raise field_error(field, N_("This field is required"))
        if self.kind == FeeKind.CLAIM_PERCENTAGE and self.claim_rate is None:
            raise field_error("claim_rate", N_("This field is required"))
        contingent = self.kind in (FeeKind.CONTINGENCY, FeeKind.BASE_PLUS_CONTINGENCY)
        if contingent and self.contingency_rate is None:
            raise field_error("contingency_rate", N_("This field is required"))
        return self


def arrangement(data: LawyerFeeInput) -> fees.Arrangement:
    terms = {"expenses": data.expenses, "matter_type": data.matter_type}
    base: fees.FixedFee | fees.ClaimPercentage | None = None
    if data.fixed_amount is not None:
        base = fees.FixedFee(data.fixed_amount)
    elif data.claim_rate is not None:
        base = fees.ClaimPercentage(data.claim_rate / HUNDRED)
    rate = None if data.contingency_rate is None else data.contingency_rate / HUNDRED
    if data.kind == FeeKind.FIXED:
        return fees.FixedFee(data.fixed_amount, **terms)
    if data.kind == FeeKind.CLAIM_PERCENTAGE:
        return fees.ClaimPercentage(data.claim_rate / HUNDRED, **terms)
    if data.kind == FeeKind.CONTINGENCY:
        return fees.Contingency(rate=rate, **terms)
    assert base is not None  # the validator requires a base
    return fees.BasePlusContingency(base=base, contingency=fees.Contingency(rate=rate), **terms)


def lawyer_fee(data: LawyerFeeInput) -> fees.FeeBreakdown:
    """The agreed fee beside the statutory cap; a contingency in a forbidden matter type
    raises ``DomainError`` (司发通〔2021〕87号 第(五)项)."""
    return fees.lawyer_fee(arrangement(data), claim=data.claim, recovered=data.recovered)


# ---- deadlines ------------------------------------------------------------------------------


class DeadlineChoice(StrEnum):
    LIMITATION = "limitation"
    GUARANTEE_PERIOD = "guarantee_period"
    PRESUIT_PRESERVATION = "presuit_preservation"
    APPEAL_JUDGMENT = "judgment"
    APPEAL_RULING = "ruling"
    PAYMENT_ORDER_OBJECTION = "payment_order_objection"
    ENFORCEMENT = "enforcement"
    FREEZE_DEPOSIT = "freeze_deposit"
    FREEZE_MOVABLE = "freeze_movable"
    FREEZE_IMMOVABLE = "freeze_immovable"


DEADLINE_LABELS = {
    DeadlineChoice.LIMITATION: N_("Limitation period (3 years)"),
    DeadlineChoice.GUARANTEE_PERIOD: N_("Guarantee period (6 months unless agreed)"),
    DeadlineChoice.PRESUIT_PRESERVATION: N_("Suing after pre-suit preservation (30 days)"),
    DeadlineChoice.APPEAL_JUDGMENT: N_("Appeal against a judgment (15 days)"),
    DeadlineChoice.APPEAL_RULING: N_("Appeal against a ruling (10 days)"),
    DeadlineChoice.PAYMENT_ORDER_OBJECTION: N_("Objection to a payment order (15 days)"),
    DeadlineChoice.ENFORCEMENT: N_("Applying for enforcement (2 years)"),
    DeadlineChoice.FREEZE_DEPOSIT: N_("Renewing a freeze of deposits (1 year)"),
    DeadlineChoice.FREEZE_MOVABLE: N_("Renewing a seizure of movables (2 years)"),
    DeadlineChoice.FREEZE_IMMOVABLE: N_("Renewing a seizure of real estate (3 years)"),
}


class DeadlineInput(SQLModel):
    kind: DeadlineChoice
    start: date
    interruptions: list[date] = Field(default_factory=list, max_length=100)
    months: int = Field(default=deadlines.GUARANTEE_MONTHS, ge=1, le=120)


def deadline(data: DeadlineInput) -> Figure:
    kind = data.kind
    if kind == DeadlineChoice.LIMITATION:
        return deadlines.explain_limitation_expiry(data.start, interruptions=data.interruptions)
    if kind == DeadlineChoice.GUARANTEE_PERIOD:
        return deadlines.explain_guarantee_period_expiry(data.start, months=data.months)
    if kind == DeadlineChoice.PRESUIT_PRESERVATION:
        return deadlines.explain_presuit_preservation_deadline(data.start)
    if kind == DeadlineChoice.ENFORCEMENT:
        return deadlines.explain_enforcement_deadline(data.start)
    if kind.value.startswith("freeze_"):
        return deadlines.explain_freeze_expiry(kind.value.removeprefix("freeze_"), data.start)
    return deadlines.explain_appeal_deadline(data.start, kind.value)
