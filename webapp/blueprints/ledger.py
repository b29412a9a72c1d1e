"""The ledger (台账) of all cases and its .xlsx export (``report.view``: admin, legal staff,
finance and management; counsel 403).

- ``GET /ledger``: one row per case with the totals of everything the filters match
  (``cases.reports.ledger.ledger_page``), 50 rows a page (``QS_PAGE_SIZE``);
- ``GET /ledger.xlsx``: every matching row, same filters and order, as a workbook
  (``cases.reports.ledger_xlsx``); each export is written to the audit trail with its filters
  and the number of rows.
"""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Blueprint, current_app, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import login_required

from cases.base import today
from cases.errors import N_
from cases.register import policies
from cases.register.aging import AGING_LABELS
from cases.register.models import LABELS, CaseStatus
from cases.register.queries import filter_options
from cases.register.stages import STAGE_LABELS
from cases.reports.ledger import (
    NEXT_STEP_LABELS,
    LedgerFilters,
    creditor_choices,
    ledger_page,
    ledger_rows,
    parse_params,
    record_export,
)
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
        **_choices(session, user),
    )


@bp.get("/ledger.xlsx")
@login_required
def export():
    session, user = get_session(), actor()
    policies.require(user, "report.view")
    filters, _page, _ignored = parse_params(request.args)
    on = today()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (send_file closes it)
    count = write_ledger(
        out,
        ledger_rows(session, user, filters, on=on),
        on=on,
        gettext=gettext,
        filters_text=_filters_text(filters, _choices(session, user)),
    )
    record_export(session, user, filters, rows=count, on=on, kind="xlsx")
    out.seek(0)
    name = gettext("Ledger")
    return send_file(
        out,
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{name}-{on.isoformat()}.xlsx",
    )
