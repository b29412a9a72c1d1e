"""Reading write-off applications: the checklist, the approval sheet, the approver's queue,
and the money recovered on a case after it was written off. Nothing here changes anything."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from cases.errors import N_, NotFound
from cases.figures import Figure, Step
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Party
from cases.register import policies
from cases.register.models import Case, Evidence
from cases.timeline.models import Attachment
from cases.users.models import Role, User
from cases.writeoffs.models import (
    STEP_CAPABILITY,
    WriteOffApplication,
    WriteOffEvidence,
    WriteOffStatus,
    WriteOffStep,
)
from cases.writeoffs.reasons import EvidenceItem, checklist

ZERO = Decimal("0.00")
AWAITING = (WriteOffStatus.SUBMITTED, WriteOffStatus.IN_REVIEW)


def get_application(session: Session, actor: User, application_id: int) -> WriteOffApplication:
    """An application of a case the actor may see, else ``NotFound``."""
    application = session.get(WriteOffApplication, application_id)
    case = session.get(Case, application.case_id) if application else None
    if case is None or not policies.may_see(actor, case):
        raise NotFound(N_("No such write-off application."))
    return application


def applications_for_case(session: Session, case_id: int) -> list[WriteOffApplication]:
    stmt = (
        select(WriteOffApplication)
        .where(WriteOffApplication.case_id == case_id)
        .order_by(WriteOffApplication.created_at.desc(), WriteOffApplication.id.desc())
    )
    return list(session.exec(stmt))


def applications_of(session: Session, applicant_id: int) -> list[WriteOffApplication]:
    """An applicant's applications, the latest changed first."""
    stmt = (
        select(WriteOffApplication)
        .where(WriteOffApplication.applicant_id == applicant_id)
        .order_by(WriteOffApplication.updated_at.desc(), WriteOffApplication.id.desc())
    )
    return list(session.exec(stmt))


def in_progress(session: Session) -> list[WriteOffApplication]:
    """Every application submitted and not yet decided to the end, the oldest first."""
    stmt = (
        select(WriteOffApplication)
        .where(WriteOffApplication.status.in_(AWAITING))
        .order_by(WriteOffApplication.submitted_at, WriteOffApplication.id)
    )
    return list(session.exec(stmt))


@dataclass(frozen=True)
class Listed:
    """An application as a list shows it: with its case's number and debtor."""

    application: WriteOffApplication
    case_number: str
    debtor: str


def listed(session: Session, applications: list[WriteOffApplication]) -> list[Listed]:
    ids = {a.case_id for a in applications}
    if not ids:
        return []
    names = {
        case_id: (number, debtor)
        for case_id, number, debtor in session.exec(
            select(Case.id, Case.number, Party.name)
            .join(Party, Party.id == Case.debtor_id)
            .where(Case.id.in_(ids))
        ).all()
    }
    return [Listed(a, *names[a.case_id]) for a in applications]


def evidence_sources(session: Session, case_id: int) -> tuple[list[Attachment], list[Evidence]]:
    """What may cover a checklist item: the case's files (newest first) and evidence rows."""
    files = session.exec(
        select(Attachment)
        .where(Attachment.case_id == case_id)
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    ).all()
    rows = session.exec(
        select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)
    ).all()
    return list(files), list(rows)


def round_steps(
    session: Session, application: WriteOffApplication, round_no: int | None = None
) -> list[WriteOffStep]:
    """The decisions of one round (the current one by default), in step order."""
    stmt = (
        select(WriteOffStep)
        .where(
            WriteOffStep.application_id == application.id,
            WriteOffStep.round_no == (application.round_no if round_no is None else round_no),
        )
        .order_by(WriteOffStep.step_no)
    )
    return list(session.exec(stmt))


def all_steps(session: Session, application_id: int) -> list[WriteOffStep]:
    """Every decision ever made on the application, round by round (the approval history)."""
    stmt = (
        select(WriteOffStep)
        .where(WriteOffStep.application_id == application_id)
        .order_by(WriteOffStep.round_no, WriteOffStep.step_no)
    )
    return list(session.exec(stmt))


def next_role(session: Session, application: WriteOffApplication) -> Role | None:
    """The role the next step of the current round requires; None unless awaiting one."""
    if application.status not in AWAITING:
        return None
    done = len(round_steps(session, application))
    chain = application.chain_roles
    return chain[done] if done < len(chain) else None


