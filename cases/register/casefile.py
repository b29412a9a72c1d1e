"""Reading one case file: everything its page shows, loaded in a handful of queries.

The caller has already checked that the actor may see the case (``policies``); these helpers
only read and never change anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.audit.models import AuditAction, AuditEntry
from cases.audit.queries import for_case
from cases.base import today
from cases.errors import N_, NotFound
from cases.ledger.models import Payment
from cases.parties.models import Contact, Creditor, Party
from cases.register.aging import AGING_LABELS, bucket_for, overdue_days
from cases.register.models import Case, CaseGuarantor, Claim, Evidence
from cases.register.operations import tag_names
from cases.register.stages import STAGE_LABELS, Stage
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import LawFirm, Role, User

AUDIT_ACTION_LABELS = {
    AuditAction.CREATE: N_("Created"),
    AuditAction.UPDATE: N_("Changed"),
    AuditAction.DELETE: N_("Deleted"),
}
AUDIT_ENTITY_LABELS = {
    "case": N_("Case"),
    "claim": N_("Claim"),
    "case_guarantor": N_("Guarantor"),
    "evidence": N_("Evidence"),
    "case_tag": N_("Tag"),
    "event": N_("Timeline entry"),
    "payment": N_("Payment"),
    "attachment": N_("File"),
    "key_date": N_("Key date"),
    "generated_document": N_("Generated document"),
}
# Column names as shown in the audit trail (entries keep the raw column names).
AUDIT_FIELD_LABELS = {
    "creditor_id": N_("Creditor"),
    "handler_id": N_("Handler"),
    "firm_id": N_("Engaged law firm"),
    "credit_grade": N_("Credit grade"),
    "risk_level": N_("Risk level"),
    "loan_class": N_("Five-category class"),
    "transferred_on": N_("Transferred on"),
    "summary": N_("Summary"),
    "number": N_("Case number"),
    "external_ref": N_("External reference"),
    "debtor_id": N_("Debtor"),
    "stage": N_("Stage"),
    "status": N_("Status"),
    "claimed_principal": N_("Claimed principal"),
    "recovered_amount": N_("Recovered amount"),
    "oldest_due_date": N_("Oldest due date"),
    "overdue_since": N_("Overdue since"),
    "last_activity_at": N_("Last activity"),
    "created_by_id": N_("Created by"),
    "created_at": N_("Created at"),
    "updated_at": N_("Updated at"),
    "closed_on": N_("Closed on"),
    "contract_ref": N_("Contract number"),
    "contract_title": N_("Contract title"),
    "kind": N_("Kind"),
    "principal": N_("Principal"),
    "interest_rate": N_("Interest rate"),
    "interest_basis": N_("Day-count basis"),
    "penalty_rate": N_("Penalty rate"),
    "penalty_terms": N_("Penalty terms"),
    "signed_on": N_("Signed on"),
    "due_date": N_("Due date"),
    "case_id": N_("Case"),
    "party_id": N_("Party"),
    "limit_amount": N_("Guarantee limit"),
    "title": N_("Title"),
    "is_original": N_("Original"),
    "received_on": N_("Date received"),
    "note": N_("Note"),
    "attachment_id": N_("File"),
    "tag_id": N_("Tag"),
    "occurred_at": N_("Occurred at"),
    "channel": N_("Channel"),
    "debtor_response": N_("Debtor's response"),
    "promised_amount": N_("Promised amount"),
    "promised_date": N_("Promised date"),
    "actor_id": N_("Recorded by"),
    "from_stage": N_("From stage"),
    "to_stage": N_("To stage"),
    "payment_id": N_("Payment"),
    "recorded_at": N_("Recorded at"),
    "amount": N_("Amount"),
    "payer": N_("Payer"),
    "method": N_("Method"),
    "bank_ref": N_("Bank reference"),
    "claim_id": N_("Claim"),
    "recorded_by_id": N_("Recorded by"),
    "event_id": N_("Timeline entry"),
    "original_name": N_("File name"),
    "stored_name": N_("Stored name"),
    "content_type": N_("Content type"),
    "size": N_("Size"),
    "sha256": N_("SHA-256 checksum"),
    "uploaded_by_id": N_("Uploaded by"),
    "uploaded_at": N_("Uploaded at"),
    "on": N_("Date"),
    "template": N_("Template"),
    "template_version": N_("Template version"),
    "revision": N_("Revision"),
    "context": N_("Filled-in data"),
    "pdf_attachment_id": N_("PDF file"),
    "id": N_("ID"),
}


@dataclass
class TimelineEntry:
    event: Event
    actor_name: str | None
    attachments: list[Attachment]
    payment: Payment | None = None

    @property
    def note(self) -> str | None:
        """What the user typed on a stage move (the operation fills in a default otherwise)."""
        if self.event.kind != EventKind.STAGE_CHANGE:
            return self.event.summary
        try:
            default = STAGE_LABELS[Stage(self.event.to_stage)]
        except ValueError:
            default = None
        return None if self.event.summary in ("intake", default) else self.event.summary


@dataclass
class AuditRow:
    entry: AuditEntry
    actor_name: str | None


@dataclass
class CaseFile:
    case: Case
    creditor: Creditor
    debtor: Party
    contacts: list[Contact]
    handler: User | None
    firm: LawFirm | None
    tags: list[str]
    claims: list[Claim]
    guarantors: list[tuple[CaseGuarantor, Party]]
    evidence: list[Evidence]
    timeline: list[TimelineEntry]
    payments: list[Payment]
    documents: list[Attachment]
    names: dict[int, str] = field(default_factory=dict)

    @property
    def principal_total(self) -> Decimal:
        return sum((claim.principal for claim in self.claims), Decimal("0.00"))

    def overdue_days(self, on: date | None = None) -> int:
        return overdue_days(self.case.overdue_since, on or today())

    def aging(self, on: date | None = None) -> str | None:
        """The aging bucket's label msgid (None without a due date)."""
        bucket = bucket_for(self.case.overdue_since, on or today())
        return AGING_LABELS[bucket] if bucket else None

    def claim_ref(self, claim_id: int | None) -> str:
        return next((c.contract_ref for c in self.claims if c.id == claim_id), "")

    def user_name(self, user_id: int | None) -> str:
        return self.names.get(user_id, "") if user_id is not None else ""


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all())


