"""The firms' portal: progress steps on the case page, the case message thread, firm scorecards
and a firm's start page.

- ``POST /cases/<id>/messages``: legal staff or the engaged firm's counsel write on the case's
  thread (``case.message``); the case page shows the thread (``@panel``) and, when one side
  opens it, marks the other side's messages read.
- ``/firms`` and ``/firms/<id>`` (``firm.scorecard``): one row per firm, then one firm with
  its cases (``cases.portal.scorecard``; every figure is explained on the page).
- ``/portal`` (counsel): their firm's open cases with unread messages and silence first.

Progress steps themselves are logged through the case page's timeline form
(``casefile.log_event``); the panel hands that form its step and file-type choices.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session

from cases.base import today
from cases.engagements.models import ENGAGEMENT_STATUS_LABELS
from cases.errors import N_, DomainError, NotFound, PermissionDenied, ValidationError
from cases.portal import messages
from cases.portal.home import firm_home
from cases.portal.models import MESSAGE_MAX, SIDE_LABELS
from cases.portal.scorecard import scorecard, scorecards
from cases.portal.steps import (
    DOCUMENT_TYPE_LABELS,
    SEIZED_ASSET_LABELS,
    STEP_GROUPS,
    STEP_LABELS,
    is_filing_or_ruling,
)
from cases.register import policies
from cases.register.models import Case
from cases.users.models import User
from webapp import forms
from webapp.auth import actor
from webapp.blueprints import casefile
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr
from webapp.panels import panel

bp = Blueprint("portal", __name__)

FILE_ROWS = 3  # typed file inputs on the timeline form (each takes several files)
FILED = "filed"  # ?timeline=filed: only filings and rulings


def silent_days() -> int:
    return int(current_app.extensions["qingshou_settings"].FIRM_SILENT_DAYS)


def percent(fraction: Decimal | None) -> str:
    """0.1234 → "12.34%" ("—" when there is nothing to divide by)."""
    return "—" if fraction is None else f"{fraction * 100:.2f}%"


def days(value: Decimal | int | None) -> str:
    """A number of days without a needless ".0" (a median of two can be a half)."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


def ratio(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.4f}"


# ---- the case page: step choices, the timeline filter, the message thread --------------------


def _step_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (tr(group), [(step.value, tr(STEP_LABELS[step])) for step in steps])
        for group, steps in STEP_GROUPS
    ]


def _is_filed(item) -> bool:
    """A timeline entry that is a filing or a ruling, or carries a file typed as one."""
    return is_filing_or_ruling(item.event.step, [a.doc_type for a in item.attachments])


@panel
def _panel(session: Session, user: User, case: Case) -> dict:
    threads = messages.threads(session, user, case)
    unread = sum(1 for t in threads for m in t.messages if m.new)
    if unread and request.method == "GET":
        messages.mark_read(session, user, case)  # committed with the page's response
    return {
        "portal_step_groups": _step_choices(),
        "portal_doc_types": [(k.value, tr(v)) for k, v in DOCUMENT_TYPE_LABELS.items()],
        "portal_seized_assets": [(k.value, tr(v)) for k, v in SEIZED_ASSET_LABELS.items()],
        "portal_file_rows": range(FILE_ROWS),
        "portal_filed_only": request.args.get("timeline") == FILED,
        "portal_is_filed": _is_filed,
        "STEP_LABELS": STEP_LABELS,
        "DOCUMENT_TYPE_LABELS": DOCUMENT_TYPE_LABELS,
        "SEIZED_ASSET_LABELS": SEIZED_ASSET_LABELS,
        "portal_can_read": messages.may_read(user, case),
        "portal_can_post": policies.can(user, "case.message") and case.firm_id is not None,
        "portal_threads": threads,
        "portal_unread": unread,
        "portal_message_form": FormState(),
        "portal_message_max": MESSAGE_MAX,
        "SIDE_LABELS": SIDE_LABELS,
    }


@bp.post("/cases/<int:case_id>/messages")
@login_required
def post_message(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.message")
    form = FormState(forms.submitted(request.form))
    try:
        data = {"body": form.value("body")} if form.value("body") else {}
        messages.post_message(session, user, case, data)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("body",))
        return casefile.case_page(case, user, ("message", form))
    except PermissionDenied:
        raise
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return casefile.case_page(case, user, ("message", form))
    flash(_("Your message has been sent."), "success")
    return redirect(url_for("casefile.detail", case_id=case.id) + "#messages", 303)


# ---- scorecards ---------------------------------------------------------------------------


@bp.get("/firms")
@login_required
def firms():
    user = actor()
    policies.require(user, "firm.scorecard")
    cards = scorecards(get_session(), on=today(), silent_days=silent_days())
    return render_template(
        "portal/firms.html", cards=cards, silent_days=silent_days(), **_formatters()
    )


@bp.get("/firms/<int:firm_id>")
@login_required
def firm(firm_id: int):
    user = actor()
    policies.require(user, "firm.scorecard")
    card = scorecard(get_session(), firm_id, on=today(), silent_days=silent_days())
    if card is None:
        raise NotFound(N_("No such law firm."))
    cases = sorted(
        card.cases,
        key=lambda c: (not c.is_open, -(c.silent_days or 0), c.number),
    )
    return render_template(
        "portal/firm.html",
        card=card,
        cases=cases,
        silent_days=silent_days(),
        ENGAGEMENT_STATUS_LABELS=ENGAGEMENT_STATUS_LABELS,
        **_formatters(),
    )


def _formatters() -> dict:
    return {"percent": percent, "days": days, "ratio": ratio}


# ---- a firm's start page ------------------------------------------------------------------


@bp.get("/portal")
@login_required
def home():
    user = actor()
    view = firm_home(get_session(), user, on=today(), silent_days=silent_days())
    return render_template("portal/home.html", home=view, silent_days=silent_days())
