"""Reading plans and promises with their standing, and the alerts they raise.

The caller has already checked that the actor may see the case (``policies``); objects that
hang off a case are loaded *through* it (``get_plan``, ``get_promise``), so an id of another
case's plan is simply not found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import business_time, today
from cases.documents.archive import GeneratedDocument
from cases.errors import N_, Message, NotFound
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Party
from cases.plans.matching import (
    PROMISE_GRACE_DAYS,
    PlanStanding,
    PromiseStanding,
    PromiseTerm,
    Receipt,
    Term,
    match_plan,
    match_promises,
)
from cases.plans.models import (
    TRANSITIONS,
    PlanAction,
    PlanInstallment,
    PlanState,
    PlanStatus,
    Promise,
    PromiseStatus,
    RepaymentPlan,
)
from cases.register.models import Case, CaseStatus
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import Role, User

AGREEMENT_TEMPLATE = "repayment_agreement"  # the shipped 还款协议
OPEN_STATUSES = frozenset({PlanStatus.ACTIVE, PlanStatus.IN_DEFAULT, PlanStatus.ACCELERATED})
INSTALLMENT_MISSED = "installment_missed"
PROMISE_BROKEN = "promise_broken"
ALERT_KIND_LABELS = {
    INSTALLMENT_MISSED: N_("Installment missed"),
    PROMISE_BROKEN: N_("Promise broken"),
}
_CHUNK = 500  # ids per IN (...) list


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# ---- loading through the case ---------------------------------------------------------------


def get_plan(session: Session, case: Case, plan_id: int) -> RepaymentPlan:
    plan = session.get(RepaymentPlan, plan_id)
    if plan is None or plan.case_id != case.id:
        raise NotFound(N_("No such repayment plan on this case."))
    return plan


def get_promise(session: Session, case: Case, promise_id: int) -> Promise:
    promise = session.get(Promise, promise_id)
    if promise is None or promise.case_id != case.id:
        raise NotFound(N_("No such promise on this case."))
    return promise


def receipts_by_case(session: Session, case_ids: Iterable[int]) -> dict[int, list[Receipt]]:
    """Confirmed money of each case (pending or rejected reports do not count)."""
    out: dict[int, list[Receipt]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        rows = session.exec(
            select(Payment.case_id, Payment.id, Payment.received_on, Payment.amount)
            .where(Payment.case_id.in_(chunk), CONFIRMED)
            .order_by(Payment.received_on, Payment.id)
        )
        for case_id, payment_id, received_on, amount in rows:
            out[case_id].append(Receipt(payment_id, received_on, amount))
    return out


def installments(session: Session, plan_ids: Iterable[int]) -> dict[int, list[PlanInstallment]]:
    out: dict[int, list[PlanInstallment]] = defaultdict(list)
    for chunk in _chunks(plan_ids):
        stmt = (
            select(PlanInstallment)
            .where(PlanInstallment.plan_id.in_(chunk))
            .order_by(PlanInstallment.plan_id, PlanInstallment.no)
        )
        for row in session.exec(stmt):
            out[row.plan_id].append(row)
    return out


# ---- the agreement a plan comes from ------------------------------------------------------


def agreements(session: Session, case: Case) -> tuple[list[GeneratedDocument], list[Attachment]]:
    """What a plan can point to: the case's generated 还款协议 (newest first) and its files."""
    documents = session.exec(
        select(GeneratedDocument)
        .where(
            GeneratedDocument.case_id == case.id,
            GeneratedDocument.template == AGREEMENT_TEMPLATE,
        )
        .order_by(GeneratedDocument.id.desc())
    )
    files = session.exec(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id.desc())
    )
    return list(documents), list(files)


