"""Legal deadlines of debt recovery: limitation, court periods, freezes, guarantee periods.

Pure functions of dates (no Flask, no database). Counting follows 民法典 第200–203条 and
民事诉讼法(2023) 第85条:

- the start day is not counted: ``n`` days from ``d`` end on ``d + n days``;
- months and years end on the corresponding day of the last month, or on that month's last
  day when it has none (the 31st, 29 February: 第202条);
- when the last day is a statutory holiday or a rest day, the period ends on the first working
  day after it (第203条; 第85条). Weekend make-up working days (调休上班) are working days: a
  period ending on one is not moved.

Holidays and make-up days come from the maintained ``chinesecalendar`` package, which covers
2004 onwards and gains a year when the State Council publishes its schedule (each November).
For a year it does not cover, only weekends are skipped and the result carries a warning: the
plain functions and the working-day helpers issue ``HolidayDataMissing`` (``warnings.warn``);
the ``explain_*`` twins put it in ``Figure.warnings`` instead, for the page to show.

Every deadline is a ``date`` (``freeze_expiry`` returns a ``FreezeTerm``); each function has an
``explain_*`` twin returning a ``Figure`` with the citation, the inputs and the steps (raw end,
rolled-over end and why). ``DEADLINE_KINDS`` gives the UI a label and citation per deadline.
"""

from __future__ import annotations

import calendar
import functools
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

import chinese_calendar
from chinese_calendar.constants import Holiday

from cases.errors import N_
from cases.figures import Figure, Step

ONE_DAY = timedelta(days=1)
FIRST_DATA_YEAR = min(chinese_calendar.holidays).year  # 2004

LIMITATION_YEARS = 3  # 民法典 第188条
LONG_STOP_YEARS = 20  # 民法典 第188条
SUSPENSION_MONTHS = 6  # 民法典 第194条
ENFORCEMENT_YEARS = 2  # 民事诉讼法(2023) 第250条
PRESUIT_PRESERVATION_DAYS = 30  # 民事诉讼法(2023) 第104条
GUARANTEE_MONTHS = 6  # 民法典 第692条
RENEWAL_LEAD_DAYS = 7  # 财产保全规定 第18条

FreezeKind = Literal["deposit", "movable", "immovable"]
AppealKind = Literal["judgment", "ruling", "payment_order_objection"]

FREEZE_YEARS: dict[str, int] = {"deposit": 1, "movable": 2, "immovable": 3}  # 民诉法解释 第485条
APPEAL_DAYS: dict[str, int] = {"judgment": 15, "ruling": 10, "payment_order_objection": 15}

CIVIL_PROCEDURE = "《民事诉讼法》(2023) "
FREEZE_RULE = "《民诉法解释》(2022) 第485条；《财产保全规定》(2020) 第18条"
_HOLIDAY_NAMES = {h.value: h.chinese for h in Holiday}


@dataclass(frozen=True)
class DeadlineKind:
    label: str  # English msgid
    rule: str  # citation, with the counting rule the period follows


DEADLINE_KINDS: dict[str, DeadlineKind] = {
    name: DeadlineKind(label, rule)
    for name, label, rule in [
        (
            "limitation",
            N_("Limitation period ends"),
            "《民法典》第188、189、194、195条，第200–203条",
        ),
        ("guarantee_period", N_("Guarantee period ends"), "《民法典》第692条，第200–203条"),
        (
            "presuit_preservation",
            N_("Last day to sue after pre-suit preservation"),
            CIVIL_PROCEDURE + "第104条，第85条",
        ),
        ("judgment", N_("Last day to appeal the judgment"), CIVIL_PROCEDURE + "第171条，第85条"),
        ("ruling", N_("Last day to appeal the ruling"), CIVIL_PROCEDURE + "第171条，第85条"),
        (
            "payment_order_objection",
            N_("Last day for the debtor to object to the payment order"),
            CIVIL_PROCEDURE + "第227条，第85条",
        ),
        (
            "enforcement",
            N_("Last day to apply for enforcement"),
            CIVIL_PROCEDURE + "第250条，第85条",
        ),
        ("freeze_renewal", N_("Apply to renew the freeze or seizure by"), FREEZE_RULE),
        ("freeze_expiry", N_("The freeze or seizure lapses"), FREEZE_RULE),
    ]
}

