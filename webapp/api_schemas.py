"""What the HTTP API answers: response models and the error body.

Request bodies are the domain's own ``XCreate`` models and the list query is the list page's
``CaseQuery``. Responses reuse the ``XRead`` models and the list's ``CaseListItem``; money is
a ``Money`` field, a decimal string with two places ("1234.50").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import PlainSerializer
from sqlmodel import Field, SQLModel

from cases.ledger.models import PaymentRead
from cases.parties.models import PartyRead
from cases.register.models import ClaimRead, EvidenceRead, GuaranteeKind, LoanClass
from cases.register.queries import CaseListItem
from cases.timeline.models import EventRead

CENT = Decimal("0.01")


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


Money = Annotated[Decimal, PlainSerializer(_money, return_type=str, when_used="json")]


# ---- parts of a case ----------------------------------------------------------------------


class ClaimOut(ClaimRead):
    principal: Money


class EvidenceOut(EvidenceRead):
    pass


class PartyOut(PartyRead):
    pass


class GuarantorOut(SQLModel):
    party: PartyOut
    kind: GuaranteeKind
    limit_amount: Money | None = None


class CreditorOut(SQLModel):
    id: int
    name: str
    is_bank: bool


class EventOut(EventRead):
    promised_amount: Money | None = None


class PaymentOut(PaymentRead):
    amount: Money
    recorded_by_id: int | None = None


class PaymentListOut(SQLModel):
    """A case's payments, newest first, whatever their status."""

    items: list[PaymentOut]
    recovered: Money = Field(description="Confirmed money: the only money that counts")
    pending: Money = Field(description="Reported, awaiting finance's confirmation")


# ---- cases --------------------------------------------------------------------------------


class CaseSummaryOut(CaseListItem):
    """One row of the case list (the same row the list page shows)."""

    principal: Money
    recovered: Money
    outstanding: Money
    stage_label: str = Field(description="The stage in the request's language")


class CaseDetailOut(CaseSummaryOut):
    """A case with its parties, claims, evidence, recent events and payments."""

    loan_class: LoanClass | None
    transferred_on: date | None
    summary: str | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
    creditor: CreditorOut
    debtor: PartyOut
    guarantors: list[GuarantorOut]
    claims: list[ClaimOut]
    evidence: list[EvidenceOut]
    events: list[EventOut] = Field(description="The most recent events, newest first")
    payments: list[PaymentOut] = Field(description="All payments, newest first")


class CasePageOut(SQLModel):
    items: list[CaseSummaryOut]
    total: int
    page: int = Field(description="The page returned (a page past the end gives the last)")
    page_size: int


# ---- errors -------------------------------------------------------------------------------


class ErrorBody(SQLModel):
    code: int
    message: str = Field(description="In the request's language (Accept-Language)")
    fields: dict[str, list[str]] | None = Field(
        default=None, description="Validation messages by field, e.g. `claims.0.principal`"
    )


class ErrorOut(SQLModel):
    error: ErrorBody


# ---- calculator -------------------------------------------------------------------------------


class StepOut(SQLModel):
    label: str = Field(description="English msgid of the step")
    text: str = Field(description="The step in the language of Accept-Language")
    value: str | int | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class FigureOut(SQLModel):
    value: str = Field(description="Exact decimal string, or an ISO date for deadlines")
    display: str = Field(description="Money rounded half-up to the fen, or the date")
    rule: str = Field(description="The article the computation follows")
    inputs: dict[str, Any]
    steps: list[StepOut]
    warnings: list[str] = Field(default_factory=list)


class CourtCostsOut(SQLModel):
    acceptance: FigureOut
    payment_order: FigureOut
    preservation: FigureOut
    enforcement: FigureOut


class FeeBreakdownOut(SQLModel):
    fee_total: str
    components: list[StepOut]
    expenses: str
    cap: str | None
    within_cap: bool
    can_exceed_cap: bool
    rule: str
    inputs: dict[str, Any]


# ---- a case's figures -------------------------------------------------------------------------


class StatementQuery(SQLModel):
    as_of: date | None = Field(default=None, description="Interest to this day (default today)")


class ClaimStatementOut(SQLModel):
    claim_id: int
    contract_ref: str
    due_date: date
    principal: Money
    principal_paid: Money
    principal_due: Money
    interest_accrued: Money
    interest_paid: Money
    interest_due: Money
    total_due: Money
    interest: FigureOut


class AppliedPaymentOut(SQLModel):
    payment_id: int | None
    received_on: date
    amount: Money
    to_costs: Money
    to_interest: Money
    to_principal: Money
    unapplied: Money


class StatementOut(SQLModel):
    as_of: date
    principal_due: Money
    interest_due: Money
    total_due: Money
    unapplied: Decimal = Field(description="Money received beyond everything due")
    rule: str
    claims: list[ClaimStatementOut]
    payments: list[AppliedPaymentOut] = Field(description="In the order applied (第560、561条)")
    costs: dict[str, FigureOut] = Field(description="Court costs of suing for the total due")
    total: FigureOut
    warnings: list[str] = Field(default_factory=list)


class DeadlineOut(SQLModel):
    label: str = Field(description="English msgid")
    text: str = Field(description="The deadline in the language of Accept-Language")
    due: date
    days_left: int
    urgency: str = Field(description="passed, urgent (≤ 7 days), soon (≤ 30 days) or ok")
    subject: str | None = Field(default=None, description="The claim or guarantor concerned")
    figure: FigureOut


class DeadlinesOut(SQLModel):
    on: date
    items: list[DeadlineOut]
