"""The management dashboard as one object: every figure the reports page and the monthly PDF
show, from the figures of ``figures``, ``rates``, ``targets`` and ``rankings``.

``dashboard(session, period, dimension, on)`` reads, in this order (each a function a
benchmark can time on its own):

1. ``figures.recovered_total`` — once per card (this week / month / year by default), each
   period cut at ``on``, and once for the chosen period;
2. ``figures.aging(dimension, on=on)`` and ``dimensions.names`` for its keys;
3. ``figures.funnel``;
4. ``rates.rates(period)`` — the three rates of seed 004 with their inputs;
5. ``recovered_series(trend periods)`` — money recovered in each of the 12 periods of the
   trend, one query; ``rate_values(p)`` for each of them (``rates.amounts``, two passes,
   and ``rates.written_off``);
6. ``targets.targets_during(period)``, ``targets.progress_all`` (two queries at most) and
   ``targets.scope_names``;
7. ``rankings.ranking`` by branch, handler and firm (money recovered, the two passes of the
   rates and the names each).

The chosen period drives the rates, the trend, the targets shown and the rankings; ``on``
(normally today) fixes the aging buckets, the cards and the targets' progress.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from cases.figures import Figure
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Creditor
from cases.register.aging import AgingBucket
from cases.reports import rankings as rankings_module
from cases.reports import rates as rates_module
from cases.reports import targets as targets_module
from cases.reports.dimensions import Dimension, names
from cases.reports.figures import (
    ZERO,
    AgingRow,
    Cell,
    FunnelStep,
    Recovered,
    aging,
    funnel,
    money,
    recovered_total,
)
from cases.reports.periods import Period, PeriodKind, containing
from cases.reports.rankings import Ranking
from cases.reports.targets import Progress

TREND_LENGTH = 12
CARD_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.YEAR)


@dataclass(frozen=True)
class Card:
    """Money recovered in a period up to ``on`` ("this month": from the 1st to today)."""

    kind: PeriodKind
    period: Period
    recovered: Recovered


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    recovered: Decimal
    payments: int
    recovery: Decimal | None  # percent; None: nothing to divide by
    overdue: Decimal | None
    bad_debt: Decimal | None


@dataclass
class Dashboard:
    on: date
    period: Period
    dimension: Dimension
    cards: list[Card]
    recovered: Recovered  # in the chosen period
    aging: list[AgingRow]
    aging_total: AgingRow
    aging_names: dict[int, str]
    funnel: list[FunnelStep]
    rates: dict[str, Figure]
    trend: list[TrendPoint]
    targets: list[Progress]
    target_names: dict[tuple[str, int], str]
    rankings: dict[Dimension, Ranking]
    creditors_alone: set[int] = field(default_factory=set)  # creditors without branches


# ---- periods ----------------------------------------------------------------------------------


def up_to(period: Period, on: date) -> Period:
    """``period`` cut at ``on`` (a period not yet begun is kept whole)."""
    if period.start <= on < period.end:
        return Period(period.kind, period.start, on)
    return period


def trend_periods(period: Period, length: int = TREND_LENGTH) -> list[Period]:
    """The ``length`` weeks, months, quarters or years up to the one holding ``period``'s last
    day, oldest first (months for a from–to period)."""
    kind = PeriodKind.MONTH if period.kind == PeriodKind.CUSTOM else period.kind
    found = [containing(kind, period.end)]
    while len(found) < length:
        found.append(containing(kind, found[-1].start - timedelta(days=1)))
    return found[::-1]


# ---- the trend ------------------------------------------------------------------------------


def recovered_series(session: Session, periods: Sequence[Period]) -> list[Recovered]:
    """Confirmed money received in each of ``periods`` (contiguous, disjoint), one query."""
    if not periods:
        return []
    slot = sa.case(
        *[(Payment.received_on.between(p.start, p.end), i) for i, p in enumerate(periods)],
        else_=None,
    ).label("slot")
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    sub = (
        sa.select(slot, Payment.amount)
        .where(CONFIRMED, Payment.received_on.between(first, last))
        .subquery()
    )
    rows = session.execute(
        sa.select(sub.c.slot, sa.func.count(), sa.func.sum(sub.c.amount)).group_by(sub.c.slot)
    ).all()
    found = {slot: (n, amount) for slot, n, amount in rows if slot is not None}
    return [
        Recovered(None, found.get(i, (0, None))[0], money(found.get(i, (0, None))[1]))
        for i in range(len(periods))
    ]


def rate_values(
    session: Session, period: Period
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(recovery, overdue, bad-debt) rate of ``period`` in percent, the seed-004 formulas of
    ``rates`` (its amounts read once: ``rates.amounts``, and ``rates.written_off``)."""
    found = rates_module.amounts(session, period)
    gone = rates_module.written_off(session, period)
    percent = rates_module.percent
    return (
        percent(found.collected, found.due),
        percent(found.overdue, found.receivable),
        percent(gone, found.receivable),
    )


def trend(session: Session, periods: Sequence[Period]) -> list[TrendPoint]:
    money_rows = recovered_series(session, periods)
    points = []
    for period, paid in zip(periods, money_rows, strict=True):
        recovery, overdue, bad_debt = rate_values(session, period)
        points.append(TrendPoint(period, paid.amount, paid.payments, recovery, overdue, bad_debt))
    return points


# ---- aging helpers ----------------------------------------------------------------------------


def aging_total(rows: Sequence[AgingRow]) -> AgingRow:
    """The sum of aging rows, bucket by bucket (key None)."""
    total = AgingRow(None)
    for bucket in AgingBucket:
        cells = [row.buckets[bucket] for row in rows]
        total.buckets[bucket] = Cell(
            sum(c.count for c in cells), sum((c.amount for c in cells), ZERO)
        )
    return total


def creditors_alone(session: Session, ids: Sequence[int]) -> set[int]:
    """Those of the creditors ``ids`` that have no entity under them: their tree is
    themselves, so the case list's creditor filter shows exactly their cases."""
    if not ids:
        return set()
    parents = sa.select(Creditor.parent_id).where(Creditor.parent_id.in_(ids))
    return set(ids) - {p for (p,) in session.execute(parents)}


# ---- the dashboard --------------------------------------------------------------------------


def dashboard(
    session: Session,
    period: Period,
    dimension: Dimension | str,
    on: date,
    *,
    cards: Sequence[PeriodKind] = CARD_KINDS,
    trend_length: int = TREND_LENGTH,
) -> Dashboard:
    """Every figure of the reports page for ``period``, grouped by ``dimension``, as of ``on``."""
    dimension = Dimension(dimension)
    card_rows = []
    for kind in cards:
        window = up_to(containing(kind, on), on)
        card_rows.append(Card(kind, window, recovered_total(session, window)))
    aged = aging(session, dimension, on=on)
    keys = [row.key for row in aged]
    chosen = targets_module.targets_during(session, period)
    return Dashboard(
        on=on,
        period=period,
        dimension=dimension,
        cards=card_rows,
        recovered=recovered_total(session, period),
        aging=aged,
        aging_total=aging_total(aged),
        aging_names=names(session, dimension, keys),
        funnel=funnel(session),
        rates=rates_module.rates(session, period),
        trend=trend(session, trend_periods(period, trend_length)),
        targets=targets_module.progress_all(session, chosen, on),
        target_names=targets_module.scope_names(session, chosen),
        rankings=rankings_module.rankings(session, period),
        creditors_alone=(
            creditors_alone(session, [k for k in keys if k is not None])
            if dimension == Dimension.CREDITOR
            else set()
        ),
    )
