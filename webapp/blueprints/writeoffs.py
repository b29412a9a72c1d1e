"""Write-off applications (核销): drafting with the reason's evidence checklist, submission,
the approvers' queue and the single approval page, and the case page's panel.

Handlers go load (``get_application`` / ``policies.authorize``: 404 for a case the actor may
not see, then 403 without a write-off capability) → validate → one operation → respond. A
refused form comes back with what was typed and status 422 (409 when someone decided the
application meanwhile); the request's transaction is rolled back by ``webapp.db``.

The approval chain comes from ``QS_WRITEOFF_SECOND_APPROVAL_ABOVE`` (``approval_policy``),
passed to ``operations.submit``: the domain never reads the configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session

from cases.base import today
from cases.errors import N_, DomainError, NotFound, PermissionDenied, ValidationError
from cases.ledger.models import PAYMENT_METHOD_LABELS, PaymentStatus
from cases.parties.models import Creditor, Party
from cases.register import casefile, policies
from cases.register.models import LABELS, Case
from cases.register.stages import Action, actions_from
from cases.timeline.operations import attach_file
from cases.users.models import Role, User
from cases.validation import FORM_ERROR
from cases.writeoffs import operations
from cases.writeoffs.models import (
    DECISION_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    STEP_CAPABILITY,
    STEP_LABELS,
    ApprovalPolicy,
    Decision,
    WriteOffApplication,
    WriteOffStatus,
)
from cases.writeoffs.queries import (
    all_steps,
    applications_for_case,
    applications_of,
    approval_sheet,
    awaiting_decision,
    checklist_rows,
    computation_figure,
    evidence_sources,
    get_application,
    in_progress,
    listed,
    next_role,
    recovered_after_writeoff,
    round_steps,
)
from cases.writeoffs.reasons import (
    REGIME_LABELS,
    RULES,
    Regime,
    WriteOffReason,
    checklist,
    reasons_for,
    regime_for,
    small_item_limit,
)
from webapp import forms
from webapp.auth import actor
from webapp.blueprints.casefile import _uploads
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr
from webapp.panels import panel

bp = Blueprint("writeoffs", __name__)

FOLLOW = ("writeoff.apply", "writeoff.review", "writeoff.approve")  # who sees applications
DRAFT_FIELDS = (
    "reason",
    "reason_detail",
    "legal_opinion",
    "legal_opinion_attachment_id",
    "amount",
    "amount_note",
    "annual_revenue",
)
STATUS_TONES = {
    WriteOffStatus.DRAFT: "",
    WriteOffStatus.SUBMITTED: "warn",
    WriteOffStatus.IN_REVIEW: "warn",
    WriteOffStatus.APPROVED: "ok",
    WriteOffStatus.REJECTED: "bad",
    WriteOffStatus.WITHDRAWN: "",
}
NAMES = {
    "WRITEOFF_STATUS_LABELS": STATUS_LABELS,
    "WRITEOFF_STATUS_TONES": STATUS_TONES,
    "WRITEOFF_STEP_LABELS": STEP_LABELS,
    "WRITEOFF_DECISION_LABELS": DECISION_LABELS,
    "WRITEOFF_RULES": RULES,
    "WRITEOFF_REGIME_LABELS": REGIME_LABELS,
}
DENIED = N_("You are not allowed to do this.")
REASON_CHANGED = N_(
    "The reason was changed: check the evidence its checklist asks for below, then save again."
)


def approval_policy() -> ApprovalPolicy:
    """The chain of steps by amount, from the settings (``QS_WRITEOFF_SECOND_APPROVAL_ABOVE``)."""
    above = current_app.extensions["qingshou_settings"].WRITEOFF_SECOND_APPROVAL_ABOVE
    return ApprovalPolicy(second_management_above=above)


def _require_follow(user: User) -> None:
    """Legal staff, admins, finance and management follow write-offs; counsel do not."""
    if not any(policies.can(user, capability) for capability in FOLLOW):
        raise PermissionDenied(DENIED)


def _load(writeoff_id: int) -> tuple[WriteOffApplication, Case]:
    session, user = get_session(), actor()
    application = get_application(session, user, writeoff_id)  # 404 first
    _require_follow(user)
    return application, session.get(Case, application.case_id)


def _regime(session: Session, case: Case) -> Regime:
    creditor = session.get(Creditor, case.creditor_id)
    return regime_for(bool(creditor and creditor.is_bank))


def _debtor(session: Session, case: Case) -> str:
    return session.get(Party, case.debtor_id).name


def _stage_allows(case: Case) -> bool:
    """Write-off is a move of the case's stage (not from intake, not once written off)."""
    return Action.WRITE_OFF in actions_from(case.stage, include_approval_only=True)


