"""Court costs and lawyer fees, as exact ``Decimal`` figures (RULES.md §1, §2).

Pure functions: no Flask, no database. Every fee is computed *exactly* (50.025 stays 50.025);
rounding happens only for display and payment, in ``cases.money.to_fen``. Tier arithmetic runs
in a decimal context that traps ``Inexact``, so an amount too long to compute exactly is
refused instead of silently rounded.

Two values cannot be exact and are documented where they are made:

- a payment order pays one third of the acceptance fee, which has no finite decimal form. It is
  rounded half-up to 0.000001 yuan (``THIRD_QUANTUM``). For amounts in whole fen the acceptance
  fee has at most five decimal places, so the exact third's sixth decimal onwards is a
  repeating 0, 3 or 6 and this rounding can never carry into the fen: ``to_fen`` of the stored
  value always equals the fen rounding of the exact third.
- a property claim of 0 has no acceptance fee (第十三条(一) prices an amount, and a zero-amount
  claim is not a property claim); ``acceptance_fee(0)`` raises ``ValueError``. Enforcement
  without an amount is 50–500 yuan at the court's discretion (第十四条(一)1) and is refused too.

Every fee has an ``explain_*`` twin returning a ``cases.figures.Figure``: one ``Step`` per tier
and, where the fee is derived (halved, one third, capped), a final step carrying the
(negative) adjustment, so that the step values always add up to the figure's value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, Overflow, localcontext
from typing import Any, Literal

from cases.errors import N_, DomainError, Message
from cases.figures import Figure, Step
from cases.money import as_decimal
from cases.register.stages import Stage

D = Decimal
Amount = Decimal | int | str  # never float (cases.money.as_decimal)
ZERO = D(0)
THIRD_QUANTUM = D("0.000001")  # one third of an acceptance fee is kept to 0.000001 yuan

ACCEPTANCE_RULE = "《诉讼费用交纳办法》第十三条(一)"
HALVING_RULE = "《诉讼费用交纳办法》第十五、十六、十八条；民诉法解释 第二百零六条"
PAYMENT_ORDER_RULE = "《诉讼费用交纳办法》第十四条(三)"
PRESERVATION_RULE = "《诉讼费用交纳办法》第十四条(二)"
ENFORCEMENT_RULE = "《诉讼费用交纳办法》第十四条(一)"
CAP_RULES = {
    "2021": "司发通〔2021〕87号 第(六)项",
    "2006": "《律师服务收费管理办法》第十三条",
}
FORBIDDEN_RULE = "司发通〔2021〕87号 第(五)项；《律师服务收费管理办法》第十一、十二条"
LAWYER_FEE_RULE = "《律师服务收费管理办法》"
CONTINGENCY_RULE = "《律师服务收费管理办法》第十一、十二、十三条；司发通〔2021〕87号 第(五)、(六)项"

# Step labels (English msgids; the web layer translates them).
FLAT_LABEL = N_("Flat fee for an amount up to %(upper)s")
TIER_LABEL = N_("%(rate)s of the part from %(lower)s to %(upper)s")
HALVED_LABEL = N_("Less half of %(fee)s: halved once only")
THIRD_LABEL = N_("Less two thirds of %(fee)s: a payment order pays one third")
NO_AMOUNT_LABEL = N_("No property amount: flat fee")
CAPPED_LABEL = N_("Less the part above the cap of %(cap)s")
WHOLE_AMOUNT_LABEL = N_("%(rate)s of the amount in dispute %(amount)s")

# Tier arithmetic: 60 digits, and an inexact result is an error rather than a rounding.
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)
_EXACT.traps[Inexact] = True


@contextmanager
def _exactly() -> Iterator[None]:
    try:
        with localcontext(_EXACT):
            yield
    except (Inexact, Overflow):
        raise ValueError("amount has too many digits to compute the fee exactly") from None


@dataclass(frozen=True)
class _Schedule:
    """Cumulative tiers: ``flat_fee`` for amounts up to ``flat_upto``, then ``(upper, rate)``
    bands, each rate applying to the part of the amount between the previous bound and
    ``upper`` (``None``: no upper bound)."""

    bands: tuple[tuple[Decimal | None, Decimal], ...]
    flat_upto: Decimal = ZERO
    flat_fee: Decimal = ZERO
    cap: Decimal | None = None

    def breakpoints(self) -> list[Decimal]:
        bounds = [self.flat_upto] + [upper for upper, _ in self.bands if upper is not None]
        return [b for b in bounds if b > 0]


def _bands(*pairs: tuple[int | None, str]) -> tuple[tuple[Decimal | None, Decimal], ...]:
    return tuple((None if upper is None else D(upper), D(rate)) for upper, rate in pairs)


# 第十三条(一)
ACCEPTANCE = _Schedule(
    _bands(
        (100_000, "0.025"),
        (200_000, "0.02"),
        (500_000, "0.015"),
        (1_000_000, "0.01"),
        (2_000_000, "0.009"),
        (5_000_000, "0.008"),
        (10_000_000, "0.007"),
        (20_000_000, "0.006"),
        (None, "0.005"),
    ),
    flat_upto=D(10_000),
    flat_fee=D(50),
)
# 第十四条(二)
PRESERVATION = _Schedule(
    _bands((100_000, "0.01"), (None, "0.005")), flat_upto=D(1_000), flat_fee=D(30), cap=D(5_000)
)
# 第十四条(一)
ENFORCEMENT = _Schedule(
    _bands((500_000, "0.015"), (5_000_000, "0.01"), (10_000_000, "0.005"), (None, "0.001")),
    flat_upto=D(10_000),
    flat_fee=D(50),
)
# 司发通〔2021〕87号 第(六)项, on the amount actually recovered or debt actually reduced
CONTINGENCY_CAP_2021 = _Schedule(
    _bands(
        (1_000_000, "0.18"),
        (5_000_000, "0.15"),
        (10_000_000, "0.12"),
        (50_000_000, "0.09"),
        (None, "0.06"),
    )
)
CONTINGENCY_CAP_2006_RATE = D("0.30")


def _pct(rate: Decimal) -> str:
    with localcontext(_EXACT):
        return f"{(rate * 100).normalize():f}%"


def _tiered(
    amount: Decimal, schedule: _Schedule, label: str = TIER_LABEL
) -> tuple[Decimal, list[Step]]:
    """The fee on ``amount`` and one step per tier reached (the cap is not applied here)."""
    steps: list[Step] = []
    total = ZERO
    with _exactly():
        if schedule.flat_fee:
            steps.append(Step(FLAT_LABEL, schedule.flat_fee, {"upper": schedule.flat_upto}))
            total += schedule.flat_fee
        lower = schedule.flat_upto
        for upper, rate in schedule.bands:
            if amount <= lower:
                break
            top = amount if upper is None or amount < upper else upper
            part = (top - lower) * rate
            steps.append(Step(label, part, {"rate": _pct(rate), "lower": lower, "upper": top}))
            total += part
            if upper is None:
                break
            lower = upper
    return total, steps


def _non_negative(value: Any, what: str) -> Decimal:
    number = as_decimal(value, what=what)
    if number < 0:
        raise ValueError(f"{what} must not be negative: {number}")
    return number


def _positive(value: Any, what: str, why: str) -> Decimal:
    number = _non_negative(value, what)
    if number == 0:
        raise ValueError(f"{what} must be positive: {why}")
    return number


# ---------------------------------------------------------------- court costs


def explain_acceptance_fee(amount: Amount, *, halved: bool = False) -> Figure:
    """Acceptance fee of a property case, 《诉讼费用交纳办法》第十三条(一), tier by tier.

    ``amount`` is the total claimed (several claims in one suit are added, 民诉法解释 第二百零一条)
    and must be positive. ``halved`` applies 第十五、十六、十八条 (mediation, withdrawal, simple
    procedure, counterclaim heard together) — a bool, because the fee is halved only once
    however many grounds apply (民诉法解释 第二百零六条).
    """
    if not isinstance(halved, bool):
        raise TypeError("halved must be True or False: a fee is halved at most once")
    claim = _positive(amount, "claim amount", "a property claim of 0 has no acceptance fee")
    full, steps = _tiered(claim, ACCEPTANCE)
    value, rule = full, ACCEPTANCE_RULE
    if halved:
        with _exactly():
            value = full / 2
            steps.append(Step(HALVED_LABEL, value - full, {"fee": full}))
        rule = f"{ACCEPTANCE_RULE}；{HALVING_RULE}"
    return Figure(value, rule, {"amount": claim, "halved": halved}, tuple(steps))


def acceptance_fee(amount: Amount, *, halved: bool = False) -> Decimal:
    """Acceptance fee of a property case (《诉讼费用交纳办法》第十三条(一)), exact.

    See ``explain_acceptance_fee`` for ``halved`` (第十五、十六、十八条; 民诉法解释 第二百零六条).
    """
    return explain_acceptance_fee(amount, halved=halved).value


def explain_payment_order_fee(amount: Amount) -> Figure:
    """Payment order fee, 《诉讼费用交纳办法》第十四条(三): one third of the acceptance fee.

    The third is rounded half-up to ``THIRD_QUANTUM`` (0.000001 yuan; see the module
    docstring for why that never changes the fen). Steps: the acceptance-fee tiers, then the
    two thirds taken off.
    """
    acceptance = explain_acceptance_fee(amount)
    full = acceptance.value
    with localcontext(_EXACT) as ctx:
        ctx.traps[Inexact] = False
        third = (full / 3).quantize(THIRD_QUANTUM, rounding=ROUND_HALF_UP)
    with _exactly():
        less = Step(THIRD_LABEL, third - full, {"fee": full})
    return Figure(
        third,
        f"{PAYMENT_ORDER_RULE}；{ACCEPTANCE_RULE}",
        {"amount": acceptance.inputs["amount"]},
        (*acceptance.steps, less),
    )


def payment_order_fee(amount: Amount) -> Decimal:
    """Payment order (支付令) fee, 《诉讼费用交纳办法》第十四条(三): one third of the acceptance
    fee, to 0.000001 yuan."""
    return explain_payment_order_fee(amount).value


def explain_preservation_fee(amount: Amount | None) -> Figure:
    """Preservation fee, 《诉讼费用交纳办法》第十四条(二), on the amount actually preserved.

    ``None`` (no property amount) or up to 1,000: 30 yuan; 1% of the part up to 100,000;
    0.5% above; never more than 5,000 yuan (reached at 896,000).
    """
    if amount is None:
        steps = [Step(NO_AMOUNT_LABEL, PRESERVATION.flat_fee)]
        return Figure(PRESERVATION.flat_fee, PRESERVATION_RULE, {"amount": None}, tuple(steps))
    preserved = _non_negative(amount, "preserved amount")
    value, steps = _tiered(preserved, PRESERVATION)
    cap = PRESERVATION.cap
    if cap is not None and value > cap:
        with _exactly():
            steps.append(Step(CAPPED_LABEL, cap - value, {"cap": cap}))
        value = cap
    return Figure(value, PRESERVATION_RULE, {"amount": preserved}, tuple(steps))


def preservation_fee(amount: Amount | None) -> Decimal:
    """Preservation fee (《诉讼费用交纳办法》第十四条(二)), exact, at most 5,000 yuan."""
    return explain_preservation_fee(amount).value


def explain_enforcement_fee(amount: Amount) -> Figure:
    """Enforcement fee, 《诉讼费用交纳办法》第十四条(一), on the amount to be enforced.

    Up to 10,000: 50 yuan; 1.5% to 500,000; 1% to 5,000,000; 0.5% to 10,000,000; 0.1% above.
    Enforcement without an amount (50–500 yuan at the court's discretion) is refused.
    """
    enforced = _positive(
        amount, "enforced amount", "without an amount the fee is 50–500 yuan at the court's choice"
    )
    value, steps = _tiered(enforced, ENFORCEMENT)
    return Figure(value, ENFORCEMENT_RULE, {"amount": enforced}, tuple(steps))


def enforcement_fee(amount: Amount) -> Decimal:
    """Enforcement fee (《诉讼费用交纳办法》第十四条(一)), exact."""
    return explain_enforcement_fee(amount).value


# ---------------------------------------------------------------- lawyer fee cap


def explain_contingency_cap(recovered: Amount, *, rule: Literal["2021", "2006"] = "2021") -> Figure:
    """Highest total a contingency engagement may charge.

    ``rule="2021"``: 司发通〔2021〕87号 第(六)项 — cumulative tiers on the amount actually
    recovered (or debt actually reduced): 18% below 1,000,000; 15% to 5,000,000; 12% to
    10,000,000; 9% to 50,000,000; 6% above. ``rule="2006"``: 《律师服务收费管理办法》第十三条 —
    30% of the contract's 标的额; it is computed on whatever amount is given, so pass the
    标的额 of the contract for that rule.
    """
    amount = _non_negative(recovered, "recovered amount")
    if rule == "2021":
        value, steps = _tiered(amount, CONTINGENCY_CAP_2021)
    elif rule == "2006":
        with _exactly():
            value = amount * CONTINGENCY_CAP_2006_RATE
        params = {"rate": _pct(CONTINGENCY_CAP_2006_RATE), "amount": amount}
        steps = [Step(WHOLE_AMOUNT_LABEL, value, params)]
    else:
        raise ValueError(f"unknown contingency cap rule {rule!r}; use '2021' or '2006'")
    return Figure(value, CAP_RULES[rule], {"recovered": amount, "rule": rule}, tuple(steps))


def contingency_cap(recovered: Amount, *, rule: Literal["2021", "2006"] = "2021") -> Decimal:
    """Cap on a contingency engagement's total fee (司发通〔2021〕87号 第(六)项, or
    《律师服务收费管理办法》第十三条 with ``rule="2006"``), exact."""
    return explain_contingency_cap(recovered, rule=rule).value


# ---------------------------------------------------------------- lawyer fee arrangements

MATTER_TYPES: dict[str, str] = {
    "debt_collection": N_("Debt collection"),
    "contract_dispute": N_("Contract dispute"),
    "other_civil": N_("Other civil or commercial matter"),
    "marriage": N_("Marriage"),
    "inheritance": N_("Inheritance"),
    "social_insurance": N_("Social insurance benefits"),
    "minimum_subsistence": N_("Minimum subsistence allowance"),
    "maintenance": N_("Maintenance for parents, children or spouse"),
    "pension": N_("Survivor or disability pension"),
    "relief": N_("Relief payments"),
    "work_injury": N_("Work-injury compensation"),
    "unpaid_wages": N_("Unpaid wages"),
    "criminal": N_("Criminal case"),
    "administrative": N_("Administrative litigation"),
    "state_compensation": N_("State compensation"),
    "group_litigation": N_("Group litigation"),
}
# 司发通〔2021〕87号 第(五)项; 《律师服务收费管理办法》第十一、十二条
CONTINGENCY_FORBIDDEN = frozenset(MATTER_TYPES) - {
    "debt_collection",
    "contract_dispute",
    "other_civil",
}

NON_LITIGATION, LITIGATION, ENFORCEMENT_STAGE = "non_litigation", "litigation", "enforcement"
FEE_STAGES = (NON_LITIGATION, LITIGATION, ENFORCEMENT_STAGE)
FEE_STAGE_LABELS = {  # for the web layer: a Step's "stage" param holds the key
    NON_LITIGATION: N_("Before suit"),
    LITIGATION: N_("Litigation"),
    ENFORCEMENT_STAGE: N_("Enforcement"),
}
# A register stage → the fee stage at which money recovered in it counts. NEGOTIATION is left
# out on purpose: a repayment agreement may come before suit, in court or in enforcement.
REGISTER_STAGE_FEE_STAGE = {
    Stage.INTAKE: NON_LITIGATION,
    Stage.COLLECTION: NON_LITIGATION,
    Stage.DEMAND_LETTER: NON_LITIGATION,
    Stage.PRESERVATION: LITIGATION,
    Stage.LITIGATION: LITIGATION,
    Stage.ENFORCEMENT: ENFORCEMENT_STAGE,
}


def fee_stage(stage: str) -> str:
    """The fee stage (``FEE_STAGES``) for a fee stage or an unambiguous register ``Stage``."""
    if stage in FEE_STAGES:
        return str(stage)
    try:
        return REGISTER_STAGE_FEE_STAGE[stage]
    except KeyError:
        raise ValueError(
            f"cannot tell the fee stage of {stage!r}; pass one of {', '.join(FEE_STAGES)}"
        ) from None


def _rate(value: Any, what: str) -> Decimal:
    rate = _non_negative(value, what)
    if rate > 1:
        raise ValueError(f"{what} is a fraction (0.05 for 5%), at most 1: {rate}")
    return rate


@dataclass(frozen=True, kw_only=True)
class _Arrangement:
    """Terms every arrangement carries: ``expenses`` (travel etc., reimbursed at cost, never
    part of the fee nor of the cap) and ``matter_type`` (a ``MATTER_TYPES`` key)."""

    expenses: Decimal = ZERO
    matter_type: str = "debt_collection"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expenses", _non_negative(self.expenses, "expenses"))
        if self.matter_type not in MATTER_TYPES:
            raise ValueError(f"unknown matter type {self.matter_type!r}")


@dataclass(frozen=True)
class FixedFee(_Arrangement):
    """A fixed fee (计件收费), e.g. ``FixedFee(Decimal("30000"))``."""

    amount: Decimal

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "amount", _non_negative(self.amount, "fixed fee"))


@dataclass(frozen=True)
class ClaimPercentage(_Arrangement):
    """A share of the claim (按标的额比例收费), e.g. ``ClaimPercentage(Decimal("0.05"))`` for 5%."""

    rate: Decimal

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "rate", _rate(self.rate, "claim percentage"))


@dataclass(frozen=True)
class Contingency(_Arrangement):
    """A contingency fee (风险代理) on the amount actually recovered; exactly one of:

    - ``rate``: a flat share, e.g. ``Decimal("0.25")``;
    - ``tiers``: cumulative ``(upper bound, rate)`` pairs like the cap's, the last bound
      ``None``, e.g. ``((Decimal(1_000_000), Decimal("0.2")), (None, Decimal("0.15")))``;
    - ``stage_rates``: ``{fee stage: rate}`` with keys from ``FEE_STAGES``
      (``non_litigation``, ``litigation``, ``enforcement``): the rate of the stage at which
      the money was recovered (``lawyer_fee(..., stage=...)``).
    """

    rate: Decimal | None = None
    tiers: tuple[tuple[Decimal | None, Decimal], ...] | None = None
    stage_rates: Mapping[str, Decimal] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        given = [x is not None for x in (self.rate, self.tiers, self.stage_rates)]
        if sum(given) != 1:
            raise ValueError("a contingency needs exactly one of rate, tiers or stage_rates")
        if self.rate is not None:
            object.__setattr__(self, "rate", _rate(self.rate, "contingency rate"))
        if self.tiers is not None:
            object.__setattr__(self, "tiers", _check_tiers(self.tiers))
        if self.stage_rates is not None:
            unknown = set(self.stage_rates) - set(FEE_STAGES)
            if unknown or not self.stage_rates:
                raise ValueError(f"stage_rates keys must be among {FEE_STAGES}: {unknown}")
            rates = {str(k): _rate(v, f"{k} rate") for k, v in self.stage_rates.items()}
            object.__setattr__(self, "stage_rates", rates)

    def schedule(self) -> _Schedule | None:
        return None if self.tiers is None else _Schedule(self.tiers)


def _check_tiers(tiers: Any) -> tuple[tuple[Decimal | None, Decimal], ...]:
    checked: list[tuple[Decimal | None, Decimal]] = []
    lower = ZERO
    for index, (upper, rate) in enumerate(tiers):
        last = index == len(tiers) - 1
        if (upper is None) != last:
            raise ValueError("only the last contingency tier, and it alone, has no upper bound")
        if upper is not None:
            upper = _non_negative(upper, "tier bound")
            if upper <= lower:
                raise ValueError(f"tier bounds must increase: {upper} after {lower}")
            lower = upper
        checked.append((upper, _rate(rate, "tier rate")))
    if not checked:
        raise ValueError("contingency tiers must not be empty")
    return tuple(checked)


@dataclass(frozen=True)
class BasePlusContingency(_Arrangement):
    """A base fee (fixed or a share of the claim) plus a contingency on recoveries.

    ``expenses`` and ``matter_type`` are those of the whole arrangement; the parts must carry
    no expenses of their own (their matter types are checked too, the strictest one wins).
    """

    base: FixedFee | ClaimPercentage
    contingency: Contingency

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.base, (FixedFee, ClaimPercentage)):
            raise ValueError("the base must be a FixedFee or a ClaimPercentage")
        if not isinstance(self.contingency, Contingency):
            raise ValueError("the contingency part must be a Contingency")
        if self.base.expenses or self.contingency.expenses:
            raise ValueError("put expenses on the combined arrangement, not on its parts")


BaseplusContingency = BasePlusContingency  # the spelling of the first brief
Arrangement = FixedFee | ClaimPercentage | Contingency | BasePlusContingency


@dataclass(frozen=True)
class FeeBreakdown:
    """An agreed lawyer fee beside the statutory cap (RULES.md §2).

    ``fee_total`` is the exact sum of ``components`` (base, contingency tiers …). ``expenses``
    are kept apart: reimbursed at cost, they are neither in ``fee_total`` nor compared with the
    cap. ``cap`` is the 司发通〔2021〕87号 第(六)项 cap on the amount recovered, present when the
    arrangement has a contingency part; a base fee paid up front counts inside the total
    compared with it — our reading of "各个环节收取的律师服务费合计". ``within_cap`` is True
    when there is no cap. ``can_exceed_cap`` tells whether the terms could produce a total
    above the cap for some recovery between 0 and the claim (see ``lawyer_fee``).
    """

    components: tuple[Step, ...]
    fee_total: Decimal
    expenses: Decimal
    cap: Decimal | None
    within_cap: bool
    can_exceed_cap: bool
    rule: str
    inputs: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings."""
        data = Figure(self.fee_total, self.rule, self.inputs, self.components).as_dict()
        return {
            "fee_total": data["value"],
            "components": data["steps"],
            "expenses": str(self.expenses),
            "cap": None if self.cap is None else str(self.cap),
            "within_cap": self.within_cap,
            "can_exceed_cap": self.can_exceed_cap,
            "rule": data["rule"],
            "inputs": data["inputs"],
        }


