"""Reporting periods on the business calendar (Asia/Shanghai): weeks start on Monday.

A ``Period`` is an inclusive range of business dates. Money is dated by the business date it
was received (``Payment.received_on``); moments (a write-off's time) fall in a period when
they lie in ``[start_at, end_at)``, the UTC instants of 00:00 Beijing time on its first day
and on the day after its last — so 23:30 on 31 December Beijing time is still December.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cases.base import BUSINESS_TZ, StrEnum, business_time, today
from cases.errors import N_, ValidationError


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"  # an arbitrary from–to range


PERIOD_LABELS = {
    PeriodKind.WEEK: N_("This week"),
    PeriodKind.MONTH: N_("This month"),
    PeriodKind.QUARTER: N_("This quarter"),
    PeriodKind.YEAR: N_("This year"),
    PeriodKind.CUSTOM: N_("From–to"),
}


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def start_at(self) -> datetime:
        """00:00 Beijing time on the first day, in UTC."""
        return _midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """00:00 Beijing time on the day after the last day, in UTC (exclusive)."""
        return _midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BUSINESS_TZ).astimezone(UTC)


def containing(kind: PeriodKind | str, day: date) -> Period:
    """The week (Monday to Sunday), month, quarter or year that ``day`` falls in."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == PeriodKind.MONTH:
        return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
    if kind == PeriodKind.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        return Period(kind, date(day.year, first, 1), _month_end(day.year, first + 2))
    if kind == PeriodKind.YEAR:
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError("a custom period has no natural bounds: use between()")


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def current(kind: PeriodKind | str, now: datetime | None = None) -> Period:
    """This week / month / quarter / year as the business calendar sees ``now`` (default:
    the present): 00:30 on 1 January Beijing time is already the new year, although it is
    still 31 December in UTC."""
    return containing(kind, today() if now is None else business_time(now).date())


def between(start: date, end: date) -> Period:
    """An arbitrary from–to period, both days included."""
    if end < start:
        raise ValidationError.single("end", N_("The end of the period cannot be before its start"))
    return Period(PeriodKind.CUSTOM, start, end)