def _back(application: WriteOffApplication):
    return redirect(url_for(".show", writeoff_id=application.id), 303)


# ---- what may cover a checklist item: the case's files and evidence rows ----------------------


@dataclass
class Sources:
    """The case's files and evidence rows by form key (``attachment:7``, ``evidence:3``)."""

    labels: dict[str, str]

    @classmethod
    def of(cls, session: Session, case: Case) -> Sources:
        files, rows = evidence_sources(session, case.id)
        labels = {f"attachment:{f.id}": f.original_name for f in files}
        for row in rows:
            kind = tr(LABELS["evidence." + row.kind]) if f"evidence.{row.kind}" in LABELS else ""
            labels[f"evidence:{row.id}"] = _("Evidence list: %(title)s", title=row.title) + (
                f" ({kind})" if kind else ""
            )
        return cls(labels)

    def choices(self) -> list[tuple[str, str]]:
        return list(self.labels.items())

    def files(self) -> list[tuple[str, str]]:
        """The files only (for the legal opinion), by attachment id."""
        return [(k.split(":")[1], v) for k, v in self.labels.items() if k.startswith("attachment:")]


def _source(key: str) -> dict[str, int] | None:
    kind, _sep, ident = key.partition(":")
    if kind in ("attachment", "evidence") and ident.isdigit():
        return {f"{kind}_id": int(ident)}
    return None


def _link_key(attachment_id: int | None, evidence_id: int | None) -> str:
    return f"attachment:{attachment_id}" if attachment_id is not None else f"evidence:{evidence_id}"


# ---- the application form ⇄ WriteOffDraft ---------------------------------------------------


def _reason(form: FormState, regime: Regime) -> WriteOffReason | None:
    value = form.value("reason")
    return next((r for r in reasons_for(regime) if r.value == value), None)


def _posted_links(form: FormState, items: set[str]) -> dict[str, list[str]]:
    """The sources ticked or chosen per checklist item (``ev.<item>.<n>``, ``ev.<item>.add``)."""
    links: dict[str, list[str]] = {}
    for key, value in form.values.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "ev" and parts[1] in items and _source(value):
            links.setdefault(parts[1], [])
            if value not in links[parts[1]]:
                links[parts[1]].append(value)
    return links


def _stored_values(session: Session, application: WriteOffApplication) -> dict[str, str]:
    values = {
        "reason": application.reason.value,
        "reason_detail": application.reason_detail,
        "legal_opinion": application.legal_opinion or "",
        "legal_opinion_attachment_id": str(application.legal_opinion_attachment_id or ""),
        "amount": str(application.amount) if application.amount_entered else "",
        "amount_note": application.amount_note or "",
        "annual_revenue": str(application.annual_revenue or ""),
    }
    for row in checklist_rows(session, application):
        for n, link in enumerate(row.links):
            values[f"ev.{row.item.key}.{n}"] = _link_key(link.attachment_id, link.evidence_id)
    return values


OPINION_FILE = "opinion_file"  # the legal opinion uploaded (``file.<item>``: the checklist's)


def _store_uploads(case: Case, user: User, items: Iterable[str]) -> dict[str, list[str]]:
    """Keep the files uploaded per checklist item (``file.<item>``) and for the legal opinion
    (``opinion_file``) on the case, by field; every upload is checked before any is stored."""
    store = current_app.extensions["qingshou_files"]
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    chosen: dict[str, list[tuple[str, bytes]]] = {}
    for field in (*(f"file.{item}" for item in items), OPINION_FILE):
        try:
            chosen[field] = _uploads(field)
        except ValidationError as exc:
            raise ValidationError({field: exc.errors["file"]}) from None
    kept: dict[str, list[str]] = {}
    for field, files in chosen.items():
        for name, data in files:
            attachment = attach_file(
                get_session(),
                user,
                case,
                store,
                filename=name,
                data=data,
                max_bytes=max_bytes,
                doc_type="evidence",
            )
            kept.setdefault(field, []).append(f"attachment:{attachment.id}")
    return kept


