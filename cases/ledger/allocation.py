"""Allocating money received to costs, interest and principal (民法典 第五百六十一条).

Unless the parties agreed otherwise, a payment that does not cover everything due goes first to
the costs of enforcing the claim (实现债权的有关费用), then to interest, then to principal
(RULES.md §4). Pure arithmetic on ``Decimal`` (floats refused, ``cases.money.as_decimal``); it
is exact — a context trapping ``Inexact`` refuses numbers too long to subtract exactly.

What this module does not do:

- accrue interest between payments: ``allocate_payments`` applies each payment against the
  running balances it is given, so ``interest`` must be the interest due as of the allocation
  dates (a caller that needs accrual computes it with ``cases.interest`` up to each payment
  date and allocates payment by payment with ``allocate``);
- choose among several debts (第五百六十条) or put the judgment debt before the doubled
  late-performance interest in enforcement (迟延履行利息解释 第四条): one debt at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, localcontext
from typing import Any

from cases.money import as_decimal

ALLOCATION_RULE = "民法典 第五百六十一条"
ZERO = Decimal(0)
Amount = Decimal | int | str  # never float

_EXACT = Context(prec=60, traps=[Inexact, Overflow, InvalidOperation])


@contextmanager
def _exactly() -> Iterator[None]:
    try:
        with localcontext(_EXACT):
            yield
    except (Inexact, Overflow, InvalidOperation):
        raise ValueError("amounts have too many digits to allocate exactly") from None


@dataclass(frozen=True)
class Allocation:
    """How one payment was applied, and what remains due after it.

    ``to_costs + to_interest + to_principal + unapplied == amount``; ``unapplied`` is the
    overpayment left after everything due was paid (to be refunded or held).
    """

    amount: Decimal
    to_costs: Decimal
    to_interest: Decimal
    to_principal: Decimal
    unapplied: Decimal
    remaining_costs: Decimal
    remaining_interest: Decimal
    remaining_principal: Decimal
    paid_on: date | None = None
    rule: str = ALLOCATION_RULE

    @property
    def remaining(self) -> Decimal:
        """Everything still due after this payment."""
        with _exactly():
            return self.remaining_costs + self.remaining_interest + self.remaining_principal

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings, the date in ISO form."""
        data: dict[str, Any] = {
            key: str(getattr(self, key))
            for key in (
                "amount",
                "to_costs",
                "to_interest",
                "to_principal",
                "unapplied",
                "remaining_costs",
                "remaining_interest",
                "remaining_principal",
            )
        }
        data["paid_on"] = self.paid_on.isoformat() if self.paid_on else None
        data["rule"] = self.rule
        return data


def _non_negative(value: Any, what: str) -> Decimal:
    number = as_decimal(value, what=what)
    if number < 0:
        raise ValueError(f"{what} must not be negative: {number}")
    return number


def _day(value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"a payment date must be a date, not {type(value).__name__}")
    return value


def allocate(
    amount: Amount,
    *,
    costs: Amount,
    interest: Amount,
    principal: Amount,
    paid_on: date | None = None,
) -> Allocation:
    """Apply ``amount`` to ``costs``, then ``interest``, then ``principal`` (第五百六十一条).

    All four are non-negative (``ValueError`` otherwise, and for floats); what is left after
    all three are paid is ``unapplied``. ``paid_on`` is only recorded.
    """
    paid = _non_negative(amount, "amount")
    due = {
        "costs": _non_negative(costs, "costs"),
        "interest": _non_negative(interest, "interest"),
        "principal": _non_negative(principal, "principal"),
    }
    if paid_on is not None:
        paid_on = _day(paid_on)
    left = paid
    applied: dict[str, Decimal] = {}
    with _exactly():
        for part, owed in due.items():  # the order of 第五百六十一条
            applied[part] = min(left, owed)
            left -= applied[part]
        remaining = {part: due[part] - applied[part] for part in due}
    return Allocation(
        amount=paid,
        to_costs=applied["costs"],
        to_interest=applied["interest"],
        to_principal=applied["principal"],
        unapplied=left,
        remaining_costs=remaining["costs"],
        remaining_interest=remaining["interest"],
        remaining_principal=remaining["principal"],
        paid_on=paid_on,
    )


def allocate_payments(
    payments: Sequence[tuple[date, Amount]],
    *,
    costs: Amount,
    interest: Amount,
    principal: Amount,
) -> list[Allocation]:
    """Apply ``(date, amount)`` payments in date order against running balances.

    Payments on the same day keep the order given. Each ``Allocation`` starts from what the
    previous one left. Interest accrual between payments is NOT modelled: ``interest`` is the
    interest due as of the allocation date(s), passed in by the caller (see the module
    docstring). Returns one ``Allocation`` per payment, in the order applied.
    """
    balance = {
        "costs": _non_negative(costs, "costs"),
        "interest": _non_negative(interest, "interest"),
        "principal": _non_negative(principal, "principal"),
    }
    dated = [(_day(paid_on), amount) for paid_on, amount in payments]
    ordered = sorted(enumerate(dated), key=lambda item: (item[1][0], item[0]))
    result = []
    for _index, (paid_on, amount) in ordered:
        allocation = allocate(
            amount,
            costs=balance["costs"],
            interest=balance["interest"],
            principal=balance["principal"],
            paid_on=paid_on,
        )
        balance = {
            "costs": allocation.remaining_costs,
            "interest": allocation.remaining_interest,
            "principal": allocation.remaining_principal,
        }
        result.append(allocation)
    return result
