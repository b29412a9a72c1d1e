"""Recoveries and fees (``webapp/blueprints/recoveries.py``): finance confirms money
(``payment.confirm``) and pays fees (``fee.pay``), legal and admins approve fees
(``fee.approve``), legal, admins and counsel request them (``fee.request``); everyone who sees
the case sees its fee requests and their statements. Counsel never reach the queue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus, FeeKind
from cases.ledger.operations import record_payment
from cases.settlement.operations import request_fee
from tests.webapp.matrix import AUTH, BAD, HIDDEN, LOGIN, NO, OK

FEES = "/cases/<int:case_id>/fee-requests"
ONE = FEES + "/<int:fee_request_id>"

ROWS = {
    ("GET", "/money"): (LOGIN, OK, OK, NO, NO, OK, NO),
    ("POST", "/cases/<int:case_id>/payments/<int:payment_id>/confirm"): (
        LOGIN,
        NO,
        NO,
        NO,
        HIDDEN,
        BAD,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/payments/<int:payment_id>/reject"): (
        LOGIN,
        NO,
        NO,
        NO,
        HIDDEN,
        BAD,
        NO,
    ),
    ("GET", FEES + "/new"): (LOGIN, OK, OK, OK, HIDDEN, NO, NO),
    ("POST", FEES): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("GET", ONE): (LOGIN, OK, OK, OK, HIDDEN, OK, OK),
    ("GET", ONE + "/statement.pdf"): (LOGIN, OK, OK, OK, HIDDEN, OK, OK),
    ("POST", ONE + "/approve"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    ("POST", ONE + "/reject"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    ("POST", ONE + "/pay"): (LOGIN, NO, NO, NO, HIDDEN, BAD, NO),
    ("GET", "/api/v1/cases/<int:case_id>/payments"): (AUTH, OK, OK, OK, HIDDEN, OK, OK),
}


def engagement_of(session, case, firm_id: int, *, created_by: int) -> Engagement:
    """The case's live engagement (another area may have made it), else a new one."""
    live = session.exec(
        select(Engagement).where(
            Engagement.case_id == case.id, Engagement.status == EngagementStatus.ACTIVE
        )
    ).first()
    if live is not None:
        return live
    engagement = Engagement(
        case_id=case.id,
        firm_id=firm_id,
        scope_litigation=True,
        starts_on=today() - timedelta(days=400),
        claim_amount=Decimal("120000.00"),
        fee_kind=FeeKind.CONTINGENCY,
        fee_terms={"rate": "0.1"},
        created_by_id=created_by,
    )
    session.add(engagement)
    session.flush()
    return engagement


def setup(app, session, world) -> dict[str, int]:
    """Money reported by counsel (pending) and a fee request awaiting approval."""
    counsel, finance = world.users["counsel"], world.users["finance"]
    case = world.case
    engagement_of(session, case, counsel.firm_id, created_by=world.users["legal"].id)
    session.info["actor_id"] = finance.id
    record_payment(
        session,
        finance,
        case,
        {"received_on": today() - timedelta(days=3), "amount": "10000", "payer": "债务人"},
    )
    session.info["actor_id"] = counsel.id
    pending = record_payment(
        session,
        counsel,
        case,
        {"received_on": today() - timedelta(days=1), "amount": "5000", "payer": "债务人"},
    )
    fee = request_fee(
        session,
        counsel,
        case,
        {"expenses": [{"description": "差旅费", "amount": "300", "spent_on": today()}]},
        receipts=[("发票.pdf", b"%PDF-1.4 receipt")],
        store=app.extensions["qingshou_files"],
        max_bytes=10**6,
    )
    session.flush()
    return {"payment_id": pending.id, "fee_request_id": fee.id}
