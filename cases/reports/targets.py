"""Targets per team and period (目标任务, e.g. the 百日攻坚 campaign of seed 001: "清收盘活不良贷款
1600万元" in the hundred days), and the progress against them.

A target names its scope — the whole book, a creditor (the entity and every branch under it),
a branch (the creditor entity a case is registered to), a handler or a law firm — an
inclusive window of business dates, a metric and the amount to reach:

- ``recovered``: confirmed money received in the window on the scope's cases, by the date
  received — the rule of ``figures.recovered`` (pending and rejected money never counts);
- ``closed``: cases of the scope moved to the closed stage in the window (a whole number).

Cases belong to a scope by their current creditor, handler and firm, as in every grouping of
the management view. Progress is computed, never stored, as of a day ``on``: what was reached
from the first day of the window to ``on`` (or its last day), the share of the target, the
share of the window elapsed, whether that is on track, and what is left per remaining day.

Operations check ``report.targets`` (admin, management), validate and flush; the audit hook
records each change with the acting user (``session.info["actor_id"]``); the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, Session, SQLModel, select

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, utcnow
from cases.errors import N_, NotFound, ValidationError
from cases.figures import Figure, Step
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Creditor
from cases.register import policies
from cases.register.models import Case
from cases.register.stages import Stage
from cases.reports.figures import money
from cases.reports.periods import Period, between
from cases.reports.rates import percent
from cases.timeline.models import Event, EventKind
from cases.users.models import LawFirm, Role, User
from cases.validation import field_error, parse

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
HANDLER_ROLES = (Role.LEGAL, Role.ADMIN)  # who can handle cases (cases.register.operations)


class TargetScope(StrEnum):
    BOOK = "book"  # the whole book
    CREDITOR = "creditor"  # a creditor entity and everything under it
    BRANCH = "branch"  # the cases registered to one creditor entity
    HANDLER = "handler"
    FIRM = "firm"


SCOPE_LABELS = {
    TargetScope.BOOK: N_("Whole book"),
    TargetScope.CREDITOR: N_("Creditor"),
    TargetScope.BRANCH: N_("Branch"),
    TargetScope.HANDLER: N_("Handler"),
    TargetScope.FIRM: N_("Law firm"),
}


class TargetMetric(StrEnum):
    RECOVERED = "recovered"  # money, yuan
    CLOSED = "closed"  # cases closed, a count


METRIC_LABELS = {
    TargetMetric.RECOVERED: N_("Money recovered"),
    TargetMetric.CLOSED: N_("Cases closed"),
}


class TargetStatus(StrEnum):
    UPCOMING = "upcoming"  # the window has not begun
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"  # at least the share of the target the elapsed time asks for
    BEHIND = "behind"
    MISSED = "missed"  # the window is over, the target not reached


STATUS_LABELS = {
    TargetStatus.UPCOMING: N_("Not started"),
    TargetStatus.ACHIEVED: N_("Achieved"),
    TargetStatus.ON_TRACK: N_("On schedule"),
    TargetStatus.BEHIND: N_("Behind"),
    TargetStatus.MISSED: N_("Not reached"),
}
STATUS_TONES = {
    TargetStatus.UPCOMING: "",
    TargetStatus.ACHIEVED: "ok",
    TargetStatus.ON_TRACK: "ok",
    TargetStatus.BEHIND: "warn",
    TargetStatus.MISSED: "bad",
}

RULES = {
    TargetMetric.RECOVERED: "目标完成率=(目标期间内确认收回金额/目标金额)×100%",
    TargetMetric.CLOSED: "目标完成率=(目标期间内结案件数/目标件数)×100%",
}


# ---- the table --------------------------------------------------------------------------------


class TargetBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    scope: TargetScope = Field(
        default=TargetScope.BOOK, sa_type=enum_type(TargetScope, "target_scope")
    )
    # The creditor, user or law firm of the scope; None for the whole book.
    scope_key: int | None = Field(default=None, ge=1)
    start_on: date  # first day, inclusive
    end_on: date  # last day, inclusive
    metric: TargetMetric = Field(
        default=TargetMetric.RECOVERED, sa_type=enum_type(TargetMetric, "target_metric")
    )
    target_amount: Decimal = money_field(gt=Decimal(0))  # yuan, or a number of cases
    note: str | None = Field(default=None, max_length=1000)


class TargetIn(TargetBase):
    """A target as typed, for creating or changing one."""

    @model_validator(mode="after")
    def _rules(self) -> TargetIn:
        if self.end_on < self.start_on:
            raise field_error("end_on", N_("The last day cannot be before the first day"))
        if self.scope == TargetScope.BOOK:
            self.scope_key = None
        elif self.scope_key is None:
            raise field_error("scope_key", N_("Choose whom the target is for"))
        if (
            self.metric == TargetMetric.CLOSED
            and self.target_amount != self.target_amount.to_integral()
        ):
            raise field_error("target_amount", N_("A number of cases is a whole number"))
        return self


class ReportTarget(TargetBase, table=True):
    __tablename__ = "report_target"
    __table_args__ = (
        sa.CheckConstraint("end_on >= start_on", name="window_ordered"),
        sa.CheckConstraint("target_amount > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(scope = 'book' AND scope_key IS NULL) OR (scope != 'book' AND scope_key IS NOT NULL)",
            name="scope_key_given",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---- operations -------------------------------------------------------------------------------


def _check_key(session: Session, data: TargetIn) -> None:
    """The scope's creditor, handler or law firm exists."""
    key = data.scope_key
    if data.scope in (TargetScope.CREDITOR, TargetScope.BRANCH):
        if key is None or session.get(Creditor, key) is None:
            raise ValidationError.single("scope_key", N_("No such creditor"))
    elif data.scope == TargetScope.HANDLER:
        user = session.get(User, key) if key is not None else None
        if user is None or user.role not in HANDLER_ROLES:
            raise ValidationError.single("scope_key", N_("No such handler"))
    elif data.scope == TargetScope.FIRM and (key is None or session.get(LawFirm, key) is None):
        raise ValidationError.single("scope_key", N_("No such law firm"))


