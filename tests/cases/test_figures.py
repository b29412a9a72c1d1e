"""A computed figure as JSON: its steps, and the unit of a step whose value is not money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cases.figures import Figure, Step, Unit


def test_steps_as_json_say_a_unit_only_where_the_value_is_not_money_or_a_date():
    figure = Figure(
        Decimal("12.35"),
        "seed-004",
        {"end": date(2025, 3, 31)},
        (
            Step("Collected", Decimal("1235.00")),
            Step("Due on %(date)s", date(2025, 3, 31), {"date": date(2025, 3, 1)}),
            Step("Rate, percent, half-up to 0.01", Decimal("12.35"), unit=Unit.PERCENT),
        ),
    )
    assert figure.as_dict()["steps"] == [
        {"label": "Collected", "value": "1235.00", "params": {}},
        {"label": "Due on %(date)s", "value": "2025-03-31", "params": {"date": "2025-03-01"}},
        {
            "label": "Rate, percent, half-up to 0.01",
            "value": "12.35",
            "params": {},
            "unit": "percent",
        },
    ]