FIXED_LABEL = N_("Fixed fee")
CLAIM_SHARE_LABEL = N_("%(rate)s of the claim %(claim)s")
CONTINGENCY_LABEL = N_("Contingency: %(rate)s of the amount recovered %(recovered)s")
CONTINGENCY_TIER_LABEL = N_(
    "Contingency: %(rate)s of the amount recovered from %(lower)s to %(upper)s"
)
CONTINGENCY_STAGE_LABEL = N_(
    "Contingency, recovered at stage “%(stage)s”: %(rate)s of the amount recovered %(recovered)s"
)
FORBIDDEN_MESSAGE = N_("A contingency fee is not allowed in a “%(matter_type)s” matter (%(rule)s).")


def _parts(
    arrangement: Arrangement,
) -> tuple[FixedFee | ClaimPercentage | None, Contingency | None]:
    if isinstance(arrangement, BasePlusContingency):
        return arrangement.base, arrangement.contingency
    if isinstance(arrangement, Contingency):
        return None, arrangement
    if isinstance(arrangement, (FixedFee, ClaimPercentage)):
        return arrangement, None
    raise TypeError(f"not a fee arrangement: {type(arrangement).__name__}")


def check_contingency_allowed(arrangement: Arrangement) -> None:
    """Refuse a contingency part in a forbidden matter type with a ``DomainError``.

    司发通〔2021〕87号 第(五)项; 《律师服务收费管理办法》第十一、十二条: marriage and inheritance,
    social insurance and minimum subsistence, maintenance, pensions, relief, work injury,
    unpaid wages, criminal, administrative, state-compensation and group litigation.
    """
    _, contingency = _parts(arrangement)
    if contingency is None:
        return
    for terms in (arrangement, *_parts(arrangement)):
        if terms is not None and terms.matter_type in CONTINGENCY_FORBIDDEN:
            raise DomainError(
                FORBIDDEN_MESSAGE,
                matter_type=Message(MATTER_TYPES[terms.matter_type]),
                rule=FORBIDDEN_RULE,
            )