def create_target(session: Session, actor: User, data: dict[str, Any] | TargetIn) -> ReportTarget:
    policies.require(actor, "report.targets")
    payload = parse(TargetIn, data)
    _check_key(session, payload)
    target = ReportTarget.model_validate(payload.model_dump(), update={"created_by_id": actor.id})
    session.add(target)
    session.flush()
    return target


def update_target(
    session: Session, actor: User, target: ReportTarget, data: dict[str, Any] | TargetIn
) -> ReportTarget:
    policies.require(actor, "report.targets")
    payload = parse(TargetIn, data)
    _check_key(session, payload)
    for name, value in payload.model_dump().items():
        setattr(target, name, value)
    target.updated_at = utcnow()
    session.flush()
    return target


def delete_target(session: Session, actor: User, target: ReportTarget) -> None:
    policies.require(actor, "report.targets")
    session.delete(target)
    session.flush()


def get_target(session: Session, target_id: int) -> ReportTarget:
    target = session.get(ReportTarget, target_id)
    if target is None:
        raise NotFound(N_("No such target."))
    return target


def all_targets(session: Session) -> list[ReportTarget]:
    """Every target, the latest window first."""
    stmt = select(ReportTarget).order_by(
        ReportTarget.end_on.desc(), ReportTarget.start_on.desc(), ReportTarget.id
    )
    return list(session.exec(stmt))


def targets_during(session: Session, period: Period) -> list[ReportTarget]:
    """Targets whose window overlaps ``period``, the earliest ending first."""
    stmt = (
        select(ReportTarget)
        .where(ReportTarget.start_on <= period.end, ReportTarget.end_on >= period.start)
        .order_by(ReportTarget.end_on, ReportTarget.start_on, ReportTarget.id)
    )
    return list(session.exec(stmt))


# ---- progress ---------------------------------------------------------------------------------


def creditor_trees(session: Session, keys: Any) -> dict[int, list[int]]:
    """Each creditor of ``keys`` with every entity under it, at any depth (one query over
    ``creditor``, which is small)."""
    children: dict[int | None, list[int]] = {}
    for id_, parent in session.execute(sa.select(Creditor.id, Creditor.parent_id)):
        children.setdefault(parent, []).append(id_)
    trees = {}
    for key in keys:
        found, todo = [], [key]
        while todo:
            node = todo.pop()
            if node not in found:
                found.append(node)
                todo.extend(children.get(node, ()))
        trees[key] = found
    return trees


