"""The ledger (台账): every case on one row, as the seeds ask for it (WORKFLOW.md, "Reports
the seeds ask for") — creditor and branch, debtor, claimed principal, balance outstanding,
recovered, earliest due date, overdue days and aging bucket, handler, law firm, stage (with
the amount written off, 账销案存), the last action and the next step, status.

- ``ledger_page(session, actor, filters, page)``: one page and the totals of the whole
  filtered set. A handful of statements whatever the number of cases: the count and totals
  (one aggregate), the page's ids, the page's rows with their names, then — for the page's
  rows only — the last timeline entry of each (one window query), the amounts written off
  (one query), and the next step (the deadlines board's reads, the repayment plans' and the
  promises' for those ids).
- ``ledger_rows(session, actor, filters)``: every matching row in the same order, read in
  chunks (``yield_per``) with the same details per chunk: the .xlsx export.
- ``ledger_count``, ``ledger_ids`` and ``ledger_rows_of``: the same rows for an export made in
  the background (``cases.reports.ledger_exports``): the count, the ordered ids, then the rows
  of a chunk of ids.
- ``record_export``: the audit entry of an export (who, which filters, how many rows).

Money is the register's: principal claimed, confirmed money recovered (``Case.recovered_amount``
counts only what finance confirmed) and the balance = principal − recovered, never below 0.
Overdue days and buckets come from ``Case.overdue_since`` as of the business day ``on``
(Asia/Shanghai), as on the case list; its filters (``conditions``) are reused, except that the
creditor filter here takes a creditor with all its branches (``Creditor.parent_id``, any depth).

The next step is the nearest of: an unresolved deadline of the deadlines board (computed — a
limitation period, an appeal … — or added by hand; a passed one stays until its outcome is
recorded, so it comes first), the next installment due of the case's plan in force, and the
next promise to pay still open. ``NextStep.kind`` says which.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pydantic
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session

from cases.audit.models import AuditAction, AuditEntry
from cases.base import StrEnum, business_time, today
from cases.board.queries import collect
from cases.errors import N_, Message
from cases.ledger.models import PAYMENT_EVENT_LABELS, Payment
from cases.parties.models import Creditor, Party
from cases.plans.matching import PROMISE_GRACE_DAYS
from cases.plans.models import Promise, PromiseStatus
from cases.plans.queries import current_view, plan_views, promise_views
from cases.portal.steps import STEP_LABELS, ProgressStep
from cases.register.aging import AgingBucket, bucket_for, overdue_days
from cases.register.models import Case, CaseStatus
from cases.register.queries import (
    INLINE_DEBTORS,
    MAX_ID,
    CaseQuery,
    SortOrder,
    _among,  # the case list's IN (…) as one array parameter on PostgreSQL
    _debtor_matches,  # the case list's debtor search, looked up once for count and page
    conditions,
)
from cases.register.stages import STAGE_LABELS, Stage
from cases.timeline.models import CHANNEL_LABELS, EVENT_LABELS, Event, EventKind
from cases.users.models import LawFirm, User
from cases.writeoffs.models import WriteOffApplication, WriteOffStatus

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
PAGE_SIZE = 50
CHUNK = 1000  # rows per read of the export (and per batch of details)
SUMMARY_CHARS = 40  # the last action's text is cut to this many characters
EXPORT_ENTITY = "ledger_export"  # the audit entry of an export
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LedgerSort(StrEnum):
    NUMBER = "number"
    OVERDUE = "overdue"  # most overdue first with order=desc
    BALANCE = "balance"


class LedgerFilters(BaseModel):
    """What the ledger is asked for; every field is optional.

    ``q`` searches as the case list does (case number, external reference, debtor name, USCC
    or ID number); ``creditor_id`` is a creditor with all its branches.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: str | None = Field(default=None, max_length=100)
    stage: Stage | None = None
    status: CaseStatus | None = None
    creditor_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    handler_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    firm_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    aging: AgingBucket | None = None
    sort: LedgerSort = LedgerSort.NUMBER
    order: SortOrder = SortOrder.DESC

    @field_validator("q", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = _CONTROL.sub(" ", value).strip()
            return value or None
        return value

    def filters(self) -> dict[str, Any]:
        """The filters that are set, as plain values (not the sort)."""
        skip = {"sort", "order"}
        values = self.model_dump(mode="json")
        return {k: v for k, v in values.items() if k not in skip and v is not None}

    def case_query(self) -> CaseQuery:
        """The case list's query for the filters both share (not the creditor tree)."""
        return CaseQuery(
            q=self.q,
            stage=self.stage,
            status=self.status,
            handler_id=self.handler_id,
            firm_id=self.firm_id,
            aging=self.aging,
        )


def parse_params(params: Mapping[str, Any]) -> tuple[LedgerFilters, int, list[str]]:
    """Filters and page number from request parameters, leaving out the invalid ones.

    Returns the filters, the page (1 when absent or invalid) and the sorted names of the
    parameters that were ignored. Empty values count as absent.
    """
    data = {name: params.get(name) for name in LedgerFilters.model_fields}
    data = {name: value for name, value in data.items() if value not in (None, "")}
    bad: list[str] = []
    try:
        filters = LedgerFilters.model_validate(data)
    except pydantic.ValidationError as exc:
        bad = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
        filters = LedgerFilters.model_validate({k: v for k, v in data.items() if k not in bad})
    page = 1
    raw = params.get("page")
    if raw not in (None, ""):
        text = str(raw).strip()
        if text.isdigit() and 1 <= int(text) <= 1_000_000:
            page = int(text)
        else:
            bad = sorted([*bad, "page"])
    return filters, page, bad


# ---- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LastAction:
    """The latest entry of the case's timeline."""

    occurred_at: datetime
    kind: EventKind
    text: Message  # short: what kind, and the first characters of what was logged

    @property
    def on(self) -> date:
        return business_time(self.occurred_at).date()


class NextStepKind(StrEnum):
    DEADLINE = "deadline"  # of the deadlines board (computed or added by hand)
    INSTALLMENT = "installment"  # of the repayment plan in force
    PROMISE = "promise"  # to pay, logged with a collection contact


NEXT_STEP_LABELS = {
    NextStepKind.DEADLINE: N_("Deadline"),
    NextStepKind.INSTALLMENT: N_("Installment due"),
    NextStepKind.PROMISE: N_("Promise to pay"),
}


@dataclass(frozen=True)
class NextStep:
    kind: NextStepKind
    due_on: date
    text: Message

    def days_left(self, on: date) -> int:
        return (self.due_on - on).days


@dataclass(frozen=True)
class LedgerRow:
    id: int
    number: str
    creditor_id: int
    creditor_name: str  # the top of the creditor's tree
    branch_name: str | None  # the entity the case is registered to, when not the top
    debtor_name: str
    debtor_identifier: str
    principal: Decimal  # claimed
    recovered: Decimal  # confirmed money
    balance: Decimal  # principal outstanding, never below 0
    due_date: date | None  # the earliest due date of the claims
    overdue_days: int
    aging: AgingBucket | None
    handler_name: str | None
    firm_name: str | None
    stage: Stage
    status: CaseStatus
    written_off_amount: Decimal | None  # the approved write-off in force (已核销, 账销案存)
    written_off_on: date | None
    last_action: LastAction | None
    next_step: NextStep | None

    @property
    def written_off(self) -> bool:
        return self.stage == Stage.WRITTEN_OFF


@dataclass(frozen=True)
class Totals:
    count: int
    principal: Decimal
    balance: Decimal
    recovered: Decimal


@dataclass(frozen=True)
class LedgerPage:
    rows: list[LedgerRow]
    totals: Totals  # of the whole filtered set, not the page
    page: int
    page_size: int
    on: date

    @property
    def total(self) -> int:
        return self.totals.count

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.totals.count / self.page_size))


