"""Rankings of a period (排名通报, seed 001: "每周进行排名通报"): branches, handlers and law
firms by money recovered and by recovery rate.

- Money recovered: confirmed money received in the period (``figures.recovered``).
- Recovery rate: seed 004 六(一)2, 客户欠款回收率 = 本期收回欠款金额 / 本期到期应收欠款金额,
  computed exactly as ``rates.due_and_collected`` reads the book — per case on the books at
  the period's start, the principal due by its end less the money received before it, and
  the money received during it — summed per group (``rates.due_and_collected_by``). With a
  single group the rate is the whole book's.

Groups are the cases' current branch (creditor entity), handler or firm; cases without a
handler or a firm are no one's and are not ranked. Ranks are competition ranks ("1224"):
equal values share a rank and the next rank counts the groups above it. A group without
anything due in the period has no recovery rate and is listed unranked, after the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from cases.reports.dimensions import Dimension, names
from cases.reports.figures import recovered
from cases.reports.periods import Period
from cases.reports.rates import due_and_collected_by, percent

ZERO = Decimal("0.00")
RANKED = (Dimension.BRANCH, Dimension.HANDLER, Dimension.FIRM)


@dataclass(frozen=True)
class GroupRate:
    """The two amounts of the recovery rate for one group, and the rate."""

    key: int | None
    due: Decimal  # 本期到期应收欠款金额
    collected: Decimal  # 本期收回欠款金额

    @property
    def rate(self) -> Decimal | None:
        return percent(self.collected, self.due)


def rates_by_group(
    session: Session, dimension: Dimension | str, period: Period
) -> dict[int | None, GroupRate]:
    """Due and collected in ``period`` per creditor, branch, handler or firm, read as
    ``rates.amounts_by`` reads the whole book (two passes); groups with neither are left out."""
    found = due_and_collected_by(session, period, dimension)
    return {k: GroupRate(k, due, got) for k, (due, got) in found.items() if due or got}


# ---- ranks ----------------------------------------------------------------------------------


def competition_ranks(values: Sequence[Decimal | None]) -> list[int | None]:
    """The rank of each value, highest first, ties sharing a rank ("1224"); None: unranked."""
    first: dict[Decimal, int] = {}
    for place, value in enumerate(sorted((v for v in values if v is not None), reverse=True)):
        first.setdefault(value, place + 1)
    return [None if v is None else first[v] for v in values]


@dataclass(frozen=True)
class RankRow:
    rank: int | None
    key: int
    name: str
    recovered: Decimal  # confirmed money received in the period
    payments: int
    due: Decimal
    collected: Decimal
    rate: Decimal | None  # percent, half-up to 0.01


@dataclass(frozen=True)
class Ranking:
    dimension: Dimension
    period: Period
    by_amount: list[RankRow]
    by_rate: list[RankRow]


def _ranked(rows: list[RankRow], value: Callable[[RankRow], Decimal | None]) -> list[RankRow]:
    ordered = sorted(rows, key=lambda r: (value(r) is None, -(value(r) or ZERO), r.name, r.key))
    ranks = competition_ranks([value(r) for r in ordered])
    return [
        RankRow(rank, r.key, r.name, r.recovered, r.payments, r.due, r.collected, r.rate)
        for rank, r in zip(ranks, ordered, strict=True)
    ]


def ranking(session: Session, dimension: Dimension | str, period: Period) -> Ranking:
    """Branches, handlers or firms of ``period`` ranked by money recovered and by recovery
    rate: a grouped query, the two passes of the rates and one for the names."""
    dimension = Dimension(dimension)
    money_rows = {r.key: r for r in recovered(session, dimension, period) if r.key is not None}
    rate_rows = {
        k: r for k, r in rates_by_group(session, dimension, period).items() if k is not None
    }
    keys = sorted(money_rows.keys() | rate_rows.keys())
    shown = names(session, dimension, keys)
    rows = []
    for key in keys:
        paid = money_rows.get(key)
        rate = rate_rows.get(key, GroupRate(key, ZERO, ZERO))
        rows.append(
            RankRow(
                rank=None,
                key=key,
                name=shown.get(key, "?"),
                recovered=paid.amount if paid else ZERO,
                payments=paid.payments if paid else 0,
                due=rate.due,
                collected=rate.collected,
                rate=rate.rate,
            )
        )
    return Ranking(
        dimension=dimension,
        period=period,
        by_amount=_ranked(rows, lambda r: r.recovered),
        by_rate=_ranked(rows, lambda r: r.rate),
    )


def rankings(session: Session, period: Period) -> dict[Dimension, Ranking]:
    """The rankings of ``period`` by branch, handler and law firm."""
    return {dimension: ranking(session, dimension, period) for dimension in RANKED}
