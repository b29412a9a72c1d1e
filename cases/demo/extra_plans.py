"""Demo data of the plans area, added after the demo cases are loaded.

Repayment plans on open cases at the repayment-agreement stage — one on track, one in
default, one accelerated, one completed (with a waiver approved by management) — and promises
to pay on cases in amicable collection: kept, broken, open and repeating. Everything goes
through the operations, and every payment is confirmed money recorded by finance, so the
statuses the pages compute agree with the money on the case.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from cases.base import today
from cases.ledger.models import Payment
from cases.ledger.operations import record_payment
from cases.parties.models import Party
from cases.plans.matching import equal_installments
from cases.plans.operations import accelerate, create_plan
from cases.register.models import Case, CaseStatus
from cases.register.stages import Stage
from cases.timeline.models import Event, EventKind
from cases.timeline.operations import log_event
from cases.users.models import User

THOUSAND = Decimal(1000)

# name: (signed days ago, installments, first due days ago)
PLANS = {
    "on_track": (70, 6, 40),
    "in_default": (100, 6, 70),
    "accelerated": (160, 4, 130),
    "completed": (200, 2, 170),
}


def _open_cases(session: Session, stage: Stage) -> list[Case]:
    stmt = (
        select(Case)
        .where(Case.stage == stage, Case.status == CaseStatus.ACTIVE)
        .where(Case.claimed_principal > Case.recovered_amount)
        .order_by(Case.id)
    )
    return list(session.exec(stmt))


def _actor(session: Session, case: Case, users: dict[str, User]) -> User:
    handler = session.get(User, case.handler_id) if case.handler_id else None
    return handler if handler is not None and handler.is_active else users["legal1"]


def _pay(
    session: Session, users: dict[str, User], case: Case, on: date, amount: Decimal, ref: str
) -> None:
    session.info["actor_id"] = users["finance1"].id
    record_payment(
        session,
        users["finance1"],
        case,
        {
            "received_on": on,
            "amount": amount,
            "payer": session.get(Party, case.debtor_id).name,
            "bank_ref": ref,
            "note": "还款协议分期款",
        },
    )


def _plan(session: Session, users: dict[str, User], case: Case, kind: str, on: date) -> None:
    signed_ago, count, first_ago = PLANS[kind]
    total = case.outstanding
    rows = equal_installments(total, count, on - timedelta(days=first_ago))
    actor = _actor(session, case, users)
    session.info["actor_id"] = actor.id
    data: dict[str, Any] = {
        "signed_on": on - timedelta(days=signed_ago),
        "agreement_no": f"HK-{case.number[-6:]}",
        "installments": [{"due_on": due, "amount": amount} for due, amount in rows],
        "note": "双方签订《分期还款协议》，任一期逾期即全部到期",
    }
    if kind == "completed":
        data.update(
            interest_waived=(total * Decimal("0.03")).quantize(Decimal("0.01")),
            waiver_approved_by_id=users["management1"].id,
            waiver_note="经总经理办公会审议，债务人按期清偿本金的，免除逾期利息",
        )
    plan = create_plan(session, actor, case, data)
    # on track and completed: every installment already due paid two days early;
    # in default and accelerated: the first paid, the rest left unpaid
    due = [(d, a) for d, a in rows if d <= on]
    paid = due if kind in ("on_track", "completed") else due[:1]
    for n, (due_on, amount) in enumerate(paid, start=1):
        _pay(session, users, case, due_on - timedelta(days=2), amount, f"HK{case.id:05d}{n:02d}")
    if kind == "accelerated":
        session.info["actor_id"] = actor.id
        accelerate(
            session,
            actor,
            plan,
            {
                "accelerated_on": rows[1][0],
                "note": "第二期未付，依还款协议第四条宣布剩余欠款全部到期",
            },
        )


def _last_contact(session: Session, case: Case) -> date | None:
    at = session.exec(
        select(Event.occurred_at)
        .where(Event.case_id == case.id, Event.kind == EventKind.CONTACT)
        .order_by(Event.occurred_at.desc())
    ).first()
    return at.date() if at else None


def _promise(
    session: Session,
    users: dict[str, User],
    case: Case,
    made: date,
    due: date,
    amount: Decimal,
    **repeat: Any,
) -> None:
    actor = _actor(session, case, users)
    session.info["actor_id"] = actor.id
    log_event(
        session,
        actor,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": f"{made.isoformat()}T10:30",
            "summary": "电话联系债务人财务负责人，催收到期欠款",
            "debtor_response": f"承诺于{due.month}月{due.day}日前支付{amount}元"
            + ("，此后每月同日支付同等金额" if repeat else ""),
            "promised_amount": amount,
            "promised_date": due,
            **repeat,
        },
    )


def _last_payment(session: Session, case: Case) -> date | None:
    return session.exec(
        select(Payment.received_on)
        .where(Payment.case_id == case.id)
        .order_by(Payment.received_on.desc())
    ).first()


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    on = today()
    # For each plan a case whose debtor has paid nothing since the agreement was signed: the
    # plan's story is then told by the payments recorded here alone.
    agreed = _open_cases(session, Stage.NEGOTIATION)
    agreed += _open_cases(session, Stage.DEMAND_LETTER)  # a small demo has few of the former
    for kind, (signed_ago, _count, _first) in PLANS.items():
        signed = on - timedelta(days=signed_ago)
        case = next((c for c in agreed if (_last_payment(session, c) or date.min) < signed), None)
        if case is not None:
            agreed.remove(case)
            _plan(session, users, case, kind, on)
            session.flush()
    candidates = [c for c in _open_cases(session, Stage.COLLECTION) if c.outstanding >= 20_000]
    rng.shuffle(candidates)
    # The broken promise must be the case's last contact, else it has been followed up.
    quiet = [
        c
        for c in candidates
        if (_last_contact(session, c) or date.min) < on - timedelta(days=30)
        and (_last_payment(session, c) or date.min) < on - timedelta(days=30)
    ]
    if quiet:
        case = quiet[0]
        candidates.remove(case)
        _promise(
            session, users, case, on - timedelta(days=25), on - timedelta(days=15), _part(case)
        )
    for case, kind in zip(candidates, ("kept", "open", "repeating"), strict=False):
        amount = _part(case)
        if kind == "kept":
            _promise(session, users, case, on - timedelta(days=20), on - timedelta(days=10), amount)
            _pay(session, users, case, on - timedelta(days=11), amount, f"PR{case.id:05d}01")
        elif kind == "open":
            _promise(session, users, case, on - timedelta(days=3), on + timedelta(days=10), amount)
        else:
            first = on - timedelta(days=35)
            _promise(
                session,
                users,
                case,
                first - timedelta(days=10),
                first,
                amount,
                promise_repeat="monthly",
                promise_times=4,
            )
            _pay(session, users, case, first - timedelta(days=1), amount, f"PR{case.id:05d}01")
        session.flush()


def _part(case: Case) -> Decimal:
    """About a tenth of what is outstanding, in whole thousands (at least 1,000 yuan)."""
    return max((case.outstanding / 10 / THOUSAND).quantize(Decimal(1)) * THOUSAND, THOUSAND)
