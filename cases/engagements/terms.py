"""An engagement's stored fee terms ↔ the arrangements of ``cases.fees``.

``arrangement(kind, terms, matter_type=…)`` turns the JSON kept on ``Engagement.fee_terms``
into a ``cases.fees`` arrangement; ``cap_check`` runs ``lawyer_fee`` on the whole claim
recovered, whose ``can_exceed_cap`` decides whether the terms need a management override.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from cases.errors import N_, ValidationError
from cases.fees import (
    FEE_STAGES,
    Arrangement,
    BasePlusContingency,
    ClaimPercentage,
    Contingency,
    FeeBreakdown,
    FixedFee,
    lawyer_fee,
)

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
