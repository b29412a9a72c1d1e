"""Engagements of cases to law firms, framework agreements, cap overrides.

Pages: the engagement form of a case (engage a firm, or change the terms of the live
engagement; a "check terms" button re-renders it with the statutory cap beside the agreed
terms), ending an engagement, management's override page, a firm's framework agreements, and
the engagement panel of the case page. Handlers go load (the case through ``policies``, the
engagement through its case) → authorize → validate → one operation → redirect; a refused
form comes back with what was typed and status 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session, select

from cases.base import today
from cases.engagements import operations as ops
from cases.engagements import queries, terms
from cases.engagements.models import (
    AUTHORITY_LABELS,
    ENGAGEMENT_STATUS_LABELS,
    FEE_KIND_LABELS,
    Engagement,
    EngagementStatus,
    FeeKind,
)
from cases.errors import N_, DomainError, NotFound, PermissionDenied, ValidationError
from cases.fees import CONTINGENCY_CAP_2021, FEE_STAGE_LABELS, FEE_STAGES, MATTER_TYPES
from cases.register import policies
from cases.register.models import Case
from cases.register.stages import Stage
from cases.users.models import LawFirm, User
from webapp import forms
from webapp.auth import actor
from webapp.blueprints import api_engagements  # noqa: F401  (adds the API read to its table)
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr
from webapp.panels import panel

bp = Blueprint("engagements", __name__)

TIER_ROWS = 4  # rows offered for tiered contingency rates
SCOPES = ("scope_non_litigation", "scope_litigation", "scope_enforcement")
CONTINGENCY_MODES = {
    "flat": N_("One rate on everything recovered"),
    "tiered": N_("Tiered by the amount recovered"),
    "stage": N_("By the stage at which the money is recovered"),
}
BASE_MODES = {"rate": N_("A percentage of the claim"), "amount": N_("A fixed amount")}
LABELS = {  # what the templates translate
    "status": ENGAGEMENT_STATUS_LABELS,
    "authority": AUTHORITY_LABELS,
    "fee_kind": FEE_KIND_LABELS,
    "stage": FEE_STAGE_LABELS,
    "matter_type": MATTER_TYPES,
}


# ---- the engagement form ⇄ the operation's data ---------------------------------------------


def _fraction(text: str) -> str:
    """A percentage as typed ("25", "12.5") → the stored fraction ("0.25"); else as typed, so
    that the terms' own check names the field."""
    try:
        value = Decimal(forms.amount(text)) / 100
    except InvalidOperation:
        return text
    return f"{value.normalize():f}" if value.is_finite() else text


def _percent(fraction: Any) -> str:
    return f"{(Decimal(str(fraction)) * 100).normalize():f}"


def _contingency_terms(values: Mapping[str, str]) -> dict[str, Any]:
    mode = values.get("contingency_mode") or "flat"
    if mode == "tiered":
        tiers = []
        for n in range(TIER_ROWS):
            upper, rate = values.get(f"tiers.{n}.upper", ""), values.get(f"tiers.{n}.rate", "")
            if upper or rate:
                tiers.append([forms.amount(upper) or None, _fraction(rate)])
        return {"tiers": tiers} if tiers else {}
    if mode == "stage":
        rates = {
            stage: _fraction(values[f"stage_rate.{stage}"])
            for stage in FEE_STAGES
            if values.get(f"stage_rate.{stage}")
        }
        return {"stage_rates": rates} if rates else {}
    rate = values.get("contingency_rate", "")
    return {"rate": _fraction(rate)} if rate else {}


def fee_terms_of(values: Mapping[str, str]) -> dict[str, Any]:
    kind = values.get("fee_kind")
    if kind == FeeKind.FIXED:
        amount = forms.amount(values.get("fixed_amount", ""))
        return {"amount": amount} if amount else {}
    if kind == FeeKind.CLAIM_PERCENTAGE:
        rate = values.get("claim_rate", "")
        return {"rate": _fraction(rate)} if rate else {}
    if kind == FeeKind.CONTINGENCY:
        return _contingency_terms(values)
    if values.get("base_mode") == "amount":
        base = {"amount": forms.amount(values.get("base_amount", ""))}
    else:
        base = {"rate": _fraction(values.get("base_rate", ""))}
    return {"base": base, "contingency": _contingency_terms(values)}


FIELDS = (
    "firm_id",
    "lead_lawyer_id",
    "framework_agreement_id",
    "starts_on",
    "ends_on",
    "authority",
    "authority_note",
    "matter_type",
    "claim_amount",
    "fee_kind",
    "expenses_note",
)