def _base_step(base: FixedFee | ClaimPercentage, claim: Decimal) -> Step:
    if isinstance(base, FixedFee):
        return Step(FIXED_LABEL, base.amount)
    with _exactly():
        value = claim * base.rate
    return Step(CLAIM_SHARE_LABEL, value, {"rate": _pct(base.rate), "claim": claim})


def _contingency_steps(c: Contingency, recovered: Decimal, stage: str | None) -> list[Step]:
    schedule = c.schedule()
    if schedule is not None:
        return _tiered(recovered, schedule, CONTINGENCY_TIER_LABEL)[1]
    params: dict[str, Any] = {"recovered": recovered}
    if c.stage_rates is not None:
        if stage is None:
            raise ValueError("this contingency depends on the stage: pass stage=")
        params["stage"] = fee_stage(stage)
        if params["stage"] not in c.stage_rates:
            raise ValueError(f"the arrangement sets no rate for stage {params['stage']!r}")
        rate, label = c.stage_rates[params["stage"]], CONTINGENCY_STAGE_LABEL
    else:
        assert c.rate is not None
        rate, label = c.rate, CONTINGENCY_LABEL
    with _exactly():
        value = recovered * rate
    return [Step(label, value, {**params, "rate": _pct(rate)})]


def _can_exceed_cap(base: Decimal, c: Contingency, claim: Decimal) -> bool:
    """Whether base + contingency(r) > cap(r) for some recovery 0 ≤ r ≤ claim.

    Both sides are piecewise linear in r, so their difference is linear between consecutive
    breakpoints (the cap's tier bounds, the contingency's tier bounds) and reaches its maximum
    on [0, claim] at a breakpoint or at an end: checking 0, every breakpoint inside and the
    claim is exact. A stage-dependent rate is checked at every stage it names.
    """
    schedule = c.schedule()
    bounds = {ZERO, claim, *CONTINGENCY_CAP_2021.breakpoints()}
    if schedule is not None:
        bounds.update(schedule.breakpoints())
    rates = [c.rate] if c.rate is not None else list((c.stage_rates or {}).values())
    for r in sorted(b for b in bounds if b <= claim):
        cap = _tiered(r, CONTINGENCY_CAP_2021)[0]
        with _exactly():
            if schedule is not None:
                fees = [_tiered(r, schedule)[0]]
            else:
                fees = [r * rate for rate in rates if rate is not None]
            if any(base + fee > cap for fee in fees):
                return True
    return False


