"""The write-off packet (核销申请材料) of one application: what its PDF shows.

``build(session, actor, application)`` reads everything the packet holds into plain, frozen
data (no ORM row reaches a template): the cover (creditor, debtor, amount in figures and
capitals, the reason and the provision it follows — 财金〔2017〕90号 for banks, 国家税务总局公告
2011年第25号 for other enterprises), the application form (reason detail, the amount and the
computation kept with it, the legal opinion), the case summary (parties, claims, balance on the
day, stage history, handler, firm and engagements), the timeline in order, the recovery
history (confirmed money only; money received on or after the day the debt was written off is
recovery of written-off debt, 核销后收回), the evidence index (the reason's checklist, each item
with the files or evidence rows covering it and its status) and the approval sheet (every step
of every round: role, name, decision, reason, time in China Standard Time).

Every evidence file is numbered in the index (``Proof.no``), the number its copy carries in
the zip (``packet_zip``). ``safe_name`` makes a user's file name safe for a zip: Chinese kept,
separators, control and format characters replaced, so no name leaves its folder.
``latest_application`` picks the application a case's packet is printed from.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from cases.base import business_time, today, utcnow
from cases.engagements.models import ENGAGEMENT_STATUS_LABELS
from cases.engagements.operations import visible_engagements
from cases.errors import N_
from cases.figures import Figure
from cases.interest.lpr import load_series
from cases.ledger.models import (
    PAYMENT_EVENT_LABELS,
    PAYMENT_METHOD_LABELS,
    Payment,
    PaymentStatus,
)
from cases.money import rmb_upper, to_fen
from cases.parties.models import PARTY_KIND_LABELS, Party, PartyKind
from cases.register import casefile, statement
from cases.register.models import LABELS, Case, Evidence
from cases.register.stages import STAGE_LABELS, Stage
from cases.timeline.models import CHANNEL_LABELS, EVENT_LABELS, Attachment, EventKind
from cases.users.models import LawFirm, User
from cases.writeoffs.models import (
    DECISION_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    Decision,
    WriteOffApplication,
    WriteOffStatus,
)
from cases.writeoffs.queries import (
    AWAITING,
    all_steps,
    approval_sheet,
    checklist_rows,
    computation_figure,
)
from cases.writeoffs.reasons import (
    BANK_RULES,
    REGIME_LABELS,
    RULES,
    TAX_NOTICE,
    Regime,
    small_item_limit,
)

ZERO = Decimal("0.00")
APPLICANT_LABEL = N_("Legal department (applicant)")
SMALL_ITEM_RULE = f"{TAX_NOTICE} 第二十四条"

# Per checklist item: what the packet holds for it.
PROVIDED = N_("Provided")
ON_PAPER = N_("Provided on paper (no file)")
MISSING = N_("Missing")


# ---- the packet as plain data -----------------------------------------------------------------


@dataclass(frozen=True)
class FileRef:
    """A file of the case the packet cites."""

    attachment_id: int
    name: str  # the user's file name, as uploaded
    size: int
    sha256: str  # recorded at upload
    content_type: str
    uploaded_at: datetime  # China Standard Time
    stored_name: str


@dataclass(frozen=True)
class Proof:
    """One file or evidence row given for a checklist item; ``no`` numbers it in the index and
    names it in the zip (``evidence/NN-…``)."""

    no: int
    item_key: str
    file: FileRef | None
    evidence_title: str | None = None  # when an evidence row of the case covers the item
    evidence_original: bool | None = None

    @property
    def zip_path(self) -> str | None:
        if self.file is None:
            return None
        return f"evidence/{self.no:02d}-{self.item_key}-{safe_name(self.file.name)}"


@dataclass(frozen=True)
class IndexRow:
    no: int
    key: str
    label: str  # msgid
    proofs: tuple[Proof, ...]

    @property
    def status(self) -> str:
        if any(p.file is not None for p in self.proofs):
            return PROVIDED
        return ON_PAPER if self.proofs else MISSING

    @property
    def covered(self) -> bool:
        return bool(self.proofs)


@dataclass(frozen=True)
class PartyLine:
    role: str  # msgid
    name: str
    kind: str  # msgid
    identifier: str
    note: str = ""  # a guarantor's kind of guarantee and limit (msgid)
    limit: Decimal | None = None


@dataclass(frozen=True)
class ClaimLine:
    contract_ref: str
    title: str
    kind: str  # msgid
    principal: Decimal
    due_date: date
    principal_due: Decimal
    interest_due: Decimal
    total_due: Decimal


@dataclass(frozen=True)
class EngagementLine:
    firm: str
    lead_lawyer: str
    starts_on: date
    ends_on: date | None
    status: str  # msgid


@dataclass(frozen=True)
class StageLine:
    at: datetime
    from_stage: str | None  # msgid
    to_stage: str  # msgid
    actor: str
    note: str | None


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    kind: str  # msgid
    actor: str
    text: str
    text_is_msgid: bool = False  # a label the operation wrote (stage, payment event)
    channel: str | None = None  # msgid
    debtor_response: str | None = None
    amount: Decimal | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecoveryLine:
    received_on: date
    amount: Decimal
    payer: str
    method: str  # msgid
    bank_ref: str
    after_writeoff: bool  # recovery of written-off debt (核销后收回)


@dataclass(frozen=True)
class StepLine:
    step_no: int
    role: str  # msgid
    name: str | None = None  # None while the step waits for its decision
    decision: str | None = None  # msgid
    approved: bool | None = None
    reason: str | None = None
    at: datetime | None = None  # China Standard Time


@dataclass(frozen=True)
class RoundLines:
    no: int
    current: bool
    steps: tuple[StepLine, ...]


@dataclass(frozen=True)
class Packet:
    # the application
    application_id: int
    status: WriteOffStatus
    status_label: str  # msgid
    regime: Regime
    regime_label: str  # msgid
    regime_rules: str  # the regulation in Chinese
    reason: str
    reason_label: str  # msgid
    reason_rule: str  # the provision the reason follows, with its article
    reason_detail: str
    legal_opinion: str | None
    opinion_file: FileRef | None
    amount: Decimal
    amount_upper: str  # 人民币大写
    amount_entered: bool
    amount_note: str | None
    computed_amount: Decimal
    computed_on: date
    computed_principal: Decimal | None
    computed_interest: Decimal | None
    computation: Figure | None
    annual_revenue: Decimal | None
    small_item_limit: Decimal | None  # only for small debts (第二十四条)
    applicant: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    written_off_on: date | None
    round_no: int
    # the case
    case_id: int
    case_number: str
    external_ref: str | None
    stage_label: str  # msgid
    case_status_label: str  # msgid
    creditor: str
    creditor_is_bank: bool
    debtor: PartyLine
    guarantors: tuple[PartyLine, ...]
    handler: str | None
    firm: str | None
    engagements: tuple[EngagementLine, ...]
    transferred_on: date | None
    overdue_since: date | None
    overdue_days: int
    claims: tuple[ClaimLine, ...]
    balance_on: date
    principal_due: Decimal
    interest_due: Decimal
    total_due: Decimal
    balance_rule: str
    stage_history: tuple[StageLine, ...]
    timeline: tuple[TimelineLine, ...]
    recoveries: tuple[RecoveryLine, ...]
    index: tuple[IndexRow, ...]
    rounds: tuple[RoundLines, ...]
    prepared_on: date
    prepared_at: datetime = field(default_factory=lambda: business_time(utcnow()))

    @property
    def recovered(self) -> Decimal:
        return sum((r.amount for r in self.recoveries), ZERO)

    @property
    def recovered_after_writeoff(self) -> Decimal:
        return sum((r.amount for r in self.recoveries if r.after_writeoff), ZERO)

    @property
    def proofs(self) -> tuple[Proof, ...]:
        return tuple(p for row in self.index for p in row.proofs)

    @property
    def missing(self) -> tuple[IndexRow, ...]:
        return tuple(row for row in self.index if not row.covered)


# ---- reading ------------------------------------------------------------------------------------


def _file(row: Attachment | None) -> FileRef | None:
    if row is None:
        return None
    return FileRef(
        attachment_id=row.id,
        name=row.original_name,
        size=row.size,
        sha256=row.sha256,
        content_type=row.content_type,
        uploaded_at=business_time(row.uploaded_at),
        stored_name=row.stored_name,
    )


def _index(session: Session, application: WriteOffApplication) -> tuple[IndexRow, ...]:
    rows, no = [], 0
    for item_no, row in enumerate(checklist_rows(session, application), 1):
        proofs = []
        for link in row.links:
            no += 1
            if link.attachment_id is not None:
                proofs.append(
                    Proof(no, row.item.key, _file(session.get(Attachment, link.attachment_id)))
                )
                continue
            evidence = session.get(Evidence, link.evidence_id)
            attachment = (
                session.get(Attachment, evidence.attachment_id)
                if evidence is not None and evidence.attachment_id is not None
                else None
            )
            proofs.append(
                Proof(
                    no,
                    row.item.key,
                    _file(attachment),
                    evidence_title=evidence.title if evidence else None,
                    evidence_original=evidence.is_original if evidence else None,
                )
            )
        rows.append(IndexRow(item_no, row.item.key, row.item.label, tuple(proofs)))
    return tuple(rows)


def _rounds(
    session: Session, application: WriteOffApplication, names: dict[int, str]
) -> tuple[RoundLines, ...]:
    def line(step) -> StepLine:
        return StepLine(
            step_no=step.step_no,
            role=STEP_LABELS[step.role],
            name=names.get(step.actor_id, ""),
            decision=DECISION_LABELS[step.decision],
            approved=step.decision == Decision.APPROVE,
            reason=step.reason,
            at=business_time(step.decided_at),
        )

    earlier: dict[int, list[StepLine]] = {}
    for step in all_steps(session, application.id):
        if step.round_no != application.round_no:
            earlier.setdefault(step.round_no, []).append(line(step))
    rounds = [RoundLines(no, False, tuple(steps)) for no, steps in sorted(earlier.items())]
    if application.round_no:
        current = []
        for row in approval_sheet(session, application):
            if row.step is not None:
                current.append(line(row.step))
            elif application.status in AWAITING:  # positions still to be decided
                current.append(StepLine(row.step_no, STEP_LABELS[row.role]))
        rounds.append(RoundLines(application.round_no, True, tuple(current)))
    return tuple(rounds)


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _party(role: str, party: Party, note: str = "", limit: Decimal | None = None) -> PartyLine:
    identifier = party.uscc if party.kind == PartyKind.COMPANY else party.id_number
    return PartyLine(role, party.name, PARTY_KIND_LABELS[party.kind], identifier or "", note, limit)


def _stage(value: str | None) -> str | None:
    """A stage's label msgid; a value no longer among the stages as it was written."""
    if not value:
        return None
    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


