"""The engagements of a case in the JSON API (bearer token; the case page's 404 rule)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from cases.engagements import queries
from cases.engagements.models import Authority, EngagementStatus, FeeKind
from cases.register import policies
from webapp.api_schemas import Money
from webapp.auth import actor
from webapp.blueprints.api import api
from webapp.db import get_session
from webapp.i18n import step_text, tr


class NamedOut(BaseModel):
    id: int
    name: str


class CapOut(BaseModel):
    """The terms beside 司发通〔2021〕87号 第(六)项 on the whole claim recovered."""

    fee_at_full_recovery: Money
    cap_at_full_claim: Money | None = Field(description="None: no contingency part, no cap")
    can_exceed_cap: bool
    rule: str


class EngagementOut(BaseModel):
    id: int
    status: EngagementStatus
    status_label: str
    firm: NamedOut
    lead_lawyer: NamedOut | None
    framework_agreement: str | None = Field(description="The agreement's reference")
    scopes: list[str] = Field(description="non_litigation, litigation, enforcement")
    starts_on: date
    ends_on: date | None
    authority: Authority
    authority_note: str
    matter_type: str
    claim_amount: Money
    fee_kind: FeeKind
    fee_terms: dict[str, Any] = Field(description="Rates as fractions: 0.25 is 25 percent")
    fee_terms_text: list[str] = Field(description="The terms in words, in the request's language")
    terms_pending: bool
    expenses_note: str
    cap: CapOut | None
    cap_override_reason: str | None
    cap_override_by: NamedOut | None
    cap_override_at: datetime | None
    end_reason: str | None


class CaseEngagementsOut(BaseModel):
    live: EngagementOut | None = Field(description="Active or awaiting a management override")
    past: list[EngagementOut]


def _named(row: Any) -> NamedOut | None:
    return None if row is None else NamedOut(id=row.id, name=row.name)


def _out(v: queries.EngagementView) -> EngagementOut:
    e = v.engagement
    cap = None
    if v.check is not None:
        cap = CapOut(
            fee_at_full_recovery=v.check.full.fee_total,
            cap_at_full_claim=v.check.full.cap,
            can_exceed_cap=v.check.can_exceed_cap,
            rule=v.check.rule,
        )
    return EngagementOut(
        **e.model_dump(
            include={
                "id",
                "status",
                "starts_on",
                "ends_on",
                "authority",
                "authority_note",
                "matter_type",
                "claim_amount",
                "fee_kind",
                "fee_terms",
                "terms_pending",
                "expenses_note",
                "cap_override_reason",
                "cap_override_at",
                "end_reason",
            }
        ),
        status_label=tr(queries.STATUS_LABELS[e.status]),
        firm=_named(v.firm),
        lead_lawyer=_named(v.lead_lawyer),
        framework_agreement=v.agreement.reference if v.agreement else None,
        scopes=list(e.scopes),
        fee_terms_text=[step_text(s) for s in v.terms],
        cap=cap,
        cap_override_by=_named(v.override_by),
    )


@api.route(
    "GET",
    "/cases/<int:case_id>/engagement",
    summary="The case's live engagement and the past ones (counsel: their firm's only)",
    response=CaseEngagementsOut,
)
def get_engagement(case_id: int):
    session, user = get_session(), actor()
    case = policies.get_visible_case(session, user, case_id)
    live, past = queries.case_engagements(session, user, case)
    return CaseEngagementsOut(live=_out(live) if live else None, past=[_out(v) for v in past])