def lawyer_fee(
    arrangement: Arrangement,
    *,
    claim: Amount,
    recovered: Amount,
    stage: str | None = None,
) -> FeeBreakdown:
    """The agreed lawyer fee for ``recovered`` out of ``claim``, beside the statutory cap.

    《律师服务收费管理办法》; for any contingency part 第十一、十二、十三条 and 司发通〔2021〕87号
    第(五)、(六)项. A contingency part in a forbidden matter type raises ``DomainError``
    (``check_contingency_allowed``). ``stage`` (a ``FEE_STAGES`` value or an unambiguous
    register ``Stage``) is needed for stage-dependent rates.

    ``can_exceed_cap`` checks every recovery from 0 to ``claim`` exactly (the breakpoint method
    of ``_can_exceed_cap``). Because the cap of a recovery of 0 is 0, any base fee paid up
    front makes it True: the base alone exceeds the cap when nothing is recovered.
    """
    claim_amount = _non_negative(claim, "claim")
    recovered_amount = _non_negative(recovered, "recovered amount")
    check_contingency_allowed(arrangement)
    base, contingency = _parts(arrangement)

    components: list[Step] = []
    if base is not None:
        components.append(_base_step(base, claim_amount))
    if contingency is not None:
        components.extend(_contingency_steps(contingency, recovered_amount, stage))
    with _exactly():
        total = sum((s.value for s in components), ZERO)
        base_value = components[0].value if base is not None else ZERO

    cap = None if contingency is None else contingency_cap(recovered_amount)
    return FeeBreakdown(
        components=tuple(components),
        fee_total=total,
        expenses=arrangement.expenses,
        cap=cap,
        within_cap=cap is None or total <= cap,
        can_exceed_cap=(
            contingency is not None and _can_exceed_cap(base_value, contingency, claim_amount)
        ),
        rule=LAWYER_FEE_RULE if contingency is None else CONTINGENCY_RULE,
        inputs={
            "arrangement": type(arrangement).__name__,
            "terms": dataclasses.asdict(arrangement),
            "claim": claim_amount,
            "recovered": recovered_amount,
            "stage": stage,
        },
    )
