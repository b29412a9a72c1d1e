"""One case: intake, detail, edits, stage moves, progress, payments, attachments.

Every handler goes load (``policies.authorize``: 404 for a case the actor may not see, then 403
without the capability) → validate → call one operation → respond. A refused operation
re-renders its form with status 422, the values as typed and each message beside its field;
the request's transaction is then rolled back by ``webapp.db``, so nothing is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from cases.base import BUSINESS_TZ, today
from cases.documents import archive
from cases.documents.pdf import html_to_pdf
from cases.errors import N_, DomainError, PermissionDenied, ValidationError
from cases.interest.lpr import load_series
from cases.ledger.models import (
    PAYMENT_EVENT_LABELS,
    PAYMENT_METHOD_LABELS,
    PAYMENT_STATUS_LABELS,
    PaymentMethod,
    PaymentStatus,
)
from cases.ledger.operations import record_payment as record_payment_op
from cases.parties.models import PARTY_KIND_LABELS
from cases.register import casefile, keydates, policies, schedule, statement
from cases.register.models import LABELS, Case, CreditGrade
from cases.register.operations import create_case, move_stage, tag_names, update_case
from cases.register.stages import ACTION_LABELS, STAGE_LABELS, actions_from
from cases.timeline.models import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    LOGGABLE_KINDS,
    Attachment,
    EventKind,
)
from cases.timeline.operations import attach_file
from cases.timeline.operations import log_event as log_event_op
from cases.timeline.storage import check_upload
from cases.users.models import LawFirm, Role, User
from cases.writeoffs.packet import latest_application
from webapp import forms
from webapp.auth import actor
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import money, tr
from webapp.panels import panel_context

bp = Blueprint("casefile", __name__)

NOTE_MAX = 4000  # the timeline's summary column


# ---- choices for selects --------------------------------------------------------------------


def _labelled(prefix: str) -> list[tuple[str, str]]:
    return [
        (key.split(".", 1)[1], tr(msgid))
        for key, msgid in LABELS.items()
        if key.startswith(prefix + ".")
    ]


def _enum(labels: Mapping) -> list[tuple[str, str]]:
    return [(str(key), tr(msgid)) for key, msgid in labels.items()]


def _choices(**more: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    return {
        "credit_grade": [(g.value, g.value) for g in CreditGrade],
        "risk_level": _labelled("risk"),
        "loan_class": _labelled("loan_class"),
        "status": _labelled("status"),
        "claim_kind": _labelled("claim_kind"),
        "guarantee_kind": _labelled("guarantee"),
        "evidence_kind": _labelled("evidence"),
        "party_kind": _enum(PARTY_KIND_LABELS),
        "interest_basis": [("365", "365"), ("360", "360")],
        "event_kind": [(k.value, tr(EVENT_LABELS[k])) for k in LOGGABLE_KINDS],
        "channel": _enum(CHANNEL_LABELS),
        "method": _enum(PAYMENT_METHOD_LABELS),
        **more,
    }


def _people(choices: casefile.CaseChoices) -> dict[str, list[tuple[str, str]]]:
    return {
        "creditor": [(str(c.id), c.name) for c in choices.creditors],
        "handler": [(str(u.id), u.name) for u in choices.handlers],
        "firm": [(str(f.id), f.name) for f in choices.firms],
    }


# ---- intake and edit ------------------------------------------------------------------------


def _render_intake(form: FormState, status: int = 200):
    choices = _choices(**_people(casefile.case_choices(get_session())))
    return render_template(
        "casefile/new.html", form=form, choices=choices, rows=forms.INTAKE_ROWS
    ), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    user = actor()
    policies.require(user, "case.create")
    if request.method == "GET":
        handler = str(user.id) if user.role == Role.LEGAL else ""
        return _render_intake(FormState({"handler_id": handler, "debtor.kind": "company"}))
    form = FormState(forms.submitted(request.form))
    payload, rename = forms.intake_payload(form.values)
    try:
        case = create_case(get_session(), user, payload)
    except ValidationError as exc:
        form.errors = forms.errors(exc, forms.intake_fields(form), rename)
        return _render_intake(form, 422)
    flash(_("Case %(number)s has been registered.", number=case.number), "success")
    return redirect(url_for(".detail", case_id=case.id), 303)


def _case_values(case: Case, tags: list[str]) -> dict[str, str]:
    values = {
        name: "" if getattr(case, name) is None else str(getattr(case, name))
        for name in forms.EDIT_FIELDS
        if name != "tags"
    }
    values["tags"] = ", ".join(tags)
    return values


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.edit")
    if request.method == "GET":
        form = FormState(_case_values(case, tag_names(session, case.id)))
    else:
        form = FormState(forms.submitted(request.form))
        try:
            update_case(session, user, case, forms.edit_payload(form.values))
        except ValidationError as exc:
            form.errors = forms.errors(exc, forms.EDIT_FIELDS)
        else:
            flash(_("The case has been updated."), "success")
            return redirect(url_for(".detail", case_id=case.id), 303)
    choices = _choices(**_people(casefile.case_choices(session, handler_id=case.handler_id)))
    firm = session.get(LawFirm, case.firm_id) if case.firm_id else None  # engagements set it
    page = render_template("casefile/edit.html", case=case, form=form, choices=choices, firm=firm)
    return page, 422 if form.errors else 200


# ---- the case file page and its action forms ------------------------------------------------


def _defaults(file: casefile.CaseFile) -> dict[str, FormState]:
    now = datetime.now(BUSINESS_TZ)
    return {
        "move": FormState(),
        "event": FormState(
            {
                "kind": EventKind.CONTACT.value,
                "occurred_on": now.date().isoformat(),
                "occurred_time": now.strftime("%H:%M"),
            }
        ),
        "payment": FormState(
            {
                "received_on": today().isoformat(),
                "payer": file.debtor.name,
                "method": PaymentMethod.BANK_TRANSFER.value,
            }
        ),
        "upload": FormState(),
        "key_date": FormState({"on": today().isoformat()}),
        "reject_payment": FormState(),
    }


def _as_of() -> tuple[date, str | None]:
    """The statement date asked for with ``?as_of=`` (today by default), and an error."""
    typed = request.args.get("as_of", "").strip()
    if not typed:
        return today(), None
    try:
        return date.fromisoformat(typed), None
    except ValueError:
        return today(), _("Not a valid date: %(value)s", value=typed)


def _figures(session, case: Case, file: casefile.CaseFile) -> dict:
    """What the page computes: the statement on the chosen date, payments as applied, and
    the case's deadlines (``cases.register.statement`` and ``.schedule``)."""
    lpr = load_series(session)
    generated = archive.generated_for(session, case.id)
    on = today()
    as_of, as_of_error = _as_of()
    owed = statement.compute(file.claims, file.payments, as_of, lpr)
    now = owed if as_of == on else statement.compute(file.claims, file.payments, on, lpr)
    return {
        "today": on,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "owed": owed,
        "applied": {p.payment_id: p for p in now.payments},
        "deadlines": schedule.case_deadlines(session, case),
        "key_dates": keydates.key_dates(session, case.id),
        "generated": generated,
        "generator_names": casefile.user_names(session, (g.created_by_id for g in generated)),
    }