# ---- the queries ----------------------------------------------------------------------------

_LEFT = Case.claimed_principal - Case.recovered_amount
_BALANCE = sa.case((_LEFT > 0, _LEFT), else_=0)

_ROW_COLUMNS = (
    Case.id,
    Case.number,
    Case.creditor_id,
    Party.name.label("debtor_name"),
    sa.func.coalesce(Party.uscc, Party.id_number, "").label("debtor_identifier"),
    User.name.label("handler_name"),
    LawFirm.name.label("firm_name"),
    Case.stage,
    Case.status,
    Case.claimed_principal.label("principal"),
    Case.recovered_amount.label("recovered"),
    Case.oldest_due_date.label("due_date"),
    Case.overdue_since,
)


def _joined(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return (
        stmt.join(Party, Party.id == Case.debtor_id)
        .outerjoin(User, User.id == Case.handler_id)
        .outerjoin(LawFirm, LawFirm.id == Case.firm_id)
    )


def _order_by(filters: LedgerFilters) -> list[sa.ColumnElement[Any]]:
    descending = filters.order == SortOrder.DESC
    if filters.sort == LedgerSort.NUMBER:  # unique: no tie-break needed
        return [Case.number.desc() if descending else Case.number.asc()]
    key: sa.ColumnElement[Any] = Case.overdue_since
    if filters.sort == LedgerSort.OVERDUE:  # most overdue = earliest date
        descending = not descending
    else:
        key = _BALANCE
    if descending:  # empty values sort as the largest (PostgreSQL's default) both ways
        return [key.desc().nulls_first(), Case.id.desc()]
    return [key.asc().nulls_last(), Case.id.asc()]


@dataclass(frozen=True)
class _Creditors:
    """Every creditor entity: names and the top of each tree (a small table, read once)."""

    names: dict[int, str]
    parents: dict[int, int | None]

    def root(self, creditor_id: int) -> int:
        seen = {creditor_id}
        while (parent := self.parents.get(creditor_id)) is not None and parent not in seen:
            seen.add(parent)
            creditor_id = parent
        return creditor_id

    def subtree(self, creditor_id: int) -> list[int]:
        children: dict[int | None, list[int]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        found, todo = [], [creditor_id]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.append(current)
            todo.extend(children.get(current, []))
        return sorted(found)


def _creditors(session: Session) -> _Creditors:
    rows = session.execute(sa.select(Creditor.id, Creditor.name, Creditor.parent_id)).all()
    return _Creditors({i: n for i, n, _p in rows}, {i: p for i, _n, p in rows})


def creditor_choices(session: Session) -> list[tuple[int, str, int]]:
    """``(id, name, depth)`` of every creditor entity, each followed by its branches (by name):
    the filter's choices, where a creditor stands for itself with all its branches."""
    creditors = _creditors(session)
    children: dict[int | None, list[int]] = {}
    for child, parent in creditors.parents.items():
        if parent not in creditors.parents:
            parent = None  # a dangling parent: shown at the top
        children.setdefault(parent, []).append(child)
    out: list[tuple[int, str, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for child in sorted(children.get(parent, []), key=lambda c: (creditors.names[c], c)):
            if child not in seen:
                seen.add(child)
                out.append((child, creditors.names[child], depth))
                walk(child, depth + 1)

    walk(None, 0)
    return out


def _where(
    session: Session, actor: User, filters: LedgerFilters, creditors: _Creditors, on: date
) -> list[sa.ColumnElement[bool]]:
    debtors = None
    if filters.q is not None:  # one look at the debtors, shared by every statement
        found = session.scalars(_debtor_matches(filters.q).limit(INLINE_DEBTORS + 1)).all()
        if len(found) <= INLINE_DEBTORS:
            debtors = _among(Case.debtor_id, found, session.get_bind().dialect.name)
    where = conditions(actor, filters.case_query(), on=on, debtors=debtors)
    if filters.creditor_id is not None:
        where.append(Case.creditor_id.in_(creditors.subtree(filters.creditor_id)))
    return where


def _sum_money(session: Session, column: Any) -> Any:
    """``sum(column)``, exact: SQLite keeps NUMERIC as floating point, so sum whole fen."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.sum(sa.cast(sa.func.round(column * 100), sa.Integer))
    return sa.func.sum(column)


def _money(session: Session, value: Any) -> Decimal:
    if value is None:
        return ZERO
    if session.get_bind().dialect.name == "sqlite":
        return (Decimal(int(value)) / 100).quantize(FEN)
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def ledger_totals(session: Session, where: Sequence[sa.ColumnElement[bool]]) -> Totals:
    """Count, principal, balance and recovered of every case matching ``where``: one query."""
    count, principal, balance, recovered = session.execute(
        sa.select(
            sa.func.count(),
            _sum_money(session, Case.claimed_principal),
            _sum_money(session, _BALANCE),
            _sum_money(session, Case.recovered_amount),
        )
        .select_from(Case)
        .where(*where)
    ).one()
    return Totals(
        count,
        _money(session, principal),
        _money(session, balance),
        _money(session, recovered),
    )


def ledger_page(
    session: Session,
    actor: User,
    filters: LedgerFilters | None = None,
    page: int = 1,
    *,
    page_size: int = PAGE_SIZE,
    on: date | None = None,
) -> LedgerPage:
    """The page of the ledger ``actor`` may see, with the totals of everything that matches.

    A page past the end is clamped to the last; ``LedgerPage.page`` says which came back.
    """
    filters = filters or LedgerFilters()
    on = on or today()
    creditors = _creditors(session)
    where = _where(session, actor, filters, creditors, on)
    totals = ledger_totals(session, where)
    pages = max(1, math.ceil(totals.count / page_size))
    page = min(max(page, 1), pages)
    rows: list[LedgerRow] = []
    if totals.count:
        order = _order_by(filters)
        # The page's ids on the case table alone, then the names for those rows only.
        ids = (
            sa.select(Case.id)
            .where(*where)
            .order_by(*order)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        stmt = _joined(sa.select(*_ROW_COLUMNS)).where(Case.id.in_(ids)).order_by(*order)
        found = session.execute(stmt).mappings().all()
        rows = _rows(session, found, creditors, on)
    return LedgerPage(rows=rows, totals=totals, page=page, page_size=page_size, on=on)


def ledger_rows(
    session: Session,
    actor: User,
    filters: LedgerFilters | None = None,
    *,
    on: date | None = None,
    chunk: int = CHUNK,
) -> Iterator[LedgerRow]:
    """Every row of the ledger ``actor`` may see that matches ``filters``, in the page order,
    read ``chunk`` rows at a time (a server-side cursor on PostgreSQL)."""
    filters = filters or LedgerFilters()
    on = on or today()
    creditors = _creditors(session)
    where = _where(session, actor, filters, creditors, on)
    stmt = (
        _joined(sa.select(*_ROW_COLUMNS))
        .where(*where)
        .order_by(*_order_by(filters))
        .execution_options(yield_per=chunk)
    )
    result = session.execute(stmt).mappings()
    for part in result.partitions():
        yield from _rows(session, part, creditors, on)


def ledger_count(
    session: Session, actor: User, filters: LedgerFilters | None = None, *, on: date | None = None
) -> int:
    """How many rows ``ledger_rows`` would give: one count."""
    filters = filters or LedgerFilters()
    on = on or today()
    where = _where(session, actor, filters, _creditors(session), on)
    return session.execute(sa.select(sa.func.count()).select_from(Case).where(*where)).scalar_one()


def ledger_ids(
    session: Session, actor: User, filters: LedgerFilters | None = None, *, on: date | None = None
) -> list[int]:
    """The ids of every row ``ledger_rows`` would give, in the same order (for a background
    export, which then reads them a chunk at a time with ``ledger_rows_of``)."""
    filters = filters or LedgerFilters()
    on = on or today()
    where = _where(session, actor, filters, _creditors(session), on)
    stmt = sa.select(Case.id).where(*where).order_by(*_order_by(filters))
    return list(session.scalars(stmt))


def ledger_rows_of(session: Session, case_ids: Sequence[int], *, on: date) -> list[LedgerRow]:
    """The rows of ``case_ids`` (already chosen for what the actor may see), in that order;
    a case gone meanwhile is left out."""
    if not case_ids:
        return []
    dialect = session.get_bind().dialect.name
    stmt = _joined(sa.select(*_ROW_COLUMNS)).where(_among(Case.id, list(case_ids), dialect))
    found = {row["id"]: row for row in session.execute(stmt).mappings()}
    ordered = [found[i] for i in case_ids if i in found]
    return _rows(session, ordered, _creditors(session), on)


def _rows(
    session: Session, found: Sequence[Mapping[str, Any]], creditors: _Creditors, on: date
) -> list[LedgerRow]:
    ids = [row["id"] for row in found]
    actions = last_actions(session, ids)
    steps = next_steps(session, ids, on)
    written_off = written_off_amounts(
        session, [row["id"] for row in found if row["stage"] == Stage.WRITTEN_OFF]
    )
    rows = []
    for row in found:
        root = creditors.root(row["creditor_id"])
        since = row["overdue_since"]
        amount, written_on = written_off.get(row["id"], (None, None))
        rows.append(
            LedgerRow(
                id=row["id"],
                number=row["number"],
                creditor_id=row["creditor_id"],
                creditor_name=creditors.names.get(root, ""),
                branch_name=None
                if root == row["creditor_id"]
                else creditors.names.get(row["creditor_id"]),
                debtor_name=row["debtor_name"],
                debtor_identifier=row["debtor_identifier"],
                principal=row["principal"],
                recovered=row["recovered"],
                balance=max(row["principal"] - row["recovered"], ZERO),
                due_date=row["due_date"],
                overdue_days=overdue_days(since, on),
                aging=bucket_for(since, on),
                handler_name=row["handler_name"],
                firm_name=row["firm_name"],
                stage=Stage(row["stage"]),
                status=CaseStatus(row["status"]),
                written_off_amount=amount,
                written_off_on=written_on,
                last_action=actions.get(row["id"]),
                next_step=steps.get(row["id"]),
            )
        )
    return rows


# ---- the details of a page's rows -------------------------------------------------------------


def _short(text: str | None, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _amount(value: Decimal) -> str:
    return f"{value.quantize(FEN, rounding=ROUND_HALF_UP):,}"


def _action_text(row: Mapping[str, Any]) -> Message:
    kind = EventKind(row["kind"])
    label = EVENT_LABELS[kind]
    summary = _short(row["summary"])
    if kind == EventKind.STAGE_CHANGE:
        to_stage = STAGE_LABELS[Stage(row["to_stage"])]
        if row["from_stage"] is None:
            return Message(N_("Registered: %(stage)s"), stage=Message(to_stage))
        return Message(
            N_("%(label)s: %(old)s → %(new)s"),
            label=Message(label),
            old=Message(STAGE_LABELS[Stage(row["from_stage"])]),
            new=Message(to_stage),
        )
    if kind == EventKind.PAYMENT and row["payment_amount"] is not None:
        what = PAYMENT_EVENT_LABELS.get(row["summary"], label)
        return Message(
            N_("%(label)s: %(amount)s"),
            label=Message(what),
            amount=_amount(row["payment_amount"]),
        )
    if kind == EventKind.PROGRESS and row["step"] and row["step"] != ProgressStep.OTHER:
        label = STEP_LABELS[ProgressStep(row["step"])]
    elif kind == EventKind.CONTACT and row["channel"]:
        return Message(
            N_("%(label)s (%(channel)s): %(summary)s"),
            label=Message(label),
            channel=Message(CHANNEL_LABELS[row["channel"]]),
            summary=summary,
        )
    return Message(N_("%(label)s: %(summary)s"), label=Message(label), summary=summary)


def last_actions(session: Session, case_ids: Sequence[int]) -> dict[int, LastAction]:
    """The latest timeline entry of each case (by when it happened): one window query."""
    if not case_ids:
        return {}
    dialect = session.get_bind().dialect.name
    ranked = (
        sa.select(
            Event.case_id,
            Event.occurred_at,
            Event.kind,
            Event.summary,
            Event.channel,
            Event.step,
            Event.from_stage,
            Event.to_stage,
            Payment.amount.label("payment_amount"),
            sa.func.row_number()
            .over(
                partition_by=Event.case_id,
                order_by=(Event.occurred_at.desc(), Event.id.desc()),
            )
            .label("position"),
        )
        .outerjoin(Payment, Payment.id == Event.payment_id)
        .where(_among(Event.case_id, case_ids, dialect))
        .subquery()
    )
    rows = session.execute(sa.select(ranked).where(ranked.c.position == 1)).mappings()
    return {
        row["case_id"]: LastAction(row["occurred_at"], EventKind(row["kind"]), _action_text(row))
        for row in rows
    }


def written_off_amounts(
    session: Session, case_ids: Sequence[int]
) -> dict[int, tuple[Decimal, date | None]]:
    """The amount and day of the approved write-off in force (the latest) of each case."""
    if not case_ids:
        return {}
    rows = session.execute(
        sa.select(
            WriteOffApplication.case_id,
            WriteOffApplication.amount,
            WriteOffApplication.written_off_on,
        )
        .where(
            WriteOffApplication.case_id.in_(case_ids),
            WriteOffApplication.status == WriteOffStatus.APPROVED,
        )
        .order_by(WriteOffApplication.decided_at, WriteOffApplication.id)
    ).all()
    return {case_id: (amount, on) for case_id, amount, on in rows}  # the latest wins


def next_steps(session: Session, case_ids: Sequence[int], on: date) -> dict[int, NextStep]:
    """The nearest of each case's unresolved deadlines, next installment and open promise."""
    if not case_ids:
        return {}
    candidates: dict[int, list[NextStep]] = {}

    def add(case_id: int, step: NextStep) -> None:
        candidates.setdefault(case_id, []).append(step)

    for row in collect(session, Case.id.in_(case_ids)):
        if row.resolved:
            continue
        text = Message(row.label)
        if row.title:
            text = Message(N_("%(label)s: %(title)s"), label=text, title=row.title)
        if row.subject:
            text = Message(N_("%(what)s (%(subject)s)"), what=text, subject=row.subject)
        add(row.case.id, NextStep(NextStepKind.DEADLINE, row.due, text))
    for case_id, views in plan_views(session, case_ids, on, include_cancelled=False).items():
        current = current_view(views)
        due = current.standing.next_due if current and current.is_open else None
        if due is not None:
            text = Message(
                N_("Installment %(no)s of the repayment plan: %(amount)s"),
                no=due.no,
                amount=_amount(due.unpaid),
            )
            add(case_id, NextStep(NextStepKind.INSTALLMENT, due.due_by, text))
    # Only a promise whose window (promised date + grace) has not closed can still be open.
    promising = session.scalars(
        sa.select(Promise.case_id)
        .where(
            Promise.case_id.in_(case_ids),
            Promise.due_on >= on - timedelta(days=PROMISE_GRACE_DAYS),
        )
        .distinct()
    ).all()
    for case_id, promises in promise_views(session, promising, on).items():
        open_ = [p for p in promises if p.status == PromiseStatus.OPEN]
        if open_:
            first = min(open_, key=lambda p: (p.promise.due_on, p.promise.id))
            text = Message(
                N_("Promised payment of %(amount)s"), amount=_amount(first.standing.unpaid)
            )
            add(case_id, NextStep(NextStepKind.PROMISE, first.promise.due_on, text))
    order = list(NextStepKind)
    return {
        case_id: min(steps, key=lambda s: (s.due_on, order.index(s.kind)))
        for case_id, steps in candidates.items()
    }


# ---- the audit entry of an export -----------------------------------------------------------


def record_export(
    session: Session,
    actor: User,
    filters: LedgerFilters,
    *,
    rows: int,
    on: date,
    kind: str,
    job: int | None = None,
) -> AuditEntry:
    """Write who exported the ledger, with which filters, sort and as-of day, and how many rows
    — and the background job that made it, if one did (``cases.reports.ledger_exports``) — as
    an immutable audit row: the database refuses to change or delete it."""
    entry = AuditEntry(
        actor_id=actor.id,
        action=AuditAction.CREATE,
        entity=EXPORT_ENTITY,
        changes={
            "format": [None, kind],
            "filters": [None, filters.filters()],
            "sort": [None, f"{filters.sort.value} {filters.order.value}"],
            "as_of": [None, on.isoformat()],
            "rows": [None, rows],
            **({"job": [None, job]} if job is not None else {}),
        },
    )
    session.add(entry)
    session.flush()
    return entry
