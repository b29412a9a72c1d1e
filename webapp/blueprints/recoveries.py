"""Recoveries reported and confirmed, fee requests and their settlement.

- ``/money``: finance's queue (money to confirm, fees to pay) and legal's (fees to approve);
- ``/cases/<id>/payments/<payment_id>/confirm|reject``: finance decides on reported money;
- ``/cases/<id>/fee-requests/...``: a firm's fee request — new (with the computation
  previewed), its page, approve / reject (legal), pay (finance), and its PDF statement.

Handlers go load (through the case: another firm's counsel gets 404) → authorize → validate
→ one operation (``cases.ledger.operations``, ``cases.settlement.operations``) → redirect; a
refused form is shown again with status 422, what was typed and each message by its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import select

from cases.base import today
from cases.errors import N_, DomainError, NotFound, PermissionDenied, ValidationError
from cases.fees import FEE_STAGE_LABELS
from cases.figures import Step
from cases.ledger import operations as ledger
from cases.ledger.models import PAYMENT_METHOD_LABELS, PAYMENT_STATUS_LABELS
from cases.register import policies
from cases.register.models import Case
from cases.settlement import operations, queries
from cases.settlement.models import FEE_REQUEST_STATUS_LABELS, FeeRequest
from cases.settlement.statement import computation, fee_statement
from cases.users.models import LawFirm, Role, User
from webapp import forms
from webapp.auth import actor
from webapp.blueprints.casefile import _pdf_response, case_page
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import money, step_text, tr
from webapp.panels import panel

bp = Blueprint("recoveries", __name__)

QUEUE_CAPABILITIES = ("payment.confirm", "fee.approve", "fee.pay")
EXPENSE_FIELDS = ("description", "amount", "spent_on")
EXPENSE_ROWS = 3


def fee_step(step: Step) -> str:
    """A fee computation's step in the request's language, its stage named, not keyed."""
    stage = step.params.get("stage")
    if stage in FEE_STAGE_LABELS:
        step = Step(step.label, step.value, {**step.params, "stage": tr(FEE_STAGE_LABELS[stage])})
    return step_text(step)


TEMPLATE_NAMES = {
    "fee_step": fee_step,
    "FEE_REQUEST_STATUS_LABELS": FEE_REQUEST_STATUS_LABELS,
    "FEE_STAGE_LABELS": FEE_STAGE_LABELS,
    "PAYMENT_METHOD_LABELS": PAYMENT_METHOD_LABELS,
    "PAYMENT_STATUS_LABELS": PAYMENT_STATUS_LABELS,
}


def _firm_names(session) -> dict[int, str]:
    return dict(session.exec(select(LawFirm.id, LawFirm.name)).all())


def _sees_request(user: User, row: FeeRequest) -> bool:
    """Counsel see only their own firm's fee requests: an earlier firm's request on the same
    case carries its fee terms and computation (its business and ours, like its engagement)."""
    return user.role != Role.COUNSEL or row.firm_id == user.firm_id


def visible_fee_request(session, user: User, case: Case, fee_request_id: int) -> FeeRequest:
    """A fee request of ``case`` the user may see (load the case through ``policies`` first);
    anything else is ``NotFound``, like a request of another case."""
    row = queries.case_fee_request(session, case, fee_request_id)
    if not _sees_request(user, row):
        raise NotFound(N_("No such fee request."))
    return row


# ---- the case page's part -------------------------------------------------------------------


@panel
def _panel(session, user: User, case: Case) -> dict[str, Any]:
    can_request = policies.can(user, "fee.request")
    return {
        "recoveries_fee_requests": [
            row for row in queries.case_fee_requests(session, case) if _sees_request(user, row)
        ],
        "recoveries_can_request": can_request
        and bool(queries.fee_engagements(session, user, case)),
        "recoveries_pending": queries.pending_total(session, case),
        "recoveries_firms": _firm_names(session),
        "recoveries_status_labels": FEE_REQUEST_STATUS_LABELS,
    }


# ---- finance's queue ------------------------------------------------------------------------


def _render_queue(user: User, refused: FormState | None = None):
    session = get_session()
    if refused is not None:
        session.rollback()
    page = render_template(
        "recoveries/queue.html",
        queue=queries.queue(session, user),
        refused=refused or FormState(),
        **TEMPLATE_NAMES,
    )
    return page, 422 if refused is not None else 200


@bp.get("/money")
@login_required
def queue():
    user = actor()
    if not any(policies.can(user, c) for c in QUEUE_CAPABILITIES):
        abort(403)
    return _render_queue(user)


# ---- confirming or rejecting reported money -------------------------------------------------


def _back(case: Case):
    """Back where the decision was taken: the queue, or the case's payments."""
    if request.form.get("back") == "queue":
        return redirect(url_for(".queue"), 303)
    return redirect(url_for("casefile.detail", case_id=case.id) + "#payments", 303)


