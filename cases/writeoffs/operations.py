"""Write-off operations: draft, change, submit, decide, withdraw. They flush; the caller commits.

Every change of an application's state first *claims* it (``_claim``): an UPDATE that bumps
``version`` only if it is still the version the actor's session read. Of two decisions made
at the same time on the same step, the second finds the version moved on (or, on SQLite,
the database taken by the first writer) and is refused with ``CHANGED_MEANWHILE``; nothing
of it is written. The caller rolls back, as after any ``DomainError``.

The final approval writes the case off through the stage machine (``Action.WRITE_OFF``, the
move reserved for a completed approval in ``cases.register.stages``): stage 已核销, status
active — 账销案存, the case stays searchable and open to recovery.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from cases.base import today, utcnow
from cases.deadlines import add_months
from cases.errors import N_, DomainError, Message, NotFound, PermissionDenied, ValidationError
from cases.interest.lpr import load_series
from cases.money import to_fen
from cases.parties.models import Creditor
from cases.register import policies
from cases.register.models import Case, CaseStatus, Evidence
from cases.register.operations import touch
from cases.register.stages import STAGE_LABELS, Action, next_stage
from cases.register.statement import case_statement
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import User
from cases.validation import parse
from cases.writeoffs.models import (
    DEFAULT_POLICY,
    OPEN_STATUSES,
    STEP_CAPABILITY,
    TRANSITIONS,
    ApprovalPolicy,
    Decision,
    EvidenceLink,
    WriteOffApplication,
    WriteOffDraft,
    WriteOffEvidence,
    WriteOffStatus,
    WriteOffStep,
)
from cases.writeoffs.queries import round_steps
from cases.writeoffs.reasons import (
    REGIME_LABELS,
    RULES,
    checklist,
    missing_items,
    regime_for,
    small_item_limit,
)

CHANGED_MEANWHILE = N_(
    "Someone else changed this write-off application at the same time; reload it and try again"
)
NOT_ALLOWED_NOW = N_("This write-off application cannot be changed this way now")
ALREADY_OPEN = N_("This case already has a write-off application in progress")
ONLY_APPLICANT = N_("Only the applicant may change, submit or withdraw this application")
OWN_APPLICATION = N_("Nobody may approve their own write-off application")
ALREADY_DECIDED = N_("You have already decided a step of this application")
REASON_NEEDED = N_("Give the reason for rejecting")
REASON_NOT_OPEN = N_("This reason is not open to this creditor (%(regime)s)")
NOT_ON_CHECKLIST = N_("“%(item)s” is not an item of this reason's checklist")
NOT_OF_CASE = N_("The file or evidence item does not belong to this case")
MISSING_ITEM = N_("Missing evidence: %(item)s")
OPINION_NEEDED = N_("Give the legal opinion")
NOTHING_OWED = N_("Nothing is owed on this case: there is nothing to write off")
ABOVE_COMPUTED = N_(
    "The amount cannot exceed the principal outstanding and interest claimed: %(computed)s yuan"
)
AMOUNT_NOTE_NEEDED = N_("Explain why the amount differs from the computed %(computed)s yuan")
OVERDUE_YEARS = N_("The debt has not been overdue for %(years)s years on %(on)s")
OWED_LESS_NOW = N_(
    "Money was received since the application was submitted: %(owed)s yuan is owed today, "
    "less than the %(amount)s yuan to write off. Return it to the applicant to correct the amount"
)
SMALL_ITEM = N_(
    "A small debt is at most %(limit)s yuan (50,000 yuan or 1/10,000 of the annual revenue)"
)


def _next(application: WriteOffApplication, action: str) -> WriteOffStatus:
    try:
        return TRANSITIONS[(application.status, action)]
    except KeyError:
        raise DomainError(NOT_ALLOWED_NOW) from None


def _busy(exc: sa.exc.OperationalError) -> bool:
    """SQLite's answer to a second writer whose snapshot is stale or who waited too long."""
    return getattr(exc.orig, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _claim(
    session: Session, application: WriteOffApplication, expected_version: int | None = None
) -> None:
    """Bump ``version`` if nobody else has since this session read it, or refuse."""
    seen = application.version
    if expected_version is not None and expected_version != seen:
        raise DomainError(CHANGED_MEANWHILE)
    stmt = (
        sa.update(WriteOffApplication)
        .where(WriteOffApplication.id == application.id, WriteOffApplication.version == seen)
        .values(version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    try:
        claimed = session.execute(stmt).rowcount
    except sa.exc.OperationalError as exc:
        if _busy(exc):
            raise DomainError(CHANGED_MEANWHILE) from None
        raise
    if claimed != 1:
        raise DomainError(CHANGED_MEANWHILE)
    set_committed_value(application, "version", seen + 1)


def _case(session: Session, actor: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not policies.may_see(actor, case):
        raise NotFound(N_("No such case."))
    return case


def _require_applicant(actor: User, application: WriteOffApplication) -> None:
    policies.require(actor, "writeoff.apply")
    if actor.id != application.applicant_id:
        raise PermissionDenied(ONLY_APPLICANT)


# ---- drafting -------------------------------------------------------------------------------


def computed_amount(session: Session, case: Case, on: date) -> tuple[Decimal, dict[str, Any]]:
    """Principal outstanding plus interest claimed on ``on``, with its computation (what an
    application writes off unless the applicant enters less)."""
    statement = case_statement(session, case, on, load_series(session))
    figure = statement.total
    computation = {
        "as_of": on.isoformat(),
        "principal": str(statement.principal_due),
        "interest": str(statement.interest_due),
        "total": figure.as_dict(),
    }
    return to_fen(statement.total_due), computation


def _set_amount(
    session: Session,
    application: WriteOffApplication,
    case: Case,
    on: date,
    entered: Decimal | None,
    note: str | None,
) -> None:
    computed, computation = computed_amount(session, case, on)
    if computed <= 0:
        raise ValidationError.single("amount", NOTHING_OWED)
    if entered is not None and entered > computed:
        raise ValidationError.single("amount", ABOVE_COMPUTED, computed=computed)
    differs = entered is not None and entered != computed
    if differs and not note:
        raise ValidationError.single("amount_note", AMOUNT_NOTE_NEEDED, computed=computed)
    application.amount = entered if differs else computed
    application.amount_entered = differs
    application.amount_note = note
    application.computed_amount = computed
    application.computed_on = on
    application.computation = computation


def _check_links(
    session: Session, case: Case, application: WriteOffApplication, data: WriteOffDraft
) -> None:
    keys = {item.key for item in checklist(application.reason, application.regime)}
    errors: dict[str, list[Message]] = {}
    for link in data.evidence:
        if link.item not in keys:
            errors.setdefault("evidence", []).append(Message(NOT_ON_CHECKLIST, item=link.item))
        row = (
            session.get(Attachment, link.attachment_id)
            if link.attachment_id is not None
            else session.get(Evidence, link.evidence_id)
        )
        if row is None or row.case_id != case.id:
            errors.setdefault("evidence", []).append(Message(NOT_OF_CASE))
    if data.legal_opinion_attachment_id is not None:
        row = session.get(Attachment, data.legal_opinion_attachment_id)
        if row is None or row.case_id != case.id:
            errors["legal_opinion_attachment_id"] = [Message(NOT_OF_CASE)]
    if errors:
        raise ValidationError(errors)


def _fill(
    session: Session, application: WriteOffApplication, case: Case, data: WriteOffDraft, on: date
) -> None:
    creditor = session.get(Creditor, case.creditor_id)
    regime = regime_for(bool(creditor and creditor.is_bank))
    if not RULES[data.reason].applies_to(regime):
        raise ValidationError.single(
            "reason", REASON_NOT_OPEN, regime=Message(REGIME_LABELS[regime])
        )
    application.reason = data.reason
    application.regime = regime
    application.reason_detail = data.reason_detail.strip()
    application.legal_opinion = data.legal_opinion
    application.legal_opinion_attachment_id = data.legal_opinion_attachment_id
    application.annual_revenue = data.annual_revenue
    _check_links(session, case, application, data)
    _set_amount(session, application, case, on, data.amount, data.amount_note)


def _set_evidence(
    session: Session, application: WriteOffApplication, links: list[EvidenceLink]
) -> None:
    # Through the ORM, not a bulk DELETE, so that the audit trail sees every change.
    for row in session.exec(
        select(WriteOffEvidence).where(WriteOffEvidence.application_id == application.id)
    ):
        session.delete(row)
    seen: set[tuple[str, int | None, int | None]] = set()
    for link in links:
        key = (link.item, link.attachment_id, link.evidence_id)
        if key in seen:
            continue
        seen.add(key)
        session.add(
            WriteOffEvidence(
                application_id=application.id,
                case_id=application.case_id,
                item=link.item,
                attachment_id=link.attachment_id,
                evidence_id=link.evidence_id,
            )
        )


def _open_application(session: Session, case_id: int) -> int | None:
    """The id of the case's application in the works, if any (one at most:
    ``uq_writeoff_application_open``)."""
    return session.exec(
        select(WriteOffApplication.id).where(
            WriteOffApplication.case_id == case_id,
            WriteOffApplication.status.in_(OPEN_STATUSES),
        )
    ).first()


def _check_stage(case: Case) -> None:
    next_stage(case.stage, Action.WRITE_OFF)  # raises: the stage machine has no such move


def create_application(
    session: Session,
    actor: User,
    case: Case,
    data: WriteOffDraft | dict[str, Any],
    *,
    on: date | None = None,
) -> WriteOffApplication:
    """A draft application for writing ``case`` off, by legal staff."""
    policies.require(actor, "writeoff.apply")
    case = _case(session, actor, case.id)
    data = parse(WriteOffDraft, data)
    _check_stage(case)
    if _open_application(session, case.id) is not None:
        raise DomainError(ALREADY_OPEN)
    application = WriteOffApplication(case_id=case.id, applicant_id=actor.id)
    _fill(session, application, case, data, on or today())
    try:
        with session.begin_nested():  # two first drafts at once: the unique index decides
            session.add(application)
            session.flush()
    except sa.exc.IntegrityError:
        if _open_application(session, case.id) is None:
            raise
        raise DomainError(ALREADY_OPEN) from None
    _set_evidence(session, application, data.evidence)
    session.flush()
    return application


def update_application(
    session: Session,
    actor: User,
    application: WriteOffApplication,
    data: WriteOffDraft | dict[str, Any],
    *,
    on: date | None = None,
) -> WriteOffApplication:
    """Change a draft, or an application returned to its applicant."""
    _require_applicant(actor, application)
    _next(application, "edit")
    case = _case(session, actor, application.case_id)
    data = parse(WriteOffDraft, data)
    _claim(session, application)
    _fill(session, application, case, data, on or today())
    _set_evidence(session, application, data.evidence)
    application.updated_at = utcnow()
    session.flush()
    return application


# ---- submission and decisions -----------------------------------------------------------------


def _submission_errors(
    session: Session, application: WriteOffApplication, case: Case, on: date
) -> dict[str, list[Message]]:
    provided = set(
        session.exec(
            select(WriteOffEvidence.item).where(WriteOffEvidence.application_id == application.id)
        )
    )
    errors: dict[str, list[Message]] = {}
    missing = missing_items(application.reason, application.regime, provided)
    if missing:
        errors["evidence"] = [Message(MISSING_ITEM, item=Message(item.label)) for item in missing]
    if not application.legal_opinion and application.legal_opinion_attachment_id is None:
        errors["legal_opinion"] = [Message(OPINION_NEEDED)]
    years = RULES[application.reason].overdue_years
    if years and (case.overdue_since is None or add_months(case.overdue_since, 12 * years) > on):
        errors["reason"] = [Message(OVERDUE_YEARS, years=years, on=on.isoformat())]
    if application.reason == "small_overdue_1y":
        limit = to_fen(small_item_limit(application.annual_revenue))
        if application.amount > limit:
            errors["amount"] = [Message(SMALL_ITEM, limit=limit)]
    return errors


def submit(
    session: Session,
    actor: User,
    application: WriteOffApplication,
    *,
    policy: ApprovalPolicy = DEFAULT_POLICY,
    on: date | None = None,
) -> WriteOffApplication:
    """Send the application up the chain; every missing checklist item is named at once.

    The amount is recomputed on the day (an entered amount is kept if still within it) and
    the chain of steps is fixed from ``policy`` for this round."""
    _require_applicant(actor, application)
    new_status = _next(application, "submit")
    case = _case(session, actor, application.case_id)
    on = on or today()
    _check_stage(case)
    entered = application.amount if application.amount_entered else None
    _set_amount(session, application, case, on, entered, application.amount_note)
    errors = _submission_errors(session, application, case, on)
    if errors:
        raise ValidationError(errors)
    _claim(session, application)
    now = utcnow()
    application.status = new_status
    application.round_no += 1
    application.chain = [role.value for role in policy.chain_for(application.amount)]
    application.submitted_at = application.updated_at = now
    session.flush()
    return application


def decide(
    session: Session,
    actor: User,
    application: WriteOffApplication,
    decision: Decision | str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    on: date | None = None,
) -> WriteOffStep:
    """Decide the next step of a submitted application in the role it requires.

    ``expected_version`` is the version the actor's page showed (refused if it moved on).
    Approving the last step writes the case off; rejecting returns the application to its
    applicant and needs a reason."""
    decision = Decision(decision)
    case = _case(session, actor, application.case_id)
    if expected_version is not None and expected_version != application.version:
        raise DomainError(CHANGED_MEANWHILE)  # the page shown is out of date: reload first
    if application.status not in (WriteOffStatus.SUBMITTED, WriteOffStatus.IN_REVIEW):
        raise DomainError(NOT_ALLOWED_NOW)
    steps = round_steps(session, application)
    chain = application.chain_roles
    step_no = len(steps) + 1
    role = chain[step_no - 1]
    policies.require(actor, STEP_CAPABILITY[role])
    if actor.id == application.applicant_id:
        raise PermissionDenied(OWN_APPLICATION)
    if any(step.actor_id == actor.id for step in steps):
        raise PermissionDenied(ALREADY_DECIDED)
    reason = (reason or "").strip() or None
    if decision == Decision.REJECT and reason is None:
        raise ValidationError.single("reason", REASON_NEEDED)
    if reason is not None and len(reason) > 1000:
        raise ValidationError.single(
            "reason", N_("At most %(max_length)s characters"), max_length=1000
        )
    if decision == Decision.APPROVE:  # never agree to write off more than is owed that day
        owed, _computation = computed_amount(session, case, on or today())
        if application.amount > owed:
            raise DomainError(OWED_LESS_NOW, owed=owed, amount=application.amount)
    last = decision == Decision.APPROVE and step_no == len(chain)
    action = "reject" if decision == Decision.REJECT else ("approve_last" if last else "approve")
    new_status = _next(application, action)
    if last:
        _check_stage(case)
    _claim(session, application, expected_version)
    now = utcnow()
    step = WriteOffStep(
        application_id=application.id,
        case_id=application.case_id,
        round_no=application.round_no,
        step_no=step_no,
        role=role,
        actor_id=actor.id,
        decision=decision,
        reason=reason,
        decided_at=now,
    )
    session.add(step)
    application.status = new_status
    application.updated_at = now
    if last:
        _write_off(session, actor, application, case, on or today())
    session.flush()
    return step


def _write_off(
    session: Session, actor: User, application: WriteOffApplication, case: Case, on: date
) -> None:
    """账销案存: the stage machine's approval-only move, the case kept open to recovery."""
    old = case.stage
    new = next_stage(old, Action.WRITE_OFF)
    case.stage = new
    case.status = CaseStatus.ACTIVE
    case.closed_on = None
    touch(case)
    now = utcnow()
    application.decided_at = now
    application.written_off_on = on
    session.add(
        Event(
            case_id=case.id,
            kind=EventKind.STAGE_CHANGE,
            occurred_at=now,
            actor_id=actor.id,
            summary=str(STAGE_LABELS[new]),
            from_stage=old.value,
            to_stage=new.value,
        )
    )


def withdraw(session: Session, actor: User, application: WriteOffApplication) -> None:
    """The applicant takes back an application that is not yet approved."""
    _require_applicant(actor, application)
    new_status = _next(application, "withdraw")
    _claim(session, application)
    application.status = new_status
    application.withdrawn_at = application.updated_at = utcnow()
    session.flush()