def _timeline(file: casefile.CaseFile) -> tuple[TimelineLine, ...]:
    lines = []
    for entry in reversed(file.timeline):  # oldest first
        event = entry.event
        text, is_msgid, amount = entry.note or "", False, None
        if event.kind == EventKind.STAGE_CHANGE:
            to_stage = _stage(event.to_stage)
            text = entry.note or to_stage or event.summary
            is_msgid = entry.note is None and to_stage is not None
        elif entry.payment is not None:
            amount = entry.payment.amount
            if event.summary in PAYMENT_EVENT_LABELS:
                text, is_msgid = PAYMENT_EVENT_LABELS[event.summary], True
        lines.append(
            TimelineLine(
                at=business_time(event.occurred_at),
                kind=EVENT_LABELS[event.kind],
                actor=entry.actor_name or "",
                text=text,
                text_is_msgid=is_msgid,
                channel=CHANNEL_LABELS[event.channel] if event.channel else None,
                debtor_response=event.debtor_response,
                amount=amount,
                files=tuple(a.original_name for a in entry.attachments),
            )
        )
    return tuple(lines)


def _stage_history(file: casefile.CaseFile) -> tuple[StageLine, ...]:
    lines = []
    for entry in reversed(file.timeline):
        event = entry.event
        if event.kind != EventKind.STAGE_CHANGE or not event.to_stage:
            continue
        lines.append(
            StageLine(
                at=business_time(event.occurred_at),
                from_stage=_stage(event.from_stage),
                to_stage=_stage(event.to_stage),
                actor=entry.actor_name or "",
                note=entry.note,
            )
        )
    return tuple(lines)


