"""Repayment plans and promises to pay: the plan form, its page, acceleration, cancellation,
following up a broken promise, and the alerts page.

Every handler loads the case through ``policies.authorize`` / ``get_visible_case`` (404 for
another firm's counsel) and the plan or promise through the case, calls one operation and
redirects; a refused form is shown again with what was typed and status 422 (the request's
transaction is rolled back by ``webapp.db``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session, select

from cases.base import today
from cases.errors import DomainError, ValidationError
from cases.parties.models import Party
from cases.plans import operations
from cases.plans.matching import PROMISE_GRACE_DAYS, EqualSplitIn, equal_installments
from cases.plans.models import (
    ACCELERATION_BASIS_LABELS,
    INSTALLMENT_STATUS_LABELS,
    PLAN_STATUS_LABELS,
    PLAN_STATUS_TONES,
    PROMISE_REPEAT_LABELS,
    PROMISE_STATUS_LABELS,
    AccelerationBasis,
    RepaymentPlan,
)
from cases.plans.queries import (
    ALERT_KIND_LABELS,
    PlanView,
    agreement_terms,
    agreements,
    alerts_for,
    case_alerts,
    current_view,
    get_plan,
    get_promise,
    plan_view,
    plan_views,
    promise_views,
)
from cases.register import casefile, policies
from cases.register.models import Case, CaseStatus
from cases.users.models import ROLE_LABELS, Role, User
from cases.validation import FORM_ERROR, parse
from webapp import forms
from webapp.auth import actor
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr
from webapp.panels import panel

bp = Blueprint("plans", __name__)

PLAN_FIELDS = (
    "signed_on",
    "agreement_no",
    "agreement",
    "acceleration_basis",
    "interest_waived",
    "penalty_waived",
    "waiver_approved_by_id",
    "waiver_note",
    "note",
)
ROW_FIELDS = ("due_on", "amount")
EQUAL_FIELDS = ("total", "count", "first_due")
MIN_ROWS = 6
LABELS = {
    "PLAN_STATUS_LABELS": PLAN_STATUS_LABELS,
    "PLAN_STATUS_TONES": PLAN_STATUS_TONES,
    "INSTALLMENT_STATUS_LABELS": INSTALLMENT_STATUS_LABELS,
    "PROMISE_STATUS_LABELS": PROMISE_STATUS_LABELS,
    "PROMISE_REPEAT_LABELS": PROMISE_REPEAT_LABELS,
    "ACCELERATION_BASIS_LABELS": ACCELERATION_BASIS_LABELS,
    "ALERT_KIND_LABELS": ALERT_KIND_LABELS,
}


# ---- the plan form ⇄ PlanCreate -------------------------------------------------------------


def _row_numbers(values: Mapping[str, str]) -> list[int]:
    """Form rows of installments with something typed in them, in order."""
    rows = {
        int(key.split(".")[1])
        for key, value in values.items()
        if key.startswith("installments.") and key.split(".")[1].isdigit() and value
    }
    return sorted(rows)


def plan_payload(values: Mapping[str, str]) -> tuple[dict[str, Any], Any]:
    """The ``PlanCreate`` dict of the form, and the map from its error keys to form fields."""
    data: dict[str, Any] = {
        name: values[name] for name in PLAN_FIELDS if name != "agreement" and values.get(name)
    }
    for name in ("interest_waived", "penalty_waived"):
        if name in data:
            data[name] = forms.amount(data[name])
    kind, _sep, ident = values.get("agreement", "").partition(":")
    if kind in ("document", "attachment") and ident.isdigit():
        data[f"{kind}_id"] = int(ident)
    numbers = _row_numbers(values)
    data["installments"] = [
        {
            name: forms.amount(values.get(f"installments.{n}.{name}", ""))
            for name in ROW_FIELDS
            if values.get(f"installments.{n}.{name}")
        }
        for n in numbers
    ]

    def rename(key: str) -> str:
        parts = key.split(".")
        if parts[0] in ("document_id", "attachment_id"):
            return "agreement"
        if parts[0] == "installments" and len(parts) > 1 and parts[1].isdigit():
            parts[1] = str(numbers[int(parts[1])])
        return ".".join(parts)

    return data, rename


def _field_names(form: FormState) -> list[str]:
    names = [*PLAN_FIELDS, "installments", *(f"equal.{n}" for n in EQUAL_FIELDS)]
    for n in _rows_shown(form):
        names += [f"installments.{n}", *(f"installments.{n}.{f}" for f in ROW_FIELDS)]
    return names


def _rows_shown(form: FormState) -> range:
    typed = [int(k.split(".")[1]) for k in form.values if k.startswith("installments.")]
    return range(max(MIN_ROWS, max(typed, default=-1) + 3))


def _set_rows(form: FormState, rows: list[tuple[date, Any]]) -> None:
    for key in [k for k in form.values if k.startswith("installments.")]:
        del form.values[key]
    for n, (due_on, amount) in enumerate(rows):
        form.values[f"installments.{n}.due_on"] = due_on.isoformat()
        form.values[f"installments.{n}.amount"] = str(amount)


def _debtor(session: Session, case: Case) -> str:
    return session.get(Party, case.debtor_id).name


def _plan_values(session: Session, plan: RepaymentPlan) -> dict[str, str]:
    values = {
        name: "" if getattr(plan, name) is None else str(getattr(plan, name))
        for name in PLAN_FIELDS
        if name != "agreement"
    }
    if plan.document_id:
        values["agreement"] = f"document:{plan.document_id}"
    elif plan.attachment_id:
        values["agreement"] = f"attachment:{plan.attachment_id}"
    form = FormState(values)
    view = plan_view(session, plan)
    _set_rows(form, [(r.due_on, r.amount) for r in view.rows])
    return form.values


def _fill(session: Session, case: Case, form: FormState, helper: str) -> None:
    """The form's helpers: equal monthly installments, or the installments of a generated
    还款协议. Nothing is saved; the rows are filled in for the person to check and edit."""
    if helper == "equal":
        typed = {n: form.value(f"equal.{n}") for n in EQUAL_FIELDS if form.value(f"equal.{n}")}
        if "total" in typed:
            typed["total"] = forms.amount(typed["total"])
        try:
            split = parse(EqualSplitIn, typed)
        except ValidationError as exc:
            form.errors = forms.errors(exc, _field_names(form), lambda key: f"equal.{key}")
            return
        _set_rows(form, equal_installments(split.total, split.count, split.first_due))
        return
    kind, _sep, ident = form.value("agreement").partition(":")
    if kind != "document" or not ident.isdigit():
        form.errors = {"agreement": [_("Choose a repayment agreement generated on this case")]}
        return
    terms = agreement_terms(session, case, int(ident))
    form.values["signed_on"] = terms["signed_on"].isoformat()
    if terms["agreement_no"]:
        form.values["agreement_no"] = terms["agreement_no"]
    _set_rows(form, terms["installments"])


def _choices(session: Session, case: Case) -> dict[str, list[tuple[str, str]]]:
    documents, files = agreements(session, case)
    agreement = [
        (f"document:{d.id}", f"{d.title} v{d.template_version} · {d.revision} · {d.context['on']}")
        for d in documents
    ]
    agreement += [(f"attachment:{f.id}", f.original_name) for f in files]
    approvers = session.exec(
        select(User)
        .where(User.is_active, User.role.in_([Role.LEGAL, Role.MANAGEMENT]))
        .order_by(User.role, User.name)
    )
    return {
        "agreement": agreement,
        "acceleration_basis": [
            (b.value, tr(ACCELERATION_BASIS_LABELS[b])) for b in AccelerationBasis
        ],
        "approver": [(str(u.id), f"{u.name} · {tr(ROLE_LABELS[u.role])}") for u in approvers],
        "has_document": bool(documents),
    }


def _render_form(case: Case, form: FormState, plan: RepaymentPlan | None, status: int = 200):
    session = get_session()
    return render_template(
        "plans/form.html",
        case=case,
        plan=plan,
        form=form,
        rows=_rows_shown(form),
        choices=_choices(session, case),
        debtor_name=_debtor(session, case),
    ), status


def _submit(case: Case, user: User, plan: RepaymentPlan | None):
    """POST of the plan form: a helper (fill in rows) or saving the plan."""
    session = get_session()
    form = FormState(forms.submitted(request.form))
    helper = form.values.pop("fill", "")
    if helper in ("equal", "agreement"):
        _fill(session, case, form, helper)
        return _render_form(case, form, plan, 422 if form.errors else 200)
    payload, rename = plan_payload(form.values)
    try:
        if plan is None:
            plan = operations.create_plan(session, user, case, payload)
        else:
            operations.update_plan(session, user, plan, payload)
    except ValidationError as exc:
        form.errors = forms.errors(exc, _field_names(form), rename)
        return _render_form(case, form, plan, 422)
    except DomainError as exc:
        form.errors = {FORM_ERROR: [tr(exc.message)]}
        return _render_form(case, form, plan, 422)
    flash(_("The repayment plan has been saved."), "success")
    return redirect(url_for("casefile.detail", case_id=case.id) + "#plans", 303)


@bp.route("/cases/<int:case_id>/plans/new", methods=["GET", "POST"])
@login_required
def new(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "plan.manage")
    if request.method == "POST":
        return _submit(case, user, None)
    form = FormState(
        {"signed_on": today().isoformat(), "acceleration_basis": AccelerationBasis.CLAUSE.value}
    )
    documents, _files = agreements(session, case)
    if documents:  # start from the latest 还款协议 generated on the case
        form.values["agreement"] = f"document:{documents[0].id}"
        _fill(session, case, form, "agreement")
    return _render_form(case, form, None)


@bp.route("/cases/<int:case_id>/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int, plan_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "plan.manage")
    plan = get_plan(session, case, plan_id)
    if request.method == "POST":
        return _submit(case, user, plan)
    return _render_form(case, FormState(_plan_values(session, plan)), plan)


# ---- one plan: its page, acceleration, cancellation -----------------------------------------


def _accelerate_defaults(view: PlanView) -> FormState:
    missed = view.standing.missed
    first = missed[0].due_on.isoformat() if missed else ""
    sale = view.plan.acceleration_basis == AccelerationBasis.SALE
    return FormState({"accelerated_on": "" if sale else first})


def _render_plan(case: Case, plan: RepaymentPlan, refused: tuple[str, FormState] | None = None):
    session = get_session()
    if refused:
        session.rollback()  # show the plan as it is, without the refused change
    view = plan_view(session, plan)
    states = {"accelerate": _accelerate_defaults(view), "cancel": FormState()}
    if refused:
        states[refused[0]] = refused[1]
    return render_template(
        "plans/show.html",
        case=case,
        view=view,
        forms=states,
        names=_names(session, [view]),
        agreement=_agreement_link(session, case, plan),
        debtor_name=_debtor(session, case),
        plans_labels=LABELS,
    ), 422 if refused else 200


def _names(session: Session, views: list[PlanView]) -> dict[int, str]:
    ids = [
        getattr(v.plan, name)
        for v in views
        for name in (
            "created_by_id",
            "waiver_approved_by_id",
            "accelerated_by_id",
            "cancelled_by_id",
        )
    ]
    return casefile.user_names(session, ids)


def _agreement_link(session: Session, case: Case, plan: RepaymentPlan) -> tuple[str, int] | None:
    """The agreement's name and the attachment to download it from."""
    documents, files = agreements(session, case)
    for doc in documents:
        if doc.id == plan.document_id:
            return f"{doc.title} v{doc.template_version} · {doc.revision}", doc.attachment_id
    for file in files:
        if file.id == plan.attachment_id:
            return file.original_name, file.id
    return None


