"""Changing plans and promises: each operation checks ``plan.manage``, validates, flushes.

The audit hook records every row changed; the caller commits once (one transaction per
request). A refused change raises ``ValidationError`` (field → messages) or ``DomainError``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from cases.base import today, utcnow
from cases.documents.archive import GeneratedDocument
from cases.errors import N_, DomainError, Message, ValidationError
from cases.plans.models import (
    TRANSITIONS,
    AccelerateIn,
    AccelerationBasis,
    PlanAction,
    PlanCreate,
    PlanInstallment,
    PlanState,
    Promise,
    PromiseStatus,
    ReasonIn,
    RepaymentPlan,
)
from cases.plans.queries import AGREEMENT_TEMPLATE, plan_view, plan_views, promise_views
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.timeline.models import Attachment
from cases.users.models import Role, User
from cases.validation import parse

WAIVER_APPROVERS = frozenset({Role.LEGAL, Role.MANAGEMENT})
SALE_SHARE = Decimal(5)  # 第六百三十四条: unpaid and due at least one fifth of the price

_REFUSED = {
    PlanAction.EDIT: N_("Only a plan that is neither accelerated nor cancelled can be changed."),
    PlanAction.ACCELERATE: N_("This plan has already been accelerated or cancelled."),
    PlanAction.CANCEL: N_("This plan is already cancelled."),
}


def _move(plan: RepaymentPlan, action: PlanAction) -> PlanState:
    new = TRANSITIONS.get((plan.state, action))
    if new is None:
        raise DomainError(_REFUSED[action])
    return new


def _case(session: Session, plan: RepaymentPlan) -> Case:
    return session.get(Case, plan.case_id)


# ---- plans ----------------------------------------------------------------------------------


def _check_links(session: Session, case: Case, data: PlanCreate) -> None:
    """The agreement is on this case; the waiver's approver is legal staff or management."""
    errors: dict[str, Any] = {}
    if data.document_id is not None:
        doc = session.get(GeneratedDocument, data.document_id)
        if doc is None or doc.case_id != case.id or doc.template != AGREEMENT_TEMPLATE:
            errors["document_id"] = N_("That repayment agreement is not on this case")
    if data.attachment_id is not None:
        file = session.get(Attachment, data.attachment_id)
        if file is None or file.case_id != case.id:
            errors["attachment_id"] = N_("That file is not on this case")
    if data.waiver_approved_by_id is not None:
        approver = session.get(User, data.waiver_approved_by_id)
        if approver is None or not approver.is_active or approver.role not in WAIVER_APPROVERS:
            errors["waiver_approved_by_id"] = N_(
                "A waiver is approved by legal staff or management"
            )
    if errors:
        raise ValidationError({key: Message(msgid) for key, msgid in errors.items()})


def _installments(plan: RepaymentPlan, data: PlanCreate) -> list[PlanInstallment]:
    return [
        PlanInstallment(
            plan_id=plan.id, case_id=plan.case_id, no=no, due_on=item.due_on, amount=item.amount
        )
        for no, item in enumerate(data.installments, start=1)
    ]


def create_plan(
    session: Session, actor: User, case: Case, data: PlanCreate | dict[str, Any]
) -> RepaymentPlan:
    """A repayment plan on ``case``; refused while another plan of the case is in force."""
    policies.require(actor, "plan.manage")
    data = parse(PlanCreate, data)
    _check_links(session, case, data)
    if any(v.is_open for v in plan_views(session, [case.id], today()).get(case.id, [])):
        raise DomainError(
            N_("This case already has a repayment plan in force: cancel it before adding another.")
        )
    plan = RepaymentPlan.model_validate(
        data.model_dump(exclude={"installments"}),
        update={"case_id": case.id, "created_by_id": actor.id},
    )
    session.add(plan)
    session.flush()
    session.add_all(_installments(plan, data))
    touch(case)
    session.flush()
    return plan


def update_plan(
    session: Session, actor: User, plan: RepaymentPlan, data: PlanCreate | dict[str, Any]
) -> RepaymentPlan:
    """New terms for a plan in force (not accelerated or cancelled): installments replaced."""
    policies.require(actor, "plan.manage")
    _move(plan, PlanAction.EDIT)
    data = parse(PlanCreate, data)
    case = _case(session, plan)
    _check_links(session, case, data)
    for name, value in data.model_dump(exclude={"installments"}).items():
        setattr(plan, name, value)
    plan.updated_at = utcnow()
    old = session.exec(select(PlanInstallment).where(PlanInstallment.plan_id == plan.id))
    for row in old:
        session.delete(row)
    session.flush()  # the old numbers are free again
    session.add_all(_installments(plan, data))
    touch(case)
    session.flush()
    return plan


