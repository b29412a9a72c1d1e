"""Engagements: the engagement form, ending, management's override, framework agreements, API.

The matrix's case was engaged at intake (its terms still to be entered): ``engagement_id`` is
that live engagement; ``firm_id`` the firm of "counsel".
"""

from __future__ import annotations

from sqlmodel import select

from cases.engagements.models import Engagement
from tests.webapp.matrix import AUTH, BAD, HIDDEN, LOGIN, NO, OK

ENGAGEMENT = "/cases/<int:case_id>/engagements/<int:engagement_id>"

ROWS = {
    # engagement.manage: admin and legal
    ("GET", "/cases/<int:case_id>/engagements/new"): (LOGIN, OK, OK, NO, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/engagements/new"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    ("GET", f"{ENGAGEMENT}/edit"): (LOGIN, OK, OK, NO, HIDDEN, NO, NO),
    ("POST", f"{ENGAGEMENT}/edit"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    ("POST", f"{ENGAGEMENT}/end"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    # engagement.override: management only
    ("GET", "/engagements/overrides"): (LOGIN, NO, NO, NO, NO, NO, OK),
    ("POST", f"{ENGAGEMENT}/override"): (LOGIN, NO, NO, NO, HIDDEN, NO, BAD),
    ("POST", f"{ENGAGEMENT}/refuse"): (LOGIN, NO, NO, NO, HIDDEN, NO, BAD),
    # firm.manage: admin and legal
    ("GET", "/engagements/firms/<int:firm_id>/agreements"): (LOGIN, OK, OK, NO, NO, NO, NO),
    ("POST", "/engagements/firms/<int:firm_id>/agreements"): (LOGIN, BAD, BAD, NO, NO, NO, NO),
    # case.view: everyone who sees the case (counsel: their own firm's engagements only)
    ("GET", "/api/v1/cases/<int:case_id>/engagement"): (AUTH, OK, OK, OK, HIDDEN, OK, OK),
}


def setup(app, session, world) -> dict[str, int]:
    engagement = session.exec(select(Engagement).where(Engagement.case_id == world.case.id)).one()
    return {"engagement_id": engagement.id, "firm_id": world.users["counsel"].firm_id}
