"""Reads of the settlement area: what a fee computation needs, the finance queue, firm totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import business_time
from cases.engagements.models import Engagement, EngagementStatus
from cases.errors import N_, NotFound
from cases.ledger.models import CONFIRMED, Payment, PaymentStatus
from cases.parties.models import Party
from cases.register import policies
from cases.register.models import Case
from cases.settlement.compute import EarlierRequest, FeeDue, Recovery, fee_due, fee_stage_on
from cases.settlement.models import (
    LIVE_STATUSES,
    FeeExpense,
    FeeRequest,
    FeeRequestStatus,
)
from cases.timeline.models import Event, EventKind
from cases.users.models import Role, User

ZERO = Decimal("0.00")


def stage_history(session: Session, case_id: int) -> list[tuple[date, str]]:
    """The case's stage changes as ``(business date, new stage)``, oldest first."""
    rows = session.exec(
        select(Event.occurred_at, Event.to_stage)
        .where(
            Event.case_id == case_id,
            Event.kind == EventKind.STAGE_CHANGE,
            Event.to_stage.is_not(None),
        )
        .order_by(Event.occurred_at, Event.id)
    ).all()
    return [(business_time(at).date(), stage) for at, stage in rows]


def recoveries(session: Session, engagement: Engagement) -> list[Recovery]:
    """Confirmed money received on the engagement's case within its dates, with its stage."""
    conditions = [
        Payment.case_id == engagement.case_id,
        CONFIRMED,
        Payment.received_on >= engagement.starts_on,
    ]
    if engagement.ends_on is not None:
        conditions.append(Payment.received_on <= engagement.ends_on)
    payments = session.exec(
        select(Payment).where(*conditions).order_by(Payment.received_on, Payment.id)
    ).all()
    history = stage_history(session, engagement.case_id)
    found = []
    for p in payments:
        stage, fee_stage = fee_stage_on(history, p.received_on)
        found.append(
            Recovery(
                payment_id=p.id,
                received_on=p.received_on,
                amount=p.amount,
                payer=p.payer,
                method=str(p.method),
                bank_ref=p.bank_ref,
                stage=stage,
                fee_stage=fee_stage,
            )
        )
    return found


def earlier_requests(session: Session, engagement_id: int) -> list[EarlierRequest]:
    """The engagement's requests that were not rejected, oldest first."""
    rows = session.exec(
        select(FeeRequest)
        .where(FeeRequest.engagement_id == engagement_id, FeeRequest.status.in_(LIVE_STATUSES))
        .order_by(FeeRequest.requested_at, FeeRequest.id)
    ).all()
    return [EarlierRequest(r.id, str(r.status), r.fee_amount, r.requested_at) for r in rows]


def current_fee_due(session: Session, engagement: Engagement) -> FeeDue:
    """What ``engagement``'s firm may ask for today."""
    return fee_due(
        engagement, recoveries(session, engagement), earlier_requests(session, engagement.id)
    )


def fee_engagements(session: Session, actor: User, case: Case) -> list[Engagement]:
    """The engagements of ``case`` a fee may be requested under by ``actor``, live one first:
    active or ended (a firm is paid for what it recovered before its engagement ended), never
    one awaiting a cap override; counsel only their own firm's."""
    conditions = [
        Engagement.case_id == case.id,
        Engagement.status.in_((EngagementStatus.ACTIVE, EngagementStatus.ENDED)),
    ]
    if actor.role == Role.COUNSEL:
        conditions.append(Engagement.firm_id == actor.firm_id)
    rows = session.exec(select(Engagement).where(*conditions)).all()
    return sorted(rows, key=lambda e: (e.status != EngagementStatus.ACTIVE, -(e.id or 0)))


def case_fee_request(
    session: Session, case: Case, fee_request_id: int, *, lock: bool = False
) -> FeeRequest:
    """A fee request of this very case; any other id is ``NotFound`` (``lock``: row-locked
    until commit on PostgreSQL, for a decision)."""
    row = session.get(FeeRequest, fee_request_id, with_for_update=lock)
    if row is None or row.case_id != case.id:
        raise NotFound(N_("No such fee request."))
    return row


