"""The ledger (台账) of all cases and its .xlsx export (``report.view``: admin, legal staff,
finance and management; counsel 403).

- ``GET /ledger``: one row per case with the totals of everything the filters match
  (``cases.reports.ledger.ledger_page``), 50 rows a page (``QS_PAGE_SIZE``);
- ``GET /ledger.xlsx``: every matching row, same filters and order, as a workbook
  (``cases.reports.ledger_xlsx``); each export is written to the audit trail with its filters
  and the number of rows. Up to ``QS_LEDGER_EXPORT_SYNC_LIMIT`` rows (5,000) the workbook is
  made in the request; beyond, it is queued on the job queue (``webapp/jobs.py``,
  ``cases.reports.ledger_exports``) and the answer is a 303 to the export's page;
- ``GET /ledger/exports/<id>``: the export's status and progress (refreshed from
  ``/progress`` as JSON while open), its error if it failed, and ``/download`` once done —
  for whoever asked for it only (anyone else: 404); the file is kept 7 days.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale, get_locale, gettext
from flask_login import login_required

from cases.base import today, utcnow
from cases.errors import N_, NotFound
from cases.register import policies
from cases.register.aging import AGING_LABELS
from cases.register.models import LABELS, CaseStatus
from cases.register.queries import filter_options
from cases.register.stages import STAGE_LABELS
from cases.reports import ledger_exports
from cases.reports.ledger import (
    NEXT_STEP_LABELS,
    LedgerFilters,
    creditor_choices,
    ledger_count,
    ledger_page,
    ledger_rows,
    parse_params,
    record_export,
)
from cases.reports.ledger_exports import EXPORT_STATUS_LABELS, ExportStatus, LedgerExport
from cases.reports.ledger_xlsx import WRITTEN_OFF_TEXT, write_ledger
from webapp.auth import actor
from webapp.db import get_session
from webapp.i18n import tr

bp = Blueprint("ledger", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024  # a workbook larger than this goes to a temporary file

PARAM_LABELS = {
    "q": N_("Search"),
    "stage": N_("Stage"),
    "status": N_("Status"),
    "creditor_id": N_("Creditor"),
    "handler_id": N_("Handler"),
    "firm_id": N_("Law firm"),
    "aging": N_("Overdue"),
    "sort": N_("Sort"),
    "order": N_("Order"),
    "page": N_("Page"),
}


def ledger_url(endpoint: str, filters: LedgerFilters, **changes: Any) -> str:
    """``endpoint``'s URL for ``filters`` with some parameters changed (defaults left out)."""
    params = filters.model_dump(mode="json", exclude_defaults=True)
    params.update(changes)
    defaults = LedgerFilters().model_dump(mode="json")
    params = {k: v for k, v in params.items() if v is not None and v != defaults.get(k)}
    return url_for(endpoint, **params)


def _choices(session, user) -> dict[str, list[tuple[Any, str]]]:
    options = filter_options(session, user)
    return {
        "stage_choices": [(s.value, tr(label)) for s, label in STAGE_LABELS.items()],
        "status_choices": [(s.value, tr(LABELS[f"status.{s.value}"])) for s in CaseStatus],
        "aging_choices": [(b.value, tr(label)) for b, label in AGING_LABELS.items()],
        "creditor_choices": [
            (i, "\u3000" * depth + ("└ " if depth else "") + name)
            for i, name, depth in creditor_choices(session)
        ],
        "handler_choices": options.handlers,
        "firm_choices": options.firms,
    }


def _filters_text(filters: LedgerFilters, choices: dict[str, list[tuple[Any, str]]]) -> str:
    """The filters in words, for the export's second line: "Stage: Litigation; …"."""
    named = {
        "stage": "stage_choices",
        "status": "status_choices",
        "aging": "aging_choices",
        "creditor_id": "creditor_choices",
        "handler_id": "handler_choices",
        "firm_id": "firm_choices",
    }
    parts = []
    for name, value in filters.filters().items():
        text = str(value)
        if name in named:
            labels = {str(v): label for v, label in choices[named[name]]}
            text = labels.get(text, text).strip("\u3000└ ")
        parts.append(gettext("%(name)s: %(value)s", name=tr(PARAM_LABELS[name]), value=text))
    if not parts:
        return ""
    return gettext("Filters: %(filters)s", filters="; ".join(parts))