NOT_PUBLISHED = N_(
    "The holiday schedule of a year in this computation is not published yet: only weekends "
    "were skipped, and the date may move when the schedule is published (each November)."
)
NO_OLD_DATA = N_("No holiday data before 2004: only weekends were skipped.")


class HolidayDataMissing(UserWarning):
    """A date fell in a year without holiday data: only weekends were skipped."""


# --- the calendar -------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _workday(d: date) -> bool | None:
    """``chinese_calendar.is_workday`` remembered (it is called per day of every deadline of
    every case on a page or export); None for a year without holiday data."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return None


class _Calendar:
    """Working-day look-ups for one computation, remembering the years without holiday data."""

    def __init__(self) -> None:
        self.missing: set[int] = set()

    def is_working(self, d: date) -> bool:
        working = _workday(d)
        if working is None:
            self.missing.add(d.year)
            return d.weekday() < 5
        return working

    def holiday_name(self, d: date) -> str | None:
        """The holiday's Chinese name (元旦, 春节, 国庆节 …): a proper name, like a citation."""
        try:
            name = chinese_calendar.get_holiday_detail(d)[1]
        except NotImplementedError:
            return None
        return _HOLIDAY_NAMES.get(name, name)

    def forward(self, d: date) -> date:
        while not self.is_working(d):
            d += ONE_DAY
        return d

    def back(self, d: date) -> date:
        while not self.is_working(d):
            d -= ONE_DAY
        return d

    def figure_warnings(self) -> tuple[str, ...]:
        found = []
        if any(y >= FIRST_DATA_YEAR for y in self.missing):
            found.append(NOT_PUBLISHED)
        if any(y < FIRST_DATA_YEAR for y in self.missing):
            found.append(NO_OLD_DATA)
        return tuple(found)

    def warn(self, stacklevel: int) -> None:
        if self.missing:
            years = ", ".join(str(y) for y in sorted(self.missing))
            warnings.warn(
                f"no Chinese holiday data for {years}: only weekends were skipped; the date "
                "may move when the year's holiday schedule is published (each November)",
                HolidayDataMissing,
                stacklevel=stacklevel + 1,
            )


def _look_up(method: Callable[[_Calendar, date], Any], d: date) -> Any:
    cal = _Calendar()
    result = method(cal, d)
    cal.warn(stacklevel=3)
    return result


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day: weekdays that are not holidays, and make-up weekend days."""
    return _look_up(_Calendar.is_working, d)


def next_working_day(d: date) -> date:
    """The first working day on or after ``d`` (``d`` itself when it is one): 第203条 rollover."""
    return _look_up(_Calendar.forward, d)


def previous_working_day(d: date) -> date:
    """The last working day on or before ``d`` (``d`` itself when it is one): for action dates."""
    return _look_up(_Calendar.back, d)


def add_months(d: date, months: int) -> date:
    """The corresponding day ``months`` later (or earlier), else that month's last day (第202条)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# --- steps shared by every period ----------------------------------------------------------

_RAW_END = {
    "days": N_("%(count)s days after %(start)s, the start day not counted"),
    "months": N_(
        "%(count)s months after %(start)s: the corresponding day, or the month's last day"
    ),
    "years": N_("%(count)s years after %(start)s: the corresponding day, or the month's last day"),
}


def _raw_end(start: date, count: int, unit: str) -> date:
    if unit == "days":
        return start + timedelta(days=count)
    return add_months(start, count * 12 if unit == "years" else count)


def _count(cal: _Calendar, start: date, count: int, unit: str) -> tuple[date, list[Step]]:
    """End of a period of ``count`` ``unit`` from ``start``, rolled over rest days, with steps."""
    raw = _raw_end(start, count, unit)
    end, rolled = _rollover(cal, raw)
    return end, [Step(_RAW_END[unit], raw, {"count": count, "start": start}), rolled]


def _rollover(cal: _Calendar, raw: date) -> tuple[date, Step]:
    end = cal.forward(raw)
    if end == raw and raw.weekday() >= 5:
        label = N_("%(raw)s is a make-up working day (调休上班): the period ends on it")
    elif end == raw:
        label = N_("%(raw)s is a working day: the period ends on it")
    elif holiday := cal.holiday_name(raw):
        label = N_(
            "%(raw)s is a statutory holiday (%(holiday)s): the period ends on the next working day"
        )
        return end, Step(label, end, {"raw": raw, "holiday": holiday})
    else:
        label = N_("%(raw)s is a rest day: the period ends on the next working day")
    return end, Step(label, end, {"raw": raw})