def _payload(form: FormState, items: list[str], uploaded: dict[str, list[str]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        name: form.values[name]
        for name in DRAFT_FIELDS
        if form.value(name) and name != "legal_opinion_attachment_id"
    }
    for name in ("amount", "annual_revenue"):
        if name in data:
            data[name] = forms.amount(data[name])
    opinion = [form.value("legal_opinion_attachment_id"), *uploaded.get(OPINION_FILE, [])][-1]
    if opinion.isdigit() or _source(opinion):
        data["legal_opinion_attachment_id"] = int(opinion.rpartition(":")[2])
    posted = _posted_links(form, set(items))
    data["evidence"] = [
        {"item": item, **_source(key)}
        for item in items
        for key in (*posted.get(item, []), *uploaded.get(f"file.{item}", []))
    ]
    return data


def _error_key(key: str) -> str:
    head = key.split(".")[0]
    return "evidence" if head == "evidence" else key


def _form_fields(items: Iterable[str]) -> list[str]:
    return [*DRAFT_FIELDS, "evidence", OPINION_FILE, *(f"file.{i}" for i in items)]


def _render_form(
    case: Case, application: WriteOffApplication | None, form: FormState, status: int = 200
):
    session = get_session()
    if status >= 400:
        session.rollback()  # show the case as it is, without the refused change
    regime = _regime(session, case)
    reason = _reason(form, regime)
    items = checklist(reason, regime) if reason else ()
    sources = Sources.of(session, case)
    posted = _posted_links(form, {i.key for i in items})
    stored: dict[str, list[str]] = {}
    if application is not None and application.id is not None:
        for row in checklist_rows(session, application):
            stored[row.item.key] = [_link_key(x.attachment_id, x.evidence_id) for x in row.links]
    linked = {
        item.key: [
            (key, sources.labels[key], key in posted.get(item.key, []))
            for key in dict.fromkeys([*posted.get(item.key, []), *stored.get(item.key, [])])
            if key in sources.labels
        ]
        for item in items
    }
    computed, computation = operations.computed_amount(session, case, today())
    open_one = next(
        (
            a
            for a in applications_for_case(session, case.id)
            if a.status in OPEN_STATUSES and (application is None or a.id != application.id)
        ),
        None,
    )
    page = render_template(
        "writeoffs/form.html",
        case=case,
        application=application,
        form=form,
        regime=regime,
        reason=reason,
        reasons=[(r.value, tr(RULES[r].label)) for r in reasons_for(regime)],
        items=items,
        linked=linked,
        sources=sources,
        computed=computed,
        figure=computation_figure(computation),
        small_item_limit=small_item_limit,
        open_one=open_one,
        stage_allows=_stage_allows(case),
        debtor_name=_debtor(session, case),
        **NAMES,
    )
    return page, status


def _save(case: Case, user: User, application: WriteOffApplication | None):
    """POST of the form: refresh the checklist for the reason chosen, save, or save and
    submit. Everything or nothing: a refused submission keeps no change of the draft."""
    session = get_session()
    form = FormState(forms.submitted(request.form))
    action = form.values.pop("action", "save")
    regime = _regime(session, case)
    reason = _reason(form, regime)
    items = [i.key for i in checklist(reason, regime)] if reason else []
    if action == "refresh":
        return _render_form(case, application, form)
    shown = form.values.pop("shown_reason", None)
    if shown is not None and shown != form.value("reason"):  # changed without its checklist
        form.errors = {FORM_ERROR: [_(REASON_CHANGED)]}
        return _render_form(case, application, form, 422)
    try:
        uploaded = _store_uploads(case, user, items)
        payload = _payload(form, items, uploaded)
        if application is None:
            saved = operations.create_application(session, user, case, payload)
        else:
            saved = operations.update_application(session, user, application, payload)
        if action == "submit":
            operations.submit(session, user, saved, policy=approval_policy())
    except ValidationError as exc:
        form.errors = forms.errors(exc, _form_fields(items), _error_key)
        return _render_form(case, application, form, 422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.errors = {FORM_ERROR: [tr(exc.message)]}
        return _render_form(case, application, form, 422)
    if action == "submit":
        flash(_("The write-off application has been submitted for approval."), "success")
    else:
        flash(_("The write-off application has been saved as a draft."), "success")
    return _back(saved)


@bp.route("/cases/<int:case_id>/writeoffs/new", methods=["GET", "POST"])
@login_required
def new(case_id: int):
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, "writeoff.apply")
    if request.method == "POST":
        return _save(case, user, None)
    return _render_form(case, None, FormState())


def _own_draft(writeoff_id: int) -> tuple[WriteOffApplication, Case, User]:
    application, case = _load(writeoff_id)
    user = actor()
    policies.require(user, "writeoff.apply")
    if user.id != application.applicant_id:
        raise PermissionDenied(operations.ONLY_APPLICANT)
    return application, case, user


@bp.route("/writeoffs/<int:writeoff_id>/edit", methods=["GET", "POST"])
@login_required
def edit(writeoff_id: int):
    application, case, user = _own_draft(writeoff_id)
    if application.status not in (WriteOffStatus.DRAFT, WriteOffStatus.REJECTED):
        flash(tr(operations.NOT_ALLOWED_NOW), "error")
        return _back(application)
    if request.method == "POST":
        return _save(case, user, application)
    return _render_form(case, application, FormState(_stored_values(get_session(), application)))


# ---- one application: the approval page and what can be done on it ---------------------------


def _my_turn(session: Session, user: User, application: WriteOffApplication) -> bool:
    role = next_role(session, application)
    return (
        role is not None
        and policies.can(user, STEP_CAPABILITY[role])
        and user.id != application.applicant_id
        and all(step.actor_id != user.id for step in round_steps(session, application))
    )


def _render_show(
    application: WriteOffApplication,
    refused: tuple[str, FormState] | None = None,
    status: int = 200,
):
    session, user = get_session(), actor()
    if status >= 400:
        session.rollback()  # show the application as it is now
    case = session.get(Case, application.case_id)
    file = casefile.load(session, case, user)
    steps = all_steps(session, application.id)
    earlier = [s for s in steps if s.round_no != application.round_no]
    names = casefile.user_names(session, [application.applicant_id, *(s.actor_id for s in steps)])
    confirmed = sorted(
        (p for p in file.payments if p.status == PaymentStatus.CONFIRMED),
        key=lambda p: (p.received_on, p.id),
    )
    written_off = (
        application.written_off_on if application.status == WriteOffStatus.APPROVED else None
    )
    decision_forms = {
        "approve": FormState({"version": str(application.version)}),
        "reject": FormState({"version": str(application.version)}),
        "submit": FormState(),
    }
    if refused is not None:
        decision_forms[refused[0]] = refused[1]
    rule = RULES[application.reason]
    page = render_template(
        "writeoffs/show.html",
        application=application,
        case=case,
        file=file,
        rows=checklist_rows(session, application),
        sources=Sources.of(session, case),
        sheet=approval_sheet(session, application),
        earlier=earlier,
        names=names,
        next_role=next_role(session, application),
        my_turn=_my_turn(session, user, application),
        is_applicant=user.id == application.applicant_id and policies.can(user, "writeoff.apply"),
        confirmed=confirmed,
        written_off_on=written_off,
        recovery=recovered_after_writeoff(session, case.id) if written_off else None,
        figure=computation_figure(application.computation),
        rule=rule,
        source_rule=rule.sources.get(application.regime, ""),
        small_item_limit=small_item_limit,
        forms=decision_forms,
        PAYMENT_METHOD_LABELS=PAYMENT_METHOD_LABELS,
        **NAMES,
    )
    return page, status


@bp.get("/writeoffs/<int:writeoff_id>")
@login_required
def show(writeoff_id: int):
    application, _case = _load(writeoff_id)
    return _render_show(application)


@bp.post("/writeoffs/<int:writeoff_id>/submit")
@login_required
def submit(writeoff_id: int):
    application, _case, user = _own_draft(writeoff_id)
    try:
        operations.submit(get_session(), user, application, policy=approval_policy())
    except ValidationError as exc:
        form = FormState(errors=forms.errors(exc, ("evidence", "legal_opinion", "reason")))
        return _render_show(application, ("submit", form), 422)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _render_show(application, ("submit", FormState(errors=_form_error(exc))), 422)
    flash(_("The write-off application has been submitted for approval."), "success")
    return _back(application)


@bp.post("/writeoffs/<int:writeoff_id>/withdraw")
@login_required
def withdraw(writeoff_id: int):
    application, _case, user = _own_draft(writeoff_id)
    try:
        operations.withdraw(get_session(), user, application)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _render_show(application, ("submit", FormState(errors=_form_error(exc))), 422)
    flash(_("The write-off application has been withdrawn."), "success")
    return _back(application)


def _form_error(exc: DomainError) -> dict[str, list[str]]:
    return {FORM_ERROR: [tr(exc.message)]}


@bp.post("/writeoffs/<int:writeoff_id>/decide")
@login_required
def decide(writeoff_id: int):
    """Approve or reject the step whose turn it is, on the version of the page shown."""
    session, user = get_session(), actor()
    application = get_application(session, user, writeoff_id)
    if not any(policies.can(user, c) for c in STEP_CAPABILITY.values()):
        raise PermissionDenied(DENIED)
    form = FormState(forms.submitted(request.form))
    choice = form.value("decision")
    name = "reject" if choice == Decision.REJECT else "approve"
    version = form.value("version")
    try:
        if choice not in set(Decision):
            raise ValidationError.single("decision", N_("Choose to approve or to reject"))
        step = operations.decide(
            session,
            user,
            application,
            choice,
            reason=form.value("reason") or None,
            expected_version=int(version) if version.isdigit() else 0,
        )
    except ValidationError as exc:
        form.errors = forms.errors(exc, ("reason",))
        return _render_show(application, (name, form), 422)
    except NotFound:
        raise
    except DomainError as exc:  # self-approval, a second step, a stale page, a closed one
        form.errors = _form_error(exc)
        form.values["version"] = ""  # the page shown again carries the current version
        stale = exc.message.msgid == operations.CHANGED_MEANWHILE
        status = 409 if stale else 403 if isinstance(exc, PermissionDenied) else 422
        return _render_show(application, (name, form), status)
    if step.decision == Decision.REJECT:
        flash(_("The application has been returned to the applicant."), "success")
    elif application.status == WriteOffStatus.APPROVED:
        flash(_("Approved: the case is written off and kept open to recovery."), "success")
    else:
        flash(_("Approved: the application goes on to the next step."), "success")
    return _back(application)


# ---- the queue ------------------------------------------------------------------------------


@bp.get("/writeoffs")
@login_required
def queue():
    session, user = get_session(), actor()
    _require_follow(user)
    deciding = any(policies.can(user, c) for c in STEP_CAPABILITY.values())
    mine = (
        listed(session, applications_of(session, user.id))
        if user.role
        in (
            Role.LEGAL,
            Role.ADMIN,
        )
        else []
    )
    by_status: dict[WriteOffStatus, list] = {}
    for row in mine:
        by_status.setdefault(row.application.status, []).append(row)
    awaiting = listed(session, awaiting_decision(session, user)) if deciding else []
    waiting_ids = {row.application.id for row in awaiting}
    others = [
        row
        for row in listed(session, in_progress(session))
        if row.application.id not in waiting_ids
    ]
    next_roles = {
        row.application.id: next_role(session, row.application) for row in [*awaiting, *others]
    }
    return render_template(
        "writeoffs/queue.html",
        awaiting=awaiting,
        deciding=deciding,
        by_status=[(s, by_status[s]) for s in WriteOffStatus if s in by_status],
        show_mine=user.role in (Role.LEGAL, Role.ADMIN),
        others=others,
        next_roles=next_roles,
        names=casefile.user_names(session, (row.application.applicant_id for row in others)),
        **NAMES,
    )


# ---- the case page's panel ------------------------------------------------------------------


@panel
def _panel(session: Session, user: User, case: Case) -> dict[str, Any]:
    follows = any(policies.can(user, capability) for capability in FOLLOW)
    applications = applications_for_case(session, case.id) if follows else []
    open_one = next((a for a in applications if a.status in OPEN_STATUSES), None)
    return {
        "writeoffs_follows": follows,
        "writeoffs_applications": applications,
        "writeoffs_names": casefile.user_names(session, (a.applicant_id for a in applications)),
        "writeoffs_can_apply": policies.can(user, "writeoff.apply")
        and open_one is None
        and _stage_allows(case),
        "writeoffs_open": open_one,
        "writeoffs_recovery": recovered_after_writeoff(session, case.id),
        **NAMES,
    }
