"""Bulk document runs: one template for every case a list filter matches, in the background.

``GET /documents/runs/new?<case-list filters>`` shows how many cases match and the template's
form (what every document shares: letter number pattern aside, pay-by date, lawyers …);
``POST`` queues the run and goes to its page. ``GET /documents/runs/<id>`` shows progress (a
bar, count and ETA, refreshed by ``/progress`` as JSON); the run goes on if the browser
closes, can be cancelled, and its zip is downloaded from ``/download`` once finished. A run is
seen by whoever started it and by admins.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from cases.base import today, utcnow
from cases.documents import bulk, catalog
from cases.errors import N_, DomainError, NotFound, ValidationError
from cases.register.queries import matching_ids, parse_query
from cases.validation import parse
from webapp import docforms, forms
from webapp.auth import actor, require_capability
from webapp.blueprints.documents import default_values, fields_model, template_or_404
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr

bp = Blueprint("runs", __name__)

FILTER_KEYS = (
    "q",
    "stage",
    "status",
    "handler_id",
    "firm_id",
    "creditor_id",
    "aging",
    "tag",
    "credit_grade",
    "risk_level",
)


def _filters() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_KEYS if request.args.get(k, "").strip()}


def _cases(filters: dict[str, str]) -> list[int]:
    query, _ignored = parse_query(filters)
    return matching_ids(get_session(), actor(), query, on=today(), limit=bulk.MAX_CASES + 1)


def _new_page(filters, info, form: FormState, status: int = 200):
    ids = _cases(filters)
    widgets = docforms.widgets(fields_model(info)) if info else []
    rows = {w.name: docforms.row_count(request.form, w) for w in widgets if w.kind == "rows"}
    page = render_template(
        "runs/new.html",
        filters=filters,
        count=len(ids),
        too_many=len(ids) > bulk.MAX_CASES,
        max_cases=bulk.MAX_CASES,
        templates=catalog.shipped(),
        info=info,
        widgets=widgets,
        rows=rows,
        form=form,
    )
    return page, status


@bp.get("/runs")
@login_required
@require_capability("case.generate_document")
def index():
    session, user = get_session(), actor()
    return render_template(
        "runs/index.html", runs=bulk.runs_of(session, user), LABELS=bulk.RUN_STATUS_LABELS
    )


@bp.get("/runs/new")
@login_required
@require_capability("case.generate_document")
def new():
    name = request.args.get("template", "")
    info = template_or_404(name) if name else None
    values = default_values(info, actor()) if info else {}
    return _new_page(_filters(), info, FormState(values))


@bp.post("/runs/new")
@login_required
@require_capability("case.generate_document")
def start():
    session, user = get_session(), actor()
    name = request.args.get("template", "")
    if not name:
        return redirect(url_for(".new", **_filters()), 303)
    info = template_or_404(name)
    model = fields_model(info)
    form = FormState(forms.submitted(request.form))
    fields = docforms.parse(model, request.form)
    filters = _filters()
    try:
        parse(model, fields)  # the common fields, checked before anything is queued
    except ValidationError as exc:
        form.errors = _errors(exc, model)
        return _new_page(filters, info, form, 422)
    try:
        run = bulk.start_run(
            session,
            user,
            template=info.name,
            template_version=info.version,
            title=info.title,
            case_ids=_cases(filters),
            fields=fields,
            filters=filters,
        )
    except DomainError as exc:
        form.errors = {forms.FORM_ERROR: [tr(exc.message)]}
        return _new_page(filters, info, form, 422)
    session.commit()  # the worker reads the run from the database
    current_app.extensions["qingshou_queue"].enqueue_run(run.id)
    flash(_("The run has started: %(count)s documents.", count=run.total), "success")
    return redirect(url_for(".show", run_id=run.id), 303)


def _errors(exc: ValidationError, model) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, messages in exc.errors.items():
        name = docforms.error_key(key)
        known = name.split("-", 1)[0] in model.model_fields
        out.setdefault(name if known else forms.FORM_ERROR, []).extend(tr(m) for m in messages)
    return out


def _progress(run: bulk.BulkRun) -> dict:
    eta = run.eta(utcnow())
    return {
        "status": run.status.value,
        "status_text": tr(bulk.RUN_STATUS_LABELS[run.status]),
        "total": run.total,
        "done": run.done,
        "failed": run.failed,
        "percent": round(100 * run.settled / run.total) if run.total else 100,
        "eta_seconds": round(eta.total_seconds()) if eta is not None else None,
        "download": url_for(".download", run_id=run.id) if run.zip_stored_name else None,
    }


@bp.get("/runs/<int:run_id>")
@login_required
@require_capability("case.generate_document")
def show(run_id: int):
    session, user = get_session(), actor()
    run = bulk.get_run(session, user, run_id)
    current_app.extensions["qingshou_queue"].ensure_worker()
    return render_template(
        "runs/show.html",
        run=run,
        progress=_progress(run),
        failures=bulk.failures(session, run),
        LABELS=bulk.RUN_STATUS_LABELS,
    )


@bp.get("/runs/<int:run_id>/progress")
@login_required
@require_capability("case.generate_document")
def progress(run_id: int):
    run = bulk.get_run(get_session(), actor(), run_id)
    return jsonify(_progress(run))


@bp.post("/runs/<int:run_id>/cancel")
@login_required
@require_capability("case.generate_document")
def cancel(run_id: int):
    session, user = get_session(), actor()
    run = bulk.get_run(session, user, run_id)
    try:
        bulk.cancel_run(session, user, run)
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return redirect(url_for(".show", run_id=run.id), 303)
    flash(_("The run will stop after the document in hand."), "success")
    return redirect(url_for(".show", run_id=run.id), 303)


@bp.get("/runs/<int:run_id>/download")
@login_required
@require_capability("case.generate_document")
def download(run_id: int):
    run = bulk.get_run(get_session(), actor(), run_id)
    if not run.zip_stored_name:
        raise NotFound(N_("The run has not finished yet."))
    store = current_app.extensions["qingshou_files"]
    response = send_file(
        store.path(run.zip_stored_name),
        mimetype=bulk.ZIP_TYPE,
        as_attachment=True,
        download_name=f"{run.title}-{run.id}.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