def _warned(build: Callable[..., Figure], *args: Any) -> Figure:
    """Run ``build`` and issue its missing-data warning at the public function's caller."""
    cal = _Calendar()
    figure = build(cal, *args)
    cal.warn(stacklevel=3)
    return figure


# --- limitation (诉讼时效) -------------------------------------------------------------------


def limitation_expiry(
    start: date,
    *,
    interruptions: Iterable[date] = (),
    suspensions: Iterable[tuple[date, date]] = (),
) -> date:
    """Last day of the limitation period (诉讼时效, 民法典 第188、194、195条).

    ``start`` is the day the creditor knew or should have known of the default — for a money
    debt its due date; for a debt payable in installments the caller passes the **last**
    installment's due date (第189条). The period is 3 years.

    ``interruptions`` are days on which the period was interrupted (第195条; 诉讼时效规定(2020)
    第8–14条): a demand reached the debtor, the debtor agreed to pay (part payment, installment
    plan, acknowledgement), suit or arbitration, payment order, pre-suit preservation,
    enforcement application. Each one on or before the then-current last day restarts the 3
    years from that day; for proceedings the law restarts the period when they end (第195条),
    so the caller passes the end of the proceedings. A day after the period ended does not
    revive it. The debtor's later *written* agreement to pay can waive the limitation defence
    (诉讼时效规定 第19条); this function does not model that waiver.

    ``suspensions`` are ``(obstacle_start, obstacle_end)`` pairs (第194条): an obstacle that
    exists within the last 6 months of the period suspends it, and the period then ends no
    earlier than 6 months after the obstacle ends. An obstacle that ended before the last 6
    months, or arose after the period ended, has no effect.

    The 20-year long stop (第188条) runs from ``start`` (for a debt the due date is also the day
    the right was harmed) and is neither interrupted nor suspended; the result never passes it.
    The court's power to extend it in special circumstances is not modelled.
    """
    return _warned(_limitation, start, tuple(interruptions), tuple(suspensions)).value


def explain_limitation_expiry(
    start: date,
    *,
    interruptions: Iterable[date] = (),
    suspensions: Iterable[tuple[date, date]] = (),
) -> Figure:
    """``limitation_expiry`` with its steps: each restart, ignored date and suspension."""
    return _limitation(_Calendar(), start, tuple(interruptions), tuple(suspensions))


_KNEW = N_("The creditor knew of the default on %(start)s (installments: the last due date)")
_NOT_AFTER_START = N_("%(date)s is not after the start of the period: no effect")
_AFTER_EXPIRY = N_(
    "%(date)s is after the period ended on %(expiry)s: it does not revive it (a later written "
    "promise to pay can waive the defence, 诉讼时效规定 第19条)"
)
_RESTART = N_("Interrupted on %(date)s (第195条): the 3 years restart from that day")
_SUSPENDED = N_(
    "Suspended by an obstacle from %(begin)s to %(end)s within the last 6 months (第194条): "
    "the period ends 6 months after it ends"
)
_NOT_SUSPENDED = N_(
    "Obstacle from %(begin)s to %(end)s: not within the last 6 months of the period, no suspension"
)
_LONG_STOP = N_("Capped by the 20-year long stop from %(start)s (第188条)")


def _step(label: str, value: date | None = None, **params: Any) -> Step:
    return Step(label, value, params)


def _limitation(
    cal: _Calendar,
    start: date,
    interruptions: tuple[date, ...],
    suspensions: tuple[tuple[date, date], ...],
) -> Figure:
    if any(end < begin for begin, end in suspensions):
        raise ValueError(f"an obstacle ends before it starts: {suspensions}")
    obstacles = sorted(suspensions)
    applied: set[tuple[date, date]] = set()
    expiry, steps = _count(cal, start, LIMITATION_YEARS, "years")
    steps.insert(0, _step(_KNEW, start, start=start))
    expiry = _suspend(cal, expiry, obstacles, applied, steps)
    days = sorted(set(interruptions))
    for day in days:
        if day <= start:
            steps.append(_step(_NOT_AFTER_START, date=day))
        elif day > expiry:
            steps.append(_step(_AFTER_EXPIRY, date=day, expiry=expiry))
        else:
            expiry = max(expiry, cal.forward(_raw_end(day, LIMITATION_YEARS, "years")))
            steps.append(_step(_RESTART, expiry, date=day))
            expiry = _suspend(cal, expiry, obstacles, applied, steps)
    steps += [_step(_NOT_SUSPENDED, begin=b, end=e) for b, e in obstacles if (b, e) not in applied]
    # Look the long stop up only when it may cap: its year is rarely covered by holiday data.
    long_stop = _raw_end(start, LONG_STOP_YEARS, "years")
    if expiry > long_stop and expiry > (long_stop := cal.forward(long_stop)):
        expiry = long_stop
        steps.append(_step(_LONG_STOP, expiry, start=start))
    inputs = {"start": start, "interruptions": days, "suspensions": obstacles}
    rule = DEADLINE_KINDS["limitation"].rule
    return Figure(expiry, rule, inputs, tuple(steps), cal.figure_warnings())


