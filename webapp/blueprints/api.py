"""HTTP API v1 (bearer tokens only; the session cookie is never accepted here).

Handlers go load → authorize → call one operation → respond, like the pages; the route table
in ``webapp.openapi`` registers them and documents them at ``GET /api/v1/openapi.json``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlmodel import Session, select
from werkzeug.exceptions import Unauthorized

from cases.base import today
from cases.errors import DomainError, NotFound, PermissionDenied, ValidationError
from cases.ledger.models import Payment, PaymentCreate, PaymentStatus
from cases.ledger.operations import record_payment
from cases.parties.models import Creditor, Party
from cases.register import policies
from cases.register.aging import bucket_for, overdue_days
from cases.register.models import Case, CaseCreate, CaseGuarantor, Claim, Evidence
from cases.register.operations import create_case, tag_names
from cases.register.queries import CaseListItem, CaseQuery, search_cases
from cases.register.stages import STAGE_LABELS
from cases.timeline.models import Event, EventCreate
from cases.timeline.operations import log_event
from cases.users.models import LawFirm, User
from webapp.api_schemas import (
    CaseDetailOut,
    CasePageOut,
    CaseSummaryOut,
    ClaimOut,
    CreditorOut,
    ErrorBody,
    ErrorOut,
    EventOut,
    EvidenceOut,
    GuarantorOut,
    PartyOut,
    PaymentListOut,
    PaymentOut,
)
from webapp.auth import actor, bearer_user
from webapp.db import get_session
from webapp.extensions import csrf, login_manager
from webapp.i18n import tr
from webapp.openapi import BadJSON, RouteTable, build_document

bp = Blueprint("api", __name__)
csrf.exempt(bp)
api = RouteTable(bp, url_prefix="/api/v1")
RECENT_EVENTS = 20
ZERO = Decimal("0.00")


# ---- authentication and errors ------------------------------------------------------------


@bp.before_request
def _authenticate():
    # Never the session cookie: Flask-Login's request cache holds an anonymous user, so
    # ``current_user`` stays anonymous and only the bearer token below can authenticate.
    g._login_user = login_manager.anonymous_user()
    if api.is_public(request.endpoint):
        return
    user = bearer_user()
    if user is None:
        raise Unauthorized
    g.api_user = user


def _error(code: int, message: str, fields: dict[str, list[str]] | None = None):
    body = ErrorOut(error=ErrorBody(code=code, message=message, fields=fields))
    return jsonify(body.model_dump(mode="json", exclude_none=True)), code


@bp.errorhandler(Unauthorized)
def _unauthorized(_exc):
    response, code = _error(401, _("A valid API token is required."))
    challenge = 'Bearer realm="qingshou"'
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        challenge += ', error="invalid_token"'  # RFC 6750: a token was sent but is no good
    response.headers["WWW-Authenticate"] = challenge
    return response, code


@bp.errorhandler(BadJSON)
def _bad_json(_exc):
    return _error(400, _("The request body is not valid JSON"))


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    """Blueprint handlers win over the app's, so every domain error is answered here."""
    if isinstance(exc, NotFound):
        return _error(404, tr(exc.message))
    if isinstance(exc, PermissionDenied):
        return _error(403, tr(exc.message))
    if isinstance(exc, ValidationError):
        fields = {name: [tr(m) for m in msgs] for name, msgs in exc.errors.items()}
        return _error(422, _("Some fields are invalid."), fields)
    return _error(422, tr(exc.message))


# ---- reads --------------------------------------------------------------------------------


def _summary(item: CaseListItem) -> dict[str, Any]:
    return {**item.model_dump(), "stage_label": tr(STAGE_LABELS[item.stage])}


def _list_item(session: Session, case: Case, debtor: Party, creditor: Creditor) -> CaseListItem:
    """The list's row for one case (what ``search_cases`` gives for each row of a page)."""
    on = today()
    handler = session.get(User, case.handler_id) if case.handler_id else None
    firm = session.get(LawFirm, case.firm_id) if case.firm_id else None
    return CaseListItem(
        **case.model_dump(
            include={
                "id",
                "number",
                "external_ref",
                "debtor_id",
                "creditor_id",
                "handler_id",
                "firm_id",
                "stage",
                "status",
                "risk_level",
                "credit_grade",
                "last_activity_at",
            }
        ),
        debtor_name=debtor.name,
        debtor_kind=debtor.kind,
        debtor_identifier=debtor.identifier,
        creditor_name=creditor.name,
        handler_name=handler.name if handler else None,
        firm_name=firm.name if firm else None,
        principal=case.claimed_principal,
        recovered=case.recovered_amount,
        outstanding=case.outstanding,
        due_date=case.oldest_due_date,
        overdue_days=overdue_days(case.overdue_since, on),
        aging=bucket_for(case.overdue_since, on),
        tags=tag_names(session, case.id),
    )


