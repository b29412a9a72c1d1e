"""Money received on a case: recorded by finance, or reported and then confirmed or rejected.

Segregation of duties (issue 5): finance (``payment.confirm``) records money confirmed at
once; legal staff, admins and counsel (``payment.report``) report money, which stays pending
until finance confirms it or rejects it with a reason. Only confirmed money counts
(``cases.ledger.models.CONFIRMED``). Every step puts an entry on the case's timeline (a
``PAYMENT`` event whose summary is a key of ``PAYMENT_EVENT_LABELS``); the audit hook records
the row changes. Operations flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import BUSINESS_TZ, utcnow
from cases.errors import N_, DomainError, NotFound, ValidationError
from cases.ledger.models import Payment, PaymentCreate, PaymentStatus
from cases.register import policies
from cases.register.models import Case, Claim
from cases.register.operations import refresh_totals, touch
from cases.timeline.models import Event, EventKind
from cases.users.models import User
from cases.validation import parse

REASON_MAX = 1000

# (state, action) → new state: the whole life of a payment after it is reported.
TRANSITIONS: dict[tuple[PaymentStatus, str], PaymentStatus] = {
    (PaymentStatus.PENDING, "confirm"): PaymentStatus.CONFIRMED,
    (PaymentStatus.PENDING, "reject"): PaymentStatus.REJECTED,
}


def _event(session: Session, actor: User, payment: Payment, what: str, at: datetime) -> None:
    session.add(
        Event(
            case_id=payment.case_id,
            kind=EventKind.PAYMENT,
            actor_id=actor.id,
            payment_id=payment.id,
            occurred_at=at,
            summary=what,
        )
    )


def _received_at(payment: Payment) -> datetime:
    return datetime.combine(payment.received_on, time(12, 0), tzinfo=BUSINESS_TZ)


def duplicate_of(session: Session, bank_ref: str | None) -> Payment | None:
    """The live (not rejected) payment already carrying ``bank_ref``, on any case."""
    if not bank_ref:
        return None
    return session.exec(
        select(Payment).where(
            Payment.bank_ref == bank_ref, Payment.status != PaymentStatus.REJECTED
        )
    ).first()


def _refuse_duplicate(session: Session, actor: User, other: Payment) -> NoReturn:
    """Name the case the reference is on, unless the actor may not know that case exists."""
    case = session.get(Case, other.case_id)
    if case is not None and policies.may_see(actor, case):
        raise ValidationError.single(
            "bank_ref",
            N_("Bank reference %(ref)s is already recorded on case %(number)s"),
            ref=other.bank_ref,
            number=case.number,
        )
    raise ValidationError.single(
        "bank_ref",
        N_("Bank reference %(ref)s is already recorded on another case"),
        ref=other.bank_ref,
    )


def record_payment(
    session: Session, actor: User, case: Case, data: PaymentCreate | dict[str, Any]
) -> Payment:
    """Money received on ``case``: confirmed at once when finance records it, else pending.

    Refused: a claim of another case; a bank reference already on a payment not rejected
    (named with its case). An asset taken in settlement needs its description.
    """
    confirming = policies.can(actor, "payment.confirm")
    if not confirming:
        policies.require(actor, "payment.report")
    data = parse(PaymentCreate, data)
    if data.claim_id is not None:
        claim = session.get(Claim, data.claim_id)
        if claim is None or claim.case_id != case.id:
            raise ValidationError.single("claim_id", N_("That claim is not on this case"))
    other = duplicate_of(session, data.bank_ref)
    if other is not None:
        _refuse_duplicate(session, actor, other)
    now = utcnow()
    payment = Payment.model_validate(
        data,
        update={
            "case_id": case.id,
            "recorded_by_id": actor.id,
            "status": PaymentStatus.CONFIRMED if confirming else PaymentStatus.PENDING,
            "confirmed_by_id": actor.id if confirming else None,
            "confirmed_at": now if confirming else None,
        },
    )
    try:
        with session.begin_nested():  # two people typing the same reference at once
            session.add(payment)
            session.flush()
    except sa.exc.IntegrityError:
        other = duplicate_of(session, data.bank_ref)
        if other is None:
            raise
        _refuse_duplicate(session, actor, other)
    if confirming:
        refresh_totals(session, case)
    touch(case)
    _event(session, actor, payment, "recorded" if confirming else "reported", _received_at(payment))
    session.flush()
    return payment


def case_payment(session: Session, case: Case, payment_id: int, *, lock: bool = False) -> Payment:
    """A payment of this very case; any other id is ``NotFound``. ``lock``: row-locked until
    commit (PostgreSQL), so that two clicks cannot both decide on it."""
    payment = session.get(Payment, payment_id, with_for_update=lock)
    if payment is None or payment.case_id != case.id:
        raise NotFound(N_("No such payment."))
    return payment


def _move(payment: Payment, action: str) -> PaymentStatus:
    try:
        return TRANSITIONS[(payment.status, action)]
    except KeyError:
        raise DomainError(
            N_("Only a payment awaiting confirmation can be confirmed or rejected.")
        ) from None


def confirm_payment(session: Session, actor: User, case: Case, payment_id: int) -> Payment:
    """Finance confirms reported money as it appears on the bank statement: from now on it
    counts in the totals, the statement, the limitation period and contingency fees."""
    policies.require(actor, "payment.confirm")
    payment = case_payment(session, case, payment_id, lock=True)
    payment.status = _move(payment, "confirm")
    payment.confirmed_by_id = actor.id
    payment.confirmed_at = now = utcnow()
    session.add(payment)
    refresh_totals(session, case)
    touch(case)
    _event(session, actor, payment, "confirmed", now)
    session.flush()
    return payment


def reject_payment(
    session: Session, actor: User, case: Case, payment_id: int, reason: str
) -> Payment:
    """Finance refuses reported money (not received, wrong amount …), saying why. A rejected
    payment never counts; its bank reference may be used again."""
    policies.require(actor, "payment.confirm")
    payment = case_payment(session, case, payment_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.single("reason", N_("Say why the payment is rejected"))
    if len(reason) > REASON_MAX:
        raise ValidationError.single(
            "reason", N_("At most %(max_length)s characters"), max_length=REASON_MAX
        )
    payment.status = _move(payment, "reject")
    payment.rejected_reason = reason
    session.add(payment)
    touch(case)
    _event(session, actor, payment, "rejected", utcnow())
    session.flush()
    return payment
