"""Money received against a case. Allocation (民法典 第561条) is computed from these rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, today, utcnow
from cases.errors import N_


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


class PaymentCreate(PaymentBase):
    @field_validator("received_on")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > today():
            raise PydanticCustomError("future", N_("Money cannot be received in the future"))
        return v


class Payment(PaymentBase, table=True):
    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index("ix_payment_case_received", "case_id", "received_on"),
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
    asset_description: str | None = Field(default=None, max_length=1000)  # 以物抵债: what
    confirmed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rejected_reason: str | None = Field(default=None, max_length=1000)


CONFIRMED = Payment.status == PaymentStatus.CONFIRMED  # WHERE clause: money that counts


class PaymentRead(PaymentBase):
    id: int
    case_id: int
    recorded_at: datetime