def _recoveries(
    payments: Sequence[Payment], written_off_on: date | None
) -> tuple[RecoveryLine, ...]:
    confirmed = sorted(
        (p for p in payments if p.status == PaymentStatus.CONFIRMED),
        key=lambda p: (p.received_on, p.id or 0),
    )
    return tuple(
        RecoveryLine(
            received_on=p.received_on,
            amount=p.amount,
            payer=p.payer,
            method=PAYMENT_METHOD_LABELS[p.method],
            bank_ref=p.bank_ref or "",
            after_writeoff=written_off_on is not None and p.received_on >= written_off_on,
        )
        for p in confirmed
    )


def build(
    session: Session, actor: User, application: WriteOffApplication, *, on: date | None = None
) -> Packet:
    """The packet of ``application``, loaded through ``queries.get_application`` (the caller
    has checked the actor may see its case and print packets)."""
    on = on or today()
    case = session.get(Case, application.case_id)
    file = casefile.load(session, case, actor)
    owed = statement.compute(file.claims, file.payments, on, load_series(session))
    owed_by_claim = {line.claim_id: line for line in owed.claims}
    steps = all_steps(session, application.id)
    names = casefile.user_names(session, [application.applicant_id, *(s.actor_id for s in steps)])
    rule = RULES[application.reason]
    computation = application.computation or {}
    engagements = []
    for engagement in visible_engagements(session, actor, case):
        firm = session.get(LawFirm, engagement.firm_id)
        lawyer = session.get(User, engagement.lead_lawyer_id) if engagement.lead_lawyer_id else None
        engagements.append(
            EngagementLine(
                firm=firm.name if firm else "",
                lead_lawyer=lawyer.name if lawyer else "",
                starts_on=engagement.starts_on,
                ends_on=engagement.ends_on,
                status=ENGAGEMENT_STATUS_LABELS[engagement.status],
            )
        )
    claims = []
    for claim in file.claims:
        line = owed_by_claim[claim.id]
        claims.append(
            ClaimLine(
                contract_ref=claim.contract_ref,
                title=claim.contract_title or "",
                kind=LABELS[f"claim_kind.{claim.kind.value}"],
                principal=claim.principal,
                due_date=claim.due_date,
                principal_due=line.principal_due,
                interest_due=line.interest_due,
                total_due=line.total_due,
            )
        )
    guarantors = tuple(
        _party(
            N_("Guarantor"),
            party,
            LABELS[f"guarantee.{link.kind.value}"],
            link.limit_amount,
        )
        for link, party in file.guarantors
    )
    small = application.reason == "small_overdue_1y"
    return Packet(
        application_id=application.id,
        status=application.status,
        status_label=STATUS_LABELS[application.status],
        regime=application.regime,
        regime_label=REGIME_LABELS[application.regime],
        regime_rules=BANK_RULES if application.regime == Regime.BANK else TAX_NOTICE,
        reason=application.reason.value,
        reason_label=rule.label,
        reason_rule=rule.sources.get(application.regime, ""),
        reason_detail=application.reason_detail,
        legal_opinion=application.legal_opinion,
        opinion_file=_file(
            session.get(Attachment, application.legal_opinion_attachment_id)
            if application.legal_opinion_attachment_id
            else None
        ),
        amount=application.amount,
        amount_upper=rmb_upper(to_fen(application.amount)),
        amount_entered=application.amount_entered,
        amount_note=application.amount_note,
        computed_amount=application.computed_amount,
        computed_on=application.computed_on,
        computed_principal=_decimal(computation.get("principal")),
        computed_interest=_decimal(computation.get("interest")),
        computation=computation_figure(computation),
        annual_revenue=application.annual_revenue,
        small_item_limit=to_fen(small_item_limit(application.annual_revenue)) if small else None,
        applicant=names.get(application.applicant_id, ""),
        created_at=business_time(application.created_at),
        submitted_at=business_time(application.submitted_at) if application.submitted_at else None,
        decided_at=business_time(application.decided_at) if application.decided_at else None,
        written_off_on=application.written_off_on,
        round_no=application.round_no,
        case_id=case.id,
        case_number=case.number,
        external_ref=case.external_ref,
        stage_label=STAGE_LABELS[case.stage],
        case_status_label=LABELS[f"status.{case.status.value}"],
        creditor=file.creditor.name,
        creditor_is_bank=file.creditor.is_bank,
        debtor=_party(N_("Debtor"), file.debtor),
        guarantors=guarantors,
        handler=file.handler.name if file.handler else None,
        firm=file.firm.name if file.firm else None,
        engagements=tuple(engagements),
        transferred_on=case.transferred_on,
        overdue_since=case.overdue_since,
        overdue_days=file.overdue_days(on),
        claims=tuple(claims),
        balance_on=on,
        principal_due=owed.principal_due,
        interest_due=owed.interest_due,
        total_due=owed.total_due,
        balance_rule=owed.rule,
        stage_history=_stage_history(file),
        timeline=_timeline(file),
        recoveries=_recoveries(file.payments, application.written_off_on),
        index=_index(session, application),
        rounds=_rounds(session, application, names),
        prepared_on=on,
    )


# ---- file names ------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[/\\:*?"<>|]')
NAME_LIMIT = 100  # characters of a file name in the zip (the prefix comes on top)


def safe_name(name: str, limit: int = NAME_LIMIT) -> str:
    """A file name that stays in its folder on every system, Chinese kept: only the last path
    component, no control or format characters (a right-to-left override can disguise the
    extension), no separators or characters Windows refuses, no leading or trailing dots or
    blanks, at most ``limit`` characters with the extension kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        return "file"
    if len(name) > limit:
        stem, ext = os.path.splitext(name)
        name = stem[: max(limit - len(ext), 1)] + ext if len(ext) < limit // 2 else name[:limit]
    return name


def latest_application(session: Session, case_id: int) -> WriteOffApplication | None:
    """The application a case's packet is printed from: the newest one not withdrawn, else
    the newest (``None`` without any)."""
    rows = list(
        session.exec(
            select(WriteOffApplication)
            .where(WriteOffApplication.case_id == case_id)
            .order_by(WriteOffApplication.created_at.desc(), WriteOffApplication.id.desc())
        )
    )
    live = [a for a in rows if a.status != WriteOffStatus.WITHDRAWN]
    return (live or rows or [None])[0]
