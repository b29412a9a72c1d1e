"""Recording deliveries one at a time: the sending, its outcome, the receipt, and undo.

Each operation takes the acting user, checks ``delivery.record``, validates, flushes and leaves
the commit to the caller. The case is loaded by the caller through ``policies`` (so another
firm's counsel never gets here); a delivery is loaded through its case (``get_delivery``).

Recording an outcome that reached the debtor (signed for, or refused) adds a DEMAND_DELIVERED
key date on that day — the limitation period restarts (``cases.delivery.rules``) — and a
timeline entry saying what changed; undoing the delivery removes both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import BUSINESS_TZ, business_time, utcnow
from cases.delivery import narrative
from cases.delivery.models import (
    DEMAND_TEMPLATES,
    TRANSITIONS,
    Carrier,
    Delivery,
    OutcomeCreate,
    SendingCreate,
)
from cases.delivery.rules import (
    LimitationChange,
    changes,
    interrupts,
    limitation_snapshot,
)
from cases.documents.archive import GeneratedDocument
from cases.documents.bulk import BulkRunItem
from cases.errors import N_, DomainError, NotFound, ValidationError
from cases.register import keydates, policies
from cases.register.keydates import KeyDate, KeyDateKind
from cases.register.models import Case
from cases.register.operations import touch
from cases.timeline.models import Attachment, Channel, Event, EventKind
from cases.timeline.operations import attach_file
from cases.timeline.storage import FileStore
from cases.users.models import User
from cases.validation import parse

ALREADY_RECORDED = N_("This tracking number is already recorded for this carrier.")


@dataclass
class Recorded:
    """What recording an outcome (or undoing a delivery) did to the case."""

    delivery: Delivery
    key_date: KeyDate | None = None
    changes: list[LimitationChange] = field(default_factory=list)


@dataclass(frozen=True)
class Receipt:
    """An uploaded signed receipt (回执) or carrier's proof, not yet checked."""

    filename: str
    data: bytes


# ---- reading -----------------------------------------------------------------------------------


def get_delivery(session: Session, case: Case, delivery_id: int) -> Delivery:
    """A delivery of ``case``; any other id is ``NotFound`` (another case's too)."""
    row = session.get(Delivery, delivery_id)
    if row is None or row.case_id != case.id:
        raise NotFound(N_("No such delivery on this case."))
    return row


def deliveries_of(session: Session, case_id: int) -> list[Delivery]:
    """The case's deliveries, latest sending first."""
    stmt = (
        select(Delivery)
        .where(Delivery.case_id == case_id)
        .order_by(Delivery.sent_on.desc(), Delivery.id.desc())
    )
    return list(session.exec(stmt))


def demand_letters(session: Session, case_id: int) -> list[GeneratedDocument]:
    """The demand letters generated on the case (律师函, 催收通知书), newest first."""
    stmt = (
        select(GeneratedDocument)
        .where(
            GeneratedDocument.case_id == case_id,
            GeneratedDocument.template.in_(DEMAND_TEMPLATES),
        )
        .order_by(GeneratedDocument.created_at.desc(), GeneratedDocument.id.desc())
    )
    return list(session.exec(stmt))


def tracking_taken(session: Session, carrier: Carrier, numbers: list[str]) -> dict[str, Delivery]:
    """Deliveries already recorded under these tracking numbers of ``carrier``."""
    found: dict[str, Delivery] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        stmt = select(Delivery).where(Delivery.carrier == carrier, Delivery.tracking_no.in_(chunk))
        found.update((row.tracking_no, row) for row in session.exec(stmt))
    return found


# ---- the sending -------------------------------------------------------------------------------


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=BUSINESS_TZ)


def letter_for(session: Session, case: Case, document_id: int) -> GeneratedDocument:
    """A demand letter generated on ``case``, or a ``ValidationError`` on ``document_id``."""
    doc = session.get(GeneratedDocument, document_id)
    if doc is None or doc.case_id != case.id or doc.template not in DEMAND_TEMPLATES:
        raise ValidationError.single(
            "document_id", N_("Choose a demand letter generated on this case")
        )
    return doc


