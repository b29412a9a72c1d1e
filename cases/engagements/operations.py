"""Engaging a law firm on a case, the cap override, ending, changing terms; framework agreements.

Every operation takes the acting user, checks the capability (``policies.require``), flushes
and never commits. The rule they keep: ``Case.firm_id`` names the firm of the case's live
engagement when that engagement is active, and nothing otherwise — so a firm sees a case from
the moment it is engaged on terms within the statutory cap (or overridden by management) and
loses it the moment the engagement ends or its new terms wait for an override.

The transitions (``TRANSITIONS``)::

    engage / change_terms ── terms can exceed the cap ──▶ awaiting_override
                          └─ within the cap ────────────▶ active
    awaiting_override ── record_override (management, reason) ──▶ active
    awaiting_override ── refuse_override (management, reason) ──▶ ended
    awaiting_override | active ── end_engagement ──▶ ended

Each step is written on the case's timeline (a note, in Chinese like the rest of the record).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import today, utcnow
from cases.errors import N_, DomainError, Message, NotFound, ValidationError
from cases.fees import check_contingency_allowed
from cases.register import policies
from cases.register.models import Case
from cases.register.stages import Stage
from cases.timeline.models import Event, EventKind
from cases.users.models import LawFirm, Role, User
from cases.validation import parse

from . import terms as fee_terms
from .models import (
    Authority,
    Engagement,
    EngagementCreate,
    EngagementStatus,
    EngagementTerms,
    FeeKind,
    FrameworkAgreement,
    FrameworkAgreementCreate,
)

S = EngagementStatus
TRANSITIONS: dict[tuple[EngagementStatus, str], EngagementStatus] = {
    (S.AWAITING_OVERRIDE, "override"): S.ACTIVE,
    (S.AWAITING_OVERRIDE, "refuse"): S.ENDED,
    (S.AWAITING_OVERRIDE, "end"): S.ENDED,
    (S.ACTIVE, "end"): S.ENDED,
}
LIVE = (S.AWAITING_OVERRIDE, S.ACTIVE)

ALREADY_ENGAGED = N_(
    "This case is already engaged to %(firm)s: end that engagement first (engagement panel)."
)
NOT_AWAITING = N_("This engagement is not waiting for a management override.")
NOT_LIVE = N_("This engagement has already ended.")
REASON_REQUIRED = N_("Give the reason")
UNKNOWN_FIRM = N_("Unknown law firm")
LEAD_LAWYER = N_("The lead lawyer must be an active lawyer of the engaged firm")
AGREEMENT_FIRM = N_("This framework agreement is not the engaged firm's")
AGREEMENT_NOT_IN_FORCE = N_("This framework agreement is not in force on the start date")
STAGE_RATE_MISSING = N_("Give a contingency rate for each stage the engagement covers")
END_BEFORE_START = N_("The engagement cannot end before it started")
END_IN_FUTURE = N_("An engagement ends today or on a past date")
DUPLICATE_AGREEMENT = N_("This firm already has a framework agreement with this reference")

# Chinese wording of the timeline notes (the case record, like the documents).
SCOPE_WORDS = {"non_litigation": "诉前清收", "litigation": "诉讼", "enforcement": "执行"}
KIND_WORDS = {
    FeeKind.FIXED: "固定收费",
    FeeKind.CLAIM_PERCENTAGE: "按标的额比例收费",
    FeeKind.CONTINGENCY: "风险代理收费",
    FeeKind.BASE_PLUS_CONTINGENCY: "基础费用加风险代理收费",
}
AUTHORITY_WORDS = {Authority.GENERAL: "一般授权", Authority.SPECIAL: "特别授权"}


# ---- reads --------------------------------------------------------------------------------


def live_engagement(session: Session, case_id: int) -> Engagement | None:
    """The case's engagement that has not ended (active or awaiting an override), if any."""
    stmt = select(Engagement).where(
        Engagement.case_id == case_id, Engagement.status != EngagementStatus.ENDED
    )
    return session.exec(stmt).first()


def visible_engagements(session: Session, actor: User, case: Case) -> list[Engagement]:
    """The case's engagements, newest first; outside counsel see only their own firm's
    (another firm's fee terms are its business and ours)."""
    stmt = select(Engagement).where(Engagement.case_id == case.id)
    if actor.role == Role.COUNSEL:
        stmt = stmt.where(Engagement.firm_id == actor.firm_id)
    return list(session.exec(stmt.order_by(Engagement.created_at.desc(), Engagement.id.desc())))


