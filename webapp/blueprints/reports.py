"""The management view: the dashboard (cards, aging, funnel, rates with their inputs, the
trend, targets, rankings and their charts), the monthly PDF for the meeting, and the targets.

Everything here needs ``report.view`` (admin, legal, finance, management); setting targets
needs ``report.targets`` (admin, management). The figures read the whole book; counsel never
get here. A refused target form is shown again with what was typed and status 422.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session, select

from cases.base import today
from cases.documents.pdf import html_to_pdf
from cases.errors import N_, DomainError, ValidationError
from cases.parties.models import Creditor
from cases.register import policies
from cases.register.aging import AGING_LABELS, AgingBucket
from cases.reports import targets as target_ops
from cases.reports.dashboard import Dashboard, dashboard
from cases.reports.dimensions import DIMENSION_LABELS, Dimension
from cases.reports.periods import PERIOD_LABELS, Period, PeriodKind, between, containing
from cases.reports.rankings import RANKED
from cases.reports.targets import (
    HANDLER_ROLES,
    METRIC_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    STATUS_TONES,
    ReportTarget,
    TargetMetric,
    TargetScope,
)
from cases.users.models import LawFirm, User
from cases.validation import FORM_ERROR
from webapp import forms
from webapp.auth import actor
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr
from webapp.report_charts import (
    RATE_NAMES,
    charts_for,
    group_name,
    pct,
    period_label,
    target_chart,
)

bp = Blueprint("reports", __name__)

DEFAULT_PERIOD = PeriodKind.MONTH
DEFAULT_DIMENSION = Dimension.BRANCH
PDF_CARDS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)
CARD_LABELS = {  # the monthly report's cards: the month, and the quarter and year to its end
    PeriodKind.MONTH: N_("The month"),
    PeriodKind.QUARTER: N_("The quarter to date"),
    PeriodKind.YEAR: N_("The year to date"),
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TARGET_FIELDS = ("name", "scope", "start_on", "end_on", "metric", "target_amount", "note")
KEY_SCOPES = (TargetScope.CREDITOR, TargetScope.BRANCH, TargetScope.HANDLER, TargetScope.FIRM)
# The case list's filter for each grouping (the creditor dimension: only a creditor without
# branches, whose tree is itself — see ``cases.reports.dashboard.creditors_alone``).
LIST_FILTERS = {
    Dimension.CREDITOR: "creditor_id",
    Dimension.BRANCH: "creditor_id",
    Dimension.HANDLER: "handler_id",
    Dimension.FIRM: "firm_id",
}
LABELS = {
    "AGING_LABELS": AGING_LABELS,
    "DIMENSION_LABELS": DIMENSION_LABELS,
    "PERIOD_LABELS": PERIOD_LABELS,
    "SCOPE_LABELS": SCOPE_LABELS,
    "METRIC_LABELS": METRIC_LABELS,
    "STATUS_LABELS": STATUS_LABELS,
    "STATUS_TONES": STATUS_TONES,
    "RATE_NAMES": RATE_NAMES,
}


# ---- what the page is asked for ---------------------------------------------------------------


@dataclass
class ReportView:
    """The period and grouping asked for, the form's values, and what was not understood."""

    period: Period
    dimension: Dimension
    values: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_view(args: Mapping[str, str], on: date) -> ReportView:
    """``?period=week|month|quarter|year|custom&start=&end=&dimension=…``; anything not
    understood falls back to this month by branch, with a message saying so."""
    problems: list[str] = []
    kind_text = args.get("period") or DEFAULT_PERIOD.value
    try:
        kind = PeriodKind(kind_text)
    except ValueError:
        kind = DEFAULT_PERIOD
        problems.append(_("Unknown period “%(value)s”: showing this month.", value=kind_text[:40]))
    dimension_text = args.get("dimension") or DEFAULT_DIMENSION.value
    try:
        dimension = Dimension(dimension_text)
    except ValueError:
        dimension = DEFAULT_DIMENSION
        problems.append(
            _("Unknown grouping “%(value)s”: showing branches.", value=dimension_text[:40])
        )
    period: Period | None = None
    if kind == PeriodKind.CUSTOM:
        start, end = _day(args.get("start")), _day(args.get("end"))
        if start is None or end is None:
            problems.append(_("Give the first and last day (YYYY-MM-DD): showing this month."))
        else:
            try:
                period = between(start, end)
            except ValidationError as exc:
                problems.append(tr(exc.message) + " · " + _("Showing this month."))
    if period is None:
        period = containing(DEFAULT_PERIOD if kind == PeriodKind.CUSTOM else kind, on)
    values = {
        "period": period.kind.value,
        "dimension": dimension.value,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    return ReportView(period, dimension, values, problems)


# ---- the dashboard ----------------------------------------------------------------------------


def _require_view() -> User:
    user = actor()
    policies.require(user, "report.view")
    return user


def _aging_url(board: Dashboard):
    """The case list filtered to a cell of the aging table, where the list can show it."""
    parameter = LIST_FILTERS[board.dimension]

    def url(key: int | None, bucket: AgingBucket | None = None) -> str | None:
        params: dict[str, Any] = {}
        if bucket is not None:
            params["aging"] = bucket.value
        if key is not None:
            if board.dimension == Dimension.CREDITOR and key not in board.creditors_alone:
                return None  # the list filters one creditor entity, not a creditor's tree
            params[parameter] = key
        elif not params:
            return url_for("cases.index")
        return url_for("cases.index", **params)

    return url


def _context(board: Dashboard) -> dict[str, Any]:
    return {
        "board": board,
        "charts": charts_for(board),
        "period_label": period_label,
        "pct": pct,
        "group_name": lambda key: group_name(board, key),
        "ranked": RANKED,
        "reports_labels": LABELS,
    }


@bp.get("/reports", endpoint="dashboard")
@login_required
def dashboard_page():
    _require_view()
    on = today()
    view = parse_view(request.args, on)
    board = dashboard(get_session(), view.period, view.dimension, on)
    previous = containing(PeriodKind.MONTH, on.replace(day=1) - timedelta(days=1))
    return render_template(
        "reports/dashboard.html",
        view=view,
        period_choices=[(k.value, tr(label)) for k, label in PERIOD_LABELS.items()],
        dimension_choices=[(d.value, tr(label)) for d, label in DIMENSION_LABELS.items()],
        default_month=f"{previous.start:%Y-%m}",
        aging_url=_aging_url(board),
        card_labels={k: tr(PERIOD_LABELS[k]) for k in PeriodKind},
        **_context(board),
    )


# ---- the monthly report ---------------------------------------------------------------------


def _month(text: str | None, on: date) -> Period | None:
    """``2026-10`` as a month (default: the last full month); None when not understood or
    not begun yet."""
    if not text:
        return containing(PeriodKind.MONTH, on.replace(day=1) - timedelta(days=1))
    found = MONTH.match(text)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        return None
    month = containing(PeriodKind.MONTH, date(int(found.group(1)), int(found.group(2)), 1))
    return month if month.start <= on else None


@bp.get("/reports/monthly.pdf")
@login_required
def monthly_pdf():
    """The report of a calendar month for the monthly meeting, as of its last day (or today
    for the month in progress): the same figures and charts as the page."""
    _require_view()
    on = today()
    month = _month(request.args.get("month"), on)
    if month is None:
        flash(_("Choose a month that has begun, as YYYY-MM."), "error")
        return redirect(url_for(".dashboard"), 303)
    try:
        dimension = Dimension(request.args.get("dimension") or DEFAULT_DIMENSION.value)
    except ValueError:
        dimension = DEFAULT_DIMENSION
    as_of = min(month.end, on)
    board = dashboard(get_session(), month, dimension, as_of, cards=PDF_CARDS)
    html = render_template(
        "pdf/monthly_report.html",
        month=month,
        printed_on=on,
        card_labels={k: tr(label) for k, label in CARD_LABELS.items()},
        aging_url=lambda key, bucket=None: None,
        **_context(board),
    )
    response = make_response(html_to_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    filename = f"清收月报-{month.start:%Y-%m}.pdf"
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---- targets ----------------------------------------------------------------------------------


@bp.get("/reports/targets")
@login_required
def targets():
    _require_view()
    session, on = get_session(), today()
    rows = target_ops.all_targets(session)
    items = target_ops.progress_all(session, rows, on)
    names = target_ops.scope_names(session, rows)
    return render_template(
        "reports/targets.html",
        items=items,
        names=names,
        charts={i.target.id: target_chart(i, i.target.name) for i in items},
        on=on,
        pct=pct,
        reports_labels=LABELS,
    )


def _choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    creditors = session.execute(
        select(Creditor.id, Creditor.name, Creditor.parent_id).order_by(Creditor.name)
    ).all()
    handlers = session.exec(
        select(User).where(User.role.in_(HANDLER_ROLES)).order_by(User.name, User.id)
    )
    firms = session.exec(select(LawFirm).order_by(LawFirm.name))
    return {
        "scope": [(s.value, tr(label)) for s, label in SCOPE_LABELS.items()],
        "metric": [(m.value, tr(label)) for m, label in METRIC_LABELS.items()],
        "creditor": [(str(i), n) for i, n, parent in creditors if parent is None],
        "branch": [(str(i), n) for i, n, _parent in creditors],
        "handler": [
            (str(u.id), u.name + ("" if u.is_active else " · " + _("inactive"))) for u in handlers
        ],
        "firm": [(str(f.id), f.name) for f in firms],
    }


def target_payload(values: Mapping[str, str]) -> dict[str, Any]:
    """The ``TargetIn`` dict of the form: the key from the select of the chosen scope."""
    data: dict[str, Any] = {name: values[name] for name in TARGET_FIELDS if values.get(name)}
    if "target_amount" in data:
        data["target_amount"] = forms.amount(data["target_amount"])
    scope = values.get("scope", "")
    key = values.get(f"key.{scope}")
    if key:
        data["scope_key"] = key
    return data


def _field_names() -> list[str]:
    return [*TARGET_FIELDS, *(f"key.{s.value}" for s in KEY_SCOPES)]


def _rename(values: Mapping[str, str]):
    scope = values.get("scope", "")

    def rename(key: str) -> str:
        if key == "scope_key":
            return f"key.{scope}" if scope in {s.value for s in KEY_SCOPES} else FORM_ERROR
        return key

    return rename


def _values(target: ReportTarget) -> dict[str, str]:
    values = {
        name: "" if getattr(target, name) is None else str(getattr(target, name))
        for name in TARGET_FIELDS
    }
    if target.scope_key is not None:
        values[f"key.{target.scope.value}"] = str(target.scope_key)
    return values


def _render_form(form: FormState, target: ReportTarget | None, status: int = 200):
    return render_template(
        "reports/target_form.html",
        form=form,
        target=target,
        choices=_choices(get_session()),
        key_scopes=[s.value for s in KEY_SCOPES],
        reports_labels=LABELS,
    ), status


def _save(target: ReportTarget | None):
    session, user = get_session(), actor()
    form = FormState(forms.submitted(request.form))
    payload = target_payload(form.values)
    try:
        if target is None:
            target = target_ops.create_target(session, user, payload)
        else:
            target_ops.update_target(session, user, target, payload)
    except ValidationError as exc:
        form.errors = forms.errors(exc, _field_names(), _rename(form.values))
        return _render_form(form, target, 422)
    except DomainError as exc:
        form.errors = {FORM_ERROR: [tr(exc.message)]}
        return _render_form(form, target, 422)
    flash(_("The target “%(name)s” has been saved.", name=target.name), "success")
    return redirect(url_for(".targets"), 303)


@bp.route("/reports/targets/new", methods=["GET", "POST"])
@login_required
def new_target():
    policies.require(actor(), "report.targets")
    if request.method == "POST":
        return _save(None)
    start = today()
    form = FormState(
        {
            "scope": TargetScope.BOOK.value,
            "metric": TargetMetric.RECOVERED.value,
            "start_on": start.isoformat(),
            "end_on": target_ops.campaign_end(start, 100).isoformat(),
        }
    )
    return _render_form(form, None)


@bp.route("/reports/targets/<int:target_id>/edit", methods=["GET", "POST"])
@login_required
def edit_target(target_id: int):
    policies.require(actor(), "report.targets")
    target = target_ops.get_target(get_session(), target_id)
    if request.method == "POST":
        return _save(target)
    return _render_form(FormState(_values(target)), target)


@bp.post("/reports/targets/<int:target_id>/delete")
@login_required
def delete_target(target_id: int):
    session, user = get_session(), actor()
    policies.require(user, "report.targets")
    target = target_ops.get_target(session, target_id)
    name = target.name
    target_ops.delete_target(session, user, target)
    flash(_("The target “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for(".targets"), 303)
