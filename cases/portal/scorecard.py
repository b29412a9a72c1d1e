"""Firm scorecards: how each law firm is doing on the cases engaged to it.

Everything counts engagements that started (``active`` or ``ended``; one waiting for a cap
override never started), each over its own period — from ``starts_on`` to ``ends_on`` (or
today) — so money or a judgment that came before a firm was engaged, or after it left, is not
its work. The figures (each page shows these definitions beside them):

- open cases: live (``active``) engagements on cases not closed or written off;
- last update: the latest thing the firm's counsel logged on its cases — a timeline entry, a
  file, a key date or a message;
- silent: a firm with open cases whose counsel have logged nothing for ``silent_days`` days or
  more, counted from its last update or, if later, the start of its oldest open engagement
  (a case engaged yesterday has had no time to report);
- recovery rate: confirmed money received in the engagement periods ÷ the claim amounts
  engaged (``Engagement.claim_amount``);
- median days to judgment: from engagement start to the first judgment served in the period
  (a ``JUDGMENT_SERVED`` key date or a "judgment served" step);
- median days from enforcement to money: from the first enforcement application in the period
  (key date or step) to the first confirmed money received on or after it;
- fee per yuan recovered: fees paid ÷ money recovered; fees requested / approved / paid come
  from ``cases.settlement.queries.firm_fee_totals`` when that module is installed.

A handful of queries whatever the number of cases: engagements, payments, judgment and
enforcement dates, counsel activity, unread messages, fees; the rest is arithmetic here.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import business_time
from cases.engagements.models import Engagement, EngagementStatus
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Party
from cases.portal.models import CaseMessage, Side
from cases.portal.steps import ProgressStep
from cases.register.keydates import KeyDate, KeyDateKind
from cases.register.models import Case, CaseStatus
from cases.register.stages import Stage
from cases.timeline.models import Attachment, Event
from cases.users.models import LawFirm, Role, User

STARTED = (EngagementStatus.ACTIVE, EngagementStatus.ENDED)
CLOSED_STAGES = (Stage.CLOSED, Stage.WRITTEN_OFF)
S_JUDGMENT = ProgressStep.JUDGMENT_SERVED
S_ENFORCEMENT = ProgressStep.ENFORCEMENT_APPLIED
ZERO = Decimal("0.00")
RATE_QUANTUM = Decimal("0.0001")


@dataclass
class EngagedCase:
    """One engagement of a firm, with what happened on its case during it."""

    engagement_id: int
    case_id: int
    firm_id: int
    status: EngagementStatus
    starts_on: date
    ends_on: date | None
    claim_amount: Decimal
    number: str
    debtor_name: str
    stage: Stage
    case_closed: bool = False  # the case is closed or written off: nothing left to report
    recovered: Decimal = ZERO
    judgment_on: date | None = None
    enforcement_applied_on: date | None = None
    first_money_after_enforcement: date | None = None
    last_update: datetime | None = None
    unread: int = 0  # the firm's messages on the case the legal department has not read
    silent_days: int | None = None  # None: not open (nothing to report)
    silent: bool = False

    @property
    def is_open(self) -> bool:
        return self.status == EngagementStatus.ACTIVE and not self.case_closed

    def covers(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)

    @property
    def days_to_judgment(self) -> int | None:
        return None if self.judgment_on is None else (self.judgment_on - self.starts_on).days

    @property
    def days_to_enforcement_money(self) -> int | None:
        if self.enforcement_applied_on is None or self.first_money_after_enforcement is None:
            return None
        return (self.first_money_after_enforcement - self.enforcement_applied_on).days


@dataclass
class FeeFigures:
    requested: Decimal
    approved: Decimal
    paid: Decimal


@dataclass
class Scorecard:
    firm: LawFirm
    cases: list[EngagedCase] = field(default_factory=list)
    open_cases: int = 0
    claim_engaged: Decimal = ZERO
    recovered: Decimal = ZERO
    recovery_rate: Decimal | None = None  # a fraction, 0.1234 = 12.34 percent
    median_days_to_judgment: Decimal | None = None
    judgments: int = 0  # engagements the median is taken over
    median_days_to_enforcement_money: Decimal | None = None
    enforcement_moneys: int = 0
    last_update: datetime | None = None
    last_update_days: int | None = None
    silent_days: int | None = None
    silent: bool = False
    fees: FeeFigures | None = None  # None: fee settlement not available
    fee_per_yuan: Decimal | None = None
    unread: int = 0


def _median(values: list[int]) -> Decimal | None:
    """The median number of days, in ``Decimal`` (an even count averages the middle two:
    ``[1, 2]`` → 1.5) — no float on the way."""
    return statistics.median(Decimal(v) for v in values) if values else None


def _rate(part: Decimal, whole: Decimal) -> Decimal:
    """``part ÷ whole`` to 0.0001 (0.01 percent), half-up like every figure the product shows
    (``cases.money``): 12,345 of 100,000 is 0.1235, not the banker's 0.1234."""
    return (part / whole).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def _days_since(moment: datetime | None, on: date) -> int | None:
    return None if moment is None else (on - business_time(moment).date()).days