def _suspend(
    cal: _Calendar,
    expiry: date,
    obstacles: list[tuple[date, date]],
    applied: set[tuple[date, date]],
    steps: list[Step],
) -> date:
    """Extend ``expiry`` for each obstacle within its last 6 months, until nothing changes
    (an extension can bring a later obstacle into the new last 6 months)."""
    changed = True
    while changed:
        changed = False
        window_start = add_months(expiry, -SUSPENSION_MONTHS)
        for begin, end in obstacles:
            if begin > expiry or end <= window_start:
                continue  # arose after the period ended, or ended before its last 6 months
            resumed = cal.forward(add_months(end, SUSPENSION_MONTHS))
            if resumed > expiry:
                expiry, changed = resumed, True
                applied.add((begin, end))
                steps.append(_step(_SUSPENDED, expiry, begin=begin, end=end))
                break
    return expiry


# --- simple periods -------------------------------------------------------------------------


def _period(
    cal: _Calendar, kind: str, start: date, count: int, unit: str, inputs: dict[str, Any]
) -> Figure:
    end, steps = _count(cal, start, count, unit)
    return Figure(end, DEADLINE_KINDS[kind].rule, inputs, tuple(steps), cal.figure_warnings())


def enforcement_deadline(performance_due: date) -> date:
    """Last day to apply for enforcement: 2 years (民事诉讼法(2023) 第250条).

    ``performance_due`` is the last day of the performance period the judgment or other
    instrument sets (for installments, the last installment's; with no period, the day it took
    effect). The period's suspension and interruption (第250条, by reference to the limitation
    rules) are not modelled.
    """
    return _warned(_enforcement, performance_due).value


def explain_enforcement_deadline(performance_due: date) -> Figure:
    return _enforcement(_Calendar(), performance_due)


def _enforcement(cal: _Calendar, performance_due: date) -> Figure:
    inputs = {"performance_due": performance_due}
    return _period(cal, "enforcement", performance_due, ENFORCEMENT_YEARS, "years", inputs)


def presuit_preservation_deadline(measures_taken: date) -> date:
    """Last day to sue or apply for arbitration after pre-suit preservation: 30 days after the
    court takes the measures, or they are released (民事诉讼法(2023) 第104条)."""
    return _warned(_presuit, measures_taken).value


def explain_presuit_preservation_deadline(measures_taken: date) -> Figure:
    return _presuit(_Calendar(), measures_taken)


def _presuit(cal: _Calendar, measures_taken: date) -> Figure:
    inputs = {"measures_taken": measures_taken}
    return _period(
        cal, "presuit_preservation", measures_taken, PRESUIT_PRESERVATION_DAYS, "days", inputs
    )


def appeal_deadline(served: date, kind: AppealKind) -> date:
    """Last day to appeal a ``"judgment"`` (15 days) or ``"ruling"`` (10 days) from service
    (民事诉讼法(2023) 第171条), or to object to a payment order, ``"payment_order_objection"``
    (15 days, 第227条). The 30 days of a party without a domicile in China are not modelled."""
    return _warned(_appeal, served, kind).value


def explain_appeal_deadline(served: date, kind: AppealKind) -> Figure:
    return _appeal(_Calendar(), served, kind)


def _appeal(cal: _Calendar, served: date, kind: AppealKind) -> Figure:
    if kind not in APPEAL_DAYS:
        raise ValueError(f"unknown appeal kind {kind!r}; expected one of {sorted(APPEAL_DAYS)}")
    inputs = {"served": served, "kind": kind}
    return _period(cal, kind, served, APPEAL_DAYS[kind], "days", inputs)


