"""Who owns which deadline, and the deadlines board itself.

A user owns the deadlines of the cases they are responsible for:

- legal staff: the cases they handle (承办人);
- outside counsel: their firm's cases where they are the lead lawyer of the live engagement,
  or all their firm's cases whose engagement names no lead lawyer (or one no longer at the
  firm or deactivated — the deadline must not be left with nobody);
- admins and management: every case;
- finance: none (they may look at any handler's or firm's with the filters);

and, on top, the deadlines added by hand that name them as owner (on a case they may see).
``owns`` is that rule; the SQL in ``board`` only narrows the cases to read.

Everything is read in a handful of statements whatever the number of cases: the cases with
their debtor and lead lawyer, their facts (``schedule.load_facts``: five), the deadlines
added by hand and the outcomes recorded. The deadlines are then computed in Python with the
same rules as the case page (``schedule.deadlines_for``).
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.board import rollover
from cases.board.models import (
    CASE_DEADLINE_KIND_LABELS,
    CUSTOM,
    ROLLED_KINDS,
    CaseDeadline,
    DeadlineOutcome,
)
from cases.board.rollover import Rollover
from cases.engagements.models import Engagement, EngagementStatus
from cases.figures import Figure
from cases.parties.models import Party
from cases.register import policies, schedule
from cases.register.keydates import KeyDateKind
from cases.register.models import Case
from cases.register.stages import Stage
from cases.users.models import Role, User

HORIZONS = (7, 30, 90, 365)  # days ahead the board shows; passed deadlines are always shown
DEFAULT_HORIZON = 90
DIGEST_DAYS = schedule.URGENT_DAYS  # the digest: passed, and due within 7 days
SUBJECT_MAX = 200
MANUAL_RULE = "《民事诉讼法》(2023) 第85条"  # a period set by the court rolls over rest days
MEMO_SIZE = 10_000  # cases whose deadlines a process remembers (~4 KB each; ``_deadlines``)

Key = tuple[int, str, date, str]  # case, kind, due date, subject: a computed deadline


@dataclass(frozen=True)
class CaseHead:
    """What the board shows of a case and decides ownership by."""

    id: int
    number: str
    debtor: str
    handler_id: int | None
    firm_id: int | None
    lead_lawyer_id: int | None  # of the live engagement, when still at the firm and active
    stage: Stage = Stage.INTAKE
    owing: bool = True  # principal outstanding (the limitation line is shown only then)


@dataclass(frozen=True)
class BoardRow:
    case: CaseHead
    kind: str  # a ``cases.deadlines.DEADLINE_KINDS`` key, or ``custom``
    label: str  # msgid
    due: date  # after any rollover
    subject: str = ""  # the claim, guarantor or frozen asset it concerns
    figure: Figure | None = None  # how a computed deadline was computed
    custom: CaseDeadline | None = None  # a deadline added by hand
    outcome: DeadlineOutcome | None = None

    @functools.cached_property
    def moved(self) -> Rollover | None:
        """How a rest day or holiday moved the last day (worked out when shown)."""
        if self.figure is not None:
            return rollover.of_figure(self.figure)
        if self.custom is not None and self.custom.kind in ROLLED_KINDS:
            return rollover.roll(self.custom.due_on)[1]
        return None

    @property
    def expires_on(self) -> date | None:
        """Freezes and seizures: the day the measure lapses (the renewal is due before)."""
        if self.kind == "freeze_renewal" and self.figure is not None:
            return self.figure.steps[0].value
        return None

    @property
    def key(self) -> Key:
        return (self.case.id, self.kind, self.due, self.subject)

    @property
    def title(self) -> str | None:
        return self.custom.title if self.custom else None

    @property
    def rule(self) -> str | None:
        if self.figure is not None:
            return self.figure.rule
        return MANUAL_RULE if self.custom and self.custom.kind in ROLLED_KINDS else None

    @property
    def resolved(self) -> bool:
        return self.outcome is not None or bool(self.custom and self.custom.done)

    def days_left(self, on: date) -> int:
        return (self.due - on).days

    def urgency(self, on: date) -> str:
        return schedule.urgency(self.days_left(on))

    def flagged(self, on: date) -> bool:
        """Passed with nothing recorded about it: stays on every list until someone does."""
        return not self.resolved and self.due < on

    @property
    def uid(self) -> str:
        """Stable across fetches (calendar events keep their identity)."""
        if self.custom is not None:
            return f"deadline-{self.custom.id}@qingshou"
        digest = hashlib.sha256(self.subject.encode()).hexdigest()[:10]
        return f"case-{self.case.id}-{self.kind}-{self.due.isoformat()}-{digest}@qingshou"


def sort_key(on: date):
    """Passed first (the oldest first), then by days left; ties by case number."""

    def key(row: BoardRow) -> tuple:
        return (0 if row.due < on else 1, row.due, row.case.number, row.label, row.subject)

    return key


# ---- ownership ----------------------------------------------------------------------------


def owns_case(user: User, case: CaseHead) -> bool:
    if not user.is_active:
        return False
    if user.role == Role.COUNSEL:
        return (
            case.firm_id is not None
            and case.firm_id == user.firm_id
            and (case.lead_lawyer_id is None or case.lead_lawyer_id == user.id)
        )
    if user.role == Role.LEGAL:
        return case.handler_id == user.id
    return user.role in (Role.ADMIN, Role.MANAGEMENT)


def owns(user: User, row: BoardRow) -> bool:
    if owns_case(user, row.case):
        return True
    custom = row.custom
    if custom is None or custom.owner_id != user.id or not user.is_active:
        return False
    return user.role != Role.COUNSEL or row.case.firm_id == user.firm_id


# ---- reading ------------------------------------------------------------------------------


def _lead_lawyer() -> sa.ScalarSelect:
    return (
        select(Engagement.lead_lawyer_id)
        .where(Engagement.case_id == Case.id, Engagement.status == EngagementStatus.ACTIVE)
        .limit(1)
        .scalar_subquery()
    )


def _counsel_firms(session: Session) -> dict[int, int]:
    """Active counsel → their firm (a lead lawyer who left counts as none)."""
    rows = session.exec(
        select(User.id, User.firm_id).where(User.role == Role.COUNSEL, User.is_active)
    ).all()
    return {user_id: firm_id for user_id, firm_id in rows if firm_id is not None}


def case_heads(session: Session, where: sa.ColumnElement[bool]) -> list[CaseHead]:
    """The open (not closed) cases matching ``where``, as the board shows them."""
    found = session.exec(
        select(
            Case.id,
            Case.number,
            Party.name,
            Case.handler_id,
            Case.firm_id,
            _lead_lawyer().label("lead"),
            Case.stage,
            Case.claimed_principal > Case.recovered_amount,
        )
        .join(Party, Party.id == Case.debtor_id)
        .where(where, Case.stage != Stage.CLOSED)
    ).all()
    counsel = _counsel_firms(session) if found else {}
    heads = []
    for case_id, number, debtor, handler_id, firm_id, lead, stage, owing in found:
        lead = lead if lead is not None and counsel.get(lead) == firm_id else None
        heads.append(
            CaseHead(case_id, number, debtor, handler_id, firm_id, lead, stage, bool(owing))
        )
    return heads


def collect(session: Session, where: sa.ColumnElement[bool]) -> list[BoardRow]:
    """Every deadline (resolved or not) of the open cases matching ``where``."""
    heads = case_heads(session, where)
    if not heads:
        return []
    ids = select(Case.id).where(where, Case.stage != Stage.CLOSED)
    facts = schedule.load_facts(session, ids)
    customs: dict[int, list[CaseDeadline]] = {}
    for row in session.exec(
        select(CaseDeadline).where(CaseDeadline.case_id.in_(ids)).order_by(CaseDeadline.id)
    ):
        customs.setdefault(row.case_id, []).append(row)
    by_key: dict[Key, DeadlineOutcome] = {}
    by_custom: dict[int, DeadlineOutcome] = {}
    for outcome in session.exec(select(DeadlineOutcome).where(DeadlineOutcome.case_id.in_(ids))):
        if outcome.case_deadline_id is not None:
            by_custom[outcome.case_deadline_id] = outcome
        else:
            key = (outcome.case_id, outcome.deadline_kind, outcome.due_on, outcome.subject)
            by_key[key] = outcome
    rows: list[BoardRow] = []
    for head in heads:
        rows += _computed(head, facts.get(head.id, schedule.CaseFacts()), by_key)
        rows += _added(head, customs.get(head.id, []), by_custom)
    return rows


def _computed(
    head: CaseHead, facts: schedule.CaseFacts, outcomes: Mapping[Key, DeadlineOutcome]
) -> list[BoardRow]:
    rows = []
    for d in _deadlines(head, facts):
        subject = (d.subject or "")[:SUBJECT_MAX]
        outcome = outcomes.get((head.id, d.kind, d.due, subject))
        rows.append(BoardRow(head, d.kind, d.label, d.due, subject, d.figure, outcome=outcome))
    return rows


def _deadlines(head: CaseHead, facts: schedule.CaseFacts) -> tuple[schedule.Deadline, ...]:
    """``schedule.deadlines_for``, remembered: it is a pure function of the facts below (the
    holiday calendar aside, which does not change while a process runs), and most of the
    board's time is spent in it."""
    key = (
        head.stage,
        head.owing,
        tuple((d.kind, d.on, d.note) for d in facts.key_dates),
        tuple((c.contract_ref, c.due_date) for c in facts.claims),
        frozenset(facts.agreed_to_pay),
        tuple(facts.sureties),
    )
    return _computed_from(key)