def payload(values: Mapping[str, str]) -> dict[str, Any]:
    """The ``EngagementCreate`` dict of the form (blank inputs left out)."""
    data: dict[str, Any] = {name: values[name] for name in FIELDS if values.get(name)}
    if "claim_amount" in data:
        data["claim_amount"] = forms.amount(data["claim_amount"])
    for name in SCOPES:
        data[name] = bool(values.get(name))
    data["fee_terms"] = fee_terms_of(values)
    return data


def field_of(key: str, values: Mapping[str, str]) -> str:
    """The input an error of ``payload``'s data belongs to (``fee_terms.base.rate`` → base_rate)."""
    if not key.startswith("fee_terms."):
        return key
    rest = key.removeprefix("fee_terms.").removeprefix("contingency.")
    if rest == "amount":
        return "fixed_amount"
    if rest in ("base.amount", "base.rate"):
        return rest.replace(".", "_")
    if rest == "rate":
        if values.get("fee_kind") == FeeKind.CLAIM_PERCENTAGE:
            return "claim_rate"
        mode = values.get("contingency_mode") or "flat"
        return {"tiered": "tiers", "stage": "stage_rates"}.get(mode, "contingency_rate")
    if rest.startswith("stage_rates."):
        return "stage_rate." + rest.split(".", 1)[1]
    return rest  # tiers, tiers.1.upper, tiers.1.rate, stage_rates


def form_fields() -> list[str]:
    names = [*FIELDS, "scope", "fixed_amount", "claim_rate", "contingency_rate", "base_amount"]
    names += ["base_rate", "tiers", "stage_rates", "__all__"]
    names += [f"tiers.{n}.{c}" for n in range(TIER_ROWS) for c in ("upper", "rate")]
    return names + [f"stage_rate.{s}" for s in FEE_STAGES]


def _contingency_values(t: Mapping[str, Any]) -> dict[str, str]:
    if t.get("tiers"):
        values = {"contingency_mode": "tiered"}
        for n, (upper, rate) in enumerate(t["tiers"]):
            values[f"tiers.{n}.upper"] = "" if upper is None else str(upper)
            values[f"tiers.{n}.rate"] = _percent(rate)
        return values
    if t.get("stage_rates"):
        values = {"contingency_mode": "stage"}
        for stage, rate in t["stage_rates"].items():
            values[f"stage_rate.{stage}"] = _percent(rate)
        return values
    return {"contingency_mode": "flat", "contingency_rate": _percent(t.get("rate", "0"))}


def values_of(e: Engagement) -> dict[str, str]:
    """The form as it shows an engagement's current terms."""
    values = {
        "lead_lawyer_id": str(e.lead_lawyer_id or ""),
        "framework_agreement_id": str(e.framework_agreement_id or ""),
        "starts_on": e.starts_on.isoformat(),
        "ends_on": e.ends_on.isoformat() if e.ends_on else "",
        "authority": e.authority.value,
        "authority_note": e.authority_note,
        "matter_type": e.matter_type,
        "claim_amount": str(e.claim_amount),
        "fee_kind": e.fee_kind.value,
        "expenses_note": e.expenses_note,
        "base_mode": "rate",
        "contingency_mode": "flat",
        **{name: "y" if getattr(e, name) else "" for name in SCOPES},
    }
    if e.terms_pending:  # nothing agreed yet: the fee is to be chosen
        return {**values, "fee_kind": "", "lead_lawyer_id": ""}
    t = e.fee_terms
    if e.fee_kind == FeeKind.FIXED:
        values["fixed_amount"] = str(t.get("amount", ""))
    elif e.fee_kind == FeeKind.CLAIM_PERCENTAGE:
        values["claim_rate"] = _percent(t.get("rate", "0"))
    elif e.fee_kind == FeeKind.CONTINGENCY:
        values.update(_contingency_values(t))
    else:
        base = t.get("base") or {}
        if base.get("amount") not in (None, ""):
            values.update(base_mode="amount", base_amount=str(base["amount"]))
        else:
            values["base_rate"] = _percent(base.get("rate", "0"))
        values.update(_contingency_values(t.get("contingency") or {}))
    return values


def _new_values(case: Case) -> dict[str, str]:
    stage = Stage(case.stage)
    court = stage in (Stage.PRESERVATION, Stage.LITIGATION, Stage.ENFORCEMENT)
    return {
        "starts_on": today().isoformat(),
        "scope_non_litigation": "" if court else "y",
        "scope_litigation": "" if stage == Stage.ENFORCEMENT else "y",
        "scope_enforcement": "y" if court else "",
        "authority": "special" if court else "general",
        "matter_type": "debt_collection",
        "fee_kind": FeeKind.CONTINGENCY.value,
        "contingency_mode": "flat",
        "base_mode": "rate",
    }


# ---- rendering ----------------------------------------------------------------------------


