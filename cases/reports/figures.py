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
from cases.reports.dimensions import Dimension, grouped
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
    inner, key = grouped(
        sa.select(Case.id)
        .where(Case.overdue_since.is_not(None), Case.stage != Stage.WRITTEN_OFF)
        .add_columns(bucket_expression(on).label("bucket"), OUTSTANDING.label("outstanding")),
        dimension,
    )
    sub = inner.add_columns(key.label("key")).subquery()
    rows = session.execute(
        sa.select(sub.c.key, sub.c.bucket, sa.func.count(), sa.func.sum(sub.c.outstanding))
        .group_by(sub.c.key, sub.c.bucket)
        .order_by(sub.c.key.is_(None), sub.c.key)
    ).all()
    out: dict[int | None, AgingRow] = {}
    for key_value, bucket, count, amount in rows:
        row = out.setdefault(key_value, AgingRow(key_value))
        row.buckets[AgingBucket(bucket)] = Cell(count, money(amount))
    return list(out.values())


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
    stmt, key = grouped(
        sa.select(Payment.id).join(Case, Case.id == Payment.case_id),
        dimension,
    )
    sub = (
        stmt.add_columns(key.label("key"), Payment.amount.label("amount"))
        .where(CONFIRMED, Payment.received_on.between(period.start, period.end))
        .subquery()
    )
    rows = session.execute(
        sa.select(sub.c.key, sa.func.count(), sa.func.sum(sub.c.amount))
        .group_by(sub.c.key)
        .order_by(sub.c.key.is_(None), sub.c.key)
    ).all()
    return [Recovered(k, n, money(amount)) for k, n, amount in rows]


def recovered_total(session: Session, period: Period) -> Recovered:
    """All confirmed money received in ``period``."""
    n, amount = session.execute(
        sa.select(sa.func.count(), sa.func.sum(Payment.amount)).where(
            CONFIRMED, Payment.received_on.between(period.start, period.end)
        )
    ).one()
    return Recovered(None, n, money(amount))
