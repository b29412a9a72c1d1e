"""The deadlines board, deadlines added by hand, outcomes, notifications and calendar feeds.

Routes (no URL prefix):

- ``GET /deadlines`` — the deadlines a user owns (``cases.board.queries``), passed first;
- ``POST /cases/<id>/deadlines``, ``GET|POST /cases/<id>/deadlines/<id>/edit`` — deadlines
  added by hand (``deadline.manage``);
- ``POST /cases/<id>/deadline-outcomes`` — what happened about a deadline;
- ``GET /notifications``, ``POST /notifications/<id>/read``, ``POST /notifications/read-all``;
- ``GET|POST /deadlines/calendar``, ``POST /deadlines/calendar/revoke`` — the secret feed URL;
- ``GET /calendar/<token>.ics`` — the feed itself, without login (the token is the key).

Handlers go load (through the case: 404 for another firm's) → authorize → validate → one
operation → redirect; a refused form is shown again with what was typed and status 422.
The daily digest (``run_digest``) is run by ``flask digest`` and the job queue's periodic task.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import Session, select

from cases.base import today
from cases.board import digest, mail, operations
from cases.board.feed import build_calendar
from cases.board.models import (
    CASE_DEADLINE_KIND_LABELS,
    OUTCOME_LABELS,
    ROLLED_KINDS,
    CaseDeadlineKind,
    Notification,
)
from cases.board.queries import (
    HORIZONS,
    BoardFilter,
    BoardRow,
    board,
    case_rows,
    open_rows,
    parse_filter,
    sort_key,
)
from cases.errors import ValidationError
from cases.register import casefile, policies
from cases.register.models import Case
from cases.users.models import ROLE_LABELS, Role, User
from webapp import forms
from webapp.auth import actor, is_safe_next
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr
from webapp.panels import panel

bp = Blueprint("board", __name__)

DEADLINE_FIELDS = ("title", "kind", "due_on", "owner_id", "note", "done")
OUTCOME_FIELDS = ("outcome", "note")
NOTIFICATIONS_SHOWN = 60


# ---- shared bits ----------------------------------------------------------------------------


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, tr(label)) for k, label in CASE_DEADLINE_KIND_LABELS.items()]


def _outcomes() -> list[tuple[str, str]]:
    return [(k.value, tr(label)) for k, label in OUTCOME_LABELS.items()]


def _owners(session: Session, case: Case) -> list[tuple[str, str]]:
    return [
        (str(u.id), f"{u.name} · {tr(ROLE_LABELS[u.role])}")
        for u in operations.owner_choices(session, case)
    ]


def _names(session: Session, rows: list[BoardRow]) -> dict[int, str]:
    ids: set[int | None] = set()
    for row in rows:
        ids.add(row.case.handler_id)
        if row.custom is not None:
            ids.add(row.custom.owner_id)
        if row.outcome is not None:
            ids.add(row.outcome.recorded_by_id)
    return casefile.user_names(session, ids)


def _back(default: str) -> str:
    target = request.form.get("next", "")
    return target if is_safe_next(target) else default


def _case_page(case: Case) -> str:
    return url_for("casefile.detail", case_id=case.id) + "#deadlines"


@bp.app_context_processor
def _notifications_badge() -> dict[str, Any]:
    def unread_notifications() -> int:
        if not getattr(current_user, "is_authenticated", False):
            return 0
        return operations.unread_count(get_session(), current_user)

    return {"unread_notifications": unread_notifications, "OUTCOME_LABELS": OUTCOME_LABELS}


@bp.app_template_filter("ago")
def _days_text(days: int) -> str:
    if days < 0:
        return _("passed %(days)s days ago", days=-days)
    if days == 0:
        return _("today")
    return _("%(days)s days", days=days)


# ---- the case page --------------------------------------------------------------------------


def _deadline_defaults(user: User) -> FormState:
    return FormState({"kind": CaseDeadlineKind.HEARING.value, "owner_id": str(user.id)})


@panel
def _panel(session: Session, user: User, case: Case) -> dict[str, Any]:
    rows = case_rows(session, case)
    by_key = {row.key: row for row in rows if row.custom is None}

    def status(deadline) -> BoardRow | None:
        """The board's row of a deadline the case page lists (its outcome, its rollover)."""
        key = (case.id, deadline.kind, deadline.due, (deadline.subject or "")[:200])
        return by_key.get(key)

    return {
        "board_added": [row for row in rows if row.custom is not None],
        "board_status": status,
        "board_names": _names(session, rows),
        "board_form": _deadline_defaults(user),
        "board_kinds": _kinds(),
        "board_owners": _owners(session, case) if policies.can(user, "deadline.manage") else [],
        "board_outcomes": _outcomes(),
        "board_rolled_kinds": ROLLED_KINDS,
        "board_today": today(),
    }


def _render_deadline_form(case: Case, form: FormState, deadline=None, status: int = 200):
    session = get_session()
    return render_template(
        "board/deadline_form.html",
        case=case,
        form=form,
        deadline=deadline,
        kinds=_kinds(),
        owners=_owners(session, case),
    ), status