def _choices(session: Session, firm_id: int | None) -> dict[str, Any]:
    """Firms, lawyers and agreements (lawyers and agreements tagged with their firm)."""
    firms = session.exec(select(LawFirm).order_by(LawFirm.name)).all()
    shown = [f for f in firms if firm_id is None or f.id == firm_id]
    lawyers = [(f, ops.firm_lawyers(session, f.id)) for f in shown]
    agreements = [(f, ops.agreements_of(session, f.id)) for f in shown]
    return {
        "firms": [(str(f.id), f.name) for f in firms],
        "lawyers": [(str(u.id), u.name, f) for f, users in lawyers for u in users],
        "agreements": [(a, f) for f, rows in agreements for a in rows],
        "authority": [(str(k), tr(v)) for k, v in AUTHORITY_LABELS.items()],
        "matter_type": [(k, tr(v)) for k, v in MATTER_TYPES.items()],
        "fee_kind": [(str(k), tr(v)) for k, v in FEE_KIND_LABELS.items()],
        "contingency_mode": [(k, tr(v)) for k, v in CONTINGENCY_MODES.items()],
        "base_mode": [(k, tr(v)) for k, v in BASE_MODES.items()],
    }


def _render_form(
    case: Case,
    form: FormState,
    *,
    engagement: Engagement | None = None,
    check: terms.CapCheck | None = None,
    described: tuple = (),
    status: int = 200,
):
    session = get_session()
    page = render_template(
        "engagements/form.html",
        case=case,
        form=form,
        engagement=engagement,
        firm=session.get(LawFirm, engagement.firm_id) if engagement else None,
        choices=_choices(session, engagement.firm_id if engagement else None),
        check=check,
        described=described,
        tier_rows=range(TIER_ROWS),
        stages=[(s, FEE_STAGE_LABELS[s]) for s in FEE_STAGES],
        cap_bands=_cap_bands(),
        engagements_labels=LABELS,
    )
    return page, status


def _cap_bands() -> list[tuple[Decimal, Decimal | None, str]]:
    """司发通〔2021〕87号 第(六)项 as rows: from, to, rate."""
    rows, lower = [], Decimal(0)
    for upper, rate in CONTINGENCY_CAP_2021.bands:
        rows.append((lower, upper, terms.percent(rate)))
        lower = upper if upper is not None else lower
    return rows


def _errors(exc: DomainError, fields: tuple[str, ...]) -> dict[str, list[str]]:
    if isinstance(exc, ValidationError):
        return forms.errors(exc, fields)
    return {"__all__": [tr(exc.message)]}


def _refused(form: FormState, exc: DomainError) -> None:
    if isinstance(exc, ValidationError):
        shown = set(form_fields())
        errors: dict[str, list[str]] = {}
        for key, messages in exc.errors.items():
            name = field_of(key, form.values)
            errors.setdefault(name if name in shown else "__all__", []).extend(
                tr(m) for m in messages
            )
        form.errors = errors
    else:
        form.errors = {"__all__": [tr(exc.message)]}


def _submit(case: Case, engagement: Engagement | None):
    """Check the typed terms, or save them (engage / change terms)."""
    session, user = get_session(), actor()
    form = FormState(forms.submitted(request.form))
    data = payload(form.values)
    if engagement is not None:
        data["firm_id"] = engagement.firm_id
    try:
        if request.form.get("action") == "check":
            proposed = ops.preview(session, case, data)
            return _render_form(
                case,
                form,
                engagement=engagement,
                check=terms.check(proposed),
                described=terms.describe(proposed),
            )
        if engagement is None:
            saved = ops.engage(session, user, case, data)
        else:
            data.pop("firm_id")
            saved = ops.change_terms(session, user, case, engagement, data)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        _refused(form, exc)
        session.rollback()
        return _render_form(case, form, engagement=engagement, status=422)
    if saved.status == EngagementStatus.AWAITING_OVERRIDE:
        flash(
            _(
                "These terms can exceed the statutory cap: the engagement waits for management "
                "to record an override, and the firm does not see the case until then."
            ),
            "warning",
        )
    elif engagement is None:
        flash(_("The firm has been engaged on the case."), "success")
    else:
        flash(_("The engagement's terms have been changed."), "success")
    return redirect(url_for("casefile.detail", case_id=case.id) + "#engagements", 303)


@bp.route("/cases/<int:case_id>/engagements/new", methods=["GET", "POST"])
@login_required
def new(case_id: int):
    case = policies.authorize(get_session(), actor(), case_id, "engagement.manage")
    if request.method == "POST":
        return _submit(case, None)
    return _render_form(case, FormState(_new_values(case)))


def _engagement(case_id: int, engagement_id: int, capability: str) -> tuple[Case, Engagement]:
    session, user = get_session(), actor()
    case = policies.authorize(session, user, case_id, capability)
    return case, ops.get_engagement(session, user, case, engagement_id)


