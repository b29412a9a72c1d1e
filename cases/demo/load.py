"""Loads the plan through the domain operations, back-dated by a demo clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import event as sa_event
from sqlmodel import Session, select

from cases.base import today, utcnow
from cases.demo import (
    extra_board,
    extra_delivery,
    extra_plans,
    extra_portal,
    extra_reports,
    extra_settlement,
    extra_writeoffs,
)
from cases.demo.data import CREDITORS, DEMO_PASSWORD, EMAIL_DOMAIN, FIRM_COUNSEL, FIRMS, USERS
from cases.demo.identities import make_uscc
from cases.demo.plan import CasePlan, _at
from cases.demo.planner import plan_cases
from cases.demo.terms import engagement_terms
from cases.engagements.models import Engagement, EngagementStatus, FrameworkAgreement
from cases.engagements.operations import add_agreement, engage, record_override
from cases.ledger.operations import record_payment
from cases.parties.models import ContactCreate, Party
from cases.parties.operations import add_contact
from cases.register.models import Case
from cases.register.operations import create_case, move_stage, update_case
from cases.register.stages import Action, Stage
from cases.timeline.models import Event, EventKind
from cases.timeline.operations import log_event
from cases.users.admin import add_creditor, add_firm, add_user
from cases.users.models import LawFirm, User
from cases.users.operations import create_user

A = Action


class _DemoClock:
    """Stamps planned times on what the operations stamp with "now", as rows are flushed."""

    STAMPS = ("created_at", "recorded_at", "uploaded_at")

    def __init__(self, now: datetime) -> None:
        self.now = now

    def before_flush(self, session: Session, _context, _instances) -> None:
        for obj in session.new:
            for attr in self.STAMPS:
                if hasattr(obj, attr):
                    setattr(obj, attr, self.now)
            # Stage moves and the notes operations write happen "now": at the planned moment.
            if isinstance(obj, Event) and (
                obj.kind == EventKind.STAGE_CHANGE or obj.occurred_at > self.now
            ):
                obj.occurred_at = self.now
        for obj in (*session.new, *session.dirty):
            if isinstance(obj, Case):
                obj.updated_at = obj.last_activity_at = self.now
            if isinstance(obj, Engagement) and obj.cap_override_at is not None:
                obj.cap_override_at = self.now


def _load_people(
    session: Session, clock: _DemoClock
) -> tuple[dict[str, User], dict[str, int], dict[str, int]]:
    users: dict[str, User] = {}

    def add(key: str, role: str, name: str, firm_id: int | None, actor: User | None) -> None:
        data = {
            "email": f"{key}@{EMAIL_DOMAIN}",
            "name": name,
            "role": role,
            "firm_id": firm_id,
            "password": DEMO_PASSWORD,
        }
        users[key] = add_user(session, actor, data) if actor else create_user(session, data)
        if actor is None:
            session.info["actor_id"] = users[key].id

    key, role, name, _ = USERS[0]
    add(key, role, name, None, None)  # the first administrator bootstraps the rest
    admin = users["admin"]
    firms = {}
    for i, spec in enumerate(FIRMS, start=1):
        firms[spec["key"]] = add_firm(
            session,
            admin,
            {
                "name": spec["name"],
                "uscc": make_uscc("31", spec["region"], 33_000_000 + i * 7919),
                "address": spec["address"],
                "phone": spec["phone"],
            },
        ).id
    creditors: dict[str, int] = {}
    for i, spec in enumerate(CREDITORS, start=1):
        creditors[spec["key"]] = add_creditor(
            session,
            admin,
            {
                "name": spec["name"],
                "short_name": spec["short_name"],
                "is_bank": spec["is_bank"],
                "uscc": make_uscc("91", spec["region"], 10_000_000 + i * 104_729),
                "parent_id": creditors.get(spec.get("parent", "")),
                "address": spec["address"],
                "bank_account": f"华信银行股份有限公司北京分行 1101 0{i:03d} 8866 0001",
            },
        ).id
    for key, role, name, firm in USERS[1:]:
        clock.now += timedelta(minutes=3)
        add(key, role, name, firms[firm] if firm else None, admin)
    _load_agreements(session, clock, users["legal1"], firms)
    return users, firms, creditors


def _load_agreements(
    session: Session, clock: _DemoClock, actor: User, firms: dict[str, int]
) -> None:
    """Each firm's framework agreement (法律服务框架协议), in force from the demo's start."""
    session.info["actor_id"] = actor.id
    start = clock.now.date()
    for spec in FIRMS:
        clock.now += timedelta(minutes=5)
        add_agreement(
            session,
            actor,
            session.get(LawFirm, firms[spec["key"]]),
            {
                "reference": f"FW-{start.year}-{spec['abbr']}",
                "signed_on": start,
                "starts_on": start,
                "terms": "不良债权清收法律服务框架协议：按件委托，单案另行签订委托代理合同；"
                "律师费按单案约定的收费方式结算，办案费用据实报销；"
                "每月5日前报送案件进展，重大节点三个工作日内报告。",
            },
        )


def _engage(
    session: Session,
    clock: _DemoClock,
    users: dict[str, User],
    firms: dict[str, int],
    case: Case,
    data: dict,
) -> Engagement:
    """Engage the planned firm through the operation; terms that can exceed the cap get
    management's override a little later the same day, with the planned reason."""
    firm_id = firms[data.pop("firm")]
    reason = data.pop("override_reason")
    agreement = session.exec(
        select(FrameworkAgreement.id).where(FrameworkAgreement.firm_id == firm_id)
    ).first()
    engagement = engage(
        session,
        users[data["handler"]],
        case,
        {
            **{k: v for k, v in data.items() if k not in ("lead", "handler")},
            "firm_id": firm_id,
            "lead_lawyer_id": users[data["lead"]].id,
            "framework_agreement_id": agreement,
        },
    )
    if engagement.status == EngagementStatus.AWAITING_OVERRIDE:
        management = users["management1"]
        session.info["actor_id"] = management.id
        clock.now += timedelta(hours=2)
        record_override(session, management, case, engagement, reason)
    return engagement