def scope_condition(
    scope: TargetScope | str, key: int | None, trees: dict[int, list[int]] | None = None
) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``Case`` for the cases of a scope (their current assignments);
    ``trees`` (``creditor_trees``) holds the creditor scopes' entities."""
    scope = TargetScope(scope)
    if scope == TargetScope.BOOK:
        return sa.true()
    if scope == TargetScope.CREDITOR:
        return Case.creditor_id.in_((trees or {}).get(key, [key]))
    column = {
        TargetScope.BRANCH: Case.creditor_id,
        TargetScope.HANDLER: Case.handler_id,
        TargetScope.FIRM: Case.firm_id,
    }[scope]
    return column == key


def achieved_all(session: Session, targets: list[ReportTarget], on: date) -> list[Decimal]:
    """What each target reached from its window's first day to ``on`` (or its last day),
    inclusive: confirmed money by date received, or cases moved to the closed stage
    (Beijing-time days). One query for all the money targets and one for all the counts,
    each a conditional sum per target over the rows of the windows together."""
    trees = creditor_trees(
        session, {t.scope_key for t in targets if t.scope == TargetScope.CREDITOR}
    )
    begun = [(i, t, min(on, t.end_on)) for i, t in enumerate(targets) if on >= t.start_on]
    reached = [ZERO] * len(targets)
    money_ = [(i, t, until) for i, t, until in begun if t.metric == TargetMetric.RECOVERED]
    if money_:
        sums = [
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            Payment.received_on.between(t.start_on, until),
                            scope_condition(t.scope, t.scope_key, trees),
                        ),
                        Payment.amount,
                    ),
                    else_=0,
                )
            )
            for _, t, until in money_
        ]
        first, last = min(t.start_on for _, t, _ in money_), max(u for _, _, u in money_)
        stmt = (
            sa.select(*sums)
            .select_from(Payment)
            .where(CONFIRMED, Payment.received_on.between(first, last))
        )
        if any(t.scope != TargetScope.BOOK for _, t, _ in money_):
            stmt = stmt.join(Case, Case.id == Payment.case_id)
        for (i, _, _), total in zip(money_, session.execute(stmt).one(), strict=True):
            reached[i] = money(total)
    counts = [(i, t, until) for i, t, until in begun if t.metric == TargetMetric.CLOSED]
    if counts:
        windows = [between(t.start_on, until) for _, t, until in counts]
        closed = [
            sa.func.count(
                sa.distinct(
                    sa.case(
                        (
                            sa.and_(
                                Event.occurred_at >= w.start_at,
                                Event.occurred_at < w.end_at,
                                scope_condition(t.scope, t.scope_key, trees),
                            ),
                            Event.case_id,
                        ),
                        else_=None,
                    )
                )
            )
            for (_, t, _), w in zip(counts, windows, strict=True)
        ]
        stmt = (
            sa.select(*closed)
            .select_from(Event)
            .join(Case, Case.id == Event.case_id)
            .where(
                Event.kind == EventKind.STAGE_CHANGE,
                Event.to_stage == Stage.CLOSED.value,
                Event.occurred_at >= min(w.start_at for w in windows),
                Event.occurred_at < max(w.end_at for w in windows),
            )
        )
        for (i, _, _), count in zip(counts, session.execute(stmt).one(), strict=True):
            reached[i] = Decimal(count)
    return reached


@dataclass(frozen=True)
class Progress:
    """A target as of the day ``on``. Days: the window has ``days``; ``elapsed`` of them are
    over (before ``on``); ``left`` remain, ``on`` included — money received today still counts."""

    target: ReportTarget
    on: date
    achieved: Decimal
    percent: Decimal  # of the target, half-up to 0.01
    days: int
    elapsed: int
    left: int
    elapsed_percent: Decimal  # of the window, half-up to 0.01
    expected: Decimal  # what the elapsed share of the window asks for
    remaining: Decimal  # to reach the target (never below nothing)
    per_day: Decimal | None  # remaining ÷ days left; None once the window is over
    status: TargetStatus
    figure: Figure

    @property
    def is_money(self) -> bool:
        return self.target.metric == TargetMetric.RECOVERED


def _count(value: Decimal) -> int | str:
    """A number of cases for a step: whole, or with its tenth (not money)."""
    return int(value) if value == value.to_integral() else str(value)


def progress(session: Session, target: ReportTarget, on: date) -> Progress:
    """The target's progress as of ``on`` (one query)."""
    return progress_all(session, [target], on)[0]