def _rate(value: Decimal) -> str:
    """A stored rate without trailing zeros: 4.3500 → 4.35."""
    return f"{value.normalize():f}"


def _size(size: int) -> str:
    """A file size in the units every locale reads: 512 B, 1.5 KB, 2.0 MB."""
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 2**20 else f"{size / 2**20:.1f} MB"


def _render_detail(case: Case, user: User, refused: tuple[str, FormState] | None = None):
    session = get_session()
    if refused:
        session.rollback()  # show the case as it is, without the refused change
    file = casefile.load(session, case, user)
    states = _defaults(file)
    if refused:
        states[refused[0]] = refused[1]
    choices = _choices(
        action=[(a.value, tr(ACTION_LABELS[a])) for a in actions_from(case.stage)],
        claim=[(str(c.id), f"{c.contract_ref} {c.contract_title}") for c in file.claims],
        key_date_kind=_enum(keydates.KEY_DATE_LABELS),
    )
    audit = (
        casefile.audit_trail(session, case.id) if policies.can(user, "case.view_audit") else None
    )
    page = render_template(
        "casefile/detail.html",
        file=file,
        case=case,
        forms=states,
        choices=choices,
        audit=audit,
        STAGE_LABELS=STAGE_LABELS,
        EVENT_LABELS=EVENT_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
        PAYMENT_METHOD_LABELS=PAYMENT_METHOD_LABELS,
        PAYMENT_STATUS_LABELS=PAYMENT_STATUS_LABELS,
        PAYMENT_EVENT_LABELS=PAYMENT_EVENT_LABELS,
        PARTY_KIND_LABELS=PARTY_KIND_LABELS,
        AUDIT_ACTION_LABELS=casefile.AUDIT_ACTION_LABELS,
        AUDIT_ENTITY_LABELS=casefile.AUDIT_ENTITY_LABELS,
        AUDIT_FIELD_LABELS=casefile.AUDIT_FIELD_LABELS,
        KEY_DATE_LABELS=keydates.KEY_DATE_LABELS,
        rate=_rate,
        size=_size,
        **_figures(session, case, file),
        **panel_context(session, user, case),
        max_upload_mb=current_app.config["MAX_UPLOAD_BYTES"] // 2**20,
    )
    return page, 422 if refused else 200