def accelerate(
    session: Session,
    actor: User,
    plan: RepaymentPlan,
    data: AccelerateIn | dict[str, Any] | None = None,
) -> RepaymentPlan:
    """Record that the whole remaining balance is due, and since when.

    Offered only while an installment is missed. With the agreement's acceleration clause (the
    shipped 还款协议 第四条: any installment not paid in full on time) the balance is due from
    the missed installment's due date, or a later date given (the date of the creditor's
    notice). Without a clause, an installment sale (民法典 第六百三十四条) needs the unpaid due
    amount to reach one fifth of the total and a demand (催告): ``demanded_on``, and the date
    the reasonable period it gave ran out (``accelerated_on``). Without either, refused.
    """
    policies.require(actor, "plan.manage")
    new_state = _move(plan, PlanAction.ACCELERATE)
    data = parse(AccelerateIn, data or {})
    view = plan_view(session, plan)
    first = next(iter(view.standing.missed), None)
    if first is None:
        raise DomainError(N_("No installment has been missed: the plan cannot be accelerated."))
    basis = plan.acceleration_basis
    if basis == AccelerationBasis.NONE:
        raise DomainError(
            N_(
                "The agreement has no acceleration clause: each installment can only be "
                "claimed as it falls due."
            )
        )
    on = today()
    errors: dict[str, str] = {}
    if basis == AccelerationBasis.CLAUSE:
        due = data.accelerated_on or first.due_on
        if due < first.due_on:
            errors["accelerated_on"] = N_(
                "The balance cannot become due before the missed installment's due date"
            )
    else:
        if view.standing.overdue * SALE_SHARE < view.standing.total:
            raise DomainError(
                N_(
                    "Less than one fifth of the total is unpaid and due: the balance cannot be "
                    "claimed at once (民法典 第六百三十四条)."
                )
            )
        due = data.accelerated_on
        if data.demanded_on is None:
            errors["demanded_on"] = N_("Give the date the debtor was asked to pay (催告)")
        elif data.demanded_on < first.due_on:
            errors["demanded_on"] = N_("The demand must come after the missed installment")
        if due is None:
            errors["accelerated_on"] = N_("Give the date the period set in the demand ran out")
        elif data.demanded_on and due <= data.demanded_on:
            errors["accelerated_on"] = N_("This date must fall after the demand")
    if due is not None and due > on:
        errors.setdefault("accelerated_on", N_("This date cannot be in the future"))
    if errors:
        raise ValidationError({key: Message(msgid) for key, msgid in errors.items()})
    plan.state = new_state
    plan.accelerated_on = due
    plan.accelerated_balance = view.standing.remaining
    plan.accelerated_demand_on = data.demanded_on if basis == AccelerationBasis.SALE else None
    plan.accelerated_note = data.note
    plan.accelerated_by_id = actor.id
    plan.accelerated_at = plan.updated_at = utcnow()
    touch(_case(session, plan))
    session.flush()
    return plan


def cancel_plan(
    session: Session, actor: User, plan: RepaymentPlan, data: ReasonIn | dict[str, Any]
) -> RepaymentPlan:
    """Set a plan aside (replaced by a new agreement, entered by mistake …), with a reason."""
    policies.require(actor, "plan.manage")
    new_state = _move(plan, PlanAction.CANCEL)
    data = parse(ReasonIn, data)
    plan.state = new_state
    plan.cancel_reason = data.reason
    plan.cancelled_by_id = actor.id
    plan.cancelled_at = plan.updated_at = utcnow()
    touch(_case(session, plan))
    session.flush()
    return plan


# ---- promises -------------------------------------------------------------------------------


def resolve_promise(
    session: Session,
    actor: User,
    promise: Promise,
    data: ReasonIn | dict[str, Any],
    *,
    on: date | None = None,
) -> Promise:
    """Record the follow-up of a broken promise (what was done about it): the flag goes."""
    policies.require(actor, "plan.manage")
    data = parse(ReasonIn, data)
    views = promise_views(session, [promise.case_id], on or today()).get(promise.case_id, [])
    view = next(v for v in views if v.promise.id == promise.id)
    if view.status != PromiseStatus.BROKEN:
        raise DomainError(N_("Only a broken promise that has not been followed up needs this."))
    promise.resolution_note = data.reason
    promise.resolved_by_id = actor.id
    promise.resolved_at = utcnow()
    touch(session.get(Case, promise.case_id))
    session.flush()
    return promise
