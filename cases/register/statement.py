"""What the debtor owes on a given day: each claim's principal and interest after the payments
received, the payments applied in the legal order, and the court costs of suing for the rest.

This is the 债权计算 behind a lawyer's letter or a complaint ("本金 X 元及至 Y 日的利息 Z 元"),
computed with ``cases.interest`` and ``cases.ledger.allocate``; every amount is a ``Figure``
or carries the rule it follows.

Interest on a claim (simple interest, never on interest):

- within the term (期内利息): at the claim's agreed ``interest_rate`` from the day after
  ``signed_on`` through ``due_date`` (民法典 第六百七十四条); none without a rate or signing date;
- after the due date (逾期利息 / 逾期付款损失), on the principal still unpaid, at the first of:
  the agreed ``penalty_rate`` (民法典 第五百八十五条、第六百七十六条); for a loan, the agreed
  interest rate (民间借贷规定 第二十八条第二款第(二)项); for a sale, the one-year LPR at the
  breach plus ``SALE_LPR_MARKUP`` (买卖合同解释 第十八条第四款: 30–50%; the statement claims the
  upper bound, the court may award less); otherwise the agreed interest rate; otherwise the
  one-year LPR, following its changes (资金占用损失, 民法典 第五百八十四条).

Interest accrues on the principal outstanding day by day: the period is cut at every payment,
and the interest of each piece is rounded to the fen (``to_fen``) when it falls due, as a bank
settles interest. Payments after ``as_of`` are left out.

Money received (民法典 第五百六十、五百六十一条), counting only payments confirmed by finance: a
payment recorded against a claim (the debtor's designation) goes to that claim; otherwise to
matured claims before unmatured ones, the more burdensome (higher agreed rate) first, then the
earliest due, pro rata among equals.
Within a claim it pays costs, then interest, then principal. The register does not record
costs of enforcing a claim yet, so the costs part is zero; what a payment leaves over after
everything due is ``unapplied`` (an overpayment to refund).

The private-lending cap (4 × LPR) is not applied: whether it binds depends on the creditor
being a licensed lender, which the register does not record; use the calculator to check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from cases import fees
from cases.errors import N_
from cases.figures import Figure, Step
from cases.interest import FIRST_LPR_DATE, LprSeries, contract_interest, lpr_interest
from cases.ledger.allocation import Allocation, allocate
from cases.ledger.models import CONFIRMED, Payment, PaymentStatus
from cases.money import to_fen
from cases.register.models import Case, Claim, ClaimKind

ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)
SALE_LPR_MARKUP = Decimal("0.5")  # LPR × 1.5, the upper bound of 第十八条第四款

TERM_RULE = "民法典 第六百七十四条（期内利息，按约定利率）"
PENALTY_RULE = "民法典 第五百八十五条、第六百七十六条（逾期利息，按约定罚息利率）"
LOAN_DEFAULT_RULE = "民间借贷规定(法释〔2020〕17号) 第二十八条第二款第(二)项（逾期按借期内利率）"
SALE_DEFAULT_RULE = "买卖合同解释(2020) 第十八条第四款（违约时一年期LPR加计50%）"
AGREED_DEFAULT_RULE = "民法典 第五百八十四条（逾期付款损失，按约定利率）"
LPR_DEFAULT_RULE = "民法典 第五百八十四条（逾期付款损失，按一年期LPR）"
ORDER_RULE = "民法典 第五百六十条、第五百六十一条"
STATEMENT_RULE = "民法典 第五百六十条、第五百六十一条；本金、利息按日计算，利息不计复利"

TERM_STEP = N_(
    "Interest within the term, %(from)s to %(to)s: %(days)s days on %(principal)s at "
    "%(rate)s%% a year (%(basis)s-day year), to the fen"
)
DEFAULT_STEP = N_(
    "Default interest, %(from)s to %(to)s: %(days)s days on %(principal)s at %(rate)s%% a year "
    "(%(basis)s-day year), to the fen"
)
LPR_STEP = N_("Default interest on %(principal)s at the LPR, to the fen")
PAID_STEP = N_(
    "Payment of %(amount)s on %(date)s: %(interest)s to interest, %(principal)s to principal"
)
BEFORE_LPR = N_(
    "No LPR exists before 20 August 2019: default interest for earlier days is not computed"
)
NO_LPR = N_("No LPR rates are on file: LPR-based default interest is not computed")
PAYMENTS_AFTER = N_("Payments received after the statement date are not included")


@dataclass
class ClaimStatement:
    """One claim on the statement date."""

    claim_id: int
    contract_ref: str
    due_date: date
    principal: Decimal  # as claimed
    principal_paid: Decimal = ZERO
    interest_accrued: Decimal = ZERO  # to the statement date, fen by fen
    interest_paid: Decimal = ZERO
    steps: list[Step] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def principal_due(self) -> Decimal:
        return self.principal - self.principal_paid

    @property
    def interest_due(self) -> Decimal:
        return self.interest_accrued - self.interest_paid

    @property
    def total_due(self) -> Decimal:
        return self.principal_due + self.interest_due

    @property
    def interest(self) -> Figure:
        """The interest accrued to the statement date, period by period."""
        inputs = {"principal": self.principal, "due_date": self.due_date}
        return Figure(
            self.interest_accrued,
            "；".join(self.rules) or TERM_RULE,
            inputs,
            tuple(self.steps),
            tuple(dict.fromkeys(self.warnings)),
        )


@dataclass(frozen=True)
class AppliedPayment:
    """One payment and how it was applied, claim by claim."""

    payment_id: int | None
    received_on: date
    amount: Decimal
    parts: tuple[tuple[str, Allocation], ...]  # (contract_ref, allocation)
    unapplied: Decimal

    @property
    def to_interest(self) -> Decimal:
        return sum((a.to_interest for _ref, a in self.parts), ZERO)

    @property
    def to_principal(self) -> Decimal:
        return sum((a.to_principal for _ref, a in self.parts), ZERO)

    @property
    def to_costs(self) -> Decimal:
        return sum((a.to_costs for _ref, a in self.parts), ZERO)


@dataclass(frozen=True)
class Statement:
    as_of: date
    claims: tuple[ClaimStatement, ...]
    payments: tuple[AppliedPayment, ...]
    costs: dict[str, Figure]  # court costs of suing for the total due: acceptance, preservation
    warnings: tuple[str, ...] = ()
    rule: str = STATEMENT_RULE

    @property
    def principal_due(self) -> Decimal:
        return sum((c.principal_due for c in self.claims), ZERO)

    @property
    def interest_due(self) -> Decimal:
        return sum((c.interest_due for c in self.claims), ZERO)

    @property
    def total_due(self) -> Decimal:
        return self.principal_due + self.interest_due

    @property
    def unapplied(self) -> Decimal:
        return sum((p.unapplied for p in self.payments), ZERO)

    @property
    def total(self) -> Figure:
        """Principal plus interest due, with each claim as a step."""
        steps = tuple(
            Step(
                N_("%(contract)s: principal %(principal)s + interest %(interest)s"),
                c.total_due,
                {
                    "contract": c.contract_ref,
                    "principal": c.principal_due,
                    "interest": c.interest_due,
                },
            )
            for c in self.claims
        )
        inputs = {"as_of": self.as_of, "payments": len(self.payments)}
        return Figure(self.total_due, self.rule, inputs, steps, self.warnings)


# ---- interest ------------------------------------------------------------------------------


def _default_terms(claim: Claim) -> tuple[str, Decimal | None, Decimal | None]:
    """(rule, agreed annual rate or None for the LPR, LPR markup or None)."""
    if claim.penalty_rate is not None:
        return PENALTY_RULE, claim.penalty_rate, None
    if claim.kind == ClaimKind.LOAN and claim.interest_rate is not None:
        return LOAN_DEFAULT_RULE, claim.interest_rate, None
    if claim.kind == ClaimKind.SALE:
        return SALE_DEFAULT_RULE, None, SALE_LPR_MARKUP
    if claim.interest_rate is not None:
        return AGREED_DEFAULT_RULE, claim.interest_rate, None
    return LPR_DEFAULT_RULE, None, None


def _accrue(line: ClaimStatement, claim: Claim, start: date, end: date, lpr: LprSeries) -> None:
    """Add the interest for the days after ``start`` through ``end`` on the principal due."""
    principal = line.principal_due
    if end <= start or principal <= 0:
        return
    due = claim.due_date
    pieces: list[tuple[str, str, Figure]] = []
    if claim.interest_rate is not None and claim.signed_on is not None:
        a, b = max(start, claim.signed_on), min(end, due)
        if b > a:
            figure = contract_interest(
                principal, claim.interest_rate, a, b, basis=claim.interest_basis
            )
            pieces.append((TERM_STEP, TERM_RULE, figure))
    a, b = max(start, due), end
    if b > a:
        rule, rate, markup = _default_terms(claim)
        if rate is not None:
            figure = contract_interest(principal, rate, a, b, basis=claim.interest_basis)
        elif not lpr:
            line.warnings.append(NO_LPR)
            figure = None
        else:
            first = FIRST_LPR_DATE - ONE_DAY
            if a < first:
                line.warnings.append(BEFORE_LPR)
                a = first
            if b > a:
                rate_date = max(due + ONE_DAY, FIRST_LPR_DATE) if markup is not None else None
                figure = lpr_interest(
                    principal,
                    a,
                    b,
                    lpr=lpr,
                    multiplier=markup,
                    basis=claim.interest_basis,
                    rate_date=rate_date,
                )
            else:
                figure = None
        if figure is not None:
            pieces.append((DEFAULT_STEP, rule, figure))
    for label, rule, figure in pieces:
        amount = to_fen(figure.value)
        rate = figure.inputs.get("annual_rate")
        if rate is not None:  # one period at an agreed rate: one line says it all
            params = {
                "principal": principal,
                "from": figure.inputs["start"] + ONE_DAY,
                "to": figure.inputs["end"],
                "days": figure.inputs["days"],
                "rate": rate,
                "basis": figure.inputs["basis"],
            }
            line.steps.append(Step(label, amount, params))
        else:  # LPR-linked: the total, then the LPR periods it is made of
            line.steps.append(Step(LPR_STEP, amount, {"principal": principal}))
            line.steps.extend(figure.steps)
        line.interest_accrued += amount
        if rule not in line.rules:
            line.rules.append(rule)
        line.warnings.extend(figure.warnings)


# ---- payments ------------------------------------------------------------------------------


def _burden(claim: Claim) -> Decimal:
    rate = claim.penalty_rate if claim.penalty_rate is not None else claim.interest_rate
    return rate if rate is not None else Decimal(0)


def _order(claims: Sequence[Claim], paid_on: date) -> list[list[Claim]]:
    """Claims grouped in the order of 第五百六十条; each group shares money pro rata."""
    groups: dict[tuple, list[Claim]] = {}
    for claim in claims:
        key = (claim.due_date > paid_on, -_burden(claim), claim.due_date)
        groups.setdefault(key, []).append(claim)
    return [groups[key] for key in sorted(groups)]


def _shares(amount: Decimal, lines: list[ClaimStatement]) -> list[Decimal]:
    """``amount`` split pro rata to what each line is owed, the last taking the remainder."""
    owed = [line.total_due for line in lines]
    total = sum(owed, ZERO)
    if amount >= total:
        return owed
    shares = [to_fen(amount * o / total) for o in owed[:-1]]
    return [*shares, amount - sum(shares, ZERO)]


def _pay(
    amount: Decimal,
    paid_on: date,
    groups: list[list[Claim]],
    lines: dict[int, ClaimStatement],
) -> tuple[list[tuple[str, Allocation]], Decimal]:
    """Apply ``amount`` to the claims group by group; returns the parts and what is left."""
    left = amount
    parts: list[tuple[str, Allocation]] = []
    for group in groups:
        owing = [lines[c.id] for c in group if lines[c.id].total_due > 0]
        if left <= 0 or not owing:
            continue
        for line, share in zip(owing, _shares(left, owing), strict=True):
            applied = allocate(
                share,
                costs=ZERO,
                interest=line.interest_due,
                principal=line.principal_due,
                paid_on=paid_on,
            )
            used = share - applied.unapplied
            line.interest_paid += applied.to_interest
            line.principal_paid += applied.to_principal
            left -= used
            parts.append((line.contract_ref, applied))
            params = {
                "amount": used,
                "date": paid_on,
                "interest": applied.to_interest,
                "principal": applied.to_principal,
            }
            line.steps.append(Step(PAID_STEP, None, params))
    return parts, left


def _apply(
    payment: Payment, claims: Sequence[Claim], lines: dict[int, ClaimStatement]
) -> AppliedPayment:
    """One payment: to the claim it was recorded against (the debtor's designation), then —
    for what that claim does not absorb — in the order of 第五百六十条."""
    parts: list[tuple[str, Allocation]] = []
    left = payment.amount
    designated = [c for c in claims if c.id == payment.claim_id]
    if designated:
        parts, left = _pay(left, payment.received_on, [designated], lines)
    if left > 0:
        more, left = _pay(left, payment.received_on, _order(claims, payment.received_on), lines)
        parts.extend(more)
    return AppliedPayment(payment.id, payment.received_on, payment.amount, tuple(parts), left)


# ---- the statement -------------------------------------------------------------------------


def compute(
    claims: Sequence[Claim], payments: Iterable[Payment], as_of: date, lpr: LprSeries
) -> Statement:
    """The statement of ``claims`` on ``as_of`` after ``payments`` (pure: no database).

    Only confirmed payments count: money reported but not confirmed by finance, or rejected,
    is left out whatever the caller passes.
    """
    lines = {c.id: ClaimStatement(c.id, c.contract_ref, c.due_date, c.principal) for c in claims}
    confirmed = (p for p in payments if p.status == PaymentStatus.CONFIRMED)
    received = sorted(confirmed, key=lambda p: (p.received_on, p.id or 0))
    warnings: list[str] = []
    if any(p.received_on > as_of for p in received):
        warnings.append(PAYMENTS_AFTER)
    received = [p for p in received if p.received_on <= as_of]
    accrued_to = {c.id: (c.signed_on or c.due_date) for c in claims}
    applied: list[AppliedPayment] = []
    for payment in received:
        for claim in claims:
            _accrue(lines[claim.id], claim, accrued_to[claim.id], payment.received_on, lpr)
            accrued_to[claim.id] = max(accrued_to[claim.id], payment.received_on)
        applied.append(_apply(payment, claims, lines))
    for claim in claims:
        _accrue(lines[claim.id], claim, accrued_to[claim.id], as_of, lpr)
    for line in lines.values():
        warnings.extend(line.warnings)
    result = tuple(lines[c.id] for c in claims)
    total = sum((line.total_due for line in result), ZERO)
    costs = {}
    if total > 0:
        costs = {
            "acceptance": fees.explain_acceptance_fee(total),
            "preservation": fees.explain_preservation_fee(total),
        }
    return Statement(as_of, result, tuple(applied), costs, tuple(dict.fromkeys(warnings)))


def case_statement(session: Session, case: Case, as_of: date, lpr: LprSeries) -> Statement:
    """The statement of ``case`` on ``as_of``; ``lpr`` from ``cases.interest.lpr.load_series``."""
    claims = list(session.exec(select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)))
    payments = session.exec(select(Payment).where(Payment.case_id == case.id, CONFIRMED)).all()
    return compute(claims, payments, as_of, lpr)
