"""What an engaged firm may ask for: the fee due under its engagement on the money received.

Pure arithmetic over plain inputs (``fee_due``), with ``cases.fees.lawyer_fee`` doing every
fee component, so a hand-worked example can check it without a database; ``queries`` loads
the inputs. The rules, in the order applied:

1. **Recoveries counted**: payments confirmed by finance, received on or after the
   engagement's first day and, if it has ended, on or before its last day (``ends_on`` is
   the last day of the engagement, so money received that day counts).
2. **Stage of each recovery** (for contingency rates by stage): the register stage the case
   was in on the day the money was received, after any move that day, read from the case's
   stage changes; mapped to a fee stage by ``cases.fees.REGISTER_STAGE_FEE_STAGE``. A stage
   with no fee stage of its own (repayment agreement, closed, written off) takes the fee
   stage of the last stage before it that has one; before any, "before suit".
3. **Fees are payable only on money actually received** (RECEIVED_RULE, from the company's
   清欠管理办法 in seed 003). A contingency is a share of money received already. A base fee
   that does not depend on recoveries — a fixed amount or a percentage of the claim — is
   earned in proportion to the money received: ``base × min(1, recovered ÷ claim)``, rounded
   half-up to the fen; our reading, recorded in every computation. An engagement that names
   no claim amount earns its base in full once any money is received.
4. **Contingency**: a flat or tiered rate on the total recovered; by stage, each stage's rate
   on the money recovered at that stage (a stage the terms set no rate for earns nothing).
5. **Statutory cap** (司发通〔2021〕87号 第(六)项): when the arrangement has a contingency part,
   everything earned (base included, "合计") is limited to the cap on the total recovered —
   even when management accepted terms that can exceed it (the override lets the engagement
   proceed; it never makes a payment above the cap lawful).
6. **Earlier requests**: the fees of this engagement's earlier requests that were not
   rejected are deducted; what remains (never below zero) is due now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from cases import fees
from cases.base import jsonable
from cases.engagements.models import Engagement
from cases.engagements.terms import engagement_arrangement
from cases.errors import N_
from cases.figures import Figure, Step
from cases.money import to_fen
from cases.register.stages import Stage

ZERO = Decimal("0.00")
RECEIVED_RULE = "公司清欠管理办法：代理费用应在款项收回后支付，不得提前预支"
CAP_RULE = fees.CAP_RULES["2021"]

EARNED_LABEL = N_(
    "Earned on the money received so far: %(recovered)s of the claim %(claim)s (%(share)s)"
)
NO_CLAIM_LABEL = N_("No claim amount on the engagement: the base is earned once money is received")
NOTHING_RECEIVED_LABEL = N_("Nothing received yet: no part of the base is earned")
NO_STAGE_RATE_LABEL = N_(
    "Recovered at stage “%(stage)s”: %(recovered)s, for which the terms set no rate"
)
CAPPED_LABEL = N_("Less the part above the statutory cap of %(cap)s")


@dataclass(frozen=True)
class Recovery:
    """One confirmed payment counted for the fee, with the stage it was received at."""

    payment_id: int
    received_on: date
    amount: Decimal
    payer: str
    method: str
    bank_ref: str | None
    stage: str  # the register stage on that day
    fee_stage: str  # cases.fees.FEE_STAGES

    def as_dict(self) -> dict[str, Any]:
        return {key: _json(value) for key, value in self.__dict__.items()}


@dataclass(frozen=True)
class EarlierRequest:
    id: int
    status: str
    fee_amount: Decimal
    requested_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "fee_amount": str(self.fee_amount),
            "requested_at": self.requested_at.isoformat(),
        }


@dataclass(frozen=True)
class FeeDue:
    """The fee due now under one engagement, with every input and step.

    ``earned`` is what the terms give on the money received (exact); ``payable`` is the
    lesser of ``earned`` and the cap, to the fen; ``components`` add up to that lesser amount
    (a capped computation ends with the negative step taking off the part above the cap);
    ``now_due`` deducts ``already_requested``.
    """

    engagement: dict[str, Any]  # the terms as they stood: id, firm, kind, terms, dates, claim
    recoveries: tuple[Recovery, ...]
    recovered: Decimal
    components: tuple[Step, ...]
    earned: Decimal
    cap: Figure | None
    payable: Decimal
    earlier: tuple[EarlierRequest, ...]
    already_requested: Decimal
    already_paid: Decimal
    now_due: Decimal
    rule: str

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.earned > self.cap.value

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (Decimals as strings): what a fee request stores as its computation."""
        return {
            "engagement": _json(self.engagement),
            "recoveries": [r.as_dict() for r in self.recoveries],
            "recovered": str(self.recovered),
            "components": [
                {"label": s.label, "value": _json(s.value), "params": _json(s.params)}
                for s in self.components
            ],
            "earned": str(self.earned),
            "cap": None if self.cap is None else self.cap.as_dict(),
            "capped": self.capped,
            "payable": str(self.payable),
            "earlier": [e.as_dict() for e in self.earlier],
            "already_requested": str(self.already_requested),
            "already_paid": str(self.already_paid),
            "now_due": str(self.now_due),
            "rule": self.rule,
        }


