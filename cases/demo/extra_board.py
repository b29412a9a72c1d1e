"""Demo data of the deadlines board, added after the demo cases are loaded.

Through the operations: hearings, evidence and defence periods added by hand on cases in
litigation (by the engaged firm's lead lawyer, else the handler) — some coming within days,
one ending on a weekend (rolled to the Monday), one passed with nothing recorded; outcomes
recorded for about half of the computed deadlines that have already passed (so the board shows
both: flagged ones and resolved ones); and today's digest, so that the notifications badge
shows at once.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import today
from cases.board import digest, operations, queries
from cases.board.models import Outcome
from cases.engagements.models import Engagement, EngagementStatus
from cases.register.models import Case, CaseStatus
from cases.register.stages import Stage
from cases.users.models import User

MAX_CASES = 10
COURTS = (
    "上海市浦东新区人民法院",
    "北京市朝阳区人民法院",
    "广州市天河区人民法院",
    "杭州市西湖区人民法院",
)
NOTES = {  # what happened, by the kind of deadline
    Outcome.ACTED: {
        "judgment": "已在上诉期内提交上诉状",
        "ruling": "已提起上诉",
        "presuit_preservation": "已在三十日内起诉，法院已受理",
        "enforcement": "已申请强制执行，执行案号已取得",
        "freeze_renewal": "已申请续行冻结，法院已出具续冻裁定",
        "limitation": "已起诉，诉讼时效中断",
        "guarantee_period": "已向保证人书面主张保证责任",
    },
    Outcome.NOT_NEEDED: {"payment_order_objection": "债务人未提出异议，支付令已生效"},
}


def _actor(session: Session, case: Case, users: dict[str, User]) -> User:
    lead = session.exec(
        select(Engagement.lead_lawyer_id).where(
            Engagement.case_id == case.id, Engagement.status == EngagementStatus.ACTIVE
        )
    ).first()
    owner = session.get(User, lead) if lead else None
    if owner is None and case.handler_id is not None:
        owner = session.get(User, case.handler_id)
    return owner if owner is not None and owner.is_active else users["legal1"]


def _next_saturday(after: date) -> date:
    return after + timedelta(days=(5 - after.weekday()) % 7 or 7)


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    on = today()
    litigating = session.exec(
        select(Case)
        .where(Case.stage == Stage.LITIGATION, Case.status == CaseStatus.ACTIVE)
        .order_by(Case.id)
        .limit(MAX_CASES)
    ).all()
    for n, case in enumerate(litigating):
        actor = _actor(session, case, users)
        session.info["actor_id"] = actor.id
        court = COURTS[n % len(COURTS)]
        operations.add_deadline(
            session,
            actor,
            case,
            {
                "title": "一审开庭",
                "kind": "hearing",
                "due_on": on + timedelta(days=rng.randint(2, 45)),
                "note": f"{court} 第{rng.randint(1, 12)}法庭",
            },
        )
        if n % 3 == 0:  # ends on a Saturday: the period runs to the Monday (第85条)
            due = _next_saturday(on + timedelta(days=rng.randint(3, 20)))
            title, kind = "一审举证", "evidence_period"
        elif n % 3 == 1:  # passed, and nobody has said what happened yet
            due = on - timedelta(days=rng.randint(3, 20))
            title, kind = "被告答辩", "defence_period"
        else:
            due = on + timedelta(days=rng.randint(5, 30))
            title, kind = "补充证据提交期限", "court_set"
        operations.add_deadline(
            session, actor, case, {"title": title, "kind": kind, "due_on": due, "note": court}
        )
    _record_outcomes(session, rng, users)
    digest.make_digests(session, on)


def _record_outcomes(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    """About half of the computed deadlines already passed get what happened recorded."""
    on = today()
    passed = sorted(
        (r for r in queries.collect(session, sa.true()) if r.custom is None and r.flagged(on)),
        key=lambda r: (r.case.number, r.kind, r.due),
    )
    cases = {case.id: case for case in session.exec(select(Case))}
    for row in passed:
        if rng.random() < 0.5:
            continue
        case = cases[row.case.id]
        actor = _actor(session, case, users)
        session.info["actor_id"] = actor.id
        acted = NOTES[Outcome.ACTED].get(row.kind)
        if row.kind in NOTES[Outcome.NOT_NEEDED]:
            outcome, note = Outcome.NOT_NEEDED, NOTES[Outcome.NOT_NEEDED][row.kind]
        elif acted and rng.random() < 0.8:
            outcome, note = Outcome.ACTED, acted
        else:
            outcome, note = Outcome.MISSED, "未能在期限内办理，已报告部门负责人"
        operations.record_outcome(
            session,
            actor,
            case,
            {
                "deadline_kind": row.kind,
                "due_on": row.due,
                "subject": row.subject,
                "outcome": outcome,
                "note": note,
            },
        )
