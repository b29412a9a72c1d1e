"""The timeline of a case: contacts, progress, stage changes, documents, payments, notes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, business_time, enum_type, money_field, today, utcnow
from cases.errors import N_
from cases.validation import field_error


class EventKind(StrEnum):
    CONTACT = "contact"  # 催收记录
    PROGRESS = "progress"  # filing, hearing, ruling, … (free text for now)
    STAGE_CHANGE = "stage_change"
    DOCUMENT = "document"
    PAYMENT = "payment"
    NOTE = "note"


class Channel(StrEnum):
    PHONE = "phone"
    LETTER = "letter"
    VISIT = "visit"
    EMAIL = "email"
    SMS = "sms"
    OTHER = "other"


EVENT_LABELS = {
    EventKind.CONTACT: N_("Collection contact"),
    EventKind.PROGRESS: N_("Progress"),
    EventKind.STAGE_CHANGE: N_("Stage change"),
    EventKind.DOCUMENT: N_("Document"),
    EventKind.PAYMENT: N_("Payment"),
    EventKind.NOTE: N_("Note"),
}
CHANNEL_LABELS = {
    Channel.PHONE: N_("Phone"),
    Channel.LETTER: N_("Letter"),
    Channel.VISIT: N_("Visit"),
    Channel.EMAIL: N_("Email"),
    Channel.SMS: N_("SMS"),
    Channel.OTHER: N_("Other"),
}
# Kinds a user logs by hand; the others are written by operations.
LOGGABLE_KINDS = (EventKind.CONTACT, EventKind.PROGRESS, EventKind.NOTE)


class EventBase(SQLModel):
    kind: EventKind = Field(sa_type=enum_type(EventKind, "event_kind"))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    channel: Channel | None = Field(default=None, sa_type=enum_type(Channel, "channel"))
    summary: str = Field(min_length=1, max_length=4000)
    debtor_response: str | None = Field(default=None, max_length=4000)
    promised_amount: Decimal | None = money_field(nullable=True, default=None, gt=Decimal(0))
    promised_date: date | None = None


class EventCreate(EventBase):
    """A hand-logged event (contact record, progress, note)."""

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return business_time(v)

    @model_validator(mode="after")
    def _rules(self) -> EventCreate:
        if self.kind not in LOGGABLE_KINDS:
            raise field_error("kind", N_("This kind of event is recorded automatically"))
        if business_time(self.occurred_at).date() > today():
            raise field_error("occurred_at", N_("This date cannot be in the future"))
        if self.kind == EventKind.CONTACT and self.channel is None:
            raise field_error("channel", N_("Say how the debtor was contacted"))
        if (self.promised_amount is None) != (self.promised_date is None):
            missing = "promised_date" if self.promised_date is None else "promised_amount"
            raise field_error(missing, N_("A promise to pay needs both an amount and a date"))
        return self


class Event(EventBase, table=True):
    __tablename__ = "event"
    __table_args__ = (sa.Index("ix_event_case_occurred", "case_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    from_stage: str | None = Field(default=None, max_length=20)
    to_stage: str | None = Field(default=None, max_length=20)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EventRead(EventBase):
    id: int
    case_id: int
    actor_id: int | None
    from_stage: str | None
    to_stage: str | None
    payment_id: int | None
    recorded_at: datetime


class Attachment(SQLModel, table=True):
    """An uploaded file kept on a case; the bytes live in the upload store under ``stored_name``."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="event.id", index=True)
    original_name: str = Field(max_length=255)
    stored_name: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
