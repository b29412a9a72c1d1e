"""The management reports (``webapp/blueprints/reports.py``): ``report.view`` is admin, legal,
finance and management — counsel never see the whole book; ``report.targets`` (setting
targets) is admin and management."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cases.reports.targets import create_target
from tests.webapp.matrix import BAD, GO, LOGIN, NO, OK

ROWS = {
    ("GET", "/reports"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/reports/monthly.pdf"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/reports/targets"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/reports/targets/new"): (LOGIN, OK, NO, NO, NO, NO, OK),
    ("POST", "/reports/targets/new"): (LOGIN, BAD, NO, NO, NO, NO, BAD),
    ("GET", "/reports/targets/<int:target_id>/edit"): (LOGIN, OK, NO, NO, NO, NO, OK),
    ("POST", "/reports/targets/<int:target_id>/edit"): (LOGIN, BAD, NO, NO, NO, NO, BAD),
    ("POST", "/reports/targets/<int:target_id>/delete"): (LOGIN, GO, NO, NO, NO, NO, GO),
}


def setup(app, session, world) -> dict[str, int]:
    """A 百日攻坚 target for the whole book."""
    target = create_target(
        session,
        world.users["management"],
        {
            "name": "百日攻坚",
            "start_on": date(2026, 1, 1),
            "end_on": date(2026, 4, 10),
            "target_amount": Decimal("16000000.00"),
        },
    )
    return {"target_id": target.id}
