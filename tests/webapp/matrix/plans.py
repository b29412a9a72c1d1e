"""Repayment plans and promises to pay (``webapp/blueprints/plans.py``): ``plan.manage`` is
admin, legal and counsel; everyone who sees the case sees its plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from cases.base import today
from cases.plans.models import Promise
from cases.plans.operations import create_plan
from cases.timeline.operations import log_event
from tests.webapp.matrix import BAD, HIDDEN, LOGIN, NO, OK

ROWS = {
    ("GET", "/plans/alerts"): (LOGIN, OK, OK, OK, OK, OK, OK),
    ("GET", "/cases/<int:case_id>/plans/new"): (LOGIN, OK, OK, OK, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/plans/new"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("GET", "/cases/<int:case_id>/plans/<int:plan_id>"): (LOGIN, OK, OK, OK, HIDDEN, OK, OK),
    ("GET", "/cases/<int:case_id>/plans/<int:plan_id>/edit"): (LOGIN, OK, OK, OK, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/plans/<int:plan_id>/edit"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/plans/<int:plan_id>/accelerate"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/plans/<int:plan_id>/cancel"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/promises/<int:promise_id>/resolve"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
}


def setup(app, session, world) -> dict[str, int]:
    """A plan on track and a promise on the matrix's case."""
    legal = world.users["legal"]
    signed = today() - timedelta(days=10)
    plan = create_plan(
        session,
        legal,
        world.case,
        {
            "signed_on": signed,
            "installments": [
                {"due_on": today() + timedelta(days=20), "amount": Decimal("10000")},
                {"due_on": today() + timedelta(days=50), "amount": Decimal("10000")},
            ],
        },
    )
    event = log_event(
        session,
        legal,
        world.case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": f"{signed.isoformat()}T10:00",
            "summary": "电话催收",
            "promised_amount": Decimal("5000"),
            "promised_date": signed + timedelta(days=3),
        },
    )
    promise_id = session.exec(select(Promise.id).where(Promise.event_id == event.id)).one()
    return {"plan_id": plan.id, "promise_id": promise_id}