@bp.get("/cases/<int:case_id>/plans/<int:plan_id>")
@login_required
def show(case_id: int, plan_id: int):
    session = get_session()
    case = policies.get_visible_case(session, actor(), case_id)
    return _render_plan(case, get_plan(session, case, plan_id))


def _plan_action(case_id: int, plan_id: int, name: str, operation, done: str):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "plan.manage")
    plan = get_plan(session, case, plan_id)
    form = FormState(forms.submitted(request.form))
    data = {key: value for key, value in form.values.items() if value}
    try:
        operation(session, user, plan, data)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("accelerated_on", "demanded_on", "note", "reason"))
        return _render_plan(case, plan, (name, form))
    except DomainError as exc:
        form.errors = {FORM_ERROR: [tr(exc.message)]}
        return _render_plan(case, plan, (name, form))
    flash(done, "success")
    return redirect(url_for(".show", case_id=case.id, plan_id=plan.id), 303)


@bp.post("/cases/<int:case_id>/plans/<int:plan_id>/accelerate")
@login_required
def accelerate(case_id: int, plan_id: int):
    return _plan_action(
        case_id,
        plan_id,
        "accelerate",
        operations.accelerate,
        _("The whole remaining balance has been recorded as due."),
    )


@bp.post("/cases/<int:case_id>/plans/<int:plan_id>/cancel")
@login_required
def cancel(case_id: int, plan_id: int):
    return _plan_action(
        case_id, plan_id, "cancel", operations.cancel_plan, _("The repayment plan is cancelled.")
    )