def progress_of(target: ReportTarget, on: date, reached: Decimal) -> Progress:
    """The arithmetic of progress, from what was reached by ``on``."""
    goal = target.target_amount
    days = (target.end_on - target.start_on).days + 1
    elapsed = min(max((on - target.start_on).days, 0), days)
    if on > target.end_on:
        elapsed = days
    left = days - elapsed
    share = percent(reached, goal) or ZERO
    elapsed_share = percent(Decimal(elapsed), Decimal(days)) or ZERO
    expected = (goal * elapsed / days).quantize(FEN, rounding=ROUND_HALF_UP)
    remaining = max(goal - reached, ZERO)
    per_day = (remaining / left).quantize(FEN, rounding=ROUND_HALF_UP) if left else None
    if on < target.start_on:
        status = TargetStatus.UPCOMING
    elif reached >= goal:
        status = TargetStatus.ACHIEVED
    elif on > target.end_on:
        status = TargetStatus.MISSED
    elif reached >= expected:
        status = TargetStatus.ON_TRACK
    else:
        status = TargetStatus.BEHIND
    money_metric = target.metric == TargetMetric.RECOVERED
    shown = (lambda v: v) if money_metric else _count
    figure = Figure(
        value=share,
        rule=RULES[target.metric],
        inputs={
            "scope": target.scope,
            "scope_key": target.scope_key,
            "start": target.start_on,
            "end": target.end_on,
            "on": on,
            "metric": target.metric,
            "target": goal,
            "achieved": reached,
        },
        steps=(
            Step(
                N_("Window %(start)s to %(end)s: %(days)s days"),
                None,
                {"start": target.start_on, "end": target.end_on, "days": days},
            ),
            Step(
                N_("Confirmed money received from %(start)s to %(until)s")
                if money_metric
                else N_("Cases closed from %(start)s to %(until)s"),
                shown(reached),
                {"start": target.start_on, "until": min(on, target.end_on)},
            ),
            Step(N_("Target"), shown(goal)),
            Step(
                N_("Share of the target reached: %(percent)s%% (half-up to 0.01)"),
                None,
                {"percent": share},
            ),
            Step(
                N_("Time elapsed: %(elapsed)s of %(days)s days, %(percent)s%%"),
                None,
                {"elapsed": elapsed, "days": days, "percent": elapsed_share},
            ),
            Step(N_("Expected by now: the target × the time elapsed"), shown(expected)),
            Step(N_("Still to reach"), shown(remaining)),
            Step(
                N_("Needed per remaining day (%(left)s days, today included)"),
                None if per_day is None else shown(per_day),
                {"left": left},
            ),
        ),
    )
    return Progress(
        target=target,
        on=on,
        achieved=reached,
        percent=share,
        days=days,
        elapsed=elapsed,
        left=left,
        elapsed_percent=elapsed_share,
        expected=expected,
        remaining=remaining,
        per_day=per_day,
        status=status,
        figure=figure,
    )


def progress_all(session: Session, targets: list[ReportTarget], on: date) -> list[Progress]:
    """Progress of each target as of ``on`` (two queries at most: ``achieved_all``)."""
    reached = achieved_all(session, targets, on)
    return [progress_of(t, on, r) for t, r in zip(targets, reached, strict=True)]


def scope_names(session: Session, targets: list[ReportTarget]) -> dict[tuple[str, int], str]:
    """Display names of the targets' scope keys, ``(scope, key) → name`` (three queries at most)."""
    wanted: dict[type, set[int]] = {Creditor: set(), User: set(), LawFirm: set()}
    model_of = {
        TargetScope.CREDITOR: Creditor,
        TargetScope.BRANCH: Creditor,
        TargetScope.HANDLER: User,
        TargetScope.FIRM: LawFirm,
    }
    for target in targets:
        if target.scope_key is not None:
            wanted[model_of[target.scope]].add(target.scope_key)
    found: dict[type, dict[int, str]] = {}
    for model, ids in wanted.items():
        if ids:
            rows = session.execute(sa.select(model.id, model.name).where(model.id.in_(ids)))
            found[model] = dict(rows.all())
        else:
            found[model] = {}
    return {
        (t.scope.value, t.scope_key): found[model_of[t.scope]].get(t.scope_key, "?")
        for t in targets
        if t.scope_key is not None
    }


def campaign_end(start: date, days: int) -> date:
    """The last day of a campaign of ``days`` days from ``start`` (百日攻坚: 100)."""
    return start + timedelta(days=days - 1)