def get_engagement(session: Session, actor: User, case: Case, engagement_id: int) -> Engagement:
    """One engagement of a case the actor may see (load the case with ``policies`` first)."""
    engagement = session.get(Engagement, engagement_id)
    if (
        engagement is None
        or engagement.case_id != case.id
        or (actor.role == Role.COUNSEL and engagement.firm_id != actor.firm_id)
    ):
        raise NotFound(N_("No such engagement."))
    return engagement


def awaiting_override(session: Session) -> list[tuple[Engagement, Case, LawFirm]]:
    """Engagements waiting for management, oldest first (the override page)."""
    stmt = (
        select(Engagement, Case, LawFirm)
        .join(Case, Case.id == Engagement.case_id)
        .join(LawFirm, LawFirm.id == Engagement.firm_id)
        .where(Engagement.status == EngagementStatus.AWAITING_OVERRIDE)
        .order_by(Engagement.created_at, Engagement.id)
    )
    return [tuple(row) for row in session.exec(stmt)]  # type: ignore[misc]


def agreements_of(session: Session, firm_id: int) -> list[FrameworkAgreement]:
    stmt = select(FrameworkAgreement).where(FrameworkAgreement.firm_id == firm_id)
    return list(session.exec(stmt.order_by(FrameworkAgreement.starts_on.desc())))


def firm_lawyers(session: Session, firm_id: int) -> list[User]:
    """The firm's active counsel users: who may lead an engagement."""
    stmt = select(User).where(
        User.firm_id == firm_id, User.role == Role.COUNSEL, User.is_active == sa.true()
    )
    return list(session.exec(stmt.order_by(User.name)))


# ---- checks shared by engage and change_terms ---------------------------------------------


def _check(session: Session, case: Case, firm_id: int, data: EngagementTerms) -> Engagement:
    """An unsaved engagement with ``data``'s terms, every rule checked (field errors)."""
    errors: dict[str, Message] = {}
    lawyer = session.get(User, data.lead_lawyer_id)
    if (
        lawyer is None
        or lawyer.role != Role.COUNSEL
        or lawyer.firm_id != firm_id
        or not lawyer.is_active
    ):
        errors["lead_lawyer_id"] = Message(LEAD_LAWYER)
    if data.framework_agreement_id is not None:
        agreement = session.get(FrameworkAgreement, data.framework_agreement_id)
        if agreement is None or agreement.firm_id != firm_id:
            errors["framework_agreement_id"] = Message(AGREEMENT_FIRM)
        elif not agreement.in_force(data.starts_on):
            errors["framework_agreement_id"] = Message(AGREEMENT_NOT_IN_FORCE)
    engagement = Engagement.model_validate(
        data.model_dump(exclude={"claim_amount"}),
        update={
            "case_id": case.id,
            "firm_id": firm_id,
            "claim_amount": (
                case.claimed_principal if data.claim_amount is None else data.claim_amount
            ),
        },
    )
    try:
        arrangement = fee_terms.engagement_arrangement(engagement)
    except ValidationError as exc:
        errors.update({f"fee_terms.{k}": v[0] for k, v in exc.errors.items()})
    else:
        stage_rates = _stage_rates(engagement)
        if stage_rates is not None and not set(engagement.scopes) <= set(stage_rates):
            errors["fee_terms.stage_rates"] = Message(STAGE_RATE_MISSING)
        try:
            check_contingency_allowed(arrangement)
        except DomainError as exc:
            errors["matter_type"] = exc.message
    if errors:
        raise ValidationError(errors)
    return engagement


def _stage_rates(engagement: Engagement) -> dict[str, Any] | None:
    terms = engagement.fee_terms
    if engagement.fee_kind == FeeKind.BASE_PLUS_CONTINGENCY:
        terms = terms.get("contingency") or {}
    elif engagement.fee_kind != FeeKind.CONTINGENCY:
        return None
    if terms.get("rate") not in (None, "") or terms.get("tiers"):
        return None
    return {k: v for k, v in (terms.get("stage_rates") or {}).items() if v not in (None, "")}


def preview(session: Session, case: Case, data: EngagementCreate | dict[str, Any]) -> Engagement:
    """The engagement ``engage`` would make, unsaved, for "check terms" (field errors)."""
    data = parse(EngagementCreate, data)
    _firm(session, data.firm_id)
    return _check(session, case, data.firm_id, data)