def _deadline_payload(values: Mapping[str, str], *, with_done: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: values[name] for name in ("title", "kind", "due_on", "note") if name in values
    }
    data["owner_id"] = values.get("owner_id") or None
    if with_done:
        data["done"] = bool(values.get("done"))
    return data


@bp.post("/cases/<int:case_id>/deadlines")
@login_required
def add_deadline(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "deadline.manage")
    form = FormState(forms.submitted(request.form))
    try:
        row = operations.add_deadline(
            session, user, case, _deadline_payload(form.values, with_done=False)
        )
    except ValidationError as exc:
        form.errors = forms.errors(exc, DEADLINE_FIELDS)
        return _render_deadline_form(case, form, status=422)
    flash(_("Deadline added: %(title)s on %(date)s.", title=row.title, date=row.due_on), "success")
    return redirect(_case_page(case), 303)


@bp.route("/cases/<int:case_id>/deadlines/<int:case_deadline_id>/edit", methods=["GET", "POST"])
@login_required
def edit_deadline(case_id: int, case_deadline_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "deadline.manage")
    row = operations.get_deadline(session, case, case_deadline_id)
    if request.method == "GET":
        values = {
            "title": row.title,
            "kind": row.kind.value,
            "due_on": row.due_on.isoformat(),
            "owner_id": str(row.owner_id or ""),
            "note": row.note,
            "done": "y" if row.done else "",
        }
        return _render_deadline_form(case, FormState(values), row)
    form = FormState(forms.submitted(request.form))
    try:
        operations.update_deadline(
            session, user, case, row.id, _deadline_payload(form.values, with_done=True)
        )
    except ValidationError as exc:
        form.errors = forms.errors(exc, DEADLINE_FIELDS)
        return _render_deadline_form(case, form, row, 422)
    flash(_("The deadline has been updated."), "success")
    return redirect(_back(_case_page(case)), 303)


@bp.post("/cases/<int:case_id>/deadline-outcomes")
@login_required
def record_outcome(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "deadline.manage")
    form = FormState(forms.submitted(request.form))
    data = {
        "deadline_kind": form.value("deadline_kind"),
        "due_on": form.value("due_on") or None,
        "subject": form.value("subject"),
        "case_deadline_id": form.value("case_deadline_id") or None,
        "outcome": form.value("outcome") or None,
        "note": form.value("note"),
    }
    try:
        operations.record_outcome(session, user, case, data)
    except ValidationError as exc:
        form.errors = forms.errors(exc, OUTCOME_FIELDS)
        page = render_template(
            "board/outcome_form.html", case=case, form=form, outcomes=_outcomes()
        )
        return page, 422
    flash(_("Recorded what happened about the deadline."), "success")
    return redirect(_back(_case_page(case)), 303)


# ---- the board ------------------------------------------------------------------------------


@bp.get("/deadlines")
@login_required
def index():
    session, user = get_session(), actor()
    filt = parse_filter(request.args)
    if user.role == Role.COUNSEL:
        filt = BoardFilter(horizon=filt.horizon, page=filt.page)
    on = today()
    result = board(session, user, filt, on, page_size=current_app.config["PAGE_SIZE"])
    choices = None if user.role == Role.COUNSEL else casefile.case_choices(session)
    return render_template(
        "board/index.html",
        board=result,
        today=on,
        choices=choices,
        horizons=HORIZONS,
        names=_names(session, result.rows),
        outcomes=_outcomes(),
    )


# ---- notifications --------------------------------------------------------------------------


def _shown_items(session: Session, user: User, notes: list[Notification]) -> dict[int, list]:
    """Each notification's items the user may still see (a case since engaged to another
    firm drops out), with plan alerts' descriptions as messages."""
    ids = {item["case_id"] for note in notes for item in note.items}
    visible = set(
        session.exec(select(Case.id).where(Case.id.in_(ids), policies.visible_filter(user)))
    )
    shown: dict[int, list] = {}
    for note in notes:
        items = []
        for item in note.items:
            if item["case_id"] not in visible:
                continue
            item = dict(item)
            for name in ("due", "moved_from"):
                if item.get(name):
                    item[name] = date.fromisoformat(item[name])
            if "description" in item:
                item["description"] = digest.message_from_json(item["description"])
            items.append(item)
        shown[note.id] = items
    return shown


@bp.get("/notifications")
@login_required
def notifications():
    session, user = get_session(), actor()
    notes = list(
        session.exec(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.day.desc(), Notification.id.desc())
            .limit(NOTIFICATIONS_SHOWN)
        )
    )
    return render_template(
        "board/notifications.html",
        notes=notes,
        shown=_shown_items(session, user, notes),
        alert_labels=_alert_labels(),
        today=today(),
    )


