"""Holiday rollover, shown: the date a period would have ended on, and why it moved.

A period whose last day is a rest day or a statutory holiday ends on the next working day
(民法典 第203条; 民事诉讼法 第85条); a freeze's renewal application, an act before a
deadline, moves to the working day *before* (财产保全规定 第18条). ``cases.deadlines`` records
each move as a step of its ``Figure``; ``of_figure`` reads it back so that the board can show
"2026-10-03 (国庆节) → 2026-10-08". Deadlines added by hand roll here (``roll``) when they are
periods (``cases.board.models.ROLLED_KINDS``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar.constants import Holiday

from cases.deadlines import LIMITATION_YEARS, SUSPENSION_MONTHS, add_months
from cases.figures import Figure

_HOLIDAY_NAMES = {h.value: h.chinese for h in Holiday}
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rollover:
    original: date  # the last day before it was moved
    holiday: str | None  # the statutory holiday's Chinese name (国庆节 …), None for a weekend
    earlier: bool = False  # moved back to the working day before (an act due before a day)
    unpublished: bool = False  # the year's holiday schedule is not published: weekends only


@functools.lru_cache(maxsize=8192)
def is_working(d: date) -> tuple[bool, bool]:
    """Whether ``d`` is a working day, and whether that is known (holiday data published)."""
    try:
        return chinese_calendar.is_workday(d), True
    except NotImplementedError:
        return d.weekday() < 5, False


@functools.lru_cache(maxsize=8192)
def holiday_name(d: date) -> str | None:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        return None
    return _HOLIDAY_NAMES.get(name, name) if on_holiday and name else None


def _between(start: date, end: date) -> list[date]:
    days, d = [], start
    while d <= end:
        days.append(d)
        d += ONE_DAY
    return days


def _moved(original: date, final: date, earlier: bool) -> Rollover | None:
    """A ``Rollover`` if every day between the two is a rest day (a real move), else None."""
    if original == final or (original < final) == earlier:
        return None
    if earlier:
        skipped = _between(final + ONE_DAY, original)
    else:
        skipped = _between(original, final - ONE_DAY)
    known = True
    for d in skipped:
        working, published = is_working(d)
        known = known and published
        if working:
            return None
    names = [name for d in skipped if (name := holiday_name(d))]
    return Rollover(original, names[0] if names else None, earlier, not known)


def roll(d: date) -> tuple[date, Rollover | None]:
    """The working day on or after ``d`` (第203条), with the move when there is one."""
    final = d
    while not is_working(final)[0]:
        final += ONE_DAY
    return final, _moved(d, final, earlier=False)


def of_figure(figure: Figure) -> Rollover | None:
    """How the deadline ``figure`` computes was moved over rest days, read from its steps.

    The last step that produced the final date says where it came from: a rollover step
    names the raw day (``raw``), the freeze renewal's step the day it moved back from
    (``day``); a restart of the limitation period (``date``) or a suspension (``end``) ended
    three years, or six months, after that day, rolled forward to the final date.
    """
    for step in reversed(figure.steps):
        if step.value != figure.value:
            continue
        params = step.params
        if "raw" in params:
            return _moved(params["raw"], figure.value, earlier=False)
        if "day" in params:
            return _moved(params["day"], figure.value, earlier=True)
        if "date" in params:
            raw = add_months(params["date"], LIMITATION_YEARS * 12)
            return _moved(raw, figure.value, earlier=False)
        if "end" in params:
            raw = add_months(params["end"], SUSPENSION_MONTHS)
            return _moved(raw, figure.value, earlier=False)
        return None
    return None