def _load_case(
    session: Session,
    clock: _DemoClock,
    users: dict[str, User],
    firms: dict[str, int],
    creditors: dict[str, int],
    contacted: set[int],
    plan: CasePlan,
) -> None:
    handler = users[plan.handler]
    clock.now = plan.created_at
    session.info["actor_id"] = handler.id
    case = create_case(
        session,
        handler,
        {
            **plan.payload,
            "creditor_id": creditors[plan.creditor],
            "handler_id": handler.id,
        },
        number_year=plan.transferred_on.year,
    )
    if plan.contact and case.debtor_id not in contacted:
        contacted.add(case.debtor_id)
        add_contact(session, session.get(Party, case.debtor_id), ContactCreate(**plan.contact))
    for step in plan.steps:
        actor = users[step.actor]
        session.info["actor_id"] = actor.id
        clock.now = step.at
        data = dict(step.data)
        if step.op == "move":
            move_stage(
                session,
                actor,
                case,
                data["action"],
                note=data["note"],
                on=step.at.date(),
                approved=data["action"] == A.WRITE_OFF,
            )
        elif step.op == "engage":
            _engage(session, clock, users, firms, case, {**data, "handler": step.actor})
        elif step.op == "update":
            update_case(session, actor, case, data)
        elif step.op == "event":
            clock.now = step.at + timedelta(minutes=15)  # written up a little after the call
            log_event(session, actor, case, data)
        else:
            record_payment(session, actor, case, data)


def _propose(
    session: Session, rng: random.Random, users: dict[str, User], firms: dict[str, int]
) -> None:
    """Two engagements proposed this morning on contingency terms above the cap, waiting for
    management on the override page (the firm does not see the case yet)."""
    open_cases = session.exec(
        select(Case)
        .where(Case.firm_id.is_(None), Case.stage.in_([Stage.COLLECTION, Stage.DEMAND_LETTER]))
        .order_by(Case.id)
    ).all()
    for case in open_cases[:2]:
        handler = session.get(User, case.handler_id)
        session.info["actor_id"] = handler.id
        key = rng.choice(list(FIRM_COUNSEL))
        data = engagement_terms(rng, Action.SEND_LETTER, case.claimed_principal, today())
        data.pop("override_reason")
        engage(
            session,
            handler,
            case,
            {
                **data,
                "fee_kind": "contingency",
                "fee_terms": {"rate": rng.choice(["0.25", "0.3"])},
                "firm_id": firms[key],
                "lead_lawyer_id": users[rng.choice(FIRM_COUNSEL[key])].id,
            },
        )


def load_demo(session: Session, *, cases: int = 240, seed: int = 2026) -> None:
    """Create the demo creditors, firms, users and ``cases`` cases; flushes, never commits."""
    plans = plan_cases(cases, seed=seed)
    start = min((p.created_at for p in plans), default=_at(today(), 9, 0)) - timedelta(days=30)
    clock = _DemoClock(start)
    previous_actor = session.info.get("actor_id")
    sa_event.listen(session, "before_flush", clock.before_flush)
    try:
        users, firms, creditors = _load_people(session, clock)
        contacted: set[int] = set()
        for plan in plans:
            _load_case(session, clock, users, firms, creditors, contacted, plan)
        session.flush()
        clock.now = min(_at(today(), 8, 0), utcnow() - timedelta(minutes=5))
        _propose(session, random.Random(f"{seed}/proposals"), users, firms)
        session.flush()
        clock.now = min(_at(today(), 8, 0), utcnow() - timedelta(minutes=5))
        for area in (
            extra_settlement,
            extra_plans,
            extra_delivery,
            extra_board,
            extra_portal,
            extra_writeoffs,
            extra_reports,
        ):
            area.seed(session, random.Random(seed), users)
            session.flush()
    finally:
        sa_event.remove(session, "before_flush", clock.before_flush)
        session.info["actor_id"] = previous_actor
