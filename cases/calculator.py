"""The legal calculator: validated inputs → figures, for the calculator page and the API.

Each ``*Input`` model is what a person types (amounts in yuan, rates in percent, ISO dates);
``parse`` turns it into field errors in the user's language when it is wrong. The compute
functions hand the typed values to ``cases.fees``, ``cases.interest`` and ``cases.deadlines``
and return ``Figure`` objects (value, rule, inputs, steps), never bare numbers.

Rates are typed in percent (``25`` for 25%) and converted to the fractions ``cases.fees``
takes; ``cases.interest`` takes percent per year as typed (and an LPR markup as a fraction).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlmodel import SQLModel

from cases import deadlines, fees
from cases.base import StrEnum
from cases.errors import N_, DomainError, ValidationError
from cases.figures import Figure
from cases.interest import (
    FIRST_LPR_DATE,
    LprSeries,
    contract_interest,
    late_performance_interest,
    lpr_interest,
    private_lending_cap,
)
from cases.validation import day_count_basis, field_error

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


# ---- interest (RULES.md §5) ---------------------------------------------------------------


class InterestKind(StrEnum):
    CONTRACT = "contract"
    LPR = "lpr"
    LENDING_CAP = "lending_cap"
    LATE_PERFORMANCE = "late_performance"


INTEREST_KIND_LABELS = {
    InterestKind.CONTRACT: N_("Contract interest at the agreed rate"),
    InterestKind.LPR: N_("Interest at the LPR (plus a markup or spread)"),
    InterestKind.LENDING_CAP: N_("Private-lending cap (4 × one-year LPR)"),
    InterestKind.LATE_PERFORMANCE: N_("Late-performance interest after a judgment (doubled part)"),
}


class LprTerm(StrEnum):
    ONE_YEAR = "1y"
    FIVE_YEARS = "5y"


LPR_TERM_LABELS = {
    LprTerm.ONE_YEAR: N_("One-year LPR"),
    LprTerm.FIVE_YEARS: N_("Five-year-and-above LPR"),
}

END_BEFORE_START = N_("The end date cannot be before the start date")
MARKUP_AND_SPREAD = N_("Give a markup or a spread, not both")
BEFORE_FIRST_LPR = N_("The LPR was first published on 20 August 2019")
NO_LPR_ON_FILE = N_("No LPR is on file for this date")
NO_LPR_AT_ALL = N_("No LPR is on file: an administrator must add the published rates")
NEGATIVE_LPR_RATE = N_("The LPR plus this spread is below zero")
ONE_DAY = timedelta(days=1)


class InterestInput(SQLModel):
    """One interest computation. Which fields count depends on ``kind``:

    - ``contract``: ``annual_rate`` (percent a year, required) and ``basis``;
    - ``lpr``: ``term``, ``basis`` and at most one of ``markup`` (percent: ``50`` is LPR × 1.5,
      买卖合同解释(2020) 第十八条) or ``spread`` (percentage points: ``1.5`` is LPR + 1.5);
    - ``lending_cap``: ``contract_date`` (required; the one-year LPR of that day) and ``basis``;
    - ``late_performance``: ``principal`` is the judgment debt without ordinary interest.

    Interest runs from the day after ``start`` through ``end``. Fields a kind does not use
    are ignored.
    """

    kind: InterestKind
    principal: Decimal = _money(gt=0, le=MAX_AMOUNT)
    start: date
    end: date
    annual_rate: Decimal | None = _percent(default=None)
    basis: int = 365
    term: LprTerm = LprTerm.ONE_YEAR
    markup: Decimal | None = Field(default=None, gt=-100, le=1000, max_digits=8, decimal_places=4)
    spread: Decimal | None = Field(default=None, ge=-100, le=100, max_digits=8, decimal_places=4)
    contract_date: date | None = None

    _basis = field_validator("basis")(day_count_basis)

    @model_validator(mode="after")
    def _terms(self) -> InterestInput:
        if self.end < self.start:
            raise field_error("end", END_BEFORE_START)
        if self.markup is not None and self.spread is not None:
            raise field_error("spread", MARKUP_AND_SPREAD)
        if self.kind == InterestKind.CONTRACT and self.annual_rate is None:
            raise field_error("annual_rate", N_("This field is required"))
        accrues_before_lpr = self.end > self.start and self.start + ONE_DAY < FIRST_LPR_DATE
        if self.kind == InterestKind.LPR and accrues_before_lpr:
            raise field_error("start", BEFORE_FIRST_LPR)
        if self.kind == InterestKind.LENDING_CAP:
            if self.contract_date is None:
                raise field_error("contract_date", N_("This field is required"))
            if self.contract_date < FIRST_LPR_DATE:
                raise field_error("contract_date", BEFORE_FIRST_LPR)
        return self


def _require_lpr(lpr: LprSeries, day: date, field: str) -> None:
    if not lpr:
        raise DomainError(NO_LPR_AT_ALL)
    if day < lpr.first_date:
        raise ValidationError.single(field, NO_LPR_ON_FILE)


def interest(data: InterestInput, lpr: LprSeries) -> Figure:
    """The interest of one kind for the period, with its rule and steps (RULES.md §5).

    ``lpr`` is the LPR table (``cases.interest.lpr.load_series``); a figure that needs a rate
    after the last row on file carries the warning ``PAST_LAST_LPR``.
    """
    kind = data.kind
    if kind == InterestKind.CONTRACT:
        assert data.annual_rate is not None  # the validator requires it
        return contract_interest(
            data.principal, data.annual_rate, data.start, data.end, basis=data.basis
        )
    if kind == InterestKind.LATE_PERFORMANCE:
        return late_performance_interest(data.principal, data.start, data.end)
    if kind == InterestKind.LENDING_CAP:
        assert data.contract_date is not None  # the validator requires it
        _require_lpr(lpr, data.contract_date, "contract_date")
        return private_lending_cap(
            data.principal,
            data.start,
            data.end,
            contract_date=data.contract_date,
            lpr=lpr,
            basis=data.basis,
        )
    term = data.term.value
    if data.end > data.start:
        first = data.start + ONE_DAY
        _require_lpr(lpr, first, "start")
        if data.spread is not None and data.spread < 0:
            lowest = min(row.rate(term) for _, _, row in lpr.periods(first, data.end))
            if lowest + data.spread < 0:
                raise ValidationError.single("spread", NEGATIVE_LPR_RATE)
    return lpr_interest(
        data.principal,
        data.start,
        data.end,
        lpr=lpr,
        term=term,
        multiplier=None if data.markup is None else data.markup / HUNDRED,
        spread=data.spread,
        basis=data.basis,
    )


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