@dataclass
class SheetRow:
    """One position of the approval sheet: the role it requires and, once made, the decision."""

    step_no: int
    role: Role
    step: WriteOffStep | None = None


def approval_sheet(session: Session, application: WriteOffApplication) -> list[SheetRow]:
    """The current round's chain with the decisions made so far."""
    made = {s.step_no: s for s in round_steps(session, application)}
    return [SheetRow(no, role, made.get(no)) for no, role in enumerate(application.chain_roles, 1)]


@dataclass
class ChecklistRow:
    item: EvidenceItem
    links: list[WriteOffEvidence] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.links)


def checklist_rows(session: Session, application: WriteOffApplication) -> list[ChecklistRow]:
    """The reason's checklist with the files and evidence rows given for each item."""
    links = session.exec(
        select(WriteOffEvidence)
        .where(WriteOffEvidence.application_id == application.id)
        .order_by(WriteOffEvidence.id)
    ).all()
    return [
        ChecklistRow(item, [link for link in links if link.item == item.key])
        for item in checklist(application.reason, application.regime)
    ]


def awaiting_decision(session: Session, actor: User) -> list[WriteOffApplication]:
    """The applications whose next step ``actor`` may decide: their role's capability, not
    their own application, no step of this round decided by them already."""
    stmt = (
        select(WriteOffApplication)
        .where(WriteOffApplication.status.in_(AWAITING))
        .order_by(WriteOffApplication.submitted_at, WriteOffApplication.id)
    )
    result = []
    for application in session.exec(stmt):
        role = next_role(session, application)
        if role is None or not policies.can(actor, STEP_CAPABILITY[role]):
            continue
        if actor.id == application.applicant_id:
            continue
        if any(s.actor_id == actor.id for s in round_steps(session, application)):
            continue
        result.append(application)
    return result


def written_off(session: Session, case_id: int) -> WriteOffApplication | None:
    """The latest approved application of the case (the write-off in force), if any."""
    stmt = (
        select(WriteOffApplication)
        .where(
            WriteOffApplication.case_id == case_id,
            WriteOffApplication.status == WriteOffStatus.APPROVED,
        )
        .order_by(WriteOffApplication.decided_at.desc(), WriteOffApplication.id.desc())
    )
    return session.exec(stmt).first()


@dataclass(frozen=True)
class RecoveryAfterWriteOff:
    """Money confirmed by finance as received on or after the day the debt was written off:
    recovery of written-off debt (核销后收回)."""

    application_id: int
    written_off_on: date
    written_off_amount: Decimal
    payments: tuple[Payment, ...]

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def still_written_off(self) -> Decimal:
        return max(self.written_off_amount - self.total, ZERO)


def recovered_after_writeoff(session: Session, case_id: int) -> RecoveryAfterWriteOff | None:
    """None when the case was never written off."""
    application = written_off(session, case_id)
    if application is None or application.written_off_on is None:
        return None
    payments = session.exec(
        select(Payment)
        .where(
            Payment.case_id == case_id,
            CONFIRMED,
            Payment.received_on >= application.written_off_on,
        )
        .order_by(Payment.received_on, Payment.id)
    ).all()
    return RecoveryAfterWriteOff(
        application_id=application.id,
        written_off_on=application.written_off_on,
        written_off_amount=application.amount,
        payments=tuple(payments),
    )


# ---- the amount's computation as kept on the application --------------------------------------

_MONEY = re.compile(r"^-?\d+\.\d+$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _revive(value: Any) -> Any:
    """A JSON value of a kept figure back to what it was: money to Decimal, days to date."""
    if isinstance(value, str) and _MONEY.match(value):
        return Decimal(value)
    if isinstance(value, str) and _DAY.match(value):
        return date.fromisoformat(value)
    return value


def computation_figure(computation: dict[str, Any] | None) -> Figure | None:
    """The computed amount's figure (principal outstanding plus interest claimed, claim by
    claim) from the computation an application keeps (``operations.computed_amount``)."""
    kept = (computation or {}).get("total")
    if not kept:
        return None
    steps = tuple(
        Step(
            s["label"],
            _revive(s.get("value")),
            {k: _revive(v) for k, v in (s.get("params") or {}).items()},
        )
        for s in kept.get("steps", [])
    )
    return Figure(
        _revive(kept.get("value")),
        kept.get("rule", ""),
        {k: _revive(v) for k, v in (kept.get("inputs") or {}).items()},
        steps,
        tuple(kept.get("warnings", [])),
    )
