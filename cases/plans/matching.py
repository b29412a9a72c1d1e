"""Confirmed money against installments and promises: pure functions, no database.

Installments (还款协议 第2.1、2.2条: an installment is paid on the day the money reaches the
creditor's account):

- confirmed payments received on or after the signing date, oldest first, pay the
  installments in due-date order; a payment larger than an installment runs on into the next,
  and money beyond the last installment is shown as excess. The debtor's money before the
  signing date is already inside the debt the agreement acknowledges, so it does not count;
- no grace: an installment not fully paid by the end of its due date is *missed* from the next
  day. Paid later, it shows as paid late and the plan is back on track (unless accelerated);
- after acceleration every unpaid installment is due on the acceleration date.

Promises to pay:

- money received from the day the promise was made through the promised date plus
  ``PROMISE_GRACE_DAYS`` counts, cumulatively (several transfers can make up the amount);
- promises are served in due-date order and a payment counts toward one promise only;
- a promise is *kept* once its amount is reached, *broken* when its window closes short of it,
  *open* before that.

Installments and promises are matched independently against the same money: a promise made
about an installment is kept by the payment that pays the installment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from pydantic import Field
from sqlmodel import SQLModel

from cases.deadlines import add_months
from cases.money import FEN
from cases.plans.models import (
    MAX_INSTALLMENTS,
    ZERO,
    InstallmentStatus,
    PlanState,
    PlanStatus,
    PromiseRepeat,
    PromiseStatus,
)

# A spoken promise is looser than a signed schedule: a bank transfer started on the promised
# day may reach the account a day or two later, over a weekend three.
PROMISE_GRACE_DAYS = 3


@dataclass(frozen=True)
class Receipt:
    """Confirmed money received on the case."""

    payment_id: int
    received_on: date
    amount: Decimal


@dataclass(frozen=True)
class Term:
    """An installment as agreed."""

    no: int
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class Application:
    """Part of a payment applied to an installment (``no`` None: beyond the plan)."""

    payment_id: int
    received_on: date
    no: int | None
    amount: Decimal


@dataclass
class InstallmentStanding:
    no: int
    due_on: date
    amount: Decimal
    due_by: date  # the due date, or the acceleration date when that is earlier
    paid: Decimal = ZERO
    paid_on: date | None = None  # when it was fully paid
    status: InstallmentStatus = InstallmentStatus.DUE

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid

    @property
    def late(self) -> bool:
        return self.paid_on is not None and self.paid_on > self.due_by


@dataclass
class PlanStanding:
    on: date
    installments: list[InstallmentStanding]
    applications: list[Application] = field(default_factory=list)
    excess: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.installments), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((i.paid for i in self.installments), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.total - self.paid

    @property
    def missed(self) -> list[InstallmentStanding]:
        return [i for i in self.installments if i.status == InstallmentStatus.MISSED]

    @property
    def overdue(self) -> Decimal:
        """What is unpaid of the missed installments."""
        return sum((i.unpaid for i in self.missed), ZERO)

    @property
    def next_due(self) -> InstallmentStanding | None:
        return next(
            (
                i
                for i in self.installments
                if i.status in (InstallmentStatus.DUE, InstallmentStatus.PARTLY_PAID)
            ),
            None,
        )

    def status(self, state: PlanState) -> PlanStatus:
        if state == PlanState.CANCELLED:
            return PlanStatus.CANCELLED
        if self.remaining <= 0:
            return PlanStatus.COMPLETED
        if state == PlanState.ACCELERATED:
            return PlanStatus.ACCELERATED
        return PlanStatus.IN_DEFAULT if self.missed else PlanStatus.ACTIVE


def match_plan(
    terms: Sequence[Term],
    receipts: Iterable[Receipt],
    *,
    signed_on: date,
    on: date,
    accelerated_on: date | None = None,
) -> PlanStanding:
    """Each installment's standing on ``on`` (see the module's rules)."""
    rows = [
        InstallmentStanding(
            no=t.no,
            due_on=t.due_on,
            amount=t.amount,
            due_by=min(t.due_on, accelerated_on) if accelerated_on else t.due_on,
        )
        for t in sorted(terms, key=lambda t: (t.due_on, t.no))
    ]
    standing = PlanStanding(on=on, installments=rows)
    counted = sorted(
        (r for r in receipts if signed_on <= r.received_on <= on),
        key=lambda r: (r.received_on, r.payment_id),
    )
    current = 0
    for receipt in counted:
        left = receipt.amount
        while left > 0 and current < len(rows):
            row = rows[current]
            part = min(left, row.unpaid)
            row.paid += part
            left -= part
            standing.applications.append(
                Application(receipt.payment_id, receipt.received_on, row.no, part)
            )
            if row.unpaid == 0:
                row.paid_on = receipt.received_on
                current += 1
        if left > 0:
            standing.excess += left
            standing.applications.append(
                Application(receipt.payment_id, receipt.received_on, None, left)
            )
    for row in rows:
        if row.unpaid <= 0:
            row.status = InstallmentStatus.PAID
        elif on > row.due_by:
            row.status = InstallmentStatus.MISSED
        elif row.paid > 0:
            row.status = InstallmentStatus.PARTLY_PAID
        else:
            row.status = InstallmentStatus.DUE
    return standing


# ---- the "equal monthly installments" helper ------------------------------------------------


class EqualSplitIn(SQLModel):
    total: Decimal = Field(gt=Decimal(0), max_digits=14, decimal_places=2)
    count: int = Field(ge=1, le=MAX_INSTALLMENTS)
    first_due: date


def equal_installments(total: Decimal, count: int, first_due: date) -> list[tuple[date, Decimal]]:
    """``count`` monthly installments from ``first_due`` (the same day each month, else the
    month's last day): equal amounts rounded down to the fen, the remainder on the last one."""
    share = (total / count).quantize(FEN, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return [(add_months(first_due, n), amount) for n, amount in enumerate(amounts)]


# ---- promises to pay ------------------------------------------------------------------------


def promise_dates(first: date, repeat: PromiseRepeat | None, times: int) -> list[date]:
    """The dates of a promise repeated ``times`` times (one date when it does not repeat)."""
    if repeat is None:
        return [first]
    if repeat == PromiseRepeat.WEEKLY:
        return [first + timedelta(weeks=n) for n in range(times)]
    return [add_months(first, n) for n in range(times)]


@dataclass(frozen=True)
class PromiseTerm:
    id: int
    made_on: date
    due_on: date
    amount: Decimal


@dataclass
class PromiseStanding:
    id: int
    amount: Decimal
    deadline: date  # the last day money counts: promised date + grace
    paid: Decimal = ZERO
    kept_on: date | None = None
    status: PromiseStatus = PromiseStatus.OPEN

    @property
    def unpaid(self) -> Decimal:
        return max(self.amount - self.paid, ZERO)

    @property
    def broken_on(self) -> date:
        return self.deadline + timedelta(days=1)


def match_promises(
    promises: Iterable[PromiseTerm],
    receipts: Iterable[Receipt],
    *,
    on: date,
    grace: int = PROMISE_GRACE_DAYS,
) -> dict[int, PromiseStanding]:
    """Each promise's standing on ``on`` (see the module's rules), by promise id."""
    dated = sorted(
        (r for r in receipts if r.received_on <= on), key=lambda r: (r.received_on, r.payment_id)
    )
    left = {r.payment_id: r.amount for r in dated}  # what each payment still has to give
    out: dict[int, PromiseStanding] = {}
    for p in sorted(promises, key=lambda p: (p.due_on, p.id)):
        row = PromiseStanding(id=p.id, amount=p.amount, deadline=p.due_on + timedelta(days=grace))
        for r in dated:
            if row.unpaid == 0:
                break
            if not p.made_on <= r.received_on <= row.deadline or left[r.payment_id] == 0:
                continue
            part = min(left[r.payment_id], row.unpaid)
            left[r.payment_id] -= part
            row.paid += part
            if row.unpaid == 0:
                row.kept_on = r.received_on
        if row.unpaid == 0:
            row.status = PromiseStatus.KEPT
        elif on > row.deadline:
            row.status = PromiseStatus.BROKEN
        out[p.id] = row
    return out
