"""Interest arithmetic of debt recovery (RULES.md §5), as ``Figure`` objects.

Pure functions: no Flask, no database, ``Decimal`` only (``cases.money.as_decimal`` refuses
floats). Rates are percent per year as typed (``Decimal("4.35")`` for 4.35%), except the
late-performance rate, which the law states per day.

Day counting
------------
A period is given as ``(start, end)`` and interest accrues on every day *after* ``start`` up to
and including ``end``: ``days = (end - start).days``. The start day is not counted (民法典
第二百零一条), so a loan drawn on 1 March and repaid on 31 March bears 30 days, and
``interest(a, b) + interest(b, c) == interest(a, c)``: splitting a period at ``b`` neither
drops nor doubles a day. ``end == start`` is zero days; ``end < start`` is refused. Steps show
each sub-period by its first and last accruing day, both inclusive.

Simple interest only (no compounding): ``principal × rate / 100 × days / basis``, with a
day-count basis of 365 or 360 days a year (the contract's choice; courts use 365).

Exactness: the one rounding
---------------------------
A year of 365 (5 × 73) or 360 (2³ × 3² × 5) days makes most daily amounts non-terminating
decimals. The only rounding in this module is the *interest for one day* on a principal at a
rate, ``principal × rate / (100 × basis)``, rounded up (towards +∞) to ``DAILY_QUANTUM``
(10⁻²⁰ yuan). Everything else — days × daily amount, sums of sub-periods — runs in a decimal
context that traps ``Inexact``, so it is exact. Hence:

- additivity is exact: splitting a period at any day gives two figures whose values add up to
  the whole period's value to the last digit, and the step values add up to the figure's value;
- the value exceeds the exact rational interest by less than ``days × 10⁻²⁰`` yuan (under
  4 × 10⁻¹⁴ for any date range). When ``principal × rate`` has at most 7 decimal places (money
  has 2, so any rate with up to 5), the exact interest is a multiple of 1 / (10⁹ × basis), as
  is every half-fen, so it is either exactly on a half-fen or at least 2.7 × 10⁻¹² away, and
  ``cases.money.to_fen`` (half-up) of the value always equals the half-up fen rounding of the
  exact interest: the rounding can never be seen in yuan and fen;
- when the daily amount terminates (1,000,000 at 3.65% on 365 days is 100 a day) the value is
  exactly the textbook figure.

Values carry up to 20 decimal places, more significant digits than Python's default decimal
context (28) keeps for interest of 10⁸ yuan or more: add them up in a wider context (or round
them with ``to_fen`` first) where the last digits matter.

LPR
---
``LprSeries`` holds the one-year and five-year-plus LPR (贷款市场报价利率) as change points: a
rate holds from its effective date until the next row (RULES.md §5; ``lpr.csv`` beside this
module is the bundled history). The LPR is published on the 20th of each month (later when the
20th is a holiday), so the last row on file is certainly current only until the 19th of the
following month (``LprSeries.known_until``); a computation that needs a rate for a later day
carries the warning ``PAST_LAST_LPR``. A publication that leaves the rates unchanged is
recorded by adding a row repeating them, which moves that horizon. No LPR exists before
2019-08-20 (the first publication under 中国人民银行公告〔2019〕第15号): asking for a rate
before the first row raises ``ValueError``.
"""

from __future__ import annotations