@bp.post("/cases/<int:case_id>/payments/<int:payment_id>/confirm")
@login_required
def confirm_payment(case_id: int, payment_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "payment.confirm")
    try:
        payment = ledger.confirm_payment(session, user, case, payment_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _back(case)
    flash(
        _(
            "The payment of %(amount)s on %(number)s is confirmed.",
            amount=money(payment.amount),
            number=case.number,
        ),
        "success",
    )
    return _back(case)


@bp.post("/cases/<int:case_id>/payments/<int:payment_id>/reject")
@login_required
def reject_payment(case_id: int, payment_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "payment.confirm")
    form = FormState(forms.submitted(request.form))
    form.values["payment_id"] = str(payment_id)
    try:
        payment = ledger.reject_payment(session, user, case, payment_id, form.value("reason"))
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("reason",))
        if form.value("back") == "queue":
            return _render_queue(user, form)
        return case_page(case, user, ("reject_payment", form))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _back(case)
    flash(
        _(
            "The payment of %(amount)s on %(number)s is rejected.",
            amount=money(payment.amount),
            number=case.number,
        ),
        "success",
    )
    return _back(case)


# ---- fee requests ---------------------------------------------------------------------------


def _expense_rows(values: Mapping[str, str]) -> tuple[list[int], list[dict[str, str]]]:
    """Form row numbers and values of the expense rows with anything typed or a file chosen."""
    numbers, rows = [], []
    for n in range(EXPENSE_ROWS):
        row = {f: values.get(f"expenses.{n}.{f}", "") for f in EXPENSE_FIELDS}
        chosen = request.files.get(f"expenses.{n}.receipt")
        if any(row.values()) or (chosen and chosen.filename):
            numbers.append(n)
            rows.append({k: forms.amount(v) if k == "amount" else v for k, v in row.items() if v})
    return numbers, rows


def _receipt(n: int) -> tuple[str, bytes] | None:
    storage = request.files.get(f"expenses.{n}.receipt")
    if storage is None or not storage.filename:
        return None
    name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name, storage.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)


def _field_names() -> list[str]:
    names = ["engagement_id", "note"]
    for n in range(EXPENSE_ROWS):
        names += [f"expenses.{n}.{f}" for f in (*EXPENSE_FIELDS, "receipt")]
    return names


def _render_new(case: Case, user: User, form: FormState, status: int = 200):
    session = get_session()
    if status != 200:
        session.rollback()
    engagements = queries.fee_engagements(session, user, case)
    chosen = form.value("engagement_id")
    engagement = next((e for e in engagements if str(e.id) == chosen), None)
    due = preview_error = None
    if engagements:
        try:
            due = computation(
                queries.current_fee_due(session, engagement or engagements[0]).as_dict()
            )
        except DomainError as exc:
            preview_error = tr(exc.message)
    firms = _firm_names(session)
    page = render_template(
        "recoveries/new.html",
        case=case,
        form=form,
        due=due,
        preview_error=preview_error,
        engagements=engagements,
        firms=firms,
        expense_rows=range(EXPENSE_ROWS),
        max_upload_mb=current_app.config["MAX_UPLOAD_BYTES"] // 2**20,
        **TEMPLATE_NAMES,
    )
    return page, status


@bp.get("/cases/<int:case_id>/fee-requests/new")
@login_required
def new_fee_request(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "fee.request")
    return _render_new(case, user, FormState({"engagement_id": request.args.get("engagement", "")}))