def _silence(last_update: datetime | None, open_since: date | None, on: date) -> int | None:
    """Days without news on open work: from the last update or the oldest open start."""
    if open_since is None:
        return None
    since = open_since
    if last_update is not None:
        since = max(since, business_time(last_update).date())
    return (on - since).days


# ---- the queries ----------------------------------------------------------------------------


def _engagements(session: Session, firm_ids: list[int]) -> list[EngagedCase]:
    rows = session.exec(
        select(Engagement, Case.number, Case.stage, Case.status, Party.name)
        .join(Case, Case.id == Engagement.case_id)
        .join(Party, Party.id == Case.debtor_id)
        .where(Engagement.firm_id.in_(firm_ids), Engagement.status.in_(STARTED))
        .order_by(Engagement.starts_on, Engagement.id)
    ).all()
    return [
        EngagedCase(
            engagement_id=e.id,
            case_id=e.case_id,
            firm_id=e.firm_id,
            status=EngagementStatus(e.status),
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            claim_amount=e.claim_amount,
            number=number,
            debtor_name=name,
            stage=Stage(stage),
            case_closed=status == CaseStatus.CLOSED or stage in CLOSED_STAGES,
        )
        for e, number, stage, status, name in rows
    ]


def _in_period(column: Any) -> sa.ColumnElement[bool]:
    """``column`` (a date) falls in the engagement's period (open-ended while it lasts)."""
    return sa.and_(
        column >= Engagement.starts_on,
        sa.or_(Engagement.ends_on.is_(None), column <= Engagement.ends_on),
    )


def _scope(firm_ids: list[int]) -> sa.ColumnElement[bool]:
    return sa.and_(Engagement.firm_id.in_(firm_ids), Engagement.status.in_(STARTED))


def _payments(session: Session, firm_ids: list[int]) -> dict[int, list[tuple[date, Decimal]]]:
    rows = session.exec(
        select(Engagement.id, Payment.received_on, Payment.amount)
        .join(Payment, Payment.case_id == Engagement.case_id)
        .where(_scope(firm_ids), CONFIRMED, _in_period(Payment.received_on))
        .order_by(Payment.received_on)
    ).all()
    out: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for engagement_id, received_on, amount in rows:
        out[engagement_id].append((received_on, amount))
    return out


def _first_dates(
    session: Session, firm_ids: list[int], kind: KeyDateKind, step: ProgressStep
) -> dict[int, date]:
    """Per engagement, the first day in its period of a key date ``kind`` or a ``step``."""
    firsts: dict[int, date] = {}
    key_dates = session.exec(
        select(Engagement.id, sa.func.min(KeyDate.on))
        .join(KeyDate, KeyDate.case_id == Engagement.case_id)
        .where(_scope(firm_ids), KeyDate.kind == kind, _in_period(KeyDate.on))
        .group_by(Engagement.id)
    ).all()
    firsts.update(key_dates)
    # Steps carry a moment: the period test is on its business date, here.
    steps = session.exec(
        select(Engagement.id, Engagement.starts_on, Engagement.ends_on, Event.occurred_at)
        .join(Event, Event.case_id == Engagement.case_id)
        .where(_scope(firm_ids), Event.step == step)
    ).all()
    for engagement_id, starts_on, ends_on, occurred_at in steps:
        on = business_time(occurred_at).date()
        if starts_on <= on and (ends_on is None or on <= ends_on):
            firsts[engagement_id] = min(on, firsts.get(engagement_id, on))
    return firsts


def _counsel_activity(session: Session, firm_ids: list[int]) -> dict[tuple[int, int], datetime]:
    """Per (case, firm), when the firm's counsel last logged something on the case."""
    counsel = sa.and_(User.role == Role.COUNSEL, User.firm_id.in_(firm_ids))
    sources = [
        (Event.case_id, Event.recorded_at, Event.actor_id),
        (Attachment.case_id, Attachment.uploaded_at, Attachment.uploaded_by_id),
        (KeyDate.case_id, KeyDate.created_at, KeyDate.created_by_id),
    ]
    latest: dict[tuple[int, int], datetime] = {}

    def keep(rows: Iterable[tuple[int, int, datetime]]) -> None:
        for case_id, firm_id, moment in rows:
            key = (case_id, firm_id)
            if moment is not None and (key not in latest or moment > latest[key]):
                latest[key] = moment

    for case_col, when_col, who_col in sources:
        keep(
            session.exec(
                select(case_col, User.firm_id, sa.func.max(when_col))
                .join(User, User.id == who_col)
                .where(counsel)
                .group_by(case_col, User.firm_id)
            ).all()
        )
    keep(
        session.exec(
            select(CaseMessage.case_id, CaseMessage.firm_id, sa.func.max(CaseMessage.created_at))
            .where(CaseMessage.side == Side.FIRM, CaseMessage.firm_id.in_(firm_ids))
            .group_by(CaseMessage.case_id, CaseMessage.firm_id)
        ).all()
    )
    return latest