def guarantee_period_expiry(main_debt_due: date, *, months: int = GUARANTEE_MONTHS) -> date:
    """Last day of the guarantee period (保证期间, 民法典 第692条): the agreed number of months
    after the main debt falls due, six when none was agreed. An agreed period ending with the
    main debt or before it counts as none (``months=0``: six months). The period is not
    suspended, interrupted or extended (第692条); the 第203条 rollover is a counting rule, but a
    cautious creditor acts by the raw end shown in the explanation's steps."""
    return _warned(_guarantee, main_debt_due, months).value


def explain_guarantee_period_expiry(
    main_debt_due: date, *, months: int = GUARANTEE_MONTHS
) -> Figure:
    return _guarantee(_Calendar(), main_debt_due, months)


def _guarantee(cal: _Calendar, main_debt_due: date, months: int) -> Figure:
    if months < 0:
        raise ValueError(f"a guarantee period cannot be negative: {months} months")
    inputs = {"main_debt_due": main_debt_due, "months": months}
    count = months or GUARANTEE_MONTHS
    figure = _period(cal, "guarantee_period", main_debt_due, count, "months", inputs)
    if months:
        return figure
    note = _step(N_("An agreed period ending with the main debt counts as none: six months"))
    return replace(figure, steps=(note, *figure.steps))


# --- freezes and seizures -------------------------------------------------------------------


@dataclass(frozen=True)
class FreezeTerm:
    kind: FreezeKind
    start: date
    expiry: date  # last day of the longest term the law allows; not moved for holidays
    renew_by: date  # apply for renewal (续行) by this working day


_FREEZE_STEPS = {
    "deposit": N_("Bank deposits are frozen for at most one year (民诉法解释 第485条)"),
    "movable": N_("Movables are seized for at most two years (民诉法解释 第485条)"),
    "immovable": N_(
        "Real estate and other property rights are seized or frozen for at most three years "
        "(民诉法解释 第485条)"
    ),
}


def freeze_expiry(kind: FreezeKind, start: date) -> FreezeTerm:
    """The longest term of a freeze or seizure and the day to apply for its renewal.

    ``kind``: ``"deposit"`` (bank deposits, ≤ 1 year), ``"movable"`` (≤ 2 years) or
    ``"immovable"`` (real estate and other property rights, ≤ 3 years) (民诉法解释(2022)
    第485条); ``start`` is the day the court took the measure. When the court's notice states a
    shorter term or its own end date, that date governs.

    The **expiry is not rolled over holidays**: it is the end of a term the court sets for its
    own measure, which the bank or registry lifts on that calendar day; the holiday rollover
    (第203条, 第85条) protects a party acting by a deadline and would here give a later, unsafe
    date. The party's act is the renewal application, due before expiry (财产保全规定(2020)
    第18条: 届满七日前): ``renew_by`` is 7 days before expiry, moved **earlier** to the
    previous working day when it is not one.
    """
    cal = _Calendar()
    term, _ = _freeze(cal, kind, start)
    cal.warn(stacklevel=2)
    return term


def explain_freeze_expiry(kind: FreezeKind, start: date) -> Figure:
    """``freeze_expiry`` as a ``Figure`` whose value is the action date, ``renew_by``; the
    expiry is a step."""
    return _freeze(_Calendar(), kind, start)[1]


def _freeze(cal: _Calendar, kind: FreezeKind, start: date) -> tuple[FreezeTerm, Figure]:
    if kind not in FREEZE_YEARS:
        raise ValueError(f"unknown freeze kind {kind!r}; expected one of {sorted(FREEZE_YEARS)}")
    expiry = _raw_end(start, FREEZE_YEARS[kind], "years")
    lead = expiry - timedelta(days=RENEWAL_LEAD_DAYS)
    renew_by = cal.back(lead)
    steps = [
        _step(_FREEZE_STEPS[kind], expiry),
        _step(N_("The term is the court's: its last day is not moved for holidays")),
        _step(N_("Apply to renew 7 days before it expires (财产保全规定 第18条)"), lead),
    ]
    if renew_by != lead:
        label = N_("%(day)s is not a working day: apply on the working day before it")
        steps.append(_step(label, renew_by, day=lead))
    inputs = {"kind": kind, "start": start}
    rule = DEADLINE_KINDS["freeze_renewal"].rule
    figure = Figure(renew_by, rule, inputs, tuple(steps), cal.figure_warnings())
    return FreezeTerm(kind, start, expiry, renew_by), figure
