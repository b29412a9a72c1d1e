"""A computed figure together with its inputs and the rule that produced it.

Every amount or date the product computes for a legal purpose (court costs, fee caps,
interest, deadlines) can be asked for as a ``Figure``: the value, the rule it follows (a
citation such as ``《诉讼费用交纳办法》第十三条(一)``), the inputs it was computed from, and the
steps in between (tier by tier, period by period), so that a page can show "how computed"
and a document can be checked by a lawyer.

Step labels are English msgids with ``%(name)s`` parameters (translated by the web layer, like
every other domain message); citations stay in Chinese, as the law's own names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


class Unit(enum.StrEnum):
    """What a step's value counts where its type does not say it (a Decimal reads as money)."""

    PERCENT = "percent"  # e.g. 12.35 for 12.35%


@dataclass(frozen=True)
class Step:
    """One line of a computation, e.g. a tier: ``label % params`` → ``value``."""

    label: str
    value: Decimal | date | int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    unit: Unit | None = None  # None: money, a date or a count, as the value's type says


@dataclass(frozen=True)
class Figure:
    value: Any  # Decimal for money and rates, date for deadlines
    rule: str  # the citation the computation follows
    inputs: dict[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    warnings: tuple[str, ...] = ()  # msgids, e.g. "computed past the last known LPR"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings, dates in ISO form."""
        return {
            "value": _json(self.value),
            "rule": self.rule,
            "inputs": {k: _json(v) for k, v in self.inputs.items()},
            "steps": [_step_json(s) for s in self.steps],
            "warnings": list(self.warnings),
        }


def _step_json(step: Step) -> dict[str, Any]:
    data = {
        "label": step.label,
        "value": _json(step.value),
        "params": {k: _json(v) for k, v in step.params.items()},
    }
    if step.unit is not None:  # only where it says more than the value's type
        data["unit"] = step.unit.value
    return data


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value
