"""Money received against a case. Allocation (民法典 第561条) is computed from these rows.

Only CONFIRMED money counts (``CONFIRMED``): in the case's totals, the statement, the
limitation schedule, the lists, the API and contingency fees. A bank reference is unique
among the payments that are not rejected, across all cases (a partial unique index). An asset
taken in settlement (以物抵债, ``PaymentMethod.IN_KIND``) is recorded at its agreed value with a
description of the asset.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, today, utcnow
from cases.errors import N_
from cases.validation import field_error


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    BILL = "bill"  # 票据 (acceptance bill, cheque)
    COURT = "court"  # 法院执行款 paid out by the court
    IN_KIND = "in_kind"  # 以物抵债, at the agreed value
    OFFSET = "offset"  # 抵销
    OTHER = "other"


PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: N_("Bank transfer"),
    PaymentMethod.CASH: N_("Cash"),
    PaymentMethod.BILL: N_("Bill or cheque"),
    PaymentMethod.COURT: N_("Paid out by the court"),
    PaymentMethod.IN_KIND: N_("Asset in lieu of payment"),
    PaymentMethod.OFFSET: N_("Set-off"),
    PaymentMethod.OTHER: N_("Other"),
}


class PaymentStatus(StrEnum):
    """Money reported by counsel or legal staff is pending until finance confirms it; only
    confirmed money is allocated, counted as recovered and drives contingency fees."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


PAYMENT_STATUS_LABELS = {
    PaymentStatus.PENDING: N_("Awaiting finance confirmation"),
    PaymentStatus.CONFIRMED: N_("Confirmed by finance"),
    PaymentStatus.REJECTED: N_("Rejected by finance"),
}


class PaymentBase(SQLModel):
    received_on: date
    amount: Decimal = money_field(gt=Decimal(0))
    payer: str = Field(min_length=1, max_length=200)
    method: PaymentMethod = Field(
        default=PaymentMethod.BANK_TRANSFER, sa_type=enum_type(PaymentMethod, "payment_method")
    )
    bank_ref: str | None = Field(default=None, max_length=64)
    claim_id: int | None = Field(default=None, foreign_key="claim.id")
    note: str | None = Field(default=None, max_length=1000)
    asset_description: str | None = Field(default=None, max_length=1000)  # 以物抵债: what


class PaymentCreate(PaymentBase):
    """Money received as typed by whoever records or reports it."""

    @field_validator("received_on")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > today():
            raise PydanticCustomError("future", N_("Money cannot be received in the future"))
        return v

    @field_validator("bank_ref", "asset_description", "note")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return (v.strip() or None) if v is not None else None

    @model_validator(mode="after")
    def _in_kind(self) -> PaymentCreate:
        if self.method == PaymentMethod.IN_KIND and not self.asset_description:
            raise field_error(
                "asset_description",
                N_("Describe the asset taken in settlement; the amount is its agreed value"),
            )
        if self.method != PaymentMethod.IN_KIND and self.asset_description:
            raise field_error(
                "asset_description",
                N_("Only an asset taken in settlement (以物抵债) has an asset description"),
            )
        return self


class Payment(PaymentBase, table=True):
    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(
            "method != 'in_kind' OR asset_description IS NOT NULL", name="in_kind_described"
        ),
        sa.CheckConstraint(
            "status != 'rejected' OR rejected_reason IS NOT NULL", name="rejection_has_reason"
        ),
        sa.CheckConstraint(
            "status != 'confirmed' OR confirmed_at IS NOT NULL", name="confirmation_dated"
        ),
        # a case's payments by date; with status and amount, its money from the index alone
        # (migration 0019)
        sa.Index("ix_payment_case_received", "case_id", "received_on", "status", "amount"),
        # the money of a period, read from the index alone (migration 0017)
        sa.Index("ix_payment_status_received", "status", "received_on", "case_id", "amount"),
        # one live payment per bank reference, across all cases
        sa.Index(
            "uq_payment_bank_ref_live",
            "bank_ref",
            unique=True,
            sqlite_where=sa.text("status != 'rejected'"),
            postgresql_where=sa.text("status != 'rejected'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: PaymentStatus = Field(
        default=PaymentStatus.CONFIRMED,
        sa_type=enum_type(PaymentStatus, "payment_status"),
        sa_column_kwargs={"server_default": "confirmed"},
        index=True,
    )
    confirmed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_reason: str | None = Field(default=None, max_length=1000)


CONFIRMED = Payment.status == PaymentStatus.CONFIRMED  # WHERE clause: money that counts


class PaymentRead(PaymentBase):
    id: int
    case_id: int
    recorded_at: datetime
    status: PaymentStatus
    confirmed_by_id: int | None = None
    confirmed_at: datetime | None = None
    rejected_reason: str | None = None


# What each payment entry on the timeline says (``Event.summary`` of a PAYMENT event).
PAYMENT_EVENT_LABELS = {
    "recorded": N_("Recorded by finance"),
    "reported": N_("Reported; awaiting finance confirmation"),
    "confirmed": N_("Confirmed by finance"),
    "rejected": N_("Rejected by finance"),
}
