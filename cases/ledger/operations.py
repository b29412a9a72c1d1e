"""Recording money received on a case."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlmodel import Session

from cases.base import BUSINESS_TZ
from cases.errors import N_, ValidationError
from cases.ledger.models import Payment, PaymentCreate
from cases.register import policies
from cases.register.models import Case, Claim
from cases.register.operations import refresh_totals, touch
from cases.timeline.models import Event, EventKind
from cases.users.models import User
from cases.validation import parse


def record_payment(
    session: Session, actor: User, case: Case, data: PaymentCreate | dict[str, Any]
) -> Payment:
    """Money received on a case; allocation to costs, interest and principal is computed."""
    policies.require(actor, "case.record_payment")
    data = parse(PaymentCreate, data)
    if data.claim_id is not None:
        claim = session.get(Claim, data.claim_id)
        if claim is None or claim.case_id != case.id:
            raise ValidationError.single("claim_id", N_("That claim is not on this case"))
    payment = Payment.model_validate(data, update={"case_id": case.id, "recorded_by_id": actor.id})
    session.add(payment)
    session.flush()
    refresh_totals(session, case)
    touch(case)
    session.add(
        Event(
            case_id=case.id,
            kind=EventKind.PAYMENT,
            actor_id=actor.id,
            payment_id=payment.id,
            occurred_at=datetime.combine(data.received_on, time(12, 0), tzinfo=BUSINESS_TZ),
            summary=f"{data.payer} ¥{data.amount}",
        )
    )
    session.flush()
    return payment
