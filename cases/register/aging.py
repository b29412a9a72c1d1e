"""Overdue days and aging buckets (账龄), always computed from the oldest due date.

Overdue days are ``on - overdue_since`` in calendar days, where ``Case.overdue_since`` is the
oldest due date of the case's claims while any principal is outstanding and None once it is
all recovered (a settled debt is not overdue). A claim due today is 0 days overdue, a claim
due tomorrow is not yet due. Buckets are contiguous, inclusive day ranges;
a year counts as 365 days so that "181–365 days" and "1–2 years" meet without a gap in leap
years:

    not yet due  < 0        91–180 days   91..180       2–3 years     731..1095
    0–30 days    0..30      181–365 days  181..365      over 3 years  1096..
    31–90 days   31..90     1–2 years     366..730

``due_range`` turns a bucket into an inclusive range of due dates for a given day, so a
filter on a bucket is an indexable ``overdue_since BETWEEN lo AND hi``.
"""

from __future__ import annotations

from datetime import date, timedelta

from cases.base import StrEnum
from cases.errors import N_


class AgingBucket(StrEnum):
    NOT_DUE = "not_due"
    DAYS_0_30 = "0-30"
    DAYS_31_90 = "31-90"
    DAYS_91_180 = "91-180"
    DAYS_181_365 = "181-365"
    YEARS_1_2 = "1-2y"
    YEARS_2_3 = "2-3y"
    OVER_3_YEARS = "3y+"


# Inclusive overdue-day bounds of each bucket; None means unbounded.
DAY_RANGES: dict[AgingBucket, tuple[int | None, int | None]] = {
    AgingBucket.NOT_DUE: (None, -1),
    AgingBucket.DAYS_0_30: (0, 30),
    AgingBucket.DAYS_31_90: (31, 90),
    AgingBucket.DAYS_91_180: (91, 180),
    AgingBucket.DAYS_181_365: (181, 365),
    AgingBucket.YEARS_1_2: (366, 730),
    AgingBucket.YEARS_2_3: (731, 1095),
    AgingBucket.OVER_3_YEARS: (1096, None),
}

AGING_LABELS: dict[AgingBucket, str] = {
    AgingBucket.NOT_DUE: N_("Not yet due"),
    AgingBucket.DAYS_0_30: N_("0–30 days"),
    AgingBucket.DAYS_31_90: N_("31–90 days"),
    AgingBucket.DAYS_91_180: N_("91–180 days"),
    AgingBucket.DAYS_181_365: N_("181–365 days"),
    AgingBucket.YEARS_1_2: N_("1–2 years"),
    AgingBucket.YEARS_2_3: N_("2–3 years"),
    AgingBucket.OVER_3_YEARS: N_("Over 3 years"),
}


def days_past_due(due: date, on: date) -> int:
    """Signed days from the due date to ``on``: negative while not yet due."""
    return (on - due).days


def overdue_days(due: date | None, on: date) -> int:
    """Days overdue as shown to users: never negative, 0 without a due date."""
    return 0 if due is None else max(days_past_due(due, on), 0)


def bucket_for(due: date | None, on: date) -> AgingBucket | None:
    """The bucket of a debt due on ``due`` as seen on ``on`` (None without a due date)."""
    if due is None:
        return None
    days = days_past_due(due, on)
    for bucket, (low, high) in DAY_RANGES.items():
        if (low is None or days >= low) and (high is None or days <= high):
            return bucket
    raise AssertionError(f"no aging bucket for {days} days")  # the ranges cover every integer


def due_range(bucket: AgingBucket | str, on: date) -> tuple[date | None, date | None]:
    """Inclusive ``(earliest, latest)`` due dates falling in ``bucket`` on ``on`` (None: open)."""
    low, high = DAY_RANGES[AgingBucket(bucket)]
    earliest = None if high is None else on - timedelta(days=high)
    latest = None if low is None else on - timedelta(days=low)
    return earliest, latest
