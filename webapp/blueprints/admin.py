"""Administration pages: users, law firms, creditor entities, the LPR table, versions of the
document templates (admin only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import select

from cases.base import today
from cases.documents import catalog
from cases.documents import versions as template_versions
from cases.documents.archive import DOCX_TYPE
from cases.errors import N_, DomainError, NotFound, ValidationError
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


# ---- document templates and their uploaded versions -------------------------------------------


def _template(name: str) -> catalog.TemplateInfo:
    try:
        return catalog.get(name)
    except DomainError:
        raise NotFound(N_("No such document template")) from None


def _store():
    return current_app.extensions["qingshou_files"]


def _send_docx(path: Path, download_name: str):
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=DOCX_TYPE, as_attachment=True, download_name=download_name, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/templates")
def document_templates():
    active = template_versions.active_versions(get_session())
    return render_template("admin/templates.html", templates=catalog.shipped(), active=active)


@bp.route("/templates/<name>", methods=["GET", "POST"])
def template_versions_page(name: str):
    session = get_session()
    info = _template(name)
    errors: dict[str, list[str]] = {}
    if request.method == "GET":
        form = {"version": template_versions.next_version(session, name), "activate": "y"}
    else:
        form = request.form.to_dict()
        upload = request.files.get("file")
        data = upload.read(template_versions.MAX_BYTES + 1) if upload else b""
        try:
            row = template_versions.upload_version(
                session,
                actor(),
                _store(),
                name,
                data,
                version=form.get("version", ""),
                note=form.get("note", ""),
                activate=form.get("activate") == "y",
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            params = {"version": row.version, "title": info.title}
            if row.is_active:
                flash(
                    _("Version %(version)s of %(title)s uploaded and now in use.", **params),
                    "success",
                )
            else:
                flash(_("Version %(version)s of %(title)s uploaded.", **params), "success")
            return redirect(url_for("admin.template_versions_page", name=name), 303)
    rows = template_versions.versions(session, name)
    uploaders = {
        user.id: user.name
        for user in session.exec(select(User).where(User.id.in_({r.uploaded_by_id for r in rows})))
    }
    page = render_template(
        "admin/template_versions.html",
        info=info,
        rows=rows,
        uploaders=uploaders,
        in_use=next((r for r in rows if r.is_active), None),
        fields=sorted(info.context_class.model_fields),
        max_mb=template_versions.MAX_BYTES // template_versions.MB,
        form=form,
        errors=errors,
    )
    return page, 422 if errors else 200


@bp.post("/templates/<name>/versions/<int:version_id>/activate")
def activate_template_version(name: str, version_id: int):
    session = get_session()
    info = _template(name)
    row = template_versions.get_version(session, name, version_id)
    template_versions.activate(session, actor(), row.id)
    flash(
        _("Version %(version)s of %(title)s is now in use.", version=row.version, title=info.title),
        "success",
    )
    return redirect(url_for("admin.template_versions_page", name=name), 303)


@bp.get("/templates/<name>/versions/<int:version_id>/download")
def download_template_version(name: str, version_id: int):
    info = _template(name)
    row = template_versions.get_version(get_session(), name, version_id)
    return _send_docx(_store().path(row.stored_name), f"{info.title}-v{row.version}.docx")


@bp.post("/templates/<name>/shipped/activate")
def activate_shipped_template(name: str):
    info = template_versions.use_shipped(get_session(), actor(), _template(name).name)
    flash(
        _(
            "Version %(version)s of %(title)s from the repository is now in use.",
            version=info.version,
            title=info.title,
        ),
        "success",
    )
    return redirect(url_for("admin.template_versions_page", name=name), 303)


@bp.get("/templates/<name>/shipped/download")
def download_shipped_template(name: str):
    info = _template(name)
    return _send_docx(info.path, f"{info.title}-v{info.version}.docx")
