"""Login, logout and language choice."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email

from cases.errors import ValidationError
from cases.users.operations import authenticate, change_password
from webapp.auth import is_safe_next
from webapp.db import get_session
from webapp.extensions import limiter
from webapp.i18n import LOCALES, tr

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Remember me")


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.index"))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = authenticate(get_session(), form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
            return render_template("auth/login.html", form=form), 200
        session.clear()
        login_user(user, remember=form.remember.data)
        get_session().info["actor_id"] = user.id
        return redirect(next_url if is_safe_next(next_url) else url_for("cases.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; this session stays, every other one ends."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        new = request.form.get("password", "")
        if new != request.form.get("confirm", ""):
            errors["confirm"] = [_("The two new passwords differ.")]
        else:
            user = current_user._get_current_object()
            try:
                change_password(get_session(), user, request.form.get("current_password", ""), new)
            except ValidationError as exc:
                errors = {f: [tr(m) for m in msgs] for f, msgs in exc.errors.items()}
            else:
                login_user(user)  # the session cookie carries the new password stamp
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("cases.index"))
    return render_template("auth/password.html", errors=errors), 422 if errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in LOCALES:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code  # remembered for the next login
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("cases.index"))