@bp.route("/cases/<int:case_id>/engagements/<int:engagement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int, engagement_id: int):
    case, engagement = _engagement(case_id, engagement_id, "engagement.manage")
    if engagement.status == EngagementStatus.ENDED:
        raise NotFound(N_("This engagement has already ended."))
    if request.method == "POST":
        return _submit(case, engagement)
    return _render_form(case, FormState(values_of(engagement)), engagement=engagement)


@bp.post("/cases/<int:case_id>/engagements/<int:engagement_id>/end")
@login_required
def end(case_id: int, engagement_id: int):
    case, engagement = _engagement(case_id, engagement_id, "engagement.manage")
    session, user = get_session(), actor()
    form = FormState(forms.submitted(request.form))
    try:
        try:
            on = date.fromisoformat(form.value("on"))
        except ValueError:
            raise ValidationError.single("on", N_("Not a valid date (YYYY-MM-DD)")) from None
        ops.end_engagement(session, user, case, engagement, on, form.value("reason"))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.errors = _errors(exc, ("on", "reason"))
        session.rollback()
        view = queries.view(session, engagement)
        return render_template("engagements/end.html", case=case, view=view, form=form), 422
    flash(_("The engagement has ended: the firm no longer sees the case."), "success")
    return redirect(url_for("casefile.detail", case_id=case.id) + "#engagements", 303)


# ---- management's override ----------------------------------------------------------------


def _render_overrides(form: FormState | None = None, refused_id: int | None = None, status=200):
    rows = queries.override_queue(get_session())
    page = render_template(
        "engagements/overrides.html",
        rows=rows,
        form=form or FormState(),
        blank_form=FormState(),
        refused_id=refused_id,
        refused_listed=any(v.engagement.id == refused_id for v, _case in rows),
        cap_bands=_cap_bands(),
        engagements_labels=LABELS,
    )
    return page, status


@bp.get("/engagements/overrides")
@login_required
def overrides():
    policies.require(actor(), "engagement.override")
    return _render_overrides()


def _decide(case_id: int, engagement_id: int, decide, done: str):
    case, engagement = _engagement(case_id, engagement_id, "engagement.override")
    session, user = get_session(), actor()
    form = FormState(forms.submitted(request.form))
    try:
        decide(session, user, case, engagement, form.value("reason"))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        form.errors = _errors(exc, ("reason",))
        session.rollback()
        return _render_overrides(form, engagement.id, 422)
    flash(done % {"number": case.number}, "success")
    return redirect(url_for(".overrides"), 303)


@bp.post("/cases/<int:case_id>/engagements/<int:engagement_id>/override")
@login_required
def record_override(case_id: int, engagement_id: int):
    done = _("Override recorded: the firm now sees case %(number)s.")
    return _decide(case_id, engagement_id, ops.record_override, done)


@bp.post("/cases/<int:case_id>/engagements/<int:engagement_id>/refuse")
@login_required
def refuse_override(case_id: int, engagement_id: int):
    done = _("Override refused: the engagement on case %(number)s has ended.")
    return _decide(case_id, engagement_id, ops.refuse_override, done)


# ---- framework agreements ------------------------------------------------------------------

AGREEMENT_FIELDS = ("reference", "signed_on", "starts_on", "ends_on", "terms")


@bp.route("/engagements/firms/<int:firm_id>/agreements", methods=["GET", "POST"])
@login_required
def agreements(firm_id: int):
    session, user = get_session(), actor()
    policies.require(user, "firm.manage")
    firm = session.get(LawFirm, firm_id)
    if firm is None:
        raise NotFound(N_("No such law firm."))
    form, status = FormState({"signed_on": today().isoformat()}), 200
    if request.method == "POST":
        form = FormState(forms.submitted(request.form))
        try:
            data = {k: v for k, v in form.values.items() if v}
            row = ops.add_agreement(session, user, firm, data)
        except ValidationError as exc:
            form.errors = forms.errors(
                exc, ("reference", "signed_on", "starts_on", "ends_on", "terms")
            )
            session.rollback()
            status = 422
        else:
            flash(
                _("Framework agreement %(reference)s recorded.", reference=row.reference), "success"
            )
            return redirect(url_for(".agreements", firm_id=firm.id), 303)
    rows = ops.agreements_of(session, firm.id)
    page = render_template(
        "engagements/agreements.html", firm=firm, rows=rows, form=form, today=today()
    )
    return page, status


# ---- the case page's panel ----------------------------------------------------------------


@panel
def _panel(session: Session, user: User, case: Case) -> dict[str, Any]:
    live, past = queries.case_engagements(session, user, case)
    return {
        "engagements_live": live,
        "engagements_past": past,
        "engagements_end_form": FormState({"on": today().isoformat()}),
        "engagements_cap_bands": _cap_bands(),
        "engagements_labels": LABELS,
    }
