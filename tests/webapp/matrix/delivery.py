"""Proof of delivery: the case page's forms and a bulk run's delivery pages.

A delivery is created on the matrix's case (``delivery_id``); the run is the matrix's run,
started by legal staff, so only they and admins see its deliveries (counsel: 404).
"""

from __future__ import annotations

from cases.delivery.operations import record_delivery
from tests.webapp.matrix import BAD, GO, HIDDEN, LOGIN, NO, OK

ROWS = {
    # -- delivery.record on a case: admin, legal, counsel (of the case's firm) -------------------
    ("POST", "/cases/<int:case_id>/deliveries"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/deliveries/<int:delivery_id>/outcome"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/deliveries/<int:delivery_id>/receipt"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/deliveries/<int:delivery_id>/delete"): (
        LOGIN,
        GO,
        GO,
        GO,
        HIDDEN,
        NO,
        NO,
    ),
    # -- a bulk run's deliveries: its creator (legal) and admins --------------------------------
    ("GET", "/documents/runs/<int:run_id>/deliveries"): (LOGIN, OK, OK, HIDDEN, HIDDEN, NO, NO),
    ("GET", "/documents/runs/<int:run_id>/deliveries/sendings.csv"): (
        LOGIN,
        OK,
        OK,
        HIDDEN,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/documents/runs/<int:run_id>/deliveries/sendings"): (
        LOGIN,
        BAD,
        BAD,
        HIDDEN,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/documents/runs/<int:run_id>/deliveries/outcomes"): (
        LOGIN,
        BAD,
        BAD,
        HIDDEN,
        HIDDEN,
        NO,
        NO,
    ),
}


def setup(app, session, world) -> dict[str, int]:
    """A sending on the matrix's case, its outcome not known yet."""
    done = record_delivery(
        session,
        world.users["legal"],
        world.case,
        {
            "title": "催收函",
            "carrier": "ems",
            "tracking_no": "1100000000001",
            "sent_on": "2026-01-05",
        },
    )
    return {"delivery_id": done.delivery.id}
