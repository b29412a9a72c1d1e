"""The scorecard's medians and rates: ``Decimal`` all the way, rates half-up to 0.0001."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.portal.scorecard import _median, _rate

D = Decimal


@pytest.mark.parametrize(
    ("days", "median"),
    [
        pytest.param([], None, id="none"),
        pytest.param([30], D(30), id="one"),
        pytest.param([40, 10, 30], D(30), id="odd-unsorted"),
        pytest.param([1, 2], D("1.5"), id="even-averages-the-middle-two"),
        pytest.param([10, 200, 31, 90], D("60.5"), id="even-unsorted"),
    ],
)
def test_median_days(days, median):
    found = _median(days)
    assert found == median
    assert found is None or isinstance(found, Decimal)  # never a float on the way


@pytest.mark.parametrize(
    ("part", "whole", "rate"),
    [
        # 12,345 of 100,000 = 0.12345: half-up 0.1235 (the banker's rounding gave 0.1234)
        pytest.param("12345", "100000", "0.1235", id="tie-rounds-up"),
        pytest.param("1", "3", "0.3333", id="third"),
        pytest.param("2", "3", "0.6667", id="two-thirds"),
        pytest.param("150000", "100000", "1.5000", id="more-than-claimed"),
        pytest.param("0", "100000", "0.0000", id="nothing"),
    ],
)
def test_rates_are_rounded_half_up(part, whole, rate):
    assert _rate(D(part), D(whole)) == D(rate)