def _unread_from_firms(session: Session, firm_ids: list[int]) -> dict[tuple[int, int], int]:
    rows = session.exec(
        select(CaseMessage.case_id, CaseMessage.firm_id, sa.func.count())
        .where(
            CaseMessage.firm_id.in_(firm_ids),
            CaseMessage.side == Side.FIRM,
            CaseMessage.read_by_legal_at.is_(None),
        )
        .group_by(CaseMessage.case_id, CaseMessage.firm_id)
    ).all()
    return {(case_id, firm_id): n for case_id, firm_id, n in rows}


def _fees(session: Session, firm_ids: list[int]) -> dict[int, FeeFigures] | None:
    """Fee sums per firm from the settlement module, or None where it is not installed."""
    try:
        from cases.settlement.queries import firm_fee_totals  # optional: another area
    except ImportError:
        return None
    totals = firm_fee_totals(session, firm_ids)
    return {
        firm_id: FeeFigures(
            requested=Decimal(t.requested), approved=Decimal(t.approved), paid=Decimal(t.paid)
        )
        for firm_id, t in totals.items()
    }


# ---- the scorecards -------------------------------------------------------------------------


def scorecards(
    session: Session, *, on: date, silent_days: int, firm_ids: Iterable[int] | None = None
) -> list[Scorecard]:
    """One scorecard per law firm (all of them, or ``firm_ids``), by firm name."""
    stmt = select(LawFirm).order_by(LawFirm.name, LawFirm.id)
    if firm_ids is not None:
        stmt = stmt.where(LawFirm.id.in_(list(firm_ids)))
    firms = list(session.exec(stmt))
    ids = [f.id for f in firms]
    if not ids:
        return []
    cards = {f.id: Scorecard(firm=f) for f in firms}
    payments = _payments(session, ids)
    judgments = _first_dates(session, ids, KeyDateKind.JUDGMENT_SERVED, S_JUDGMENT)
    applications = _first_dates(session, ids, KeyDateKind.ENFORCEMENT_APPLIED, S_ENFORCEMENT)
    activity = _counsel_activity(session, ids)
    unread = _unread_from_firms(session, ids)
    for case in _engagements(session, ids):
        received = payments.get(case.engagement_id, [])
        case.recovered = sum((amount for _, amount in received), ZERO)
        case.judgment_on = judgments.get(case.engagement_id)
        case.enforcement_applied_on = applications.get(case.engagement_id)
        if case.enforcement_applied_on is not None:
            case.first_money_after_enforcement = next(
                (d for d, _ in received if d >= case.enforcement_applied_on), None
            )
        case.last_update = activity.get((case.case_id, case.firm_id))
        case.unread = unread.get((case.case_id, case.firm_id), 0)
        if case.is_open:
            case.silent_days = _silence(case.last_update, case.starts_on, on)
            case.silent = case.silent_days >= silent_days
        cards[case.firm_id].cases.append(case)
    fees = _fees(session, ids)
    for card in cards.values():
        _total(card, on, silent_days, activity, fees)
    return [cards[i] for i in ids]


def _total(
    card: Scorecard,
    on: date,
    silent_days: int,
    activity: dict[tuple[int, int], datetime],
    fees: dict[int, FeeFigures] | None,
) -> None:
    firm_id = card.firm.id
    cases = card.cases
    card.open_cases = sum(1 for c in cases if c.is_open)
    card.claim_engaged = sum((c.claim_amount for c in cases), ZERO)
    card.recovered = sum((c.recovered for c in cases), ZERO)
    if card.claim_engaged > 0:
        card.recovery_rate = _rate(card.recovered, card.claim_engaged)
    to_judgment = [c.days_to_judgment for c in cases if c.days_to_judgment is not None]
    card.median_days_to_judgment = _median(to_judgment)
    card.judgments = len(to_judgment)
    to_money = [
        c.days_to_enforcement_money for c in cases if c.days_to_enforcement_money is not None
    ]
    card.median_days_to_enforcement_money = _median(to_money)
    card.enforcement_moneys = len(to_money)
    moments = [m for (_, f), m in activity.items() if f == firm_id]
    card.last_update = max(moments, default=None)
    card.last_update_days = _days_since(card.last_update, on)
    open_starts = [c.starts_on for c in cases if c.is_open]
    card.silent_days = _silence(card.last_update, min(open_starts, default=None), on)
    card.silent = card.silent_days is not None and card.silent_days >= silent_days
    card.unread = sum(c.unread for c in cases if c.is_open)
    if fees is not None:
        card.fees = fees.get(firm_id, FeeFigures(ZERO, ZERO, ZERO))
        if card.recovered > 0:
            card.fee_per_yuan = _rate(card.fees.paid, card.recovered)


def scorecard(session: Session, firm_id: int, *, on: date, silent_days: int) -> Scorecard | None:
    cards = scorecards(session, on=on, silent_days=silent_days, firm_ids=[firm_id])
    return cards[0] if cards else None
