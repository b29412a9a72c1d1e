"""Aging by dimension, the stage funnel, and money recovered per period.

Aging (账龄) uses the buckets and day ranges of ``cases.register.aging`` — the same bounds as
the case list's aging filter, so a bucket opens the list of exactly its cases. It ages each
case's principal outstanding today (``claimed_principal − recovered_amount``, confirmed money
only) from ``Case.overdue_since`` as seen on the ``on`` date. Written-off cases (账销案存) are
off the books and not aged; cases with nothing outstanding have no ``overdue_since`` and are
not aged either. Each bucket condition compares ``overdue_since`` with a constant date, so the
query can use ``ix_case_stage_overdue``.

Recovered money is confirmed payments (``CONFIRMED``) by their business date received, grouped
by the case's current creditor, branch, handler or firm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.ledger.models import CONFIRMED, Payment
from cases.register.aging import AgingBucket, due_range
from cases.register.models import Case
from cases.register.stages import Stage
from cases.reports.dimensions import Dimension, column, key_of
from cases.reports.periods import Period

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Any) -> Decimal:
    """A summed amount as the database returns it, as ``Decimal`` to the fen (None → 0)."""
    if value is None:
        return ZERO
    if not isinstance(value, Decimal):
        value = Decimal(str(value))  # SQLite sums NUMERIC as REAL
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


_LEFT = Case.claimed_principal - Case.recovered_amount
OUTSTANDING = sa.case((_LEFT > 0, _LEFT), else_=0)


# ---- aging ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class AgingRow:
    key: int | None  # creditor, branch, user or firm id; None: no handler / no firm
    buckets: dict[AgingBucket, Cell] = field(
        default_factory=lambda: {b: Cell() for b in AgingBucket}
    )

    @property
    def total(self) -> Cell:
        cells = self.buckets.values()
        return Cell(sum(c.count for c in cells), sum((c.amount for c in cells), ZERO))


def bucket_expression(on: date) -> sa.ColumnElement[str]:
    """``Case.overdue_since`` as the bucket it falls in on ``on`` (constant-date bounds)."""
    whens = []
    for bucket in AgingBucket:
        earliest, latest = due_range(bucket, on)
        conditions = []
        if earliest is not None:
            conditions.append(Case.overdue_since >= earliest)
        if latest is not None:
            conditions.append(Case.overdue_since <= latest)
        whens.append((sa.and_(*conditions), bucket.value))
    return sa.case(*whens)


def aging(session: Session, dimension: Dimension | str, *, on: date) -> list[AgingRow]:
    """Count and outstanding principal per aging bucket for each creditor, branch, handler or
    firm, as of ``on``: one grouped query. Rows come by key (unassigned last)."""
    key, bucket = column(dimension), bucket_expression(on).label("bucket")
    rows = session.execute(
        sa.select(key, bucket, sa.func.count(), sa.func.sum(OUTSTANDING))
        .where(Case.overdue_since.is_not(None), Case.stage != Stage.WRITTEN_OFF)
        .group_by(key, bucket)
    ).all()
    group = key_of(session, dimension)
    out: dict[int | None, AgingRow] = {}
    for value, bucket, count, amount in rows:
        row = out.setdefault(group(value), AgingRow(group(value)))
        cell = row.buckets[AgingBucket(bucket)]
        row.buckets[AgingBucket(bucket)] = Cell(cell.count + count, cell.amount + money(amount))
    return [out[k] for k in sorted(out, key=_by_key)]


def _by_key(key: int | None) -> tuple[bool, int]:
    """Keys in order, None (no handler / no firm) last."""
    return key is None, key or 0


# ---- stage funnel -----------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    count: int
    claimed: Decimal  # principal claimed
    outstanding: Decimal  # principal not yet recovered (confirmed money only)


def funnel(session: Session) -> list[FunnelStep]:
    """Cases per stage, now, in the order of the stage ladder (stages without cases too)."""
    rows = session.execute(
        sa.select(
            Case.stage,
            sa.func.count(),
            sa.func.sum(Case.claimed_principal),
            sa.func.sum(OUTSTANDING),
        ).group_by(Case.stage)
    ).all()
    found = {Stage(stage): (n, claimed, left) for stage, n, claimed, left in rows}
    return [
        FunnelStep(stage, n, money(claimed), money(left))
        for stage in Stage
        for n, claimed, left in [found.get(stage, (0, None, None))]
    ]


# ---- money recovered --------------------------------------------------------------------


@dataclass(frozen=True)
class Recovered:
    key: int | None
    payments: int
    amount: Decimal


def recovered(session: Session, dimension: Dimension | str, period: Period) -> list[Recovered]:
    """Confirmed money received in ``period`` for each creditor, branch, handler or firm (one
    grouped query; pending and rejected money never counts). Rows come by key."""
    key = column(dimension)
    rows = session.execute(
        sa.select(key, sa.func.count(), sa.func.sum(Payment.amount))
        .join(Case, Case.id == Payment.case_id)
        .where(CONFIRMED, Payment.received_on.between(period.start, period.end))
        .group_by(key)
    ).all()
    group = key_of(session, dimension)
    found: dict[int | None, Recovered] = {}
    for value, n, amount in rows:
        k = group(value)
        before = found.get(k, Recovered(k, 0, ZERO))
        found[k] = Recovered(k, before.payments + n, before.amount + money(amount))
    return [found[k] for k in sorted(found, key=_by_key)]


def recovered_total(session: Session, period: Period) -> Recovered:
    """All confirmed money received in ``period``."""
    n, amount = session.execute(
        sa.select(sa.func.count(), sa.func.sum(Payment.amount)).where(
            CONFIRMED, Payment.received_on.between(period.start, period.end)
        )
    ).one()
    return Recovered(None, n, money(amount))
