"""Demo data of the portal area, added after the demo cases are loaded.

On cases engaged to a firm, the firm's counsel log typed progress steps through the timeline
operation — a suit filed with its court case number, a hearing, a judgment served (its key date
starts the appeal deadline), an enforcement application and a freeze of bank deposits (their key
dates start the enforcement and renewal deadlines) — back-dated within the engagement; and the
handler and the firm exchange messages on a few cases, some still unread by one side or the
other, so that the scorecards, the start page and the unread counts have something to show.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from cases.base import BUSINESS_TZ, business_time, today
from cases.engagements.models import Engagement, EngagementStatus
from cases.portal.messages import mark_read, post_message
from cases.portal.progress import STEP_NOTE
from cases.register.keydates import KeyDate
from cases.register.models import Case, CaseStatus
from cases.register.stages import Stage
from cases.timeline.models import Event
from cases.timeline.operations import log_event
from cases.users.models import Role, User

MAX_LITIGATION = 8
MAX_ENFORCEMENT = 6
MAX_THREADS = 10
COURT = "（{year}）京0105民初{n}号"
ENFORCEMENT = "（{year}）京0105执{n}号"

# (step, summary, days after the previous step or the engagement's start: least, most)
LITIGATION_STEPS = (
    ("filing", "向{court}提交民事起诉状及证据材料，法院已立案受理，案号{ref}", 20, 90),
    ("hearing", "{court}公开开庭审理，被告到庭，对欠款金额无异议，请求分期", 40, 100),
    ("judgment_served", "收到{court}一审民事判决书，判令被告支付全部欠款及逾期利息", 20, 60),
)
ENFORCEMENT_STEPS = (
    ("enforcement_applied", "判决生效后被告未履行，已向{court}申请强制执行，案号{ref}", 10, 60),
    ("enforcement_seizure", "执行法院冻结被执行人银行存款，冻结期限一年", 15, 45),
)
QUESTIONS = (
    "请于本周五前报告本案最新进展，并上传立案回执。",
    "债务人法定代表人来电表示愿意和解，请评估和解方案。",
    "财务询问执行款到账时间，请告知法院执行进度。",
)
ANSWERS = (
    "已于昨日开庭，法院当庭组织调解未果，判决书预计一个月内送达。",
    "已与对方律师沟通，对方愿意首付三成，余款分六个月付清，详细方案明日提交。",
    "执行法官已冻结被执行人账户，扣划款项预计两周内到账。",
)


def _counsel(users: dict[str, User], firm_id: int) -> User | None:
    found = [u for u in users.values() if u.role == Role.COUNSEL and u.firm_id == firm_id]
    return found[0] if found else None


def _engaged(session: Session, stage: Stage, limit: int) -> list[tuple[Case, Engagement]]:
    return list(
        session.exec(
            select(Case, Engagement)
            .join(Engagement, Engagement.case_id == Case.id)
            .where(
                Case.stage == stage,
                Case.status == CaseStatus.ACTIVE,
                Engagement.status == EngagementStatus.ACTIVE,
                Case.firm_id == Engagement.firm_id,
            )
            .order_by(Case.id)
            .limit(limit)
        ).all()
    )


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)), BUSINESS_TZ)


def _back_date(session: Session, event: Event) -> None:
    """What the operation stamped "now" happened on the step's day (the demo's history)."""
    event.recorded_at = event.occurred_at
    for row in session.exec(
        select(KeyDate).where(
            KeyDate.case_id == event.case_id,
            KeyDate.on == business_time(event.occurred_at).date(),
            KeyDate.note.startswith(STEP_NOTE),
        )
    ):
        row.created_at = event.occurred_at


def _steps(
    session: Session,
    rng: random.Random,
    users: dict[str, User],
    engaged: list[tuple[Case, Engagement]],
    steps: tuple[tuple[str, str, int, int], ...],
    template: str,
) -> None:
    last = today() - timedelta(days=1)
    for case, engagement in engaged:
        counsel = _counsel(users, engagement.firm_id)
        if counsel is None:
            continue
        session.info["actor_id"] = counsel.id
        number = rng.randint(100, 19999)
        day, ref = engagement.starts_on, None
        for step, summary, least, most in steps[: rng.randint(1, len(steps))]:
            day += timedelta(days=rng.randint(least, most))
            if day > last:
                break  # the case has not got that far yet
            ref = ref or template.format(year=day.year, n=number)  # docketed with the first
            event = log_event(
                session,
                counsel,
                case,
                {
                    "kind": "progress",
                    "step": step,
                    "occurred_at": _at(day, rng),
                    "summary": summary.format(court="北京市朝阳区人民法院", ref=ref),
                    "court_case_no": ref,
                    **({"seized_asset": "deposits"} if step == "enforcement_seizure" else {}),
                },
            )
            _back_date(session, event)


def _threads(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    engaged = session.exec(
        select(Case, Engagement)
        .join(Engagement, Engagement.case_id == Case.id)
        .where(Engagement.status == EngagementStatus.ACTIVE, Case.firm_id == Engagement.firm_id)
        .where(Case.status == CaseStatus.ACTIVE)
        .order_by(Case.id.desc())
        .limit(MAX_THREADS)
    ).all()
    now = datetime.combine(today(), time(8, 0), BUSINESS_TZ)
    for n, (case, engagement) in enumerate(engaged):
        counsel = _counsel(users, engagement.firm_id)
        handler = session.get(User, case.handler_id) if case.handler_id else None
        if counsel is None or handler is None or not handler.is_active:
            continue
        asked_at = now - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 6))
        session.info["actor_id"] = handler.id
        question = post_message(session, handler, case, {"body": QUESTIONS[n % 3]})
        question.created_at = question.read_by_legal_at = asked_at
        if n % 3 == 2:
            continue  # the firm has not read it yet
        session.info["actor_id"] = counsel.id
        mark_read(session, counsel, case)
        question.read_by_firm_at = asked_at + timedelta(hours=2)
        answer = post_message(session, counsel, case, {"body": ANSWERS[n % 3]})
        answer.created_at = answer.read_by_firm_at = asked_at + timedelta(hours=3)
        if n % 3 == 0:
            session.info["actor_id"] = handler.id
            mark_read(session, handler, case)  # legal read the answer
            answer.read_by_legal_at = asked_at + timedelta(days=1)
        session.flush()


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    _steps(
        session,
        rng,
        users,
        _engaged(session, Stage.LITIGATION, MAX_LITIGATION),
        LITIGATION_STEPS,
        COURT,
    )
    _steps(
        session,
        rng,
        users,
        _engaged(session, Stage.ENFORCEMENT, MAX_ENFORCEMENT),
        ENFORCEMENT_STEPS,
        ENFORCEMENT,
    )
    _threads(session, rng, users)
    session.flush()