def agreement_terms(session: Session, case: Case, document_id: int) -> dict[str, Any]:
    """The signing date, number and installments of a 还款协议 generated on ``case``, from the
    context it was filled with: a plan typed from it starts from exactly what was signed."""
    doc = session.get(GeneratedDocument, document_id)
    if doc is None or doc.case_id != case.id or doc.template != AGREEMENT_TEMPLATE:
        raise NotFound(N_("No such repayment agreement on this case."))
    context = doc.context
    return {
        "signed_on": date.fromisoformat(context["on"]),
        "agreement_no": context.get("agreement_no"),
        "installments": [
            (date.fromisoformat(i["due_on"]), Decimal(i["amount"]))
            for i in context.get("installments", [])
        ],
    }


# ---- plans with their standing --------------------------------------------------------------


@dataclass
class PlanView:
    plan: RepaymentPlan
    rows: list[PlanInstallment]
    standing: PlanStanding
    status: PlanStatus

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allows(self, action: PlanAction) -> bool:
        return (self.plan.state, action) in TRANSITIONS

    @property
    def can_accelerate(self) -> bool:
        return self.allows(PlanAction.ACCELERATE) and self.status == PlanStatus.IN_DEFAULT


def view_plan(
    plan: RepaymentPlan, rows: Sequence[PlanInstallment], receipts: Sequence[Receipt], on: date
) -> PlanView:
    standing = match_plan(
        [Term(r.no, r.due_on, r.amount) for r in rows],
        receipts,
        signed_on=plan.signed_on,
        on=on,
        accelerated_on=plan.accelerated_on if plan.state == PlanState.ACCELERATED else None,
    )
    return PlanView(plan, list(rows), standing, standing.status(plan.state))


def plan_views(
    session: Session, case_ids: Iterable[int], on: date, *, include_cancelled: bool = True
) -> dict[int, list[PlanView]]:
    """The plans of each case with their standing on ``on``, newest first."""
    case_ids = list(case_ids)
    plans: list[RepaymentPlan] = []
    for chunk in _chunks(case_ids):
        stmt = select(RepaymentPlan).where(RepaymentPlan.case_id.in_(chunk))
        if not include_cancelled:
            stmt = stmt.where(RepaymentPlan.state != PlanState.CANCELLED)
        plans += session.exec(stmt.order_by(RepaymentPlan.id.desc()))
    if not plans:
        return {}
    rows = installments(session, (p.id for p in plans))
    money = receipts_by_case(session, {p.case_id for p in plans})
    out: dict[int, list[PlanView]] = defaultdict(list)
    for plan in plans:
        out[plan.case_id].append(view_plan(plan, rows[plan.id], money[plan.case_id], on))
    return out


def plan_view(session: Session, plan: RepaymentPlan, on: date | None = None) -> PlanView:
    rows = installments(session, [plan.id])[plan.id]
    money = receipts_by_case(session, [plan.case_id])[plan.case_id]
    return view_plan(plan, rows, money, on or today())


def current_view(views: Sequence[PlanView]) -> PlanView | None:
    """The plan a case is on: the open one, else the newest."""
    return next((v for v in views if v.is_open), views[0] if views else None)


# ---- promises with their standing -----------------------------------------------------------


@dataclass
class PromiseView:
    promise: Promise
    standing: PromiseStanding
    status: PromiseStatus
    followed_up_on: date | None = None  # the first entry on the timeline after it broke

    @property
    def needs_follow_up(self) -> bool:
        return self.status == PromiseStatus.BROKEN


# What counts as following a broken promise up: someone logged a contact, progress or a note,
# or moved the case on (a lawyer's letter, a suit) after it broke.
FOLLOW_UP_KINDS = (EventKind.CONTACT, EventKind.PROGRESS, EventKind.NOTE, EventKind.STAGE_CHANGE)


def _follow_up_days(session: Session, case_ids: Iterable[int]) -> dict[int, list[date]]:
    out: dict[int, list[date]] = defaultdict(list)
    for chunk in _chunks(case_ids):
        rows = session.exec(
            select(Event.case_id, Event.occurred_at).where(
                Event.case_id.in_(chunk),
                Event.kind.in_(FOLLOW_UP_KINDS),
                # a move, not the record of the case's registration
                sa.or_(Event.kind != EventKind.STAGE_CHANGE, Event.from_stage.is_not(None)),
            )
        )
        for case_id, at in rows:
            out[case_id].append(business_time(at).date())
    return out