# ---- promises -------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/promises/<int:promise_id>/resolve")
@login_required
def resolve_promise(case_id: int, promise_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "plan.manage")
    promise = get_promise(session, case, promise_id)
    form = FormState(forms.submitted(request.form))
    try:
        operations.resolve_promise(session, user, promise, {"reason": form.value("reason")})
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, ValidationError):
            form.errors = forms.errors(exc, ("reason",))
        else:
            form.errors = {FORM_ERROR: [tr(exc.message)]}
        session.rollback()
        views = promise_views(session, [case.id], today()).get(case.id, [])
        view = next(v for v in views if v.promise.id == promise.id)
        page = render_template(
            "plans/resolve.html",
            case=case,
            view=view,
            form=form,
            debtor_name=_debtor(session, case),
            plans_labels=LABELS,
        )
        return page, 422
    flash(_("The follow-up has been recorded; the promise is no longer flagged."), "success")
    return redirect(url_for("casefile.detail", case_id=case.id) + "#plans", 303)


# ---- the alerts page and the case page's panel ----------------------------------------------


@bp.get("/plans/alerts")
@login_required
def alerts():
    session, user = get_session(), actor()
    return render_template(
        "plans/alerts.html",
        alerts=alerts_for(session, user),
        mine=user.role in (Role.LEGAL, Role.COUNSEL),
        plans_labels=LABELS,
    )


@panel
def _panel(session: Session, user: User, case: Case) -> dict[str, Any]:
    on = today()
    views = plan_views(session, [case.id], on).get(case.id, [])
    promises = promise_views(session, [case.id], on).get(case.id, [])
    current = current_view(views)
    alerts = [] if case.status == CaseStatus.CLOSED else case_alerts(views, promises)
    return {
        "plans_current": current,
        "plans_earlier": [v for v in views if v is not current],
        "plans_promises": promises,
        "plans_alerts": alerts,
        "plans_can_add": current is None or not current.is_open,
        "plans_names": _names(session, views),
        "plans_agreement": _agreement_link(session, case, current.plan) if current else None,
        "plans_accelerate": _accelerate_defaults(current) if current else FormState(),
        "plans_repeat_choices": [
            (r.value, tr(label)) for r, label in PROMISE_REPEAT_LABELS.items()
        ],
        "plans_promise_grace": PROMISE_GRACE_DAYS,
        "plans_labels": LABELS,
    }
