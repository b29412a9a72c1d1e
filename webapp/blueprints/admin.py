"""Administration pages: users, law firms, creditor entities, the LPR table (admin only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import select

from cases.base import today
from cases.errors import ValidationError
from cases.interest import lpr as lpr_table
from cases.interest.calc import LprSeries
from cases.parties.models import Creditor
from cases.users import admin as ops
from cases.users.models import LawFirm, Role, User
from webapp.auth import actor
from webapp.db import get_session
from webapp.i18n import fmt_date, tr

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def _admins_only():
    if actor().role != Role.ADMIN:
        abort(403)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [tr(m) for m in msgs] for field, msgs in exc.errors.items()}


def _blank_to_none(form: dict[str, str]) -> dict[str, str | None]:
    return {k: (v.strip() or None) for k, v in form.items() if k != "csrf_token"}


@bp.route("/")
def index():
    return redirect(url_for("admin.users"))


def _list_or_create(
    create: Callable[[dict[str, Any]], Any],
    created: Callable[[Any], str],
    template: str,
    rows: Callable[[], Any],
    **context: Any,
):
    """A list page with its "new" form: POST creates (then redirects) or re-renders with errors."""
    errors: dict[str, list[str]] = {}
    form = request.form.to_dict()
    if request.method == "POST":
        try:
            obj = create(form)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            flash(created(obj), "success")
            return redirect(request.path)
    page = render_template(template, rows=rows(), form=form, errors=errors, **context)
    return page, 422 if errors else 200


def _optional_id(value: str | None) -> int | None:
    return int(value) if (value or "").isdigit() else None


@bp.route("/users", methods=["GET", "POST"])
def users():
    session = get_session()

    def create(form: dict[str, str]) -> User:
        data = _blank_to_none(form)
        data["firm_id"] = _optional_id(data.get("firm_id"))
        return ops.add_user(session, actor(), data)

    return _list_or_create(
        create,
        lambda user: _("User %(email)s created.", email=user.email),
        "admin/users.html",
        lambda: session.exec(select(User).order_by(User.role, User.email)).all(),
        firms=session.exec(select(LawFirm).order_by(LawFirm.name)).all(),
        roles=list(Role),
    )


def _change_user(user_id: int, change: Callable[[User], None], done: str | None = None):
    """Apply ``change`` to one user from the user list; refusals are flashed there."""
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    try:
        change(user)
    except ValidationError as exc:
        flash(" ".join(m for msgs in _errors(exc).values() for m in msgs), "error")
        return redirect(url_for("admin.users")), 303
    if done:
        flash(done % {"email": user.email}, "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    return _change_user(user_id, lambda user: ops.set_active(get_session(), actor(), user, active))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    password = request.form.get("password", "")
    return _change_user(
        user_id,
        lambda user: ops.reset_password(get_session(), actor(), user, password),
        _("New password set for %(email)s; their sessions have ended."),
    )


@bp.route("/firms", methods=["GET", "POST"])
def firms():
    session = get_session()
    return _list_or_create(
        lambda form: ops.add_firm(session, actor(), _blank_to_none(form)),
        lambda firm: _("Law firm %(name)s created.", name=firm.name),
        "admin/firms.html",
        lambda: session.exec(select(LawFirm).order_by(LawFirm.name)).all(),
    )


@bp.route("/creditors", methods=["GET", "POST"])
def creditors():
    session = get_session()

    def create(form: dict[str, str]) -> Creditor:
        data = _blank_to_none(form)
        data["is_bank"] = form.get("is_bank") == "y"
        data["parent_id"] = _optional_id(data.get("parent_id"))
        return ops.add_creditor(session, actor(), data)

    return _list_or_create(
        create,
        lambda creditor: _("Creditor %(name)s created.", name=creditor.name),
        "admin/creditors.html",
        lambda: session.exec(select(Creditor).order_by(Creditor.name)).all(),
    )


# ---- the LPR table ----------------------------------------------------------------------------


def _typed(form: dict[str, str]) -> dict[str, str]:
    """The fields typed in (blank ones left out, so that the "required" message applies)."""
    return {k: v.strip() for k, v in form.items() if k != "csrf_token" and v.strip()}


def _lpr_horizon(rows: list[lpr_table.LprRate]) -> dict[str, Any]:
    """The latest row, the last day it is certainly current, and whether today is past it."""
    if not rows:
        return {"latest": None, "known_until": None, "stale": True}
    known_until = LprSeries.from_rows(rows).known_until
    return {"latest": rows[0], "known_until": known_until, "stale": today() > known_until}


@bp.route("/lpr", methods=["GET", "POST"])
def lpr_rates():
    session = get_session()
    rows = lpr_table.list_rates(session)  # newest first; a refused add changes nothing
    return _list_or_create(
        lambda form: lpr_table.add_rate(session, actor(), _typed(form)),
        lambda rate: _("LPR of %(date)s added.", date=fmt_date(rate.effective_date)),
        "admin/lpr.html",
        lambda: rows,
        **_lpr_horizon(rows),
    )


@bp.route("/lpr/<int:rate_id>", methods=["GET", "POST"])
def lpr_rate(rate_id: int):
    session = get_session()
    rate = lpr_table.get_rate(session, rate_id)  # NotFound: 404
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        form = {
            "effective_date": rate.effective_date.isoformat(),
            "lpr_1y": f"{rate.lpr_1y:.2f}",
            "lpr_5y": f"{rate.lpr_5y:.2f}",
        }
    else:
        form = request.form.to_dict()
        try:
            lpr_table.update_rate(session, actor(), rate, _blank_to_none(form))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            flash(_("LPR of %(date)s updated.", date=fmt_date(rate.effective_date)), "success")
            return redirect(url_for("admin.lpr_rates"), 303)
    page = render_template("admin/lpr_edit.html", rate=rate, form=form, errors=errors)
    return page, 422 if errors else 200


@bp.route("/lpr/<int:rate_id>/delete", methods=["POST"])
def delete_lpr_rate(rate_id: int):
    session = get_session()
    rate = lpr_table.get_rate(session, rate_id)
    day = rate.effective_date
    lpr_table.delete_rate(session, actor(), rate)
    flash(_("LPR of %(date)s deleted.", date=fmt_date(day)), "success")
    return redirect(url_for("admin.lpr_rates"), 303)