def promise_views(
    session: Session, case_ids: Iterable[int], on: date
) -> dict[int, list[PromiseView]]:
    """Every promise of each case with its standing on ``on``, by promised date."""
    promises: list[Promise] = []
    for chunk in _chunks(case_ids):
        promises += session.exec(
            select(Promise).where(Promise.case_id.in_(chunk)).order_by(Promise.due_on, Promise.id)
        )
    if not promises:
        return {}
    by_case: dict[int, list[Promise]] = defaultdict(list)
    for p in promises:
        by_case[p.case_id].append(p)
    money = receipts_by_case(session, by_case)
    follow_ups = _follow_up_days(session, by_case)
    out: dict[int, list[PromiseView]] = {}
    for case_id, rows in by_case.items():
        standing = match_promises(
            [PromiseTerm(p.id, p.made_on, p.due_on, p.amount) for p in rows],
            money[case_id],
            on=on,
        )
        views = []
        for p in rows:
            s = standing[p.id]
            view = PromiseView(p, s, s.status)
            if s.status == PromiseStatus.BROKEN:
                view.followed_up_on = min(
                    (d for d in follow_ups[case_id] if s.deadline < d <= on), default=None
                )
                if p.resolved_at is not None or view.followed_up_on is not None:
                    view.status = PromiseStatus.FOLLOWED_UP
            views.append(view)
        out[case_id] = views
    return out


# ---- alerts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAlert:
    """A missed installment or a broken promise, back in the handler's queue.

    ``description`` is a ``cases.errors.Message`` (translate it with ``webapp.i18n.tr``).
    """

    case_id: int
    kind: str  # INSTALLMENT_MISSED or PROMISE_BROKEN
    due_on: date
    amount: Decimal
    description: Message
    case_number: str = ""
    debtor_name: str = ""
    plan_id: int | None = None
    promise_id: int | None = None


def _plan_alerts(view: PlanView) -> list[PlanAlert]:
    plan = view.plan
    if view.status == PlanStatus.ACCELERATED:
        return [
            PlanAlert(
                plan.case_id,
                INSTALLMENT_MISSED,
                plan.accelerated_on,
                view.standing.remaining,
                Message(
                    N_(
                        "Repayment plan accelerated: the whole remaining balance has been due "
                        "since %(date)s"
                    ),
                    date=plan.accelerated_on.isoformat(),
                ),
                plan_id=plan.id,
            )
        ]
    if view.status != PlanStatus.IN_DEFAULT:
        return []
    return [
        PlanAlert(
            plan.case_id,
            INSTALLMENT_MISSED,
            row.due_on,
            row.unpaid,
            Message(
                N_("Installment %(no)s of the repayment plan signed on %(signed)s is unpaid"),
                no=row.no,
                signed=plan.signed_on.isoformat(),
            ),
            plan_id=plan.id,
        )
        for row in view.standing.missed
    ]


def _promise_alert(view: PromiseView) -> PlanAlert:
    p = view.promise
    what = (
        Message(N_("Promise to pay made on %(made)s not kept"), made=p.made_on.isoformat())
        if p.times == 1
        else Message(
            N_("Promise to pay made on %(made)s (payment %(seq)s of %(times)s) not kept"),
            made=p.made_on.isoformat(),
            seq=p.seq,
            times=p.times,
        )
    )
    return PlanAlert(
        p.case_id, PROMISE_BROKEN, p.due_on, view.standing.unpaid, what, promise_id=p.id
    )


def case_alerts(plans: Sequence[PlanView], promises: Sequence[PromiseView]) -> list[PlanAlert]:
    alerts = [a for view in plans for a in _plan_alerts(view)]
    alerts += [_promise_alert(v) for v in promises if v.needs_follow_up]
    return sorted(alerts, key=lambda a: (a.due_on, a.kind))