def _detail(session: Session, case: Case) -> CaseDetailOut:
    debtor = session.get(Party, case.debtor_id)
    creditor = session.get(Creditor, case.creditor_id)
    guarantors = session.exec(
        select(CaseGuarantor, Party)
        .join(Party)
        .where(CaseGuarantor.case_id == case.id)
        .order_by(CaseGuarantor.id)
    ).all()
    events = session.exec(
        select(Event)
        .where(Event.case_id == case.id)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    payments = session.exec(
        select(Payment)
        .where(Payment.case_id == case.id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
    ).all()
    claims = session.exec(select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)).all()
    evidence = session.exec(
        select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
    ).all()
    return CaseDetailOut.model_validate(
        {
            **_summary(_list_item(session, case, debtor, creditor)),
            **case.model_dump(
                include={
                    "loan_class",
                    "transferred_on",
                    "summary",
                    "closed_on",
                    "created_at",
                    "updated_at",
                }
            ),
            "creditor": CreditorOut.model_validate(creditor),
            "debtor": PartyOut.model_validate(debtor),
            "guarantors": [
                GuarantorOut(
                    party=PartyOut.model_validate(party),
                    kind=link.kind,
                    limit_amount=link.limit_amount,
                )
                for link, party in guarantors
            ],
            "claims": [ClaimOut.model_validate(c) for c in claims],
            "evidence": [EvidenceOut.model_validate(e) for e in evidence],
            "events": [EventOut.model_validate(e) for e in events],
            "payments": [PaymentOut.model_validate(p) for p in payments],
        }
    )


# ---- endpoints ----------------------------------------------------------------------------


@api.route(
    "GET",
    "/cases",
    summary="List the cases visible to the caller",
    query=CaseQuery,
    response=CasePageOut,
)
def list_cases(query: CaseQuery):
    if "page_size" not in request.args:
        query = query.model_copy(update={"page_size": current_app.config["PAGE_SIZE"]})
    page = search_cases(get_session(), actor(), query, on=today())
    return CasePageOut(
        items=[CaseSummaryOut.model_validate(_summary(item)) for item in page.items],
        total=page.total,
        page=page.page,
        page_size=page.page_size,
    )


@api.route(
    "POST",
    "/cases",
    summary="Register a case with its debtor, claims and evidence",
    body=CaseCreate,
    response=CaseDetailOut,
    status=201,
    location=True,
    errors=(403,),
)
def create(body: dict[str, Any]):
    session = get_session()
    case = create_case(session, actor(), body)
    return _detail(session, case), {"Location": url_for("api.get_case", case_id=case.id)}


@api.route(
    "GET",
    "/cases/<int:case_id>",
    summary="One case with parties, money and timeline",
    response=CaseDetailOut,
)
def get_case(case_id: int):
    session = get_session()
    return _detail(session, policies.get_visible_case(session, actor(), case_id))


@api.route(
    "POST",
    "/cases/<int:case_id>/events",
    summary="Log a contact record, a progress step (recording the key date it implies) or a note",
    body=EventCreate,
    response=EventOut,
    status=201,
    errors=(403,),
)
def post_event(case_id: int, body: dict[str, Any]):
    session = get_session()
    case = policies.authorize(session, actor(), case_id, "case.log_event")
    return EventOut.model_validate(log_event(session, actor(), case, body))


@api.route(
    "GET",
    "/cases/<int:case_id>/payments",
    summary="The payments of a case with their status; totals count confirmed money only",
    response=PaymentListOut,
)
def list_payments(case_id: int):
    session = get_session()
    case = policies.get_visible_case(session, actor(), case_id)
    payments = session.exec(
        select(Payment)
        .where(Payment.case_id == case.id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
    ).all()
    pending = sum((p.amount for p in payments if p.status == PaymentStatus.PENDING), ZERO)
    return PaymentListOut(
        items=[PaymentOut.model_validate(p) for p in payments],
        recovered=case.recovered_amount,
        pending=pending,
    )


@api.route(
    "POST",
    "/cases/<int:case_id>/payments",
    summary="Record money received (finance: confirmed) or report it (others: pending)",
    body=PaymentCreate,
    response=PaymentOut,
    status=201,
    errors=(403,),
)
def post_payment(case_id: int, body: dict[str, Any]):
    """Finance's token records confirmed money; legal, admin and counsel tokens report money
    that stays ``pending`` until finance confirms it in the web app."""
    session = get_session()
    case = policies.get_visible_case(session, actor(), case_id)
    return PaymentOut.model_validate(record_payment(session, actor(), case, body))


@api.route("GET", "/openapi.json", summary="This OpenAPI document", tag="meta", public=True)
def openapi_document():
    return build_document(
        api,
        title="Qingshou API",
        version="1",
        description="Debt-recovery cases (清收). Money is a decimal string, dates are ISO 8601; "
        "errors are JSON in the language of Accept-Language.",
        error_model=ErrorOut,
    )