@bp.get("/ledger")
@login_required
def index():
    session, user = get_session(), actor()
    policies.require(user, "report.view")
    filters, page_no, ignored = parse_params(request.args)
    page = ledger_page(
        session, user, filters, page_no, page_size=current_app.config["PAGE_SIZE"], on=today()
    )
    return render_template(
        "ledger/index.html",
        filters=filters,
        page=page,
        ignored=[tr(PARAM_LABELS.get(name, name)) for name in ignored],
        ledger_url=ledger_url,
        AGING_LABELS=AGING_LABELS,
        NEXT_STEP_LABELS=NEXT_STEP_LABELS,
        WRITTEN_OFF_TEXT=WRITTEN_OFF_TEXT,
        exports=ledger_exports.exports_of(session, user, limit=5),
        EXPORT_STATUS_LABELS=EXPORT_STATUS_LABELS,
        **_choices(session, user),
    )


@bp.get("/ledger.xlsx")
@login_required
def export():
    session, user = get_session(), actor()
    policies.require(user, "report.view")
    filters, _page, _ignored = parse_params(request.args)
    on = today()
    filters_text = _filters_text(filters, _choices(session, user))
    total = ledger_count(session, user, filters, on=on)
    if total > current_app.extensions["qingshou_settings"].LEDGER_EXPORT_SYNC_LIMIT:
        return _export_later(session, user, filters, on, total, filters_text)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    count = write_ledger(
        out,
        ledger_rows(session, user, filters, on=on),
        on=on,
        gettext=gettext,
        filters_text=filters_text,
    )
    record_export(session, user, filters, rows=count, on=on, kind="xlsx")
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=_file_name(on))


def _file_name(on) -> str:
    return f"{gettext('Ledger')}-{on.isoformat()}.xlsx"


def _export_later(session, user, filters: LedgerFilters, on, total: int, filters_text: str):
    """Too many rows for one request: queue the export and show its page."""
    job = ledger_exports.start_export(
        session,
        user,
        filters,
        on=on,
        locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        total=total,
        filters_text=filters_text,
    )
    session.commit()  # the worker reads the export from the database
    current_app.extensions["qingshou_queue"].enqueue_ledger_export(job.id)
    flash(
        gettext(
            "%(count)s cases: the workbook is being made in the background. "
            "It will be on this page when it is ready.",
            count=total,
        ),
        "success",
    )
    return redirect(url_for(".export_status", export_id=job.id), 303)


def run_export(app: Flask, export_id: int) -> ExportStatus | None:
    """The job queue's task (``webapp/jobs.py``): make the workbook of export ``export_id``."""
    db, store = app.extensions["qingshou_db"], app.extensions["qingshou_files"]

    def write(out, rows, job: LedgerExport) -> int:
        with app.test_request_context(), force_locale(job.locale):  # the asker's language
            return write_ledger(
                out, rows, on=job.as_of, gettext=gettext, filters_text=job.filters_text
            )

    return ledger_exports.process_export(db.session_factory, store, export_id, write)


def _progress(job: LedgerExport) -> dict[str, Any]:
    eta = None
    if job.status == ExportStatus.RUNNING and job.started_at and job.done:
        elapsed = (utcnow() - job.started_at).total_seconds()
        eta = round(elapsed / job.done * max(job.total - job.done, 0))
    done = job.status == ExportStatus.DONE and job.stored_name
    return {
        "status": job.status.value,
        "status_text": tr(EXPORT_STATUS_LABELS[job.status]),
        "total": job.total,
        "done": job.done,
        "failed": 0,
        "percent": job.percent,
        "eta_seconds": eta,
        "download": url_for(".export_download", export_id=job.id) if done else None,
    }


@bp.get("/ledger/exports/<int:export_id>")
@login_required
def export_status(export_id: int):
    session, user = get_session(), actor()
    job = ledger_exports.get_export(session, user, export_id)
    queue = current_app.extensions["qingshou_queue"]
    if job.is_stale(utcnow()):  # its worker died: start it again
        queue.enqueue_ledger_export(job.id)
        session.refresh(job)
    queue.ensure_worker()
    return render_template(
        "ledger/export.html",
        job=job,
        filters=job.ledger_filters,
        progress=_progress(job),
        keep_days=ledger_exports.KEEP_DAYS,
        ledger_url=ledger_url,
    )


@bp.get("/ledger/exports/<int:export_id>/progress")
@login_required
def export_progress(export_id: int):
    job = ledger_exports.get_export(get_session(), actor(), export_id)
    return jsonify(_progress(job))


@bp.get("/ledger/exports/<int:export_id>/download")
@login_required
def export_download(export_id: int):
    job = ledger_exports.get_export(get_session(), actor(), export_id)
    if job.status != ExportStatus.DONE or not job.stored_name:
        raise NotFound(N_("The export is not ready, or its file has been removed."))
    store = current_app.extensions["qingshou_files"]
    response = send_file(
        store.path(job.stored_name),
        mimetype=XLSX,
        as_attachment=True,
        download_name=_file_name(job.as_of),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
