"""Fee requests: counsel (or legal) request → legal approves or rejects → finance pays.

Each operation takes the acting user, checks its capability (``fee.request``,
``fee.approve``, ``fee.pay``), follows ``TRANSITIONS`` and flushes; the caller commits. The
audit hook records every change. A request's fee is computed (``cases.settlement.compute``),
never typed; expenses come with a receipt each, kept among the case's files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.base import business_time, utcnow
from cases.engagements.models import Engagement
from cases.errors import N_, DomainError, Message, ValidationError
from cases.money import to_fen
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.settlement.compute import FeeDue
from cases.settlement.models import (
    TRANSITIONS,
    FeeExpense,
    FeePayment,
    FeeRequest,
    FeeRequestCreate,
    FeeRequestStatus,
)
from cases.settlement.queries import case_fee_request, current_fee_due, fee_engagements
from cases.timeline.operations import keep_file
from cases.timeline.storage import FileStore, check_upload
from cases.users.models import User
from cases.validation import parse

REASON_MAX = 1000
Receipt = tuple[str, bytes]  # (file name, content)


REFUSED_MOVES = {
    "approve": N_("Only a fee request awaiting approval can be approved."),
    "reject": N_("Only a fee request awaiting approval can be rejected."),
    "pay": N_("Only an approved fee request can be marked paid."),
}


def _move(row: FeeRequest, action: str) -> FeeRequestStatus:
    try:
        return TRANSITIONS[(row.status, action)]
    except KeyError:
        raise DomainError(REFUSED_MOVES[action]) from None


def choose_engagement(
    session: Session, actor: User, case: Case, engagement_id: int | None
) -> Engagement:
    """The engagement a fee is requested under: the one named, else the case's live one."""
    eligible = fee_engagements(session, actor, case)
    if engagement_id is None:
        if not eligible:
            raise DomainError(N_("No engagement of this case allows a fee request."))
        return eligible[0]
    for engagement in eligible:
        if engagement.id == engagement_id:
            return engagement
    raise ValidationError.single("engagement_id", N_("Choose an engagement of this case"))


def preview(session: Session, actor: User, case: Case, engagement_id: int | None = None) -> FeeDue:
    """What a request made now would ask for (nothing is saved)."""
    policies.require(actor, "fee.request")
    return current_fee_due(session, choose_engagement(session, actor, case, engagement_id))


def request_fee(
    session: Session,
    actor: User,
    case: Case,
    data: FeeRequestCreate | dict[str, Any],
    *,
    receipts: Sequence[Receipt | None] = (),
    store: FileStore | None = None,
    max_bytes: int = 0,
) -> FeeRequest:
    """Ask for the fee due now under the engagement, plus expenses at cost.

    ``receipts[i]`` is the receipt of ``data.expenses[i]``: every expense needs one (checked
    by content like any upload) and they are stored only once everything else is valid.
    Refused when nothing is due and no expense is claimed.
    """
    policies.require(actor, "fee.request")
    errors: dict[str, list[Message]] = {}
    try:
        data = parse(FeeRequestCreate, data)
        rows = len(data.expenses)
    except ValidationError as exc:  # say what is wrong with the receipts too, at once
        errors.update(exc.errors)
        raw = data.model_dump() if isinstance(data, FeeRequestCreate) else data
        rows = len(raw.get("expenses") or [])
    files: list[tuple[str, bytes, str]] = []
    for i in range(rows):
        receipt = receipts[i] if i < len(receipts) else None
        if receipt is None:
            errors[f"expenses.{i}.receipt"] = [Message(N_("Attach the receipt of this expense"))]
            continue
        name, content = receipt
        try:
            files.append((name, content, check_upload(name, content, max_bytes=max_bytes)))
        except ValidationError as exc:
            errors[f"expenses.{i}.receipt"] = [m for msgs in exc.errors.values() for m in msgs]
    if errors:
        raise ValidationError(errors)
    assert isinstance(data, FeeRequestCreate)
    engagement = choose_engagement(session, actor, case, data.engagement_id)
    # one request at a time per engagement (PostgreSQL row lock until commit): the second
    # waits and then deducts the first
    session.execute(
        sa.select(Engagement.id).where(Engagement.id == engagement.id).with_for_update()
    )
    due = current_fee_due(session, engagement)
    expenses_total = sum((e.amount for e in data.expenses), to_fen(0))
    if due.now_due <= 0 and expenses_total <= 0:
        raise DomainError(
            N_(
                "Nothing is due: no fee has been earned on confirmed money since the last "
                "request, and no expense is claimed."
            )
        )
    row = FeeRequest(
        case_id=case.id,
        engagement_id=engagement.id,
        firm_id=engagement.firm_id,
        fee_amount=due.now_due,
        expenses_amount=expenses_total,
        computation=due.as_dict(),
        note=data.note.strip() if data.note and data.note.strip() else None,
        requested_by_id=actor.id,
        requested_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if files and store is None:
        raise ValueError("receipts need a file store")
    for expense, (name, content, content_type) in zip(data.expenses, files, strict=True):
        assert store is not None
        receipt = keep_file(session, actor, case, store, name, content, content_type)
        session.add(
            FeeExpense(
                case_id=case.id,
                fee_request_id=row.id,
                description=expense.description.strip(),
                amount=expense.amount,
                spent_on=expense.spent_on,
                receipt_id=receipt.id,
            )
        )
    touch(case)
    session.flush()
    return row


def approve_fee_request(
    session: Session, actor: User, case: Case, fee_request_id: int
) -> FeeRequest:
    """Legal approves the request as computed; never one they made themselves."""
    policies.require(actor, "fee.approve")
    row = case_fee_request(session, case, fee_request_id, lock=True)
    new = _move(row, "approve")
    if row.requested_by_id == actor.id:
        raise DomainError(N_("A fee request must be approved by someone other than its requester."))
    row.status = new
    row.approved_by_id, row.approved_at = actor.id, utcnow()
    session.add(row)
    touch(case)
    session.flush()
    return row


def reject_fee_request(
    session: Session, actor: User, case: Case, fee_request_id: int, reason: str
) -> FeeRequest:
    """Legal refuses the request, saying why; its fee no longer counts against later ones."""
    policies.require(actor, "fee.approve")
    row = case_fee_request(session, case, fee_request_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.single("reason", N_("Say why the fee request is rejected"))
    if len(reason) > REASON_MAX:
        raise ValidationError.single(
            "reason", N_("At most %(max_length)s characters"), max_length=REASON_MAX
        )
    row.status = _move(row, "reject")
    row.rejected_by_id, row.rejected_at, row.rejection_reason = actor.id, utcnow(), reason
    session.add(row)
    touch(case)
    session.flush()
    return row


def pay_fee_request(
    session: Session,
    actor: User,
    case: Case,
    fee_request_id: int,
    data: FeePayment | dict[str, Any],
) -> FeeRequest:
    """Finance records the payment of an approved request (date and bank reference)."""
    policies.require(actor, "fee.pay")
    row = case_fee_request(session, case, fee_request_id, lock=True)
    new = _move(row, "pay")
    data = parse(FeePayment, data)
    if data.paid_on < business_time(row.requested_at).date():
        raise ValidationError.single("paid_on", N_("A fee cannot be paid before it was requested"))
    row.status = new
    row.paid_by_id, row.paid_at = actor.id, utcnow()
    row.paid_on, row.paid_reference = data.paid_on, data.paid_reference.strip()
    session.add(row)
    touch(case)
    session.flush()
    return row