def _candidate_cases(session: Session, case_ids: Iterable[int] | None, on: date) -> list[int]:
    """Open cases with a plan not cancelled, or with a promise past its window not resolved."""
    plan_cases = select(RepaymentPlan.case_id).where(RepaymentPlan.state != PlanState.CANCELLED)
    promise_cases = select(Promise.case_id).where(
        Promise.resolved_at.is_(None), Promise.due_on < on - timedelta(days=PROMISE_GRACE_DAYS)
    )
    stmt = select(Case.id).where(
        Case.status != CaseStatus.CLOSED,
        sa.or_(Case.id.in_(plan_cases), Case.id.in_(promise_cases)),
    )
    if case_ids is None:
        return list(session.exec(stmt))
    found: list[int] = []
    for chunk in _chunks(case_ids):
        found += session.exec(stmt.where(Case.id.in_(chunk)))
    return found


def open_alerts(
    session: Session, case_ids: Iterable[int] | None = None, *, on: date | None = None
) -> list[PlanAlert]:
    """Missed installments and broken promises not followed up, of open cases (all cases, or
    those of ``case_ids``), by due date. Closed and written-off cases raise none."""
    on = on or today()
    ids = _candidate_cases(session, case_ids, on)
    if not ids:
        return []
    plans = plan_views(session, ids, on, include_cancelled=False)
    promises = promise_views(session, ids, on)
    names = {
        case_id: (number, debtor)
        for case_id, number, debtor in session.exec(
            select(Case.id, Case.number, Party.name)
            .join(Party, Party.id == Case.debtor_id)
            .where(Case.id.in_(ids))
        )
    }
    alerts = []
    for case_id in ids:
        number, debtor = names[case_id]
        for alert in case_alerts(plans.get(case_id, []), promises.get(case_id, [])):
            alerts.append(
                PlanAlert(
                    **{**alert.__dict__, "case_number": number, "debtor_name": debtor},
                )
            )
    return sorted(alerts, key=lambda a: (a.due_on, a.case_number, a.kind))


def handled_case_ids(session: Session, user: User) -> list[int] | None:
    """The cases whose alerts are the user's: legal staff their own (handler), counsel their
    firm's; None (all) for the roles that oversee every case."""
    if user.role == Role.LEGAL:
        return list(session.exec(select(Case.id).where(Case.handler_id == user.id)))
    if user.role == Role.COUNSEL:
        if user.firm_id is None:
            return []
        return list(session.exec(select(Case.id).where(Case.firm_id == user.firm_id)))
    return None


def alerts_for(session: Session, user: User, *, on: date | None = None) -> list[PlanAlert]:
    ids = handled_case_ids(session, user)
    if ids is not None and not ids:
        return []
    return open_alerts(session, ids, on=on)


# ---- the case list --------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFlags:
    plan_status: PlanStatus | None
    missed: int  # missed installments (or an accelerated balance)
    broken: int  # broken promises not followed up


def case_flags(session: Session, case_ids: Sequence[int], on: date) -> dict[int, CaseFlags]:
    """What the case list shows per case: the plan's status and the open alerts."""
    if not case_ids:
        return {}
    plans = plan_views(session, case_ids, on)
    promises = promise_views(session, case_ids, on)
    closed = set(
        session.exec(select(Case.id).where(Case.id.in_(case_ids), Case.status == CaseStatus.CLOSED))
    )
    out = {}
    for case_id in set(plans) | set(promises):
        views = plans.get(case_id, [])
        current = current_view(views)
        alerts = [] if case_id in closed else case_alerts(views, promises.get(case_id, []))
        out[case_id] = CaseFlags(
            plan_status=current.status if current else None,
            missed=sum(a.kind == INSTALLMENT_MISSED for a in alerts),
            broken=sum(a.kind == PROMISE_BROKEN for a in alerts),
        )
    return out
