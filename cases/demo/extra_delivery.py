"""Demo data of the delivery area, added after the demo cases are loaded.

Demand letters posted on open cases at the lawyer's-letter and negotiation stages, through the
operations: most signed for (a DEMAND_DELIVERED key date restarts the limitation period), some
refused by the addressee (which counts as delivered), some returned from a wrong address, and
the latest still awaiting their outcome. The engaged firm's counsel records them; the handler
where no firm is engaged.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from cases.base import today
from cases.delivery.operations import record_delivery
from cases.parties.models import Party
from cases.register.models import Case, CaseStatus
from cases.register.stages import Stage
from cases.users.models import Role, User

LETTERS = ("律师函", "催收通知书")
CARRIERS = ("ems", "ems", "sf", "jd", "zto")
MAX_CASES = 16


def _actor(session: Session, case: Case, users: dict[str, User]) -> User:
    if case.firm_id is not None:
        counsel = [
            u for u in users.values() if u.role == Role.COUNSEL and u.firm_id == case.firm_id
        ]
        if counsel:
            return counsel[0]
    handler = session.get(User, case.handler_id) if case.handler_id else None
    return handler if handler is not None and handler.is_active else users["legal1"]


def _tracking(carrier: str, n: int) -> str:
    prefix = {"ems": "11", "sf": "SF", "jd": "JDVA", "zto": "78"}[carrier]
    return f"{prefix}{2026_0000_0000 + n * 7919:012d}"


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    cases = session.exec(
        select(Case, Party.legal_representative)
        .join(Party, Party.id == Case.debtor_id)
        .where(
            Case.stage.in_([Stage.DEMAND_LETTER, Stage.NEGOTIATION]),
            Case.status == CaseStatus.ACTIVE,
        )
        .order_by(Case.id)
        .limit(MAX_CASES)
    ).all()
    on = today()
    for n, (case, representative) in enumerate(cases, start=1):
        actor = _actor(session, case, users)
        session.info["actor_id"] = actor.id
        carrier = rng.choice(CARRIERS)
        earliest = case.transferred_on + timedelta(days=3)
        sent = max(earliest, on - timedelta(days=rng.randint(5, 120)))
        if sent > on:
            continue
        sending = {
            "title": LETTERS[n % 2],
            "carrier": carrier,
            "tracking_no": _tracking(carrier, n),
            "sent_on": sent,
        }
        after = min(on, sent + timedelta(days=rng.randint(2, 6)))
        roll = rng.random()
        if (on - sent).days < 8 or n % 7 == 0:
            outcome = None  # still awaiting the courier's result
        elif roll < 0.7:
            signer = representative or rng.choice(["前台代收", "财务部 李会计", "本人"])
            outcome = {"status": "delivered", "outcome_on": after, "signer": signer}
        elif roll < 0.85:
            outcome = {"status": "refused", "outcome_on": after, "note": "收件人拒收"}
        else:
            outcome = {"status": "returned", "outcome_on": after, "note": "查无此人，原址退回"}
        record_delivery(session, actor, case, sending, outcome)