def case_fee_requests(session: Session, case: Case) -> list[FeeRequest]:
    return list(
        session.exec(
            select(FeeRequest)
            .where(FeeRequest.case_id == case.id)
            .order_by(FeeRequest.requested_at.desc(), FeeRequest.id.desc())
        )
    )


def expenses_of(session: Session, fee_request: FeeRequest) -> list[FeeExpense]:
    return list(
        session.exec(
            select(FeeExpense)
            .where(FeeExpense.fee_request_id == fee_request.id)
            .order_by(FeeExpense.spent_on, FeeExpense.id)
        )
    )


# ---- the finance queue ------------------------------------------------------------------


@dataclass
class QueueCase:
    id: int
    number: str
    debtor: str


@dataclass
class Queue:
    pending_payments: list[tuple[Payment, QueueCase]]
    to_approve: list[tuple[FeeRequest, QueueCase]]
    to_pay: list[tuple[FeeRequest, QueueCase]]


def _with_cases(session: Session, actor: User, rows: list, case_ids: Iterable[int]) -> list:
    ids = set(case_ids)
    if not ids:
        return []
    found = session.exec(
        select(Case.id, Case.number, Party.name)
        .join(Party, Party.id == Case.debtor_id)
        .where(Case.id.in_(ids), policies.visible_filter(actor))
    ).all()
    cases = {i: QueueCase(i, number, debtor) for i, number, debtor in found}
    return [(row, cases[row.case_id]) for row in rows if row.case_id in cases]


def queue(session: Session, actor: User) -> Queue:
    """Money awaiting finance's confirmation, fee requests awaiting approval and payment."""
    payments = list(
        session.exec(
            select(Payment)
            .where(Payment.status == PaymentStatus.PENDING)
            .order_by(Payment.recorded_at, Payment.id)
        )
    )
    requests = list(
        session.exec(
            select(FeeRequest)
            .where(FeeRequest.status.in_((FeeRequestStatus.REQUESTED, FeeRequestStatus.APPROVED)))
            .order_by(FeeRequest.requested_at, FeeRequest.id)
        )
    )
    paired = _with_cases(session, actor, requests, (r.case_id for r in requests))
    return Queue(
        pending_payments=_with_cases(session, actor, payments, (p.case_id for p in payments)),
        to_approve=[(r, c) for r, c in paired if r.status == FeeRequestStatus.REQUESTED],
        to_pay=[(r, c) for r, c in paired if r.status == FeeRequestStatus.APPROVED],
    )


def pending_total(session: Session, case: Case) -> Decimal:
    """Money reported on ``case`` and not yet confirmed or rejected."""
    return session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
            Payment.case_id == case.id, Payment.status == PaymentStatus.PENDING
        )
    ).scalar_one()


# ---- per firm ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeTotals:
    """A firm's fees (expenses excluded), cumulative along the flow: ``requested`` is every
    request not rejected, ``approved`` those approved (paid or not), ``paid`` those paid."""

    requested: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO


def firm_fee_totals(session: Session, firm_ids: Iterable[int]) -> dict[int, FeeTotals]:
    """Fees requested / approved / paid per firm (every id asked for, zeros if none)."""
    ids = sorted(set(firm_ids))
    if not ids:
        return {}
    approved = (FeeRequestStatus.APPROVED, FeeRequestStatus.PAID)

    def total(statuses: tuple[FeeRequestStatus, ...]) -> sa.ColumnElement:
        return sa.func.coalesce(
            sa.func.sum(sa.case((FeeRequest.status.in_(statuses), FeeRequest.fee_amount))), 0
        )

    rows = session.execute(
        sa.select(
            FeeRequest.firm_id,
            total(LIVE_STATUSES),
            total(approved),
            total((FeeRequestStatus.PAID,)),
        )
        .where(FeeRequest.firm_id.in_(ids))
        .group_by(FeeRequest.firm_id)
    ).all()
    totals = {firm_id: FeeTotals() for firm_id in ids}
    for firm_id, requested, approved_sum, paid in rows:
        totals[firm_id] = FeeTotals(Decimal(requested), Decimal(approved_sum), Decimal(paid))
    return totals