def load(session: Session, case: Case) -> CaseFile:
    """Everything the case file page shows, for a case the actor may see."""
    claims = list(session.exec(select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)))
    guarantors = list(
        session.exec(
            select(CaseGuarantor, Party)
            .join(Party, Party.id == CaseGuarantor.party_id)
            .where(CaseGuarantor.case_id == case.id)
            .order_by(CaseGuarantor.id)
        ).all()
    )
    evidence = list(
        session.exec(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id))
    )
    events = list(
        session.exec(
            select(Event)
            .where(Event.case_id == case.id)
            .order_by(Event.occurred_at.desc(), Event.id.desc())
        )
    )
    payments = list(
        session.exec(
            select(Payment)
            .where(Payment.case_id == case.id)
            .order_by(Payment.received_on.desc(), Payment.id.desc())
        )
    )
    documents = list(
        session.exec(
            select(Attachment)
            .where(Attachment.case_id == case.id)
            .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
        )
    )

    by_event: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in documents:
        if attachment.event_id is not None:
            by_event[attachment.event_id].append(attachment)
    payment_by_id = {p.id: p for p in payments}
    names = user_names(
        session,
        [
            case.handler_id,
            *(e.actor_id for e in events),
            *(p.recorded_by_id for p in payments),
            *(a.uploaded_by_id for a in documents),
        ],
    )
    timeline = [
        TimelineEntry(
            event,
            names.get(event.actor_id),
            by_event.get(event.id, []),
            payment_by_id.get(event.payment_id),
        )
        for event in events
    ]
    return CaseFile(
        case=case,
        creditor=session.get(Creditor, case.creditor_id),
        debtor=session.get(Party, case.debtor_id),
        contacts=list(
            session.exec(
                select(Contact).where(Contact.party_id == case.debtor_id).order_by(Contact.id)
            )
        ),
        handler=session.get(User, case.handler_id) if case.handler_id else None,
        firm=session.get(LawFirm, case.firm_id) if case.firm_id else None,
        tags=tag_names(session, case.id),
        claims=claims,
        guarantors=guarantors,
        evidence=evidence,
        timeline=timeline,
        payments=payments,
        documents=documents,
        names=names,
    )


def audit_trail(session: Session, case_id: int) -> list[AuditRow]:
    """The case's audit entries, newest first, with the actor's name."""
    entries = for_case(session, case_id)
    names = user_names(session, (e.actor_id for e in entries))
    return [AuditRow(entry, names.get(entry.actor_id)) for entry in entries]


def case_attachment(session: Session, case: Case, attachment_id: int) -> Attachment:
    """A file kept on this very case; any other id is ``NotFound``."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound(N_("No such file."))
    return attachment


@dataclass
class CaseChoices:
    """What the intake and edit forms offer: creditors, handlers and law firms."""

    creditors: list[Creditor]
    handlers: list[User]
    firms: list[LawFirm]


def case_choices(session: Session, *, handler_id: int | None = None) -> CaseChoices:
    """Active legal staff handle cases; a case's current handler is offered too (even if no
    longer active), so that saving its edit form never drops the handler silently."""
    handler_filter = sa.and_(User.role == Role.LEGAL, User.is_active.is_(True))
    if handler_id is not None:
        handler_filter = sa.or_(handler_filter, User.id == handler_id)
    return CaseChoices(
        creditors=list(session.exec(select(Creditor).order_by(Creditor.name))),
        handlers=list(session.exec(select(User).where(handler_filter).order_by(User.name))),
        firms=list(session.exec(select(LawFirm).order_by(LawFirm.name))),
    )
