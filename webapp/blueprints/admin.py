"""Administration pages: users, law firms, creditor entities (admin only)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import select

from cases.errors import ValidationError
from cases.parties.models import Creditor
from cases.users import admin as ops
from cases.users.models import LawFirm, Role, User
from webapp.auth import actor
from webapp.db import get_session
from webapp.i18n import tr

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


@bp.route("/users", methods=["GET", "POST"])
def users():
    session = get_session()
    errors: dict[str, list[str]] = {}
    form = request.form.to_dict()
    if request.method == "POST":
        data = _blank_to_none(form)
        data["firm_id"] = int(data["firm_id"]) if (data.get("firm_id") or "").isdigit() else None
        try:
            user = ops.add_user(session, actor(), data)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    rows = session.exec(select(User).order_by(User.role, User.email)).all()
    firms = session.exec(select(LawFirm).order_by(LawFirm.name)).all()
    status = 422 if errors else 200
    return render_template(
        "admin/users.html", rows=rows, firms=firms, roles=list(Role), form=form, errors=errors
    ), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    try:
        ops.set_active(session, actor(), user, request.form.get("active") == "1")
    except ValidationError as exc:
        flash(" ".join(m for msgs in _errors(exc).values() for m in msgs), "error")
        return redirect(url_for("admin.users")), 303
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    session = get_session()
    user = session.get(User, user_id) or abort(404)
    try:
        ops.reset_password(session, actor(), user, request.form.get("password", ""))
    except ValidationError as exc:
        flash(" ".join(m for msgs in _errors(exc).values() for m in msgs), "error")
        return redirect(url_for("admin.users")), 303
    flash(
        _("New password set for %(email)s; their sessions have ended.", email=user.email), "success"
    )
    return redirect(url_for("admin.users"))


@bp.route("/firms", methods=["GET", "POST"])
def firms():
    session = get_session()
    errors: dict[str, list[str]] = {}
    form = request.form.to_dict()
    if request.method == "POST":
        try:
            firm = ops.add_firm(session, actor(), _blank_to_none(form))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            flash(_("Law firm %(name)s created.", name=firm.name), "success")
            return redirect(url_for("admin.firms"))
    rows = session.exec(select(LawFirm).order_by(LawFirm.name)).all()
    return render_template("admin/firms.html", rows=rows, form=form, errors=errors), (
        422 if errors else 200
    )


@bp.route("/creditors", methods=["GET", "POST"])
def creditors():
    session = get_session()
    errors: dict[str, list[str]] = {}
    form = request.form.to_dict()
    if request.method == "POST":
        data = _blank_to_none(form)
        data["is_bank"] = form.get("is_bank") == "y"
        parent = data.get("parent_id") or ""
        data["parent_id"] = int(parent) if parent.isdigit() else None
        try:
            creditor = ops.add_creditor(session, actor(), data)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            flash(_("Creditor %(name)s created.", name=creditor.name), "success")
            return redirect(url_for("admin.creditors"))
    rows = session.exec(select(Creditor).order_by(Creditor.name)).all()
    return render_template("admin/creditors.html", rows=rows, form=form, errors=errors), (
        422 if errors else 200
    )