def _alert_labels() -> dict[str, str]:
    try:
        from cases.plans.queries import ALERT_KIND_LABELS
    except ImportError:  # pragma: no cover - the plans area is optional to this one
        return {}
    return dict(ALERT_KIND_LABELS)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    operations.mark_read(get_session(), actor(), notification_id)
    return redirect(_back(url_for(".notifications")), 303)


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    count = operations.mark_all_read(get_session(), actor())
    flash(_("Notifications marked as read: %(count)s.", count=count), "success")
    return redirect(url_for(".notifications"), 303)


# ---- calendar feeds -------------------------------------------------------------------------


@bp.route("/deadlines/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    session, user = get_session(), actor()
    feed_url = None
    if request.method == "POST":
        token = operations.issue_feed(session, user)
        feed_url = url_for(".feed", feed_token=token, _external=True)
    response = make_response(
        render_template(
            "board/calendar.html", feed=operations.live_feed(session, user), feed_url=feed_url
        )
    )
    response.headers["Cache-Control"] = "private, no-store"  # the page may show the secret URL
    return response


@bp.post("/deadlines/calendar/revoke")
@login_required
def revoke_calendar():
    if operations.revoke_feed(get_session(), actor()):
        flash(_("The calendar URL has been revoked: calendars using it stop updating."), "success")
    return redirect(url_for(".calendar"), 303)


@bp.get("/calendar/<feed_token>.ics")
def feed(feed_token: str):
    """The feed, for calendar apps (no login: the secret token is the key)."""
    session = get_session()
    user = operations.user_for_feed(session, feed_token)
    if user is None:
        abort(404)
    session.info["actor_id"] = user.id
    on = today()
    rows = sorted(open_rows(session, user), key=sort_key(on))
    with force_locale(user.locale):
        data = build_calendar(
            rows,
            on,
            name=_("Qingshou deadlines · %(name)s", name=user.name),
            translate=gettext,
            case_url=lambda case_id: url_for("casefile.detail", case_id=case_id, _external=True),
        )
    response = make_response(data)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="qingshou-deadlines.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# ---- the daily digest -----------------------------------------------------------------------


def smtp_settings(app: Flask) -> mail.SmtpSettings:
    settings = app.extensions["qingshou_settings"]
    return mail.SmtpSettings(
        host=settings.SMTP_HOST,
        port=int(settings.SMTP_PORT),
        user=settings.SMTP_USER,
        password=settings.SMTP_PASSWORD,
        sender=settings.SMTP_FROM,
        starttls=bool(int(settings.SMTP_STARTTLS)),
        ssl=bool(int(settings.SMTP_SSL)),
    )


def _digest_subject(note: Notification) -> str:
    return _(
        "Qingshou daily digest %(day)s: %(passed)s passed, %(due)s due within 7 days",
        day=note.day.isoformat(),
        passed=note.counts.get("passed", 0),
        due=note.counts.get("due", 0),
    )


def _item_line(item: dict[str, Any]) -> str:
    if "alert" in item:
        label = tr(_alert_labels().get(item["alert"], item["alert"]))
        what = tr(digest.message_from_json(item["description"]))
        return f"{item['due']}  {item['number']} {item['debtor']}  {label}: {what}"
    label = tr(item["label"]) + (f": {item['title']}" if item.get("title") else "")
    return f"{item['due']}  {_days_text(item['days'])}  {item['number']} {item['debtor']}  {label}"


def _digest_text(note: Notification, base_url: str) -> str:
    lines = [_digest_subject(note), ""]
    lines += [_item_line(item) for item in note.items]
    if note.counts.get("total", 0) > len(note.items):
        lines += [
            "",
            _("… and %(count)s more on the board.", count=note.counts["total"] - len(note.items)),
        ]
    if base_url:
        lines += ["", _("The deadlines board: %(url)s", url=base_url.rstrip("/") + "/deadlines")]
    lines += ["", _("A deadline stays on this list until someone records what happened.")]
    return "\n".join(lines)


def send_digest_email(app: Flask, smtp: mail.SmtpSettings, user: User, note: Notification) -> None:
    base_url = app.extensions["qingshou_settings"].BASE_URL
    with app.test_request_context(base_url=base_url or None), force_locale(user.locale):
        text = _digest_text(note, base_url)
        html = render_template(
            "board/digest_email.html",
            note=note,
            base_url=base_url.rstrip("/"),
            alert_labels=_alert_labels(),
            subject=_digest_subject(note),
            message_from_json=digest.message_from_json,
        )
        subject = _digest_subject(note)
    mail.send(smtp, mail.build_message(smtp.sender, user.email, subject, text, html))


def run_digest(app: Flask, on: date | None = None, *, skip_if_done: bool = False):
    """The day's digest for everyone: in-app always, by email when SMTP is configured."""
    smtp = smtp_settings(app)
    send = partial(send_digest_email, app, smtp) if smtp.configured else None
    factory = app.extensions["qingshou_db"].session_factory
    return digest.run_daily_digest(factory, on or today(), send, skip_if_done=skip_if_done)