import csv
import io
import os
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import (
    ROUND_CEILING,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from importlib import resources
from pathlib import Path
from typing import Any, Literal, overload

from cases.errors import N_
from cases.figures import Figure, Step
from cases.money import as_decimal

D = Decimal
Term = Literal["1y", "5y"]  # one-year LPR; five-year-and-above LPR (5年期以上)
TERMS: tuple[Term, ...] = ("1y", "5y")
BASES = (360, 365)
ZERO = D(0)
ONE_DAY = timedelta(days=1)

DAILY_QUANTUM = D("1e-20")  # one day's interest is kept to 10⁻²⁰ yuan, rounded up
LATE_DAILY_RATE = D("0.0175")  # percent per day: 日万分之一点七五
LENDING_CAP_MULTIPLE = D(4)
FIRST_LPR_DATE = date(2019, 8, 20)
LENDING_RULES_2020 = date(2020, 8, 20)  # the 4 × LPR cap replaced 24%/36% on this day
LPR_PUBLICATION_DAY = 20

CONTRACT_RULE = "民法典 第五百零九条、第六百七十四条（按约定利率计息，单利）"
LPR_RULE = "中国人民银行公告〔2019〕第15号（贷款市场报价利率 LPR）"
SALES_LPR_RULE = "买卖合同解释(2020) 第十八条第四款"
LENDING_CAP_RULE = "民间借贷规定(法释〔2020〕17号) 第二十五条"
LATE_PERFORMANCE_RULE = "迟延履行利息解释(法释〔2014〕8号) 第一条、第二条、第三条"

PERIOD_LABEL = N_("%(from)s to %(to)s: %(days)s days at %(rate)s%% a year, %(basis)s-day year")
LPR_PERIOD_LABEL = N_("%(from)s to %(to)s: %(days)s days at the LPR of %(rate)s%% a year")
LPR_ADJUSTED_LABEL = N_("%(from)s to %(to)s: %(days)s days at %(rate)s%% a year (LPR %(lpr)s%%)")
LPR_ON_DAY_LABEL = N_("LPR in force on %(date)s: %(lpr)s%%, used for the whole period")
CAP_RATE_LABEL = N_(
    "One-year LPR on the contract date %(date)s: %(lpr)s%%; four times is %(rate)s%% a year"
)
LATE_LABEL = N_("%(from)s to %(to)s: %(days)s days at %(rate)s%% a day on %(debt)s")
LAST_LPR_LABEL = N_("Last LPR on file: %(date)s; a newer rate may apply from %(from)s")
PAST_LAST_LPR = N_("Computed past the last published LPR; later rates may differ")
BEFORE_2020_RULES = N_(
    "The contract was formed before 20 August 2020: for that case the transitional rule caps "
    "interest differently"
)

_EXACT = Context(prec=100, traps=[Inexact, Overflow, InvalidOperation, DivisionByZero])
_CEILING = Context(
    prec=100, rounding=ROUND_CEILING, traps=[Overflow, InvalidOperation, DivisionByZero]
)


@contextmanager
def _exactly() -> Iterator[None]:
    try:
        with localcontext(_EXACT):
            yield
    except (Inexact, Overflow, InvalidOperation):
        raise ValueError("numbers have too many digits to compute interest exactly") from None


# ---- inputs ---------------------------------------------------------------------------------


def _non_negative(value: Any, what: str) -> Decimal:
    number = as_decimal(value, what=what)
    if number < 0:
        raise ValueError(f"{what} must not be negative: {number}")
    return number


def _day(value: Any, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} must be a date, not {type(value).__name__}")
    return value


def _period(start: Any, end: Any) -> tuple[date, date, int]:
    start, end = _day(start, "start"), _day(end, "end")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return start, end, (end - start).days


def _basis(basis: Any) -> int:
    if isinstance(basis, bool) or basis not in BASES:
        raise ValueError(f"day-count basis must be 360 or 365, not {basis!r}")
    return int(basis)


def _term(term: Any) -> Term:
    if term not in TERMS:
        raise ValueError(f"LPR term must be '1y' or '5y', not {term!r}")
    return term


# ---- arithmetic -----------------------------------------------------------------------------


def _tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros (never in exponent form: 1800, not 1.8E+3)."""
    with _exactly():
        value = value.normalize()
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            value = value.quantize(D(1))
    return value


def daily_interest(principal: Decimal, rate: Decimal, basis: int) -> Decimal:
    """One day's interest, ``principal × rate / (100 × basis)``, rounded up to 10⁻²⁰ yuan.

    The module's one rounding (see the module docstring); ``principal`` and ``rate`` are
    non-negative Decimals, ``rate`` in percent per year.
    """
    with _exactly():
        product = principal * rate
    try:
        with localcontext(_CEILING):
            return (product / (100 * basis)).quantize(DAILY_QUANTUM)
    except (Overflow, InvalidOperation):
        raise ValueError("numbers have too many digits to compute interest") from None


def _accrued(principal: Decimal, rate: Decimal, days: int, basis: int) -> Decimal:
    daily = daily_interest(principal, rate, basis)
    with _exactly():
        return _tidy(daily * days)


def _total(values: Iterable[Decimal]) -> Decimal:
    with _exactly():
        return _tidy(sum(values, ZERO))


# ---- the LPR series -------------------------------------------------------------------------


@dataclass(frozen=True)
class LprRow:
    """One LPR publication that changed (or confirmed) the rates, in percent per year."""

    effective_date: date
    lpr_1y: Decimal
    lpr_5y: Decimal  # five years and above (5年期以上)

    def rate(self, term: Term = "1y") -> Decimal:
        return self.lpr_1y if _term(term) == "1y" else self.lpr_5y


def _row(value: Any) -> LprRow:
    """An ``LprRow`` from a row, a (date, 1y, 5y) tuple, a mapping or an object with the fields."""
    if isinstance(value, LprRow):
        raw: tuple[Any, Any, Any] = (value.effective_date, value.lpr_1y, value.lpr_5y)
    elif isinstance(value, Mapping):
        five = value["lpr_5y"] if "lpr_5y" in value else value["lpr_5y_plus"]
        raw = (value["effective_date"], value["lpr_1y"], five)
    elif isinstance(value, (tuple, list)):
        if len(value) != 3:
            raise ValueError(f"an LPR row is (effective_date, lpr_1y, lpr_5y), not {value!r}")
        raw = (value[0], value[1], value[2])
    else:
        raw = (value.effective_date, value.lpr_1y, value.lpr_5y)
    day, one, five = raw
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day.strip())
        except ValueError:
            raise ValueError(f"not an ISO date: {day!r}") from None
    day = _day(day, "effective_date")
    rates = []
    for rate, what in ((one, "lpr_1y"), (five, "lpr_5y")):
        number = as_decimal(rate, what=what)
        if not ZERO < number < 100:
            raise ValueError(f"{what} on {day} must be between 0 and 100 percent: {number}")
        rates.append(number)
    return LprRow(day, rates[0], rates[1])


class LprSeries(Sequence[LprRow]):
    """An immutable, date-ordered sequence of LPR rows (change points).

    ``rate_on(day, term)`` is the rate of the last row effective on or before ``day``.
    Build one with ``from_csv`` (a path or the CSV text), ``from_rows`` (tuples, mappings,
    ``LprRow`` or database rows) or ``bundled()`` (the history shipped with the package).
    """

    __slots__ = ("_dates", "_rows")
    _rows: tuple[LprRow, ...]
    _dates: tuple[date, ...]

    def __init__(self, rows: Iterable[Any] = ()) -> None:
        ordered = tuple(sorted((_row(r) for r in rows), key=lambda r: r.effective_date))
        dates = tuple(r.effective_date for r in ordered)
        for earlier, later in zip(dates, dates[1:], strict=False):
            if earlier == later:
                raise ValueError(f"two LPR rows for {later}")
        object.__setattr__(self, "_rows", ordered)
        object.__setattr__(self, "_dates", dates)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("an LprSeries is immutable")

    # -- constructors --

    @classmethod
    def from_rows(cls, rows: Iterable[Any]) -> LprSeries:
        """From ``(effective_date, lpr_1y, lpr_5y)`` tuples (dates as ``date`` or ISO text,
        rates as ``Decimal``, ``int`` or text), mappings with those keys, or objects with
        those attributes (e.g. ``LprRate`` rows)."""
        return cls(_row(r) for r in rows)

    @classmethod
    def from_csv(cls, source: str | os.PathLike[str]) -> LprSeries:
        """From CSV with the columns ``effective_date,lpr_1y,lpr_5y`` (or ``lpr_5y_plus``).

        ``source`` is a path (``pathlib.Path``, or a string without a comma or a newline) or
        the CSV text itself.
        """
        if isinstance(source, os.PathLike) or ("," not in source and "\n" not in source):
            text = Path(source).read_text(encoding="utf-8")
        else:
            text = source
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        fields = set(reader.fieldnames or ())
        if not {"effective_date", "lpr_1y"} <= fields or not fields & {"lpr_5y", "lpr_5y_plus"}:
            raise ValueError(
                "LPR CSV needs the columns effective_date, lpr_1y and lpr_5y (or lpr_5y_plus)"
            )
        rows = []
        for record in reader:
            if not any((value or "").strip() for value in record.values()):
                continue
            try:
                rows.append(_row(record))
            except ValueError as exc:
                raise ValueError(f"LPR CSV line {reader.line_num}: {exc}") from None
        return cls(rows)

    @classmethod
    def bundled(cls) -> LprSeries:
        """The LPR history shipped as ``cases/interest/lpr.csv`` (what migration 0004 seeds)."""
        return cls.from_csv(bundled_csv())

    # -- sequence --

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> LprRow: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[LprRow, ...]: ...
    def __getitem__(self, index: int | slice) -> LprRow | tuple[LprRow, ...]:
        return self._rows[index]

    def __iter__(self) -> Iterator[LprRow]:
        return iter(self._rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LprSeries) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        if not self._rows:
            return "LprSeries([])"
        return f"LprSeries({len(self)} rows, {self._dates[0]} … {self._dates[-1]})"

    # -- look-ups --

    @property
    def first_date(self) -> date:
        self._require_rows()
        return self._dates[0]

    @property
    def last_date(self) -> date:
        """The effective date of the last row on file."""
        self._require_rows()
        return self._dates[-1]

    @property
    def known_until(self) -> date:
        """The last day the last row is certainly current: the 19th of the following month.

        The next publication is on the 20th of the month after ``last_date`` at the earliest
        (20th of each month, later when it is a holiday), so any day from then on may have a
        newer rate than the file knows.
        """
        last = self.last_date
        year, month = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
        return date(year, month, LPR_PUBLICATION_DAY) - ONE_DAY

    def row_on(self, day: date) -> LprRow:
        """The row in force on ``day``; ``ValueError`` before the first row."""
        self._require_rows()
        index = bisect_right(self._dates, _day(day, "day"))
        if index == 0:
            raise ValueError(
                f"no LPR on {day}: the first LPR on file is of {self._dates[0]} "
                f"(the LPR was first published on {FIRST_LPR_DATE})"
            )
        return self._rows[index - 1]

    def rate_on(self, day: date, term: Term = "1y") -> Decimal:
        """The LPR in percent per year in force on ``day`` for ``term`` (``"1y"`` or ``"5y"``)."""
        return self.row_on(day).rate(term)

    def periods(self, first: date, last: date) -> list[tuple[date, date, LprRow]]:
        """``[(from, to, row), …]`` covering the days ``first`` … ``last`` (both inclusive),
        cut wherever a row takes effect."""
        row = self.row_on(first)
        cuts = self._dates[bisect_right(self._dates, first) : bisect_right(self._dates, last)]
        result = []
        begin = first
        for cut in cuts:
            result.append((begin, cut - ONE_DAY, row))
            begin, row = cut, self.row_on(cut)
        result.append((begin, last, row))
        return result

    def _require_rows(self) -> None:
        if not self._rows:
            raise ValueError("no LPR rows on file")


def bundled_csv() -> str:
    """The text of the bundled ``lpr.csv`` (package data)."""
    return resources.files("cases.interest").joinpath("lpr.csv").read_text(encoding="utf-8")


# ---- figures --------------------------------------------------------------------------------


def contract_interest(
    principal: Decimal | int | str,
    annual_rate: Decimal | int | str,
    start: date,
    end: date,
    *,
    basis: int = 365,
) -> Figure:
    """Simple interest at an agreed rate: principal × rate / 100 × days / basis.

    Interest accrues from the day after ``start`` through ``end`` inclusive
    (``days = (end - start).days``); ``annual_rate`` is percent per year; ``basis`` is 360 or
    365 (``ValueError`` otherwise, and for negative amounts or ``end < start``).
    """
    amount = _non_negative(principal, "principal")
    rate = _non_negative(annual_rate, "annual rate")
    basis = _basis(basis)
    start, end, days = _period(start, end)
    value = _accrued(amount, rate, days, basis)
    steps = []
    if days:
        params = {"from": start + ONE_DAY, "to": end, "days": days}
        steps.append(Step(PERIOD_LABEL, value, {**params, "rate": rate, "basis": basis}))
    inputs = {
        "principal": amount,
        "annual_rate": rate,
        "start": start,
        "end": end,
        "days": days,
        "basis": basis,
    }
    return Figure(value, CONTRACT_RULE, inputs, tuple(steps))


def lpr_interest(
    principal: Decimal | int | str,
    start: date,
    end: date,
    *,
    lpr: LprSeries,
    term: Term = "1y",
    multiplier: Decimal | int | str | None = None,
    spread: Decimal | int | str | None = None,
    basis: int = 365,
    rate_date: date | None = None,
) -> Figure:
    """LPR-linked interest (e.g. default interest or loss for late payment).

    The annual rate is the LPR of ``term``, either multiplied by ``1 + multiplier``
    (``multiplier=Decimal("0.5")`` for "LPR plus 50%", 买卖合同解释(2020) 第十八条第四款: 30–50%)
    or plus ``spread`` percentage points (``spread=Decimal("1.5")`` for LPR + 150 bp); not both
    (``ValueError``); neither is the plain LPR. The rate follows the LPR: the period is cut
    wherever an LPR row takes effect, one ``Step`` per sub-period (from, to, days, rate, lpr;
    value: the sub-period's interest). With ``rate_date`` the LPR in force on that day is used
    for the whole period instead (第十八条 literally takes the LPR "when the breach occurred").

    Days count as in ``contract_interest`` (after ``start`` through ``end``). Every accruing
    day needs an LPR: a period reaching back before the first row (2019-08-20) raises
    ``ValueError``. If the rate of a day after ``lpr.known_until`` is used — ``end`` (or
    ``rate_date``) is on or after the 20th of the month following the last row on file — the
    figure carries the warning ``PAST_LAST_LPR`` and a step naming that row.
    """
    if multiplier is not None and spread is not None:
        raise ValueError("give a multiplier or a spread, not both")
    amount = _non_negative(principal, "principal")
    term = _term(term)
    basis = _basis(basis)
    start, end, days = _period(start, end)
    factor = None if multiplier is None else as_decimal(multiplier, what="multiplier")
    points = None if spread is None else as_decimal(spread, what="spread")
    if factor is not None and factor <= -1:
        raise ValueError(f"multiplier must be above -1: {factor}")

    def adjusted(base: Decimal) -> Decimal:
        with _exactly():
            if factor is not None:
                rate = base * (1 + factor)
            elif points is not None:
                rate = base + points
            else:
                rate = base
        if rate < 0:
            raise ValueError(f"the LPR {base}% plus {points} points is negative")
        return _tidy(rate)

    steps: list[Step] = []
    parts: list[Decimal] = []
    if rate_date is not None:
        rate_date = _day(rate_date, "rate_date")
        fixed = lpr.row_on(rate_date)
        steps.append(Step(LPR_ON_DAY_LABEL, None, {"date": rate_date, "lpr": fixed.rate(term)}))
        periods = [(start + ONE_DAY, end, fixed)] if days else []
    else:
        periods = lpr.periods(start + ONE_DAY, end) if days else []
    label = LPR_PERIOD_LABEL if factor is None and points is None else LPR_ADJUSTED_LABEL
    for first, last, row in periods:
        base = row.rate(term)
        rate = adjusted(base)
        span = (last - first).days + 1
        part = _accrued(amount, rate, span, basis)
        parts.append(part)
        params = {"from": first, "to": last, "days": span, "rate": rate, "lpr": base}
        steps.append(Step(label, part, {**params, "interest": part}))

    warnings: tuple[str, ...] = ()
    latest = rate_date if rate_date is not None else (end if days else None)
    if lpr and latest is not None and latest > lpr.known_until:
        warnings = (PAST_LAST_LPR,)
        steps.append(_last_lpr_step(lpr))
    rule = LPR_RULE if factor is None else f"{SALES_LPR_RULE}；{LPR_RULE}"
    inputs = {
        "principal": amount,
        "start": start,
        "end": end,
        "days": days,
        "term": term,
        "multiplier": factor,
        "spread": points,
        "basis": basis,
        "rate_date": rate_date,
        "lpr_last_date": lpr.last_date if lpr else None,
    }
    return Figure(_total(parts), rule, inputs, tuple(steps), warnings)


def private_lending_cap(
    principal: Decimal | int | str,
    start: date,
    end: date,
    *,
    contract_date: date,
    lpr: LprSeries,
    basis: int = 365,
) -> Figure:
    """The most interest a private loan may bear for the period: 4 × the one-year LPR at the
    contract's formation (民间借贷规定(法释〔2020〕17号) 第二十五条).

    The cap rate is fixed at ``contract_date`` and does not follow later LPR changes; it caps
    interest, default interest and other fees together (第二十八、二十九条), so compare it with
    their sum. It does not apply to licensed financial institutions (banks' own loans,
    lending companies under financial supervision). A contract formed before 2020-08-20 gets
    the warning ``BEFORE_2020_RULES``: the transitional rule applies the earlier caps up to
    2020-08-19 and 4 × the LPR at filing after it, which this figure does not compute. Days
    count as in ``contract_interest``; ``ValueError`` for a contract date before the first LPR.
    """
    amount = _non_negative(principal, "principal")
    basis = _basis(basis)
    start, end, days = _period(start, end)
    contract_date = _day(contract_date, "contract_date")
    lpr_1y = lpr.rate_on(contract_date, "1y")
    with _exactly():
        cap_rate = _tidy(lpr_1y * LENDING_CAP_MULTIPLE)
    value = _accrued(amount, cap_rate, days, basis)
    steps = [Step(CAP_RATE_LABEL, None, {"date": contract_date, "lpr": lpr_1y, "rate": cap_rate})]
    if days:
        params = {"from": start + ONE_DAY, "to": end, "days": days}
        steps.append(Step(PERIOD_LABEL, value, {**params, "rate": cap_rate, "basis": basis}))
    warnings = []
    if contract_date < LENDING_RULES_2020:
        warnings.append(BEFORE_2020_RULES)
    if contract_date > lpr.known_until:
        warnings.append(PAST_LAST_LPR)
        steps.append(_last_lpr_step(lpr))
    inputs = {
        "principal": amount,
        "start": start,
        "end": end,
        "days": days,
        "basis": basis,
        "contract_date": contract_date,
        "lpr_1y": lpr_1y,
        "cap_rate": cap_rate,
        "lpr_last_date": lpr.last_date,
    }
    return Figure(value, LENDING_CAP_RULE, inputs, tuple(steps), tuple(warnings))


def late_performance_interest(
    debt: Decimal | int | str,
    start: date,
    end: date,
) -> Figure:
    """The doubled part of interest for delayed performance of a judgment (加倍部分债务利息):
    ``debt × 0.0175% per day × days`` (迟延履行利息解释(法释〔2014〕8号) 第一条).

    ``debt`` is the unpaid money debt fixed by the judgment *excluding* ordinary interest
    (一般债务利息). ``start`` is the last day of the performance period the judgment set (or the
    day it took effect when it set none; for instalments, each instalment's last day:
    第二条); ``end`` is the day of payment (or of the court's deduction or transfer: 第三条).
    Interest runs from the day after ``start`` through ``end``: ``days = (end - start).days``.
    The value is exact (0.0175% a day terminates). When assets are insufficient the judgment
    debt is paid before this interest (第四条), which is the caller's allocation.
    """
    amount = _non_negative(debt, "debt")
    start, end, days = _period(start, end)
    with _exactly():
        value = _tidy(amount * LATE_DAILY_RATE / 100 * days)
    steps = []
    if days:
        params = {"from": start + ONE_DAY, "to": end, "days": days}
        steps.append(Step(LATE_LABEL, value, {**params, "rate": LATE_DAILY_RATE, "debt": amount}))
    inputs = {
        "debt": amount,
        "start": start,
        "end": end,
        "days": days,
        "daily_rate": LATE_DAILY_RATE,
    }
    return Figure(value, LATE_PERFORMANCE_RULE, inputs, tuple(steps))


def _last_lpr_step(lpr: LprSeries) -> Step:
    return Step(LAST_LPR_LABEL, None, {"date": lpr.last_date, "from": lpr.known_until + ONE_DAY})