def _json(value: Any) -> Any:
    """Decimals as strings, dates in ISO form, containers recursively."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(item) for item in value]
    return jsonable(value)


# ---- stages ---------------------------------------------------------------------------------


def fee_stage_on(history: Sequence[tuple[date, str]], day: date) -> tuple[str, str]:
    """``(register stage, fee stage)`` on ``day`` from ``(date, to_stage)`` changes in order.

    Moves made on ``day`` count. A stage with no fee stage of its own takes that of the last
    stage before it that has one; a day before any recorded change is the intake stage's.
    """
    stage = Stage.INTAKE.value
    mapped = fees.REGISTER_STAGE_FEE_STAGE[Stage.INTAKE]
    for changed_on, to_stage in history:
        if changed_on > day:
            break
        stage = to_stage
        mapped = fees.REGISTER_STAGE_FEE_STAGE.get(Stage(to_stage), mapped)
    return stage, mapped


# ---- the computation ------------------------------------------------------------------------


def _parts(
    arrangement: fees.Arrangement,
) -> tuple[fees.FixedFee | fees.ClaimPercentage | None, fees.Contingency | None]:
    if isinstance(arrangement, fees.BasePlusContingency):
        return arrangement.base, arrangement.contingency
    if isinstance(arrangement, fees.Contingency):
        return None, arrangement
    return arrangement, None


def _percent(share: Decimal) -> str:
    with localcontext() as ctx:
        ctx.prec = 28
        value = (share * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def _base_steps(
    base: fees.FixedFee | fees.ClaimPercentage, claim: Decimal, recovered: Decimal
) -> list[Step]:
    """The base as agreed, then what part of it the money received has earned (rule 3)."""
    agreed = fees.lawyer_fee(base, claim=claim, recovered=recovered).components[0]
    full = agreed.value
    assert isinstance(full, Decimal)
    if recovered <= 0:
        return [agreed, Step(NOTHING_RECEIVED_LABEL, -full)]
    if claim <= 0:
        return [agreed, Step(NO_CLAIM_LABEL, ZERO)]
    if recovered >= claim:
        return [agreed]
    # Not rounded here: the fee is rounded once, to the fen, when the total is known (a base
    # earned of 0.1234 and a contingency of 1.234 make 1.3574 → 1.36, not 0.12 + 1.234 → 1.35).
    with localcontext() as ctx:
        ctx.prec = 40
        share = recovered / claim
        earned = full * recovered / claim
    params = {"recovered": recovered, "claim": claim, "share": _percent(share)}
    return [agreed, Step(EARNED_LABEL, earned - full, params)]


def _contingency_steps(
    contingency: fees.Contingency,
    claim: Decimal,
    recovered: Decimal,
    recoveries: Sequence[Recovery],
) -> list[Step]:
    if contingency.stage_rates is None:
        return list(fees.lawyer_fee(contingency, claim=claim, recovered=recovered).components)
    steps: list[Step] = []
    for stage in fees.FEE_STAGES:
        amount = sum((r.amount for r in recoveries if r.fee_stage == stage), ZERO)
        if amount <= 0:
            continue
        if stage not in contingency.stage_rates:
            steps.append(Step(NO_STAGE_RATE_LABEL, ZERO, {"stage": stage, "recovered": amount}))
            continue
        breakdown = fees.lawyer_fee(contingency, claim=claim, recovered=amount, stage=stage)
        steps.extend(breakdown.components)
    return steps


def engagement_facts(engagement: Engagement) -> dict[str, Any]:
    """The engagement's terms as the computation used them (kept with every request)."""
    return {
        "id": engagement.id,
        "firm_id": engagement.firm_id,
        "fee_kind": str(engagement.fee_kind),
        "fee_terms": engagement.fee_terms,
        "matter_type": engagement.matter_type,
        "claim_amount": engagement.claim_amount,
        "starts_on": engagement.starts_on,
        "ends_on": engagement.ends_on,
        "cap_override": engagement.cap_override_reason is not None,
        # engaged at intake or by import: a fixed fee of 0 until legal enters the terms
        "terms_pending": bool(getattr(engagement, "terms_pending", False)),
    }