def case_page(case: Case, user: User, refused: tuple[str, FormState] | None = None):
    """The case page (status 422 with ``refused``: a form shown again with its errors), for
    the areas whose forms live on it."""
    return _render_detail(case, user, refused)


@bp.get("/<int:case_id>")
@login_required
def detail(case_id: int):
    user = actor()
    return _render_detail(policies.get_visible_case(get_session(), user, case_id), user)


@bp.get("/<int:case_id>/summary.pdf")
@login_required
def summary_pdf(case_id: int):
    """The case on two or three A4 pages for a meeting or a file (WeasyPrint, embedded font)."""
    session, user = get_session(), actor()
    case = policies.get_visible_case(session, user, case_id)
    file = casefile.load(session, case, user)
    html = render_template(
        "pdf/case_summary.html",
        file=file,
        case=case,
        EVENT_LABELS=EVENT_LABELS,
        PAYMENT_STATUS_LABELS=PAYMENT_STATUS_LABELS,
        PAYMENT_EVENT_LABELS=PAYMENT_EVENT_LABELS,
        **_figures(session, case, file),
    )
    return _pdf_response(html, f"{case.number}-案件摘要.pdf")


def _pdf_response(html: str, filename: str):
    """``html`` as a PDF shown in the browser, never cached (it holds a debtor's data)."""
    response = make_response(html_to_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


WRITEOFF = "writeoff_application"  # the 核销申请表 the packet's cover is made from
WRITEOFF_STEPS = (
    N_("Legal department (applicant)"),
    N_("Finance review"),
    N_("Management approval"),
)


@bp.get("/<int:case_id>/writeoff-packet.pdf")
@login_required
def writeoff_pdf(case_id: int):
    """The write-off packet of the case's latest application (``packets.pdf``); without an
    application, the cover and a paper approval sheet from the latest 核销申请表 generated."""
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.writeoff_packet")
    application = latest_application(session, case.id)
    if application is not None:
        return redirect(url_for("packets.pdf", application_id=application.id), 303)
    made = [g for g in archive.generated_for(session, case.id) if g.template == WRITEOFF]
    latest = made[0] if made else None  # newest first
    if latest is None:
        flash(_("Generate the write-off application form (核销申请表) first."), "error")
        return redirect(url_for("documents.new", case_id=case.id), 303)
    file = casefile.load(session, case, user)
    form_file = session.get(Attachment, latest.attachment_id)
    html = render_template(
        "pdf/writeoff_cover.html",
        file=file,
        case=case,
        context=latest.context,
        form_made=latest,
        sha256=form_file.sha256,
        steps=WRITEOFF_STEPS,
        **_figures(session, case, file),
    )
    return _pdf_response(html, f"{case.number}-核销申请材料.pdf")


@bp.post("/<int:case_id>/stage")
@login_required
def move(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.move_stage")
    form = FormState(forms.submitted(request.form))
    note = form.value("note")
    try:
        if len(note) > NOTE_MAX:
            raise ValidationError.single(
                "note", N_("At most %(max_length)s characters"), max_length=NOTE_MAX
            )
        move_stage(session, user, case, form.value("action"), note=note)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("action", "note"))
        return _render_detail(case, user, ("move", form))
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _render_detail(case, user, ("move", form))
    flash(_("The case is now at stage “%(stage)s”.", stage=tr(STAGE_LABELS[case.stage])), "success")
    return redirect(url_for(".detail", case_id=case.id), 303)


def _uploads(field: str = "file") -> list[tuple[str, bytes]]:
    """The files posted in ``field`` as (name, bytes), all checked before any is saved."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    files = []
    for storage in request.files.getlist(field):
        if not storage.filename:
            continue  # an empty file input
        name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1]
        name = "".join(ch for ch in name if ch.isprintable())
        data = storage.read(max_bytes + 1)
        check_upload(name, data, max_bytes=max_bytes)
        files.append((name, data))
    return files


def _attach(
    case: Case, user: User, files: list[tuple[str, bytes]], event=None, doc_type=None
) -> None:
    store = current_app.extensions["qingshou_files"]
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    for name, data in files:
        attach_file(
            get_session(),
            user,
            case,
            store,
            filename=name,
            data=data,
            max_bytes=max_bytes,
            event=event,
            doc_type=doc_type,
        )


# The timeline form's progress step (cases.portal.steps) and its typed file rows
# (``doc_type.N`` + ``file.N``, see portal/_typed_files.html); a plain ``file`` stays untyped.
STEP_FIELDS = ("step", "court_case_no", "seized_asset")
FILE_ROWS = 3


def _event_payload(values: Mapping[str, str]) -> dict:
    data = forms.event_payload(values)
    data.update({name: values[name] for name in STEP_FIELDS if values.get(name)})
    return data


def _typed_uploads() -> list[tuple[str | None, list[tuple[str, bytes]]]]:
    """The timeline form's files grouped by the document type chosen for their row."""
    groups: list[tuple[str | None, list[tuple[str, bytes]]]] = [(None, _uploads())]
    for n in range(FILE_ROWS):
        groups.append((request.form.get(f"doc_type.{n}") or None, _uploads(f"file.{n}")))
    return [(doc_type, files) for doc_type, files in groups if files]


@bp.post("/<int:case_id>/events")
@login_required
def log_event(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.log_event")
    form = FormState(forms.submitted(request.form))
    try:
        groups = _typed_uploads()
        event = log_event_op(session, user, case, _event_payload(form.values))
        for doc_type, files in groups:
            _attach(case, user, files, event, doc_type)
    except ValidationError as exc:
        fields = (*forms.EVENT_FIELDS, *STEP_FIELDS, "doc_type")
        form.errors = forms.errors(exc, fields, forms.event_key)
        return _render_detail(case, user, ("event", form))
    flash(_("The entry has been added to the timeline."), "success")
    return redirect(url_for(".detail", case_id=case.id) + "#timeline", 303)


@bp.post("/<int:case_id>/payments")
@login_required
def record_payment(case_id: int):
    """Finance records money (confirmed at once); legal staff, admins and counsel report it
    (pending until finance confirms): ``cases.ledger.operations.record_payment`` decides."""
    session, user = get_session(), actor()
    case = policies.get_visible_case(session, user, case_id)
    if not (policies.can(user, "payment.confirm") or policies.can(user, "payment.report")):
        raise PermissionDenied(N_("You are not allowed to do this."))
    form = FormState(forms.submitted(request.form))
    try:
        payment = record_payment_op(session, user, case, forms.payment_payload(form.values))
    except ValidationError as exc:
        form.errors = forms.errors(exc, forms.PAYMENT_FIELDS)
        return _render_detail(case, user, ("payment", form))
    if payment.status == PaymentStatus.CONFIRMED:
        flash(
            _("A payment of %(amount)s has been recorded.", amount=money(payment.amount)),
            "success",
        )
    else:
        flash(
            _(
                "%(amount)s reported: it counts once finance confirms it.",
                amount=money(payment.amount),
            ),
            "success",
        )
    return redirect(url_for(".detail", case_id=case.id) + "#payments", 303)


@bp.post("/<int:case_id>/key-dates")
@login_required
def add_key_date(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.key_dates")
    form = FormState(forms.submitted(request.form))
    try:
        data = {k: v for k, v in form.values.items() if v != ""}
        row = keydates.add_key_date(session, user, case, data)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("kind", "on", "note"))
        return _render_detail(case, user, ("key_date", form))
    flash(
        _(
            "Recorded: %(what)s on %(date)s.",
            what=tr(keydates.KEY_DATE_LABELS[row.kind]),
            date=row.on,
        ),
        "success",
    )
    return redirect(url_for(".detail", case_id=case.id) + "#deadlines", 303)


@bp.post("/<int:case_id>/key-dates/<int:key_date_id>/delete")
@login_required
def remove_key_date(case_id: int, key_date_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.key_dates")
    keydates.remove_key_date(session, user, case, key_date_id)
    flash(_("The date has been removed."), "success")
    return redirect(url_for(".detail", case_id=case.id) + "#deadlines", 303)


@bp.post("/<int:case_id>/attachments")
@login_required
def upload(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "case.attach")
    form = FormState()
    try:
        files = _uploads()
        if not files:
            raise ValidationError.single("file", N_("Choose a file to upload"))
        _attach(case, user, files)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("file",))
        return _render_detail(case, user, ("upload", form))
    flash(_("Files uploaded: %(count)s.", count=len(files)), "success")
    return redirect(url_for(".detail", case_id=case.id) + "#documents", 303)


@bp.get("/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def download(case_id: int, attachment_id: int):
    session, user = get_session(), actor()
    case = policies.get_visible_case(session, user, case_id)
    attachment = casefile.case_attachment(session, case, attachment_id, user)
    store = current_app.extensions["qingshou_files"]
    response = send_file(
        store.path(attachment.stored_name),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