@functools.lru_cache(maxsize=MEMO_SIZE)
def _computed_from(key: tuple) -> tuple[schedule.Deadline, ...]:
    stage, owing, dates, claims, agreed, sureties = key
    case = _Owed(stage, Decimal(owing))
    facts = schedule.CaseFacts(
        key_dates=[_KeyFact(*d) for d in dates],
        claims=[_ClaimFact(*c) for c in claims],
        agreed_to_pay=set(agreed),
        sureties=list(sureties),
    )
    return tuple(schedule.deadlines_for(case, facts))  # type: ignore[arg-type]


def forget_computed() -> None:
    """Drop the remembered deadlines (a benchmark measures the board cold with it)."""
    _computed_from.cache_clear()


class _Owed(NamedTuple):
    stage: Stage
    outstanding: Decimal


class _KeyFact(NamedTuple):
    kind: KeyDateKind
    on: date
    note: str | None


class _ClaimFact(NamedTuple):
    contract_ref: str
    due_date: date


def _added(
    head: CaseHead, customs: Iterable[CaseDeadline], outcomes: Mapping[int, DeadlineOutcome]
) -> list[BoardRow]:
    rows = []
    for custom in customs:
        due = custom.due_on
        if custom.kind in ROLLED_KINDS:
            due = rollover.roll(custom.due_on)[0]
        label = CASE_DEADLINE_KIND_LABELS[custom.kind]
        outcome = outcomes.get(custom.id)
        rows.append(BoardRow(head, CUSTOM, label, due, "", None, custom, outcome))
    return rows


