"""Matrix rows of the firms' portal: case messages, firm scorecards, a firm's start page."""

from __future__ import annotations

from tests.webapp.matrix import BAD, HIDDEN, LOGIN, NO, OK

# anonymous, admin, legal, counsel, other_counsel, finance, management
ROWS = {
    # case.message: legal staff, admins and the engaged firm's counsel write on the thread
    ("POST", "/cases/<int:case_id>/messages"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    # firm.scorecard: admin, legal, management
    ("GET", "/firms"): (LOGIN, OK, OK, NO, NO, NO, OK),
    ("GET", "/firms/<int:firm_id>"): (LOGIN, OK, OK, NO, NO, NO, OK),
    # portal.home: a counsel's own firm (any firm's counsel has one)
    ("GET", "/portal"): (LOGIN, NO, NO, OK, OK, NO, NO),
}


def setup(app, session, world) -> dict[str, int]:
    """The firm of the matrix's case (the one its counsel belongs to)."""
    return {"firm_id": world.case.firm_id}