@bp.post("/cases/<int:case_id>/fee-requests")
@login_required
def create_fee_request(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "fee.request")
    form = FormState(forms.submitted(request.form))
    numbers, rows = _expense_rows(form.values)
    payload: dict[str, Any] = {"note": form.value("note") or None, "expenses": rows}
    if form.value("engagement_id"):
        payload["engagement_id"] = form.value("engagement_id")

    def rename(key: str) -> str:
        parts = key.split(".")
        if parts[0] == "expenses" and len(parts) > 1 and parts[1].isdigit():
            parts[1] = str(numbers[int(parts[1])])
        return ".".join(parts)

    try:
        row = operations.request_fee(
            session,
            user,
            case,
            payload,
            receipts=[_receipt(n) for n in numbers],
            store=current_app.extensions["qingshou_files"],
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        )
    except ValidationError as exc:
        form.errors = forms.errors(exc, _field_names(), rename)
        return _render_new(case, user, form, 422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.errors = {"__all__": [tr(exc.message)]}
        return _render_new(case, user, form, 422)
    flash(
        _(
            "Fee request no. %(id)s has been sent for approval: %(amount)s.",
            id=row.id,
            amount=money(row.total),
        ),
        "success",
    )
    return redirect(url_for(".fee_request", case_id=case.id, fee_request_id=row.id), 303)


def _render_request(
    case: Case,
    user: User,
    fee_request_id: int,
    refused: tuple[str, FormState] | None = None,
    *,
    status: int = 200,
):
    session = get_session()
    if status != 200:
        session.rollback()
    row = visible_fee_request(session, user, case, fee_request_id)
    states = {"reject": FormState(), "pay": FormState({"paid_on": today().isoformat()})}
    if refused is not None:
        states[refused[0]] = refused[1]
    page = render_template(
        "recoveries/request.html",
        case=case,
        fee=fee_statement(session, case, row),
        forms=states,
        own_request=row.requested_by_id == user.id,
        **TEMPLATE_NAMES,
    )
    return page, status


@bp.get("/cases/<int:case_id>/fee-requests/<int:fee_request_id>")
@login_required
def fee_request(case_id: int, fee_request_id: int):
    session, user = get_session(), actor()
    case = policies.get_visible_case(session, user, case_id)
    return _render_request(case, user, fee_request_id)


@bp.get("/cases/<int:case_id>/fee-requests/<int:fee_request_id>/statement.pdf")
@login_required
def fee_statement_pdf(case_id: int, fee_request_id: int):
    """Every recovery counted and every fee component with its rule, the cap, expenses,
    already requested and paid, now due (WeasyPrint, embedded font)."""
    session, user = get_session(), actor()
    case = policies.get_visible_case(session, user, case_id)
    row = visible_fee_request(session, user, case, fee_request_id)
    html = render_template(
        "pdf/fee_statement.html",
        fee=fee_statement(session, case, row),
        today=today(),
        **TEMPLATE_NAMES,
    )
    return _pdf_response(html, f"{case.number}-律师费结算单-{row.id}.pdf")


def _decided(case: Case, fee_request_id: int, message: str):
    flash(message, "success")
    if request.form.get("back") == "queue":
        return redirect(url_for(".queue"), 303)
    return redirect(url_for(".fee_request", case_id=case.id, fee_request_id=fee_request_id), 303)


@bp.post("/cases/<int:case_id>/fee-requests/<int:fee_request_id>/approve")
@login_required
def approve_fee_request(case_id: int, fee_request_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "fee.approve")
    try:
        row = operations.approve_fee_request(session, user, case, fee_request_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _render_request(case, user, fee_request_id, status=422)
    return _decided(case, row.id, _("Fee request no. %(id)s is approved for payment.", id=row.id))


@bp.post("/cases/<int:case_id>/fee-requests/<int:fee_request_id>/reject")
@login_required
def reject_fee_request(case_id: int, fee_request_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "fee.approve")
    form = FormState(forms.submitted(request.form))
    try:
        row = operations.reject_fee_request(
            session, user, case, fee_request_id, form.value("reason")
        )
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("reason",))
        return _render_request(case, user, fee_request_id, ("reject", form), status=422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _render_request(case, user, fee_request_id, ("reject", form), status=422)
    return _decided(case, row.id, _("Fee request no. %(id)s is rejected.", id=row.id))


@bp.post("/cases/<int:case_id>/fee-requests/<int:fee_request_id>/pay")
@login_required
def pay_fee_request(case_id: int, fee_request_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "fee.pay")
    form = FormState(forms.submitted(request.form))
    data = {k: form.value(k) for k in ("paid_on", "paid_reference") if form.value(k)}
    try:
        row = operations.pay_fee_request(session, user, case, fee_request_id, data)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("paid_on", "paid_reference"))
        return _render_request(case, user, fee_request_id, ("pay", form), status=422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _render_request(case, user, fee_request_id, ("pay", form), status=422)
    return _decided(
        case,
        row.id,
        _(
            "Fee request no. %(id)s is paid: %(amount)s.",
            id=row.id,
            amount=money(row.total),
        ),
    )
