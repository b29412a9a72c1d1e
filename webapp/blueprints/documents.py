"""Generating a document from a case page: choose a template, fill in what the register does
not know, preview the document's text, generate (archived on the case as a new revision),
download.

``GET /cases/<id>/documents/new`` lists the templates (those suiting the case's stage and
creditor first); with ``?template=NAME`` it shows that template's form. ``POST`` with
``action=preview`` renders the document and shows its text beside the form; ``action=generate``
stores it. A refused form comes back with status 422, what was typed, and each message beside
its field; nothing is stored.
"""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from pydantic import BaseModel

from cases.base import today
from cases.documents import catalog, schemas, versions
from cases.documents.context import build_context
from cases.documents.generate import ConversionError, generate_document
from cases.documents.render import render_docx
from cases.errors import N_, DomainError, NotFound, ValidationError
from cases.parties.models import Creditor
from cases.register import policies
from cases.register.models import Case
from webapp import docforms, forms
from webapp.auth import actor
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr

bp = Blueprint("documents", __name__)

PAY_BY_DAYS = 10  # the pay-by date offered: ten days from today (the letter says 收函后…)


def template_or_404(name: str) -> catalog.TemplateInfo:
    """The template as generation uses it: the active uploaded version, else the shipped one."""
    try:
        store = current_app.extensions["qingshou_files"]
        return versions.current(get_session(), name, store=store)
    except (KeyError, DomainError):
        raise NotFound(N_("No such document template")) from None


def _suitable(case: Case) -> list[tuple[catalog.TemplateInfo, bool]]:
    """Every template, those suiting the case's stage and creditor first (flagged)."""
    is_bank = get_session().get(Creditor, case.creditor_id).is_bank
    return [
        (info, info.suits(case.stage, is_bank)) for info in catalog.for_case(case.stage, is_bank)
    ]


def preview_text(data: bytes) -> list[list[str]]:
    """The document as blocks of text: each paragraph, and each table row's cells."""
    document = Document(io.BytesIO(data))
    blocks: list[list[str]] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            blocks.append([text])
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            texts = (t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                            cells.append("".join(texts))
                    blocks.append(cells)
    return blocks


def _page(case: Case, info: catalog.TemplateInfo, form: FormState, preview=None, status=200):
    fields = docforms.widgets(fields_model(info))
    rows = {w.name: docforms.row_count(request.form, w) for w in fields if w.kind == "rows"}
    page = render_template(
        "documents/new.html",
        case=case,
        info=info,
        widgets=fields,
        rows=rows,
        form=form,
        preview=preview,
        tr=tr,
    )
    return page, status


def fields_model(info: catalog.TemplateInfo) -> type[BaseModel]:
    """What a person types for ``info``: ``LawyerLetterContext`` → ``LawyerLetterFields``."""
    return getattr(schemas, info.schema.removesuffix("Context") + "Fields")


@bp.get("/<int:case_id>/documents/new")
@login_required
def new(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.generate_document")
    name = request.args.get("template", "")
    if not name:
        return render_template("documents/choose.html", case=case, templates=_suitable(case))
    info = template_or_404(name)
    return _page(case, info, FormState(default_values(info, user)))


def default_values(info: catalog.TemplateInfo, user) -> dict[str, str]:
    """What a fresh form offers: a pay-by date ten days out; a lawyer signs as themselves."""
    wanted = fields_model(info).model_fields
    values = {}
    if "pay_by" in wanted:
        values["pay_by"] = (today() + timedelta(days=PAY_BY_DAYS)).isoformat()
    if "lawyers" in wanted and user.firm_id:
        values["lawyers"] = user.name
    return values


@bp.post("/<int:case_id>/documents/new")
@login_required
def generate(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.generate_document")
    if not request.args.get("template"):
        return redirect(url_for(".new", case_id=case.id), 303)  # choose one first
    info = template_or_404(request.args["template"])
    model = fields_model(info)
    form = FormState(forms.submitted(request.form))
    fields = docforms.parse(model, request.form)
    try:
        if request.form.get("action") == "generate":
            row = generate_document(
                session,
                user,
                case,
                current_app.extensions["qingshou_files"],
                info.name,
                on=today(),
                fields=fields,
                with_pdf=bool(request.form.get("pdf")),
            )
            flash(
                _(
                    "%(title)s generated (revision %(revision)s).",
                    title=info.title,
                    revision=row.revision,
                ),
                "success",
            )
            return redirect(url_for("casefile.detail", case_id=case.id) + "#documents", 303)
        context = build_context(session, case, info.name, on=today(), fields=fields)
        return _page(case, info, form, preview=preview_text(render_docx(info.path, context)))
    except ValidationError as exc:
        form.errors = {}
        for key, messages in exc.errors.items():
            name = docforms.error_key(key)
            known = name.split("-", 1)[0] in model.model_fields
            form.errors.setdefault(name if known else forms.FORM_ERROR, []).extend(
                tr(m) for m in messages
            )
        session.rollback()
        return _page(case, info, form, status=422)
    except ConversionError:
        session.rollback()
        form.errors = {forms.FORM_ERROR: [_("The PDF could not be made; try without it.")]}
        return _page(case, info, form, status=422)