def _firm(session: Session, firm_id: int) -> LawFirm:
    firm = session.get(LawFirm, firm_id)
    if firm is None:
        raise ValidationError.single("firm_id", UNKNOWN_FIRM)
    return firm


def _settle_status(case: Case, engagement: Engagement) -> None:
    """Active within the cap (or overridden), else awaiting; the case follows."""
    if fee_terms.cap_check(engagement).can_exceed_cap and engagement.cap_override_by_id is None:
        engagement.status = EngagementStatus.AWAITING_OVERRIDE
        case.firm_id = None
    else:
        engagement.status = EngagementStatus.ACTIVE
        case.firm_id = engagement.firm_id


def _note(session: Session, actor: User, case: Case, summary: str) -> None:
    now = utcnow()
    case.updated_at = case.last_activity_at = now
    session.add(
        Event(
            case_id=case.id,
            kind=EventKind.NOTE,
            occurred_at=now,
            actor_id=actor.id,
            summary=summary[:4000],
        )
    )


def _summary(session: Session, engagement: Engagement) -> str:
    firm = session.get(LawFirm, engagement.firm_id)
    lawyer = session.get(User, engagement.lead_lawyer_id) if engagement.lead_lawyer_id else None
    scope = "、".join(SCOPE_WORDS[s] for s in engagement.scopes)
    parts = [
        f"委托{firm.name if firm else ''}代理本案（{scope}）",
        f"主办律师{lawyer.name}" if lawyer else "",
        AUTHORITY_WORDS[engagement.authority],
        "委托条款待录入" if engagement.terms_pending else KIND_WORDS[engagement.fee_kind],
        f"自{engagement.starts_on.isoformat()}起",
    ]
    return "；".join(p for p in parts if p) + "。"


# ---- operations ---------------------------------------------------------------------------


def engage(
    session: Session, actor: User, case: Case, data: EngagementCreate | dict[str, Any]
) -> Engagement:
    """Engage a firm on ``case``: one live engagement per case; above the cap it waits for
    management (``record_override``) and the firm does not get the case meanwhile."""
    policies.require(actor, "engagement.manage")
    data = parse(EngagementCreate, data)
    current = live_engagement(session, case.id)
    if current is not None:
        firm = session.get(LawFirm, current.firm_id)
        raise DomainError(ALREADY_ENGAGED, firm=firm.name if firm else "")
    _firm(session, data.firm_id)
    engagement = _check(session, case, data.firm_id, data)
    engagement.created_by_id = actor.id
    _settle_status(case, engagement)
    session.add(engagement)
    summary = _summary(session, engagement)
    if engagement.status == EngagementStatus.AWAITING_OVERRIDE:
        summary += "约定的律师费可能超过司发通〔2021〕87号第（六）项规定的上限，待管理层审批。"
    _note(session, actor, case, summary)
    session.flush()
    return engagement


def engage_pending(
    session: Session, actor: User, case: Case, firm_id: int, *, on: date | None = None
) -> Engagement:
    """The firm named at intake or in an import: an active engagement whose terms, lead
    lawyer and mandate are still to be entered (``change_terms``); a fixed fee of 0 meanwhile.
    """
    policies.require(actor, "engagement.manage")
    current = live_engagement(session, case.id)
    if current is not None:
        firm = session.get(LawFirm, current.firm_id)
        raise DomainError(ALREADY_ENGAGED, firm=firm.name if firm else "")
    _firm(session, firm_id)
    stage = Stage(case.stage)
    engagement = Engagement(
        case_id=case.id,
        firm_id=firm_id,
        scope_non_litigation=stage not in (Stage.LITIGATION, Stage.ENFORCEMENT),
        scope_litigation=stage == Stage.LITIGATION,
        scope_enforcement=stage == Stage.ENFORCEMENT,
        starts_on=on or case.transferred_on or today(),
        claim_amount=case.claimed_principal,
        fee_kind=FeeKind.FIXED,
        fee_terms={"amount": "0"},
        terms_pending=True,
        status=EngagementStatus.ACTIVE,
        created_by_id=actor.id,
    )
    case.firm_id = firm_id
    session.add(engagement)  # part of the intake: no note of its own on the timeline
    session.flush()
    return engagement


def _fee_signature(e: Engagement) -> tuple:
    return (e.fee_kind, e.fee_terms, e.claim_amount, e.matter_type, e.scopes)


