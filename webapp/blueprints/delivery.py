"""Proof of delivery of letters, one at a time or from a courier's file.

On the case page (panel ``casefile/_panel_delivery.html``) those with ``delivery.record``
register a sending (which generated letter, carrier, tracking number, sent date), later record
its outcome — signed for, refused, returned — with the signed receipt, or both at once; and
undo a wrong record. An outcome that reached the debtor records the DEMAND_DELIVERED key date
and the flash says how the limitation date moved (old → new).

For a bulk run of letters, ``/documents/runs/<id>/deliveries`` registers the sendings from a
CSV/XLSX (case number + tracking number; a CSV of the run's letters to fill in is offered) and
imports a courier's file of outcomes; each file is checked whole and applied all or nothing
(a refused file answers 422, so ``webapp.db`` rolls everything back).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session

from cases.base import business_time, today
from cases.delivery import bulk as delivery_bulk
from cases.delivery import operations as ops
from cases.delivery.columns import OUTCOME_COLUMNS, SENDING_COLUMNS
from cases.delivery.models import (
    CARRIER_LABELS,
    OUTCOMES,
    STATUS_LABELS,
    Carrier,
    Delivery,
    DeliveryStatus,
)
from cases.delivery.rules import OUTCOME_RULES, LimitationChange, any_moved, interrupts
from cases.errors import N_, DomainError, ValidationError
from cases.register import policies
from cases.register.keydates import KeyDate
from cases.register.models import Case
from cases.timeline.models import Attachment
from cases.timeline.storage import check_upload
from cases.users.models import User
from webapp import forms
from webapp.auth import actor, require_capability
from webapp.blueprints.casefile import _render_detail
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import fmt_date, tr
from webapp.panels import panel

bp = Blueprint("delivery", __name__)

OTHER = "other"  # the letter select's value for a document not generated here
SENDING_FIELDS = ("document_id", "title", "carrier", "tracking_no", "sent_on")
OUTCOME_FIELDS = ("status", "outcome_on", "signer", "note")
RUN_ROWS_SHOWN = 500


# ---- the case page's panel ------------------------------------------------------------------


def _letter_label(doc) -> str:
    made = fmt_date(business_time(doc.created_at).date())
    return _(
        "%(title)s, revision %(revision)s of %(date)s",
        title=doc.title,
        revision=doc.revision,
        date=made,
    )


@panel
def _panel(session: Session, user: User, case: Case) -> dict[str, Any]:
    deliveries = ops.deliveries_of(session, case.id)
    letters = ops.demand_letters(session, case.id)
    key_ids = [d.key_date_id for d in deliveries if d.key_date_id]
    key_dates = {k.id: k for k in _rows(session, KeyDate, key_ids)}
    receipts = {a.id: a for a in _rows(session, Attachment, [d.receipt_id for d in deliveries])}
    first = str(letters[0].id) if letters else OTHER
    return {
        "delivery_rows": deliveries,
        "delivery_key_dates": key_dates,
        "delivery_receipts": receipts,
        "delivery_by_key_date": {d.key_date_id: d for d in deliveries if d.key_date_id},
        "delivery_letter_files": {
            doc.id: doc.pdf_attachment_id or doc.attachment_id for doc in letters
        },
        "delivery_letters": [(str(doc.id), _letter_label(doc)) for doc in letters]
        + [(OTHER, _("Another document (give its title)"))],
        "delivery_default": FormState(
            {"document_id": first, "carrier": Carrier.EMS.value, "sent_on": today().isoformat()}
        ),
        "delivery_outcome_default": FormState({"outcome_on": today().isoformat()}),
        "delivery_carriers": [(c.value, tr(label)) for c, label in CARRIER_LABELS.items()],
        "delivery_outcomes": [(s.value, tr(STATUS_LABELS[s])) for s in OUTCOMES],
        "DELIVERY_STATUS_LABELS": STATUS_LABELS,
        "DELIVERY_CARRIER_LABELS": CARRIER_LABELS,
        "DELIVERY_RULES": OUTCOME_RULES,
    }


def _rows(session: Session, model, ids: list[int | None]) -> list:
    found = (session.get(model, i) for i in ids if i is not None)
    return [row for row in found if row is not None]


# ---- messages -------------------------------------------------------------------------------

NOT_INTERRUPTED = N_(
    "The limitation period is not interrupted (诉讼时效规定 第八条: the letter did not reach the "
    "debtor)."
)
INTERRUPTED = N_(
    "The limitation period is interrupted (诉讼时效规定 第八条) and restarts from that day."
)
NOT_TRACKED = N_(
    "No limitation period is tracked on this case (suit filed, case closed or nothing outstanding)."
)
UNCHANGED = N_(
    "A later interruption is already on record: the limitation period still ends on %(date)s."
)
MOVED = N_("Limitation period ends: %(changes)s.")


def _changes_text(found: list[LimitationChange]) -> str:
    parts = []
    for change in found:
        dates = f"{fmt_date(change.before)} → {fmt_date(change.after)}"
        parts.append(f"{change.subject} {dates}" if change.subject else dates)
    return "；".join(parts)


def _outcome_message(delivery: Delivery, found: list[LimitationChange]) -> str:
    status, on = delivery.status, fmt_date(delivery.outcome_on)
    if status == DeliveryStatus.DELIVERED:
        said = _("Signed for on %(date)s by %(signer)s.", date=on, signer=delivery.signer)
    elif status == DeliveryStatus.REFUSED:
        said = _("Refused by the addressee on %(date)s.", date=on)
    else:
        said = _("Returned undelivered on %(date)s.", date=on)
    if not interrupts(status):
        return f"{said} {_(NOT_INTERRUPTED)}"
    said = f"{said} {_(INTERRUPTED)}"
    if not found:
        return f"{said} {_(NOT_TRACKED)}"
    if not any_moved(found):
        ends = "；".join(fmt_date(change.after) for change in found)
        return f"{said} {_(UNCHANGED, date=ends)}"
    return f"{said} {_(MOVED, changes=_changes_text(found))}"


# ---- one at a time --------------------------------------------------------------------------


def _receipt() -> ops.Receipt | None:
    """The uploaded receipt, checked before anything is stored."""
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return None
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    data = storage.read(max_bytes + 1)
    check_upload(name, data, max_bytes=max_bytes)
    return ops.Receipt(name, data)


def _keep(session, user, case, delivery, receipt: ops.Receipt | None) -> None:
    if receipt is not None:
        ops.attach_receipt(
            session,
            user,
            case,
            delivery,
            current_app.extensions["qingshou_files"],
            receipt,
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        )


def _sending(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: values[k] for k in SENDING_FIELDS[2:] if values.get(k)}
    letter = values.get("document_id", "")
    if letter.isdigit():
        data["document_id"] = int(letter)
    elif letter == OTHER and values.get("title"):
        data["title"] = values["title"]
    return data


def _outcome(values: dict[str, str]) -> dict[str, Any]:
    return {k: values[k] for k in OUTCOME_FIELDS if values.get(k)}


def _back(case: Case, delivery_id: int | None = None):
    anchor = f"#delivery-{delivery_id}" if delivery_id else "#delivery"
    return redirect(url_for("casefile.detail", case_id=case.id) + anchor, 303)


@bp.post("/cases/<int:case_id>/deliveries")
@login_required
def register(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "delivery.record")
    form = FormState(forms.submitted(request.form))
    outcome = _outcome(form.values) if form.value("status") else None
    try:
        receipt = _receipt()
        done = ops.record_delivery(session, user, case, _sending(form.values), outcome)
        _keep(session, user, case, done.delivery, receipt)
    except ValidationError as exc:
        form.errors = forms.errors(exc, (*SENDING_FIELDS, *OUTCOME_FIELDS, "file"))
        return _render_detail(case, user, ("delivery", form))
    delivery = done.delivery
    flash(
        _(
            "Sending registered: %(letter)s, %(carrier)s %(number)s, sent on %(date)s.",
            letter=delivery.title,
            carrier=tr(CARRIER_LABELS[delivery.carrier]),
            number=delivery.tracking_no,
            date=fmt_date(delivery.sent_on),
        ),
        "success",
    )
    if outcome is not None:
        flash(_outcome_message(delivery, done.changes), "success")
    return _back(case, delivery.id)


@bp.post("/cases/<int:case_id>/deliveries/<int:delivery_id>/outcome")
@login_required
def outcome(case_id: int, delivery_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "delivery.record")
    delivery = ops.get_delivery(session, case, delivery_id)
    form = FormState({**forms.submitted(request.form), "delivery_id": str(delivery.id)})
    try:
        receipt = _receipt()
        done = ops.record_outcome(session, user, case, delivery, _outcome(form.values))
        _keep(session, user, case, delivery, receipt)
    except ValidationError as exc:
        form.errors = forms.errors(exc, (*OUTCOME_FIELDS, "file"))
        return _render_detail(case, user, ("delivery_outcome", form))
    except DomainError as exc:
        flash(tr(exc.message), "error")
        return _render_detail(case, user, ("delivery_outcome", form))
    flash(_outcome_message(delivery, done.changes), "success")
    return _back(case, delivery.id)


@bp.post("/cases/<int:case_id>/deliveries/<int:delivery_id>/receipt")
@login_required
def receipt(case_id: int, delivery_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "delivery.record")
    delivery = ops.get_delivery(session, case, delivery_id)
    form = FormState({"delivery_id": str(delivery.id)})
    try:
        uploaded = _receipt()
        if uploaded is None:
            raise ValidationError.single("file", N_("Choose a file to upload"))
        _keep(session, user, case, delivery, uploaded)
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("file",))
        return _render_detail(case, user, ("delivery_receipt", form))
    flash(_("The receipt has been kept with the delivery."), "success")
    return _back(case, delivery.id)


@bp.post("/cases/<int:case_id>/deliveries/<int:delivery_id>/delete")
@login_required
def remove(case_id: int, delivery_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "delivery.record")
    delivery = ops.get_delivery(session, case, delivery_id)
    done = ops.remove_delivery(session, user, case, delivery)
    message = _(
        "The delivery record %(number)s has been removed, with its key date.",
        number=delivery.tracking_no,
    )
    if any_moved(done.changes):
        message += " " + _(MOVED, changes=_changes_text(done.changes))
    flash(message, "success")
    return _back(case)


# ---- a bulk run's deliveries ----------------------------------------------------------------


def _run_page(run, form: FormState | None = None, status: int = 200):
    defaults = {"carrier": Carrier.EMS.value, "sent_on": today().isoformat()}
    form = form or FormState()
    form.values = {**defaults, **form.values}
    session = get_session()
    deliveries = delivery_bulk.run_deliveries(session, run)
    letters = delivery_bulk.run_letters(session, run)
    counts = dict.fromkeys(DeliveryStatus, 0)
    for row, _number in deliveries:
        counts[row.status] += 1
    sent_cases = {row.case_id for row, _number in deliveries}
    page = render_template(
        "delivery/run.html",
        run=run,
        rows=deliveries[:RUN_ROWS_SHOWN],
        shown=RUN_ROWS_SHOWN,
        total=len(deliveries),
        letters=sum(1 for letter in letters if letter.document is not None),
        unsent=sum(1 for x in letters if x.document is not None and x.case_id not in sent_cases),
        counts=counts,
        form=form,
        carriers=[(c.value, tr(label)) for c, label in CARRIER_LABELS.items()],
        sending_columns=SENDING_COLUMNS,
        outcome_columns=OUTCOME_COLUMNS,
        STATUS_LABELS=STATUS_LABELS,
        CARRIER_LABELS=CARRIER_LABELS,
    )
    return page, status


@bp.get("/documents/runs/<int:run_id>/deliveries")
@login_required
@require_capability("delivery.record")
def run(run_id: int):
    return _run_page(delivery_bulk.run_for_deliveries(get_session(), actor(), run_id))


@bp.get("/documents/runs/<int:run_id>/deliveries/sendings.csv")
@login_required
@require_capability("delivery.record")
def sendings_template(run_id: int):
    session = get_session()
    run = delivery_bulk.run_for_deliveries(session, actor(), run_id)
    response = make_response(delivery_bulk.sendings_template(session, run))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = f"run-{run.id}-sendings.csv"
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _upload(run, form: FormState, field: str = "file"):
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        form.errors = {field: [_("Choose a file to upload.")]}
        return None
    return upload


@bp.post("/documents/runs/<int:run_id>/deliveries/sendings")
@login_required
@require_capability("delivery.record")
def import_sendings(run_id: int):
    session, user = get_session(), actor()
    run = delivery_bulk.run_for_deliveries(session, user, run_id)
    form = FormState({**forms.submitted(request.form), "kind": "sendings"})
    carrier = form.value("carrier")
    if carrier not in {c.value for c in Carrier}:
        form.errors["carrier"] = [_("Not one of the allowed values")]
    try:
        sent_on = date.fromisoformat(form.value("sent_on"))
    except ValueError:
        form.errors["sent_on"] = [tr(N_("Not a valid date (YYYY-MM-DD)"))]
    upload = _upload(run, form)
    if form.errors or upload is None:
        return _run_page(run, form, 422)
    result = delivery_bulk.import_sendings(
        session, user, run, upload.filename, upload.read(), carrier=carrier, sent_on=sent_on
    )
    page = render_template(
        "delivery/result.html", kind="sendings", run=run, result=result, filename=upload.filename
    )
    return page, 200 if result.ok else 422


@bp.post("/documents/runs/<int:run_id>/deliveries/outcomes")
@login_required
@require_capability("delivery.record")
def import_outcomes(run_id: int):
    session, user = get_session(), actor()
    run = delivery_bulk.run_for_deliveries(session, user, run_id)
    form = FormState({"kind": "outcomes"})
    upload = _upload(run, form)
    if upload is None:
        return _run_page(run, form, 422)
    result = delivery_bulk.import_outcomes(session, user, run, upload.filename, upload.read())
    page = render_template(
        "delivery/result.html",
        kind="outcomes",
        run=run,
        result=result,
        filename=upload.filename,
        STATUS_LABELS=STATUS_LABELS,
        DeliveryStatus=DeliveryStatus,
        changes_text=_changes_text,
    )
    return page, 200 if result.ok else 422
