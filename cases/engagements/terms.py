"""An engagement's stored fee terms ↔ the arrangements of ``cases.fees``.

``arrangement(kind, terms, matter_type=…)`` turns the JSON kept on ``Engagement.fee_terms``
into a ``cases.fees`` arrangement; ``cap_check`` runs ``lawyer_fee`` on the whole claim
recovered, whose ``can_exceed_cap`` decides whether the terms need a management override.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cases.errors import N_, ValidationError
from cases.fees import (
    CAP_RULES,
    CONTINGENCY_CAP_2021,
    ENFORCEMENT_STAGE,
    FEE_STAGES,
    LITIGATION,
    NON_LITIGATION,
    Arrangement,
    BasePlusContingency,
    ClaimPercentage,
    Contingency,
    FeeBreakdown,
    FixedFee,
    contingency_cap,
    explain_contingency_cap,
    lawyer_fee,
)
from cases.figures import Figure, Step

from .models import Engagement, FeeKind

BAD_NUMBER = N_("Enter a number")
BAD_RATE = N_("Enter a percentage between 0 and 100")


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError.single(field, BAD_NUMBER) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError.single(field, BAD_NUMBER)
    return amount


def _rate(value: Any, field: str) -> Decimal:
    rate = _amount(value, field)
    if rate > 1:
        raise ValidationError.single(field, BAD_RATE)
    return rate


def _contingency(terms: dict[str, Any], matter_type: str, prefix: str = "") -> Contingency:
    if terms.get("rate") is not None:
        return Contingency(rate=_rate(terms["rate"], f"{prefix}rate"), matter_type=matter_type)
    if terms.get("tiers"):
        tiers = []
        for i, (upper, rate) in enumerate(terms["tiers"]):
            bound = None if upper in (None, "") else _amount(upper, f"{prefix}tiers.{i}.upper")
            tiers.append((bound, _rate(rate, f"{prefix}tiers.{i}.rate")))
        try:
            return Contingency(tiers=tuple(tiers), matter_type=matter_type)
        except ValueError:
            raise ValidationError.single(
                f"{prefix}tiers", N_("Tier bounds must increase; only the last has none")
            ) from None
    if terms.get("stage_rates"):
        rates = {
            stage: _rate(rate, f"{prefix}stage_rates.{stage}")
            for stage, rate in terms["stage_rates"].items()
            if stage in FEE_STAGES and rate not in (None, "")
        }
        if rates:
            return Contingency(stage_rates=rates, matter_type=matter_type)
    raise ValidationError.single(f"{prefix}rate", N_("Give the contingency rate"))


def arrangement(kind: FeeKind | str, terms: dict[str, Any], *, matter_type: str) -> Arrangement:
    """The ``cases.fees`` arrangement for stored terms; bad terms raise ``ValidationError``
    naming the field (``amount``, ``rate``, ``base.amount``, ``contingency.tiers.0.rate`` …)."""
    kind = FeeKind(kind)
    if kind == FeeKind.FIXED:
        return FixedFee(_amount(terms.get("amount"), "amount"), matter_type=matter_type)
    if kind == FeeKind.CLAIM_PERCENTAGE:
        return ClaimPercentage(_rate(terms.get("rate"), "rate"), matter_type=matter_type)
    if kind == FeeKind.CONTINGENCY:
        return _contingency(terms, matter_type)
    base_terms = terms.get("base") or {}
    if base_terms.get("amount") not in (None, ""):
        base: FixedFee | ClaimPercentage = FixedFee(
            _amount(base_terms["amount"], "base.amount"), matter_type=matter_type
        )
    else:
        base = ClaimPercentage(_rate(base_terms.get("rate"), "base.rate"), matter_type=matter_type)
    contingency = _contingency(terms.get("contingency") or {}, matter_type, "contingency.")
    return BasePlusContingency(base, contingency, matter_type=matter_type)


def engagement_arrangement(engagement: Engagement) -> Arrangement:
    return arrangement(
        engagement.fee_kind, engagement.fee_terms, matter_type=engagement.matter_type
    )


def cap_check(engagement: Engagement) -> FeeBreakdown:
    """The terms on the whole claim recovered, at the latest stage the engagement covers.

    ``can_exceed_cap`` of the result checks every recovery from 0 to the claim exactly.
    """
    stage = engagement.scopes[-1] if engagement.scopes else None
    return lawyer_fee(
        engagement_arrangement(engagement),
        claim=engagement.claim_amount,
        recovered=engagement.claim_amount,
        stage=stage,
    )


# ---- the terms in words and beside the cap ----------------------------------------------------

FIXED_TERMS = N_("Fixed fee of %(amount)s yuan")
CLAIM_TERMS = N_("%(rate)s of the claim of %(claim)s yuan")
BASE_FIXED_TERMS = N_("Base fee of %(amount)s yuan")
BASE_CLAIM_TERMS = N_("Base fee: %(rate)s of the claim of %(claim)s yuan")
FLAT_TERMS = N_("Contingency: %(rate)s of the amount recovered")
TIER_TERMS = N_("Contingency: %(rate)s of the amount recovered from %(lower)s to %(upper)s yuan")
TOP_TIER_TERMS = N_("Contingency: %(rate)s of the amount recovered above %(lower)s yuan")
STAGE_TERMS = {
    NON_LITIGATION: N_("Contingency on money recovered before suit: %(rate)s"),
    LITIGATION: N_("Contingency on money recovered in litigation: %(rate)s"),
    ENFORCEMENT_STAGE: N_("Contingency on money recovered in enforcement: %(rate)s"),
}
PENDING_TERMS = N_("Fee terms still to be entered")
CAP_RULE = CAP_RULES["2021"]


def percent(rate: Decimal) -> str:
    """0.25 → "25%"; 0.125 → "12.5%"."""
    return f"{(rate * 100).normalize():f}%"


def _describe_contingency(c: Contingency) -> list[Step]:
    if c.rate is not None:
        return [Step(FLAT_TERMS, params={"rate": percent(c.rate)})]
    if c.tiers is not None:
        steps, lower = [], Decimal(0)
        for upper, rate in c.tiers:
            if upper is None:
                steps.append(Step(TOP_TIER_TERMS, params={"rate": percent(rate), "lower": lower}))
            else:
                params = {"rate": percent(rate), "lower": lower, "upper": upper}
                steps.append(Step(TIER_TERMS, params=params))
                lower = upper
        return steps
    rates = c.stage_rates or {}
    return [
        Step(STAGE_TERMS[stage], params={"rate": percent(rates[stage])})
        for stage in FEE_STAGES
        if stage in rates
    ]


def describe(engagement: Engagement) -> tuple[Step, ...]:
    """The fee terms in words, one line each (labels are msgids; amounts and rates as params)."""
    if engagement.terms_pending:
        return (Step(PENDING_TERMS),)
    terms = engagement_arrangement(engagement)
    claim = engagement.claim_amount
    base, contingency = (
        (terms.base, terms.contingency)
        if isinstance(terms, BasePlusContingency)
        else (None, terms)
        if isinstance(terms, Contingency)
        else (terms, None)
    )
    steps: list[Step] = []
    if isinstance(base, FixedFee):
        label = BASE_FIXED_TERMS if contingency is not None else FIXED_TERMS
        steps.append(Step(label, base.amount, {"amount": base.amount}))
    elif isinstance(base, ClaimPercentage):
        label = BASE_CLAIM_TERMS if contingency is not None else CLAIM_TERMS
        steps.append(Step(label, claim * base.rate, {"rate": percent(base.rate), "claim": claim}))
    if contingency is not None:
        steps.extend(_describe_contingency(contingency))
    return tuple(steps)


@dataclass(frozen=True)
class CapPoint:
    """The agreed fee and the statutory cap if ``recovered`` were recovered."""

    recovered: Decimal
    fee: Decimal
    cap: Decimal

    @property
    def over(self) -> bool:
        return self.fee > self.cap


@dataclass(frozen=True)
class CapCheck:
    """What the engagement form and the override page show beside the agreed terms.

    ``full`` is the fee on the whole claim recovered (``cap_check``); ``cap`` the
    司发通〔2021〕87号 第(六)项 tiers on the whole claim, present when the terms have a
    contingency part; ``points`` the fee and the cap at every recovery where one of them
    changes slope (0, the tier bounds below the claim, the claim): where the terms can exceed
    the cap, one of them shows it.
    """

    full: FeeBreakdown
    cap: Figure | None
    points: tuple[CapPoint, ...]

    @property
    def can_exceed_cap(self) -> bool:
        return self.full.can_exceed_cap

    @property
    def rule(self) -> str:
        return CAP_RULE

    @property
    def base_up_front(self) -> bool:
        """A base fee is charged whatever is recovered: above the cap of nothing recovered."""
        return self.full.inputs["arrangement"] == BasePlusContingency.__name__


def _fee_at(engagement: Engagement, terms: Arrangement, recovered: Decimal) -> Decimal:
    """The highest fee over the stages the engagement covers (a stage-dependent rate)."""
    stages = engagement.scopes or (None,)
    return max(
        lawyer_fee(terms, claim=engagement.claim_amount, recovered=recovered, stage=s).fee_total
        for s in stages
    )


def check(engagement: Engagement) -> CapCheck:
    """The cap figures of an engagement's terms (``ValidationError`` on bad terms)."""
    full = cap_check(engagement)
    claim = engagement.claim_amount
    if full.cap is None:
        return CapCheck(full, None, ())
    terms = engagement_arrangement(engagement)
    bounds = {Decimal(0), claim, *CONTINGENCY_CAP_2021.breakpoints()}
    contingency = terms.contingency if isinstance(terms, BasePlusContingency) else terms
    if isinstance(contingency, Contingency) and contingency.tiers is not None:
        bounds.update(upper for upper, _ in contingency.tiers if upper is not None)
    points = tuple(
        CapPoint(r, _fee_at(engagement, terms, r), contingency_cap(r))
        for r in sorted(b for b in bounds if b <= claim)
    )
    return CapCheck(full, explain_contingency_cap(claim), points)