def change_terms(
    session: Session,
    actor: User,
    case: Case,
    engagement: Engagement,
    data: EngagementTerms | dict[str, Any],
) -> Engagement:
    """New terms for a live engagement (same firm). Changed fee terms are checked against the
    cap again: an override given for the old ones lapses, and terms that can exceed the cap
    wait for a new one — the firm loses the case meanwhile."""
    policies.require(actor, "engagement.manage")
    if engagement.status not in LIVE:
        raise DomainError(NOT_LIVE)
    data = parse(EngagementTerms, data)
    new = _check(session, case, engagement.firm_id, data)
    before = _fee_signature(engagement)
    for field in EngagementTerms.model_fields:
        setattr(engagement, field, getattr(new, field))
    engagement.terms_pending = False
    if _fee_signature(engagement) != before:
        engagement.cap_override_reason = None
        engagement.cap_override_by_id = None
        engagement.cap_override_at = None
    _settle_status(case, engagement)
    summary = "委托条款变更：" + _summary(session, engagement)
    if engagement.status == EngagementStatus.AWAITING_OVERRIDE:
        summary += "变更后的律师费可能超过上限，待管理层审批，审批前律师事务所暂停查看本案。"
    _note(session, actor, case, summary)
    session.flush()
    return engagement


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError.single("reason", REASON_REQUIRED)
    if len(text) > 2000:
        raise ValidationError.single(
            "reason", N_("At most %(max_length)s characters"), max_length=2000
        )
    return text


def _move(engagement: Engagement, action: str) -> EngagementStatus:
    try:
        return TRANSITIONS[(EngagementStatus(engagement.status), action)]
    except KeyError:
        raise DomainError(NOT_AWAITING if action != "end" else NOT_LIVE) from None


def record_override(
    session: Session, actor: User, case: Case, engagement: Engagement, reason: str
) -> Engagement:
    """Management accepts terms that can exceed the cap, with a reason: the firm gets the case."""
    policies.require(actor, "engagement.override")
    text = _reason(reason)
    engagement.status = _move(engagement, "override")
    engagement.cap_override_reason = text
    engagement.cap_override_by_id = actor.id
    engagement.cap_override_at = utcnow()
    case.firm_id = engagement.firm_id
    _note(session, actor, case, f"管理层同意超过律师费上限的委托条款。理由：{text}")
    session.flush()
    return engagement


def refuse_override(
    session: Session, actor: User, case: Case, engagement: Engagement, reason: str
) -> Engagement:
    """Management refuses the terms: the engagement ends (it never started) with the reason."""
    policies.require(actor, "engagement.override")
    text = _reason(reason)
    engagement.status = _move(engagement, "refuse")
    engagement.end_reason = text
    engagement.ends_on = max(today(), engagement.starts_on)
    _note(session, actor, case, f"管理层未同意超过律师费上限的委托条款，委托未生效。理由：{text}")
    session.flush()
    return engagement


def end_engagement(
    session: Session, actor: User, case: Case, engagement: Engagement, on: date, reason: str
) -> Engagement:
    """End a live engagement on ``on`` (today or before): the firm loses the case at once."""
    policies.require(actor, "engagement.manage")
    text = _reason(reason)
    if on > today():
        raise ValidationError.single("on", END_IN_FUTURE)
    if on < engagement.starts_on:
        raise ValidationError.single("on", END_BEFORE_START)
    engagement.status = _move(engagement, "end")
    engagement.ends_on = on
    engagement.end_reason = text
    if case.firm_id == engagement.firm_id:
        case.firm_id = None
    firm = session.get(LawFirm, engagement.firm_id)
    name = firm.name if firm else ""
    _note(session, actor, case, f"解除对{name}的委托（{on.isoformat()}）。原因：{text}")
    session.flush()
    return engagement


def add_agreement(
    session: Session, actor: User, firm: LawFirm, data: FrameworkAgreementCreate | dict[str, Any]
) -> FrameworkAgreement:
    """Record a firm's framework agreement (法律服务框架协议)."""
    policies.require(actor, "firm.manage")
    data = parse(FrameworkAgreementCreate, data)
    taken = select(FrameworkAgreement.id).where(
        FrameworkAgreement.firm_id == firm.id, FrameworkAgreement.reference == data.reference
    )
    if session.exec(taken).first() is not None:
        raise ValidationError.single("reference", DUPLICATE_AGREEMENT)
    agreement = FrameworkAgreement.model_validate(
        data, update={"firm_id": firm.id, "created_by_id": actor.id}
    )
    session.add(agreement)
    session.flush()
    return agreement