def fee_due(
    engagement: Engagement,
    recoveries: Iterable[Recovery],
    earlier: Iterable[EarlierRequest] = (),
) -> FeeDue:
    """The fee due now under ``engagement`` for ``recoveries`` (already limited to the
    engagement's dates, each with its stage), after the ``earlier`` requests not rejected.

    Bad stored terms raise ``ValidationError``; a contingency in a matter where it is
    forbidden raises ``DomainError`` (司发通〔2021〕87号 第(五)项).
    """
    arrangement = engagement_arrangement(engagement)
    fees.check_contingency_allowed(arrangement)
    recoveries = tuple(recoveries)
    earlier = tuple(e for e in earlier if e.status != "rejected")  # rule 6
    claim = Decimal(engagement.claim_amount)
    recovered = sum((r.amount for r in recoveries), ZERO)
    base, contingency = _parts(arrangement)

    steps: list[Step] = []
    if base is not None:
        steps.extend(_base_steps(base, claim, recovered))
    if contingency is not None:
        steps.extend(_contingency_steps(contingency, claim, recovered, recoveries))
    with localcontext() as ctx:
        ctx.prec = 40
        earned = sum((s.value for s in steps if isinstance(s.value, Decimal)), ZERO)
    cap = None if contingency is None else fees.explain_contingency_cap(recovered)
    allowed = earned if cap is None else min(earned, cap.value)
    if cap is not None and earned > cap.value:
        steps.append(Step(CAPPED_LABEL, cap.value - earned, {"cap": to_fen(cap.value)}))
    payable = to_fen(allowed)
    already_requested = sum((e.fee_amount for e in earlier), ZERO)
    already_paid = sum((e.fee_amount for e in earlier if e.status == "paid"), ZERO)
    rule = fees.CONTINGENCY_RULE if contingency is not None else fees.LAWYER_FEE_RULE
    return FeeDue(
        engagement=engagement_facts(engagement),
        recoveries=recoveries,
        recovered=recovered,
        components=tuple(steps),
        earned=earned,
        cap=cap,
        payable=payable,
        earlier=earlier,
        already_requested=already_requested,
        already_paid=already_paid,
        now_due=max(payable - already_requested, ZERO),
        rule=f"{rule}；{RECEIVED_RULE}",
    )