def check_sent_after(doc: GeneratedDocument | None, sent_on: date) -> None:
    if doc is not None and sent_on < business_time(doc.created_at).date():
        made = business_time(doc.created_at).date()
        raise ValidationError.single(
            "sent_on",
            N_("The letter was generated on %(date)s: it cannot have been sent before"),
            date=made.isoformat(),
        )


def create_sending(
    session: Session,
    actor: User,
    case: Case,
    data: SendingCreate,
    doc: GeneratedDocument | None,
    run_id: int | None = None,
) -> Delivery:
    """Store a checked sending and its timeline entry (the checks are the caller's: see
    ``register_sending`` and the bulk import)."""
    if doc is not None and run_id is None:
        run_id = session.exec(
            select(BulkRunItem.run_id).where(BulkRunItem.document_id == doc.id)
        ).first()
    row = Delivery.model_validate(
        data.model_dump(exclude={"title", "document_id"}),
        update={
            "case_id": case.id,
            "document_id": doc.id if doc else None,
            "title": doc.title if doc else data.title,
            "run_id": run_id,
            "created_by_id": actor.id,
        },
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request recorded the same number between our check and this insert.
        raise ValidationError.single("tracking_no", ALREADY_RECORDED) from None
    event = Event(
        case_id=case.id,
        kind=EventKind.DOCUMENT,
        channel=Channel.LETTER,
        occurred_at=_noon(row.sent_on),
        actor_id=actor.id,
        summary=narrative.sent_text(row),
    )
    session.add(event)
    session.flush()
    row.sent_event_id = event.id
    touch(case)
    session.flush()
    return row


def register_sending(
    session: Session, actor: User, case: Case, data: SendingCreate | dict[str, Any]
) -> Delivery:
    """A demand posted to the debtor: the letter (generated on the case, or another document
    by its title), carrier, tracking number and the day it was sent."""
    policies.require(actor, "delivery.record")
    data = parse(SendingCreate, data)
    doc = letter_for(session, case, data.document_id) if data.document_id is not None else None
    check_sent_after(doc, data.sent_on)
    if tracking_taken(session, data.carrier, [data.tracking_no]):
        raise ValidationError.single("tracking_no", ALREADY_RECORDED)
    return create_sending(session, actor, case, data, doc)


# ---- the outcome -------------------------------------------------------------------------------


def check_outcome(delivery: Delivery, data: OutcomeCreate) -> None:
    """Refuse a second outcome, and an outcome dated before the sending."""
    if (delivery.status, data.status) not in TRANSITIONS:
        raise DomainError(
            N_(
                "The outcome of this delivery is already recorded. To correct it, undo the "
                "delivery and record it again."
            )
        )
    if data.outcome_on < delivery.sent_on:
        raise ValidationError.single(
            "outcome_on",
            N_("This is before the letter was sent (%(date)s)"),
            date=delivery.sent_on.isoformat(),
        )


def apply_outcome(
    session: Session, actor: User, case: Case, delivery: Delivery, data: OutcomeCreate
) -> Recorded:
    """Set a checked outcome, its key date (when it reached the debtor) and timeline entry."""
    before = limitation_snapshot(session, case)
    delivery.status = TRANSITIONS[delivery.status, data.status]
    delivery.outcome_on = data.outcome_on
    delivery.signer = data.signer
    delivery.outcome_note = data.note
    delivery.outcome_by_id = actor.id
    delivery.outcome_at = utcnow()
    key_date = None
    if interrupts(delivery.status):
        key_date = keydates.add_key_date(
            session,
            actor,
            case,
            {
                "kind": KeyDateKind.DEMAND_DELIVERED,
                "on": data.outcome_on,
                "note": narrative.key_date_note(delivery),
            },
        )
        delivery.key_date_id = key_date.id
    session.add(delivery)
    found = changes(before, limitation_snapshot(session, case))
    event = Event(
        case_id=case.id,
        kind=EventKind.DOCUMENT,
        channel=Channel.LETTER,
        occurred_at=_noon(data.outcome_on),
        actor_id=actor.id,
        summary=narrative.outcome_text(delivery, found)[:4000],
    )
    session.add(event)
    session.flush()
    delivery.outcome_event_id = event.id
    touch(case)
    session.flush()
    return Recorded(delivery, key_date, found)


def record_outcome(
    session: Session,
    actor: User,
    case: Case,
    delivery: Delivery,
    data: OutcomeCreate | dict[str, Any],
) -> Recorded:
    """Signed for, refused or returned, on a day. Signed for and refused interrupt the
    limitation period (诉讼时效规定 第八条); returned does not."""
    policies.require(actor, "delivery.record")
    data = parse(OutcomeCreate, data)
    check_outcome(delivery, data)
    return apply_outcome(session, actor, case, delivery, data)


def record_delivery(
    session: Session,
    actor: User,
    case: Case,
    sending: SendingCreate | dict[str, Any],
    outcome: OutcomeCreate | dict[str, Any] | None = None,
) -> Recorded:
    """The sending and, when known already, its outcome in one go. Every field of both is
    checked before anything is stored."""
    policies.require(actor, "delivery.record")
    problems: dict[str, Any] = {}
    try:
        sending = parse(SendingCreate, sending)
    except ValidationError as exc:
        problems.update(exc.errors)
    if outcome is not None:
        try:
            outcome = parse(OutcomeCreate, outcome)
        except ValidationError as exc:
            problems.update(exc.errors)
    if problems:
        raise ValidationError(problems)
    delivery = register_sending(session, actor, case, sending)
    if outcome is None:
        return Recorded(delivery)
    return record_outcome(session, actor, case, delivery, outcome)


# ---- evidence and undo -------------------------------------------------------------------------


def attach_receipt(
    session: Session,
    actor: User,
    case: Case,
    delivery: Delivery,
    store: FileStore,
    receipt: Receipt,
    *,
    max_bytes: int,
) -> Attachment:
    """Keep the signed receipt (or the carrier's proof of delivery) on the case, on the
    delivery's timeline entry, linked from the delivery. A new receipt replaces the link; the
    earlier file stays among the case's files."""
    policies.require(actor, "delivery.record")
    event_id = delivery.outcome_event_id or delivery.sent_event_id
    event = session.get(Event, event_id) if event_id else None
    attachment = attach_file(
        session,
        actor,
        case,
        store,
        filename=receipt.filename,
        data=receipt.data,
        max_bytes=max_bytes,
        event=event,
    )
    delivery.receipt_id = attachment.id
    session.add(delivery)
    session.flush()
    return attachment


def remove_delivery(session: Session, actor: User, case: Case, delivery: Delivery) -> Recorded:
    """Undo a wrong record: the delivery, its key date and its timeline entries go (the audit
    trail keeps them); an uploaded receipt stays among the case's files."""
    policies.require(actor, "delivery.record")
    before = limitation_snapshot(session, case)
    key_date_id = delivery.key_date_id
    events = [e for e in (delivery.sent_event_id, delivery.outcome_event_id) if e is not None]
    if events:
        for attachment in session.exec(select(Attachment).where(Attachment.event_id.in_(events))):
            attachment.event_id = None
            session.add(attachment)
    session.delete(delivery)
    session.flush()
    if key_date_id is not None and session.get(KeyDate, key_date_id) is not None:
        keydates.remove_key_date(session, actor, case, key_date_id)
    for event_id in events:
        event = session.get(Event, event_id)
        if event is not None:
            session.delete(event)
    touch(case)
    session.flush()
    return Recorded(delivery, None, changes(before, limitation_snapshot(session, case)))
