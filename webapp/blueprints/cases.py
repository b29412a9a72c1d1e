"""The case list (案件台账): search, filters, sort and pagination over the visible cases."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import login_required

from cases.base import today
from cases.errors import N_
from cases.plans.models import PLAN_STATUS_LABELS, PLAN_STATUS_TONES
from cases.plans.queries import case_flags
from cases.portal.messages import unread_counts
from cases.register.aging import AGING_LABELS
from cases.register.models import LABELS, CaseStatus, CreditGrade, RiskLevel
from cases.register.queries import CaseQuery, filter_options, parse_query, search_cases
from cases.register.stages import STAGE_LABELS
from webapp.auth import actor
from webapp.db import get_session
from webapp.i18n import tr

bp = Blueprint("cases", __name__)

# How the list's parameters are called on the page (for "… were ignored: Stage, Page").
PARAM_LABELS = {
    "q": N_("Search"),
    "stage": N_("Stage"),
    "status": N_("Status"),
    "handler_id": N_("Handler"),
    "firm_id": N_("Law firm"),
    "creditor_id": N_("Creditor"),
    "aging": N_("Overdue"),
    "tag": N_("Tag"),
    "credit_grade": N_("Credit grade"),
    "risk_level": N_("Risk level"),
    "sort": N_("Sort"),
    "order": N_("Order"),
    "page": N_("Page"),
    "page_size": N_("Page size"),
}


def list_url(query: CaseQuery, **changes: Any) -> str:
    """The list URL for ``query`` with some parameters changed (defaults left out)."""
    params = query.model_dump(mode="json", exclude={"page_size"}, exclude_defaults=True)
    params.update(changes)
    defaults = CaseQuery().model_dump(mode="json")
    params = {k: v for k, v in params.items() if v is not None and v != defaults.get(k)}
    return url_for("cases.index", **params)


def _choices() -> dict[str, list[tuple[str, str]]]:
    """The fixed select options, as ``(value, label in the request's language)``."""
    return {
        "stage_choices": [(s.value, tr(label)) for s, label in STAGE_LABELS.items()],
        "status_choices": [(s.value, tr(LABELS[f"status.{s.value}"])) for s in CaseStatus],
        "aging_choices": [(b.value, tr(label)) for b, label in AGING_LABELS.items()],
        "grade_choices": [(g.value, g.value) for g in CreditGrade],
        "risk_choices": [(r.value, tr(LABELS[f"risk.{r.value}"])) for r in RiskLevel],
    }


@bp.route("/cases")
@bp.route("/")
@login_required
def index():
    session, user = get_session(), actor()
    query, ignored = parse_query(request.args, page_size=current_app.config["PAGE_SIZE"])
    page = search_cases(session, user, query, on=today())
    options = filter_options(session, user)
    return render_template(
        "cases/list.html",
        query=query,
        page=page,
        options=options,
        ignored=[tr(PARAM_LABELS.get(name, name)) for name in ignored],
        tag_choices=[(tag, tag) for tag in options.tags],
        AGING_LABELS=AGING_LABELS,
        list_url=list_url,
        plan_flags=case_flags(session, [item.id for item in page.items], today()),
        unread_messages=unread_counts(session, user, [item.id for item in page.items]),
        PLAN_STATUS_LABELS=PLAN_STATUS_LABELS,
        PLAN_STATUS_TONES=PLAN_STATUS_TONES,
        **_choices(),
    )
