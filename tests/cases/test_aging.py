"""Overdue days and aging buckets: boundaries on both sides, and the date ranges behind filters."""

from datetime import date, timedelta

import pytest

from cases.register.aging import (
    AGING_LABELS,
    DAY_RANGES,
    AgingBucket,
    bucket_for,
    due_range,
    overdue_days,
)

ON = date(2026, 3, 1)


def due(days_overdue: int) -> date:
    return ON - timedelta(days=days_overdue)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-365, AgingBucket.NOT_DUE),
        (-1, AgingBucket.NOT_DUE),
        (0, AgingBucket.DAYS_0_30),
        (30, AgingBucket.DAYS_0_30),
        (31, AgingBucket.DAYS_31_90),
        (90, AgingBucket.DAYS_31_90),
        (91, AgingBucket.DAYS_91_180),
        (180, AgingBucket.DAYS_91_180),
        (181, AgingBucket.DAYS_181_365),
        (365, AgingBucket.DAYS_181_365),
        (366, AgingBucket.YEARS_1_2),
        (730, AgingBucket.YEARS_1_2),
        (731, AgingBucket.YEARS_2_3),
        (1095, AgingBucket.YEARS_2_3),
        (1096, AgingBucket.OVER_3_YEARS),
        (5000, AgingBucket.OVER_3_YEARS),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert bucket_for(due(days), ON) == bucket


def test_no_due_date_has_no_bucket_and_zero_days():
    assert bucket_for(None, ON) is None
    assert overdue_days(None, ON) == 0


@pytest.mark.parametrize(("days", "shown"), [(-10, 0), (0, 0), (1, 1), (400, 400)])
def test_overdue_days_are_never_negative(days, shown):
    assert overdue_days(due(days), ON) == shown


def test_overdue_days_count_calendar_days_across_a_leap_day():
    assert overdue_days(date(2024, 2, 28), date(2024, 3, 1)) == 2


@pytest.mark.parametrize("bucket", list(AgingBucket))
def test_due_range_matches_bucket_for(bucket):
    earliest, latest = due_range(bucket, ON)
    # Every due date inside the range falls in the bucket; the neighbours just outside do not.
    inside = [d for d in (earliest, latest) if d is not None]
    for day in inside:
        assert bucket_for(day, ON) == bucket
    if earliest is not None:
        assert bucket_for(earliest - timedelta(days=1), ON) != bucket
    if latest is not None:
        assert bucket_for(latest + timedelta(days=1), ON) != bucket


def test_due_range_examples():
    assert due_range(AgingBucket.NOT_DUE, ON) == (date(2026, 3, 2), None)
    assert due_range(AgingBucket.DAYS_0_30, ON) == (date(2026, 1, 30), ON)
    assert due_range(AgingBucket.OVER_3_YEARS, ON) == (None, ON - timedelta(days=1096))
    assert due_range("31-90", ON) == (ON - timedelta(days=90), ON - timedelta(days=31))


def test_buckets_cover_every_day_without_overlap():
    seen = [bucket_for(due(days), ON) for days in range(-400, 2000)]
    assert set(seen) == set(AgingBucket)
    order = list(AgingBucket)
    positions = [order.index(b) for b in seen]  # from the latest due date to the oldest
    assert positions == sorted(positions)


def test_every_bucket_has_a_label_and_a_range():
    assert set(AGING_LABELS) == set(DAY_RANGES) == set(AgingBucket)
