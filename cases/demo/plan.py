"""The plan as plain values: what is done to each case, when and by whom, and the
formatting helpers shared by the planner, its history and the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from cases.base import BUSINESS_TZ
from cases.register.stages import Stage


@dataclass
class Step:
    """One dated thing done to a case by one demo user."""

    at: datetime
    actor: str
    op: str  # "move" | "event" | "payment" | "update"
    data: dict[str, Any]


@dataclass
class CasePlan:
    creditor: str
    handler: str
    transferred_on: date
    created_at: datetime
    payload: dict[str, Any]  # CaseCreate data without creditor_id and handler_id
    stage: Stage
    firm: str | None
    contact: dict[str, Any] | None  # a person to reach at the debtor
    steps: list[Step] = field(default_factory=list)

    @property
    def principal(self) -> Decimal:
        return sum((Decimal(c["principal"]) for c in self.payload["claims"]), Decimal(0))


@dataclass
class _CaseContext:
    plan: CasePlan
    city: tuple
    lost: bool
    tags: set[str]
    visited: list[Stage]
    bank: bool
    debtor: dict[str, Any]
    recovery: float | None = None
    counsel: str | None = None
    engaged_on: date | None = None

    def seen(self, day: date) -> set[Stage]:
        """Stages entered on or before ``day``."""
        moves = [s for s in self.plan.steps if s.op == "move" and s.at.date() <= day]
        return set(self.visited[: len(moves) + 1])


def _yuan(amount: Decimal) -> str:
    """Amounts in notes as people write them: 35万元, 8,600.00元."""
    if amount >= 10000:
        wan = (amount / 10000).quantize(Decimal("0.01")).normalize()
        return f"{wan:f}万元"
    return f"{amount:,.2f}元"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BUSINESS_TZ)
