"""Tables: fee requests of the engaged law firms and their expense items.

A fee request (律师费请款) asks for the fee due under an engagement's terms on the money
actually received, minus what earlier requests asked; its ``computation`` keeps every input
and step (``cases.settlement.compute.FeeDue.as_dict``). Expenses (travel, court copies …) are
reimbursed at cost against a receipt and kept apart from the fee. The flow is requested →
approved (legal) → paid (finance), or rejected with a reason (``TRANSITIONS``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, today, utcnow
from cases.errors import N_


class FeeRequestStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"


FEE_REQUEST_STATUS_LABELS = {
    FeeRequestStatus.REQUESTED: N_("Awaiting approval"),
    FeeRequestStatus.APPROVED: N_("Approved, awaiting payment"),
    FeeRequestStatus.REJECTED: N_("Rejected by legal"),
    FeeRequestStatus.PAID: N_("Paid"),
}

# (state, action) → new state
TRANSITIONS: dict[tuple[FeeRequestStatus, str], FeeRequestStatus] = {
    (FeeRequestStatus.REQUESTED, "approve"): FeeRequestStatus.APPROVED,
    (FeeRequestStatus.REQUESTED, "reject"): FeeRequestStatus.REJECTED,
    (FeeRequestStatus.APPROVED, "pay"): FeeRequestStatus.PAID,
}
# Requests whose fee is owed or paid: later requests deduct them.
LIVE_STATUSES = (FeeRequestStatus.REQUESTED, FeeRequestStatus.APPROVED, FeeRequestStatus.PAID)


class ExpenseCreate(SQLModel):
    """One expense to reimburse at cost; the receipt file comes with it."""

    description: str = Field(min_length=1, max_length=500)
    amount: Decimal = money_field(gt=Decimal(0))
    spent_on: date

    @field_validator("spent_on")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > today():
            raise PydanticCustomError("future", N_("This date cannot be in the future"))
        return v


class FeeRequestCreate(SQLModel):
    """What the requester types; the fee itself is computed, never typed."""

    engagement_id: int | None = None  # the case's active engagement when not given
    note: str | None = Field(default=None, max_length=1000)
    expenses: list[ExpenseCreate] = Field(default_factory=list, max_length=20)


class FeePayment(SQLModel):
    """Finance marks an approved request paid."""

    paid_on: date
    paid_reference: str = Field(min_length=1, max_length=64)

    @field_validator("paid_on")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > today():
            raise PydanticCustomError("future", N_("This date cannot be in the future"))
        return v


class FeeRequest(SQLModel, table=True):
    __tablename__ = "fee_request"
    __table_args__ = (
        sa.CheckConstraint("fee_amount >= 0", name="fee_non_negative"),
        sa.CheckConstraint("expenses_amount >= 0", name="expenses_non_negative"),
        sa.CheckConstraint("fee_amount + expenses_amount > 0", name="asks_for_something"),
        sa.CheckConstraint(
            "status != 'rejected' OR rejection_reason IS NOT NULL", name="rejection_has_reason"
        ),
        sa.CheckConstraint(
            "status NOT IN ('approved', 'paid') OR approved_at IS NOT NULL", name="approval_dated"
        ),
        sa.CheckConstraint(
            "status != 'paid' OR (paid_on IS NOT NULL AND paid_reference IS NOT NULL)",
            name="payment_recorded",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    firm_id: int = Field(foreign_key="law_firm.id", index=True)
    status: FeeRequestStatus = Field(
        default=FeeRequestStatus.REQUESTED,
        sa_type=enum_type(FeeRequestStatus, "fee_request_status"),
        index=True,
    )
    fee_amount: Decimal = money_field()  # the fee asked now, excluding expenses
    expenses_amount: Decimal = money_field()  # the expense items' total, reimbursed at cost
    computation: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    note: str | None = Field(default=None, max_length=1000)
    requested_by_id: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    rejected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejection_reason: str | None = Field(default=None, max_length=1000)
    paid_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_on: date | None = None
    paid_reference: str | None = Field(default=None, max_length=64)

    @property
    def total(self) -> Decimal:
        return self.fee_amount + self.expenses_amount


class FeeExpense(SQLModel, table=True):
    """An expense item of a fee request, with its receipt kept among the case's files."""

    __tablename__ = "fee_expense"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")  # the request's, so the audit trail shows it
    fee_request_id: int = Field(foreign_key="fee_request.id", index=True)
    description: str = Field(min_length=1, max_length=500)
    amount: Decimal = money_field()
    spent_on: date
    receipt_id: int = Field(foreign_key="attachment.id")
