"""A law firm's start page: its open cases, what is new for it and what waits on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.errors import N_, NotFound
from cases.ledger.models import Payment, PaymentStatus
from cases.portal.messages import unread_counts
from cases.portal.scorecard import EngagedCase, Scorecard, scorecard
from cases.register import policies
from cases.users.models import User


@dataclass
class HomeCase:
    case: EngagedCase
    unread: int  # the legal department's messages the firm has not read
    pending_payments: int  # money the firm reported that finance has not confirmed yet


@dataclass
class FirmHome:
    card: Scorecard
    cases: list[HomeCase] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(c.unread for c in self.cases)

    @property
    def silent(self) -> int:
        return sum(1 for c in self.cases if c.case.silent)

    @property
    def pending_payments(self) -> int:
        return sum(c.pending_payments for c in self.cases)


def firm_home(session: Session, user: User, *, on: date, silent_days: int) -> FirmHome:
    """The open cases of ``user``'s firm: unread messages first, then the longest silent."""
    policies.require(user, "portal.home")
    if user.firm_id is None:
        raise NotFound(N_("Your account belongs to no law firm."))
    card = scorecard(session, user.firm_id, on=on, silent_days=silent_days)
    if card is None:
        raise NotFound(N_("Your account belongs to no law firm."))
    open_cases = [c for c in card.cases if c.is_open]
    ids = [c.case_id for c in open_cases]
    unread = unread_counts(session, user, ids)
    pending = dict(
        session.exec(
            select(Payment.case_id, sa.func.count())
            .where(Payment.case_id.in_(ids), Payment.status == PaymentStatus.PENDING)
            .group_by(Payment.case_id)
        ).all()
    )
    rows = [HomeCase(c, unread.get(c.case_id, 0), pending.get(c.case_id, 0)) for c in open_cases]
    rows.sort(key=lambda r: (-r.unread, -(r.case.silent_days or 0), r.case.number))
    return FirmHome(card, rows)
