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
    "repayment_plan": N_("Repayment plan"),
    "plan_installment": N_("Installment"),
    "promise": N_("Promise to pay"),
    "case_message": N_("Message"),
    "fee_request": N_("Fee request"),
    "fee_expense": N_("Fee request expense"),
    "engagement": N_("Engagement"),
    "case_deadline": N_("Deadline added by hand"),
    "deadline_outcome": N_("Deadline outcome"),
    "delivery": N_("Delivery of a letter"),
    "writeoff_application": N_("Write-off application"),
    "writeoff_evidence": N_("Write-off evidence"),
    "writeoff_step": N_("Write-off approval step"),
}
# Column names as shown in the audit trail (entries keep the raw column names).
AUDIT_FIELD_LABELS = {
    "owner_id": N_("Owner"),
    "done": N_("Done"),
    "deadline_kind": N_("Deadline"),
    "subject": N_("Concerning"),
    "case_deadline_id": N_("Deadline added by hand"),
    "outcome": N_("Outcome"),
    "run_id": N_("Bulk run"),
    "carrier": N_("Carrier"),
    "tracking_no": N_("Tracking number"),
    "sent_on": N_("Sent on"),
    "outcome_on": N_("Outcome date"),
    "signer": N_("Signed for by"),
    "outcome_note": N_("Outcome note"),
    "key_date_id": N_("Key date"),
    "sent_event_id": N_("Timeline entry of the sending"),
    "outcome_event_id": N_("Timeline entry of the outcome"),
    "outcome_by_id": N_("Outcome recorded by"),
    "outcome_at": N_("Outcome recorded at"),
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
    # recoveries and fees
    "asset_description": N_("Asset taken in settlement"),
    "confirmed_by_id": N_("Confirmed by"),
    "confirmed_at": N_("Confirmed at"),
    "rejected_reason": N_("Reason for rejecting"),
    "engagement_id": N_("Engagement"),
    "fee_amount": N_("Fee"),
    "expenses_amount": N_("Expenses"),
    "computation": N_("Computation"),
    "requested_by_id": N_("Requested by"),
    "requested_at": N_("Requested at"),
    "approved_by_id": N_("Approved by"),
    "approved_at": N_("Approved at"),
    "rejected_by_id": N_("Rejected by"),
    "rejected_at": N_("Rejected at"),
    "rejection_reason": N_("Reason for rejecting"),
    "paid_by_id": N_("Paid by"),
    "paid_at": N_("Paid at"),
    "paid_on": N_("Paid on"),
    "paid_reference": N_("Bank reference of the payment"),
    "fee_request_id": N_("Fee request"),
    "description": N_("Description"),
    "spent_on": N_("Date spent"),
    "receipt_id": N_("Receipt"),
    "id": N_("ID"),
    # the firms' portal: progress steps, typed files, case messages
    "step": N_("Progress step"),
    "court_case_no": N_("Court case number"),
    "seized_asset": N_("Seized or frozen"),
    "doc_type": N_("Type of document"),
    "author_id": N_("Author"),
    "side": N_("Side"),
    "body": N_("Message"),
    "read_by_firm_at": N_("Read by the firm at"),
    "read_by_legal_at": N_("Read by the legal department at"),
    # engagements (委托代理)
    "framework_agreement_id": N_("Framework agreement"),
    "lead_lawyer_id": N_("Lead lawyer"),
    "scope_non_litigation": N_("Scope: before suit"),
    "scope_litigation": N_("Scope: litigation"),
    "scope_enforcement": N_("Scope: enforcement"),
    "starts_on": N_("Starts on"),
    "ends_on": N_("Ends on"),
    "authority": N_("Mandate"),
    "authority_note": N_("Powers granted"),
    "matter_type": N_("Matter"),
    "claim_amount": N_("Claim the fee is computed on"),
    "fee_kind": N_("Fee arrangement"),
    "fee_terms": N_("Fee terms"),
    "expenses_note": N_("Expenses"),
    "terms_pending": N_("Terms still to be entered"),
    "cap_override_reason": N_("Cap override: reason"),
    "cap_override_by_id": N_("Cap override: by"),
    "cap_override_at": N_("Cap override: at"),
    "end_reason": N_("Reason for ending"),
    # repayment plans and promises to pay
    "agreement_no": N_("Agreement number"),
    "document_id": N_("Agreement"),
    "acceleration_basis": N_("If an installment is missed"),
    "interest_waived": N_("Interest waived"),
    "penalty_waived": N_("Penalty waived"),
    "waiver_approved_by_id": N_("Waiver approved by"),
    "waiver_note": N_("Approval note"),
    "state": N_("State"),
    "accelerated_on": N_("Whole balance due since"),
    "accelerated_balance": N_("Balance declared due"),
    "accelerated_demand_on": N_("Demand to pay (催告) made on"),
    "accelerated_note": N_("Acceleration note"),
    "accelerated_by_id": N_("Accelerated by"),
    "accelerated_at": N_("Accelerated at"),
    "cancel_reason": N_("Reason for cancelling"),
    "cancelled_by_id": N_("Cancelled by"),
    "cancelled_at": N_("Cancelled at"),
    "plan_id": N_("Repayment plan"),
    "no": N_("Installment"),
    "due_on": N_("Due on"),
    "made_on": N_("Made on"),
    "seq": N_("Payment no."),
    "times": N_("Number of payments"),
    "repeat": N_("Repeats"),
    "resolution_note": N_("Follow-up"),
    "resolved_by_id": N_("Followed up by"),
    "resolved_at": N_("Followed up at"),
    # write-offs (核销)
    "reason": N_("Reason"),
    "regime": N_("Rules followed"),
    "reason_detail": N_("Why the debt is lost"),
    "legal_opinion": N_("Legal opinion"),
    "legal_opinion_attachment_id": N_("Legal opinion file"),
    "amount_entered": N_("Amount entered by hand"),
    "amount_note": N_("Why the amount differs"),
    "computed_amount": N_("Computed amount"),
    "computed_on": N_("Computed on"),
    "annual_revenue": N_("Annual revenue"),
    "chain": N_("Approval chain"),
    "round_no": N_("Submission no."),
    "version": N_("Version"),
    "applicant_id": N_("Applicant"),
    "submitted_at": N_("Submitted at"),
    "decided_at": N_("Decided at"),
    "written_off_on": N_("Written off on"),
    "withdrawn_at": N_("Withdrawn at"),
    "application_id": N_("Write-off application"),
    "item": N_("Checklist item"),
    "evidence_id": N_("Evidence"),
    "step_no": N_("Approval step"),
    "role": N_("Role"),
    "decision": N_("Decision"),
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


def private_files(session: Session, actor: User | None, case_id: int) -> set[int]:
    """Files on the case that ``actor`` may not open although they see the case: for outside
    counsel, the expense receipts another firm filed with its fee requests (a firm's fees and
    expenses are between it and the company, not the next firm's business)."""
    if actor is None or actor.role != Role.COUNSEL:
        return set()
    from cases.settlement.models import FeeExpense, FeeRequest  # settlement builds on register

    return set(
        session.exec(
            select(FeeExpense.receipt_id)
            .join(FeeRequest, FeeRequest.id == FeeExpense.fee_request_id)
            .where(FeeRequest.case_id == case_id, FeeRequest.firm_id != actor.firm_id)
        )
    )


def load(session: Session, case: Case, actor: User | None = None) -> CaseFile:
    """Everything the case file page shows, for a case the actor may see (without the files
    ``private_files`` keeps from them)."""
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
    hidden = private_files(session, actor, case.id)
    documents = [a for a in documents if a.id not in hidden]

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


def case_attachment(
    session: Session, case: Case, attachment_id: int, actor: User | None = None
) -> Attachment:
    """A file kept on this very case and open to ``actor``; any other id is ``NotFound``."""
    attachment = session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.case_id != case.id
        or attachment.id in private_files(session, actor, case.id)
    ):
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
