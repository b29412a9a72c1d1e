"""Operations on cases: intake, updates, stage moves. They flush; the caller commits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import today, utcnow
from cases.engagements.operations import engage_pending
from cases.errors import N_, DomainError, Message, ValidationError
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Creditor
from cases.parties.operations import upsert_party
from cases.register import policies
from cases.register.models import (
    Case,
    CaseCreate,
    CaseGuarantor,
    CaseNumberCounter,
    CaseStatus,
    CaseTag,
    CaseUpdate,
    Claim,
    Evidence,
    Tag,
)
from cases.register.stages import APPROVAL_ONLY, STAGE_LABELS, Action, Stage, next_stage
from cases.timeline.models import Event, EventKind
from cases.users.models import LawFirm, Role, User
from cases.validation import parse


def next_case_number(session: Session, year: int) -> str:
    """``QS-<year>-<000001>``; the counter row is locked by the UPDATE until commit."""
    stmt = (
        sa.update(CaseNumberCounter)
        .where(CaseNumberCounter.year == year)
        .values(last=CaseNumberCounter.last + 1)
        .returning(CaseNumberCounter.last)
    )
    last = session.execute(stmt).scalar()
    if last is None:
        try:
            with session.begin_nested():
                session.execute(sa.insert(CaseNumberCounter).values(year=year, last=1))
            last = 1
        except sa.exc.IntegrityError:
            last = session.execute(stmt).scalar_one()
    return f"QS-{year}-{last:06d}"


def _check_references(
    session: Session, data: CaseCreate | CaseUpdate, creditor_id: int | None
) -> None:
    errors: dict[str, Message] = {}
    creditor = session.get(Creditor, creditor_id) if creditor_id else None
    if creditor_id is not None and creditor is None:
        errors["creditor_id"] = Message(N_("Unknown creditor"))
    if data.handler_id is not None:
        handler = session.get(User, data.handler_id)
        if handler is None or handler.role not in (Role.LEGAL, Role.ADMIN) or not handler.is_active:
            errors["handler_id"] = Message(N_("The handler must be an active legal staff member"))
    if data.firm_id is not None and session.get(LawFirm, data.firm_id) is None:
        errors["firm_id"] = Message(N_("Unknown law firm"))
    if data.loan_class is not None and creditor is not None and not creditor.is_bank:
        errors["loan_class"] = Message(N_("The five-category class applies only to bank creditors"))
    if errors:
        raise ValidationError(errors)


def _set_tags(session: Session, case: Case, names: list[str]) -> None:
    # Through the ORM, not a bulk DELETE, so that removed tags reach the audit trail.
    current = dict(
        session.exec(
            select(Tag.name, CaseTag).join(CaseTag).where(CaseTag.case_id == case.id)
        ).all()
    )
    for name, link in current.items():
        if name not in names:
            session.delete(link)
    for name in names:
        if name in current:
            continue
        tag = session.exec(select(Tag).where(Tag.name == name)).first()
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
        session.add(CaseTag(case_id=case.id, tag_id=tag.id))


def tag_names(session: Session, case_id: int) -> list[str]:
    stmt = select(Tag.name).join(CaseTag).where(CaseTag.case_id == case_id).order_by(Tag.name)
    return list(session.exec(stmt))


def refresh_totals(session: Session, case: Case) -> None:
    """Recompute the derived money and dates of a case from its claims and confirmed payments
    (money reported but not yet confirmed by finance does not count)."""
    session.flush()
    principal, oldest = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(Claim.principal), 0), sa.func.min(Claim.due_date)
        ).where(Claim.case_id == case.id)
    ).one()
    recovered = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
            Payment.case_id == case.id, CONFIRMED
        )
    ).scalar_one()
    case.claimed_principal = principal
    case.oldest_due_date = oldest
    case.recovered_amount = recovered
    case.overdue_since = overdue_since(oldest, principal, recovered)


def overdue_since(oldest_due: date | None, principal: Decimal, recovered: Decimal) -> date | None:
    """When a case became overdue: its oldest due date, unless nothing is outstanding."""
    return oldest_due if principal > recovered else None


def touch(case: Case) -> None:
    case.updated_at = case.last_activity_at = utcnow()


def create_case(
    session: Session,
    actor: User,
    data: CaseCreate | dict[str, Any],
    *,
    number_year: int | None = None,
) -> Case:
    """Register a new case with its debtor, guarantors, claims, evidence and tags."""
    policies.require(actor, "case.create")
    data = parse(CaseCreate, data)
    _check_references(session, data, data.creditor_id)
    if (
        data.external_ref
        and session.exec(select(Case.id).where(Case.external_ref == data.external_ref)).first()
    ):
        raise ValidationError.single(
            "external_ref",
            N_("A case with external reference %(ref)s already exists"),
            ref=data.external_ref,
        )
    debtor = upsert_party(session, data.debtor)
    case = Case.model_validate(
        data.model_dump(exclude={"debtor", "claims", "guarantors", "evidence", "tags", "firm_id"}),
        update={
            "number": next_case_number(session, number_year or today().year),
            "debtor_id": debtor.id,
            "created_by_id": actor.id,
            "transferred_on": data.transferred_on or today(),
        },
    )
    session.add(case)
    session.flush()
    for claim in data.claims:
        session.add(Claim.model_validate(claim, update={"case_id": case.id}))
    for guarantor in data.guarantors:
        party = upsert_party(session, guarantor.party)
        if party.id == debtor.id:
            raise ValidationError.single(
                "guarantors", N_("The debtor cannot also be its own guarantor")
            )
        session.add(
            CaseGuarantor(
                case_id=case.id,
                party_id=party.id,
                kind=guarantor.kind,
                limit_amount=guarantor.limit_amount,
            )
        )
    for item in data.evidence:
        session.add(Evidence.model_validate(item, update={"case_id": case.id}))
    _set_tags(session, case, data.tags)
    refresh_totals(session, case)
    touch(case)
    session.add(
        Event(
            case_id=case.id,
            kind=EventKind.STAGE_CHANGE,
            occurred_at=utcnow(),
            actor_id=actor.id,
            summary="intake",
            to_stage=Stage.INTAKE.value,
        )
    )
    session.flush()
    if data.firm_id is not None:  # a firm named at intake: engaged, its terms to be entered
        engage_pending(session, actor, case, data.firm_id)
    return case


FIRM_BY_ENGAGEMENT = N_(
    "The law firm is engaged and released on the case's engagement panel, not by editing the case"
)


def update_case(
    session: Session, actor: User, case: Case, data: CaseUpdate | dict[str, Any]
) -> Case:
    """Change the case's own fields. The firm is not one of them: it follows the case's
    engagement (``cases.engagements.operations``), so a different ``firm_id`` is refused."""
    policies.require(actor, "case.edit")
    data = parse(CaseUpdate, data)
    if "firm_id" in data.model_fields_set and data.firm_id != case.firm_id:
        raise ValidationError.single("firm_id", FIRM_BY_ENGAGEMENT)
    changes = data.model_dump(exclude_unset=True, exclude={"tags", "firm_id"})
    _check_references(session, data, case.creditor_id if data.loan_class else None)
    for field, value in changes.items():
        setattr(case, field, value)
    if data.tags is not None:
        _set_tags(session, case, data.tags)
    touch(case)
    session.flush()
    return case


def move_stage(
    session: Session,
    actor: User,
    case: Case,
    action: Action | str,
    *,
    note: str = "",
    on: date | None = None,
    approved: bool = False,
) -> Event:
    """Apply one row of the transition table and put the move on the timeline."""
    policies.require(actor, "case.move_stage")
    try:
        action = Action(action)
    except ValueError:
        raise DomainError(N_("Unknown stage action “%(action)s”."), action=str(action)) from None
    if action in APPROVAL_ONLY and not approved:
        raise DomainError(N_("This move needs a completed approval."))
    old = case.stage
    new = next_stage(old, action)
    case.stage = new
    if new == Stage.CLOSED:
        case.status = CaseStatus.CLOSED
        case.closed_on = on or today()
    elif old == Stage.CLOSED:
        case.status = CaseStatus.ACTIVE
        case.closed_on = None
    touch(case)
    event = Event(
        case_id=case.id,
        kind=EventKind.STAGE_CHANGE,
        occurred_at=utcnow(),
        actor_id=actor.id,
        summary=note.strip() or str(STAGE_LABELS[new]),
        from_stage=old.value,
        to_stage=new.value,
    )
    session.add(event)
    session.flush()
    return event