def case_rows(session: Session, case: Case) -> list[BoardRow]:
    """Every deadline of one case, resolved or not, soonest first."""
    rows = collect(session, Case.id == case.id)
    return sorted(rows, key=lambda r: (r.due, r.label, r.subject))


# ---- the board ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilter:
    """What the board is asked for. ``handler`` is a user id or ``"all"``; with neither a
    handler nor a firm, each user sees what they own. Counsel cannot filter."""

    handler: int | Literal["all"] | None = None
    firm_id: int | None = None
    horizon: int | None = DEFAULT_HORIZON  # days ahead; None: every date
    page: int = 1

    @property
    def filtering(self) -> bool:
        return self.handler is not None or self.firm_id is not None


def parse_filter(args: Mapping[str, str]) -> BoardFilter:
    """From a query string; anything unreadable is left at its default."""

    def number(name: str) -> int | None:
        text = (args.get(name) or "").strip()
        return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None

    handler_text = (args.get("handler") or "").strip()
    handler: int | Literal["all"] | None = "all" if handler_text == "all" else number("handler")
    horizon_text = (args.get("horizon") or "").strip()
    horizon: int | None = DEFAULT_HORIZON
    if horizon_text == "all":
        horizon = None
    elif horizon_text.isdigit() and int(horizon_text) in HORIZONS:
        horizon = int(horizon_text)
    return BoardFilter(handler, number("firm"), horizon, number("page") or 1)


@dataclass
class Board:
    rows: list[BoardRow]  # this page
    total: int  # unresolved deadlines within the horizon (passed ones included)
    counts: dict[str, int]  # unresolved by urgency, whatever the horizon
    page: int
    pages: int
    on: date
    filter: BoardFilter
    owned: bool  # showing the user's own deadlines (no filter)
    beyond: int = 0  # unresolved deadlines after the horizon


def _custom_cases(user: User) -> sa.ColumnElement[bool]:
    return Case.id.in_(select(CaseDeadline.case_id).where(CaseDeadline.owner_id == user.id))


def _narrowing(user: User, filt: BoardFilter) -> tuple[sa.ColumnElement[bool], bool]:
    """The cases to read (a superset of what is shown), and whether ``owns`` then decides."""
    visible = policies.visible_filter(user)
    if user.role == Role.COUNSEL or not filt.filtering:
        if user.role == Role.LEGAL:
            return sa.and_(visible, sa.or_(Case.handler_id == user.id, _custom_cases(user))), True
        if user.role in (Role.ADMIN, Role.MANAGEMENT, Role.COUNSEL):
            return visible, True
        return sa.and_(visible, _custom_cases(user)), True
    clauses = [visible]
    if isinstance(filt.handler, int):
        clauses.append(Case.handler_id == filt.handler)
    if filt.firm_id is not None:
        clauses.append(Case.firm_id == filt.firm_id)
    return sa.and_(*clauses), False


def open_rows(session: Session, user: User, filt: BoardFilter | None = None) -> list[BoardRow]:
    """The unresolved deadlines the user owns (or that the filter asks for), unsorted."""
    filt = filt or BoardFilter()
    where, owned = _narrowing(user, filt)
    rows = [r for r in collect(session, where) if not r.resolved]
    return [r for r in rows if owns(user, r)] if owned else rows


def board(
    session: Session, user: User, filt: BoardFilter, on: date, *, page_size: int = 50
) -> Board:
    rows = sorted(open_rows(session, user, filt), key=sort_key(on))
    counts = {"passed": 0, "urgent": 0, "soon": 0, "ok": 0}
    for row in rows:
        counts[row.urgency(on)] += 1
    shown = rows if filt.horizon is None else [r for r in rows if r.days_left(on) <= filt.horizon]
    pages = max(1, math.ceil(len(shown) / page_size))
    page = min(max(filt.page, 1), pages)
    start = (page - 1) * page_size
    return Board(
        rows=shown[start : start + page_size],
        total=len(shown),
        counts=counts,
        page=page,
        pages=pages,
        on=on,
        filter=filt,
        owned=user.role == Role.COUNSEL or not filt.filtering,
        beyond=len(rows) - len(shown),
    )
