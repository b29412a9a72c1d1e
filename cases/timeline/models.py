"""The timeline of a case: contacts, progress, stage changes, documents, payments, notes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, business_time, enum_type, money_field, today, utcnow
from cases.errors import N_
from cases.plans.models import MAX_PROMISE_TIMES, PromiseRepeat
from cases.portal.steps import SEIZING_STEPS, DocumentType, ProgressStep, SeizedAsset
from cases.validation import field_error


class EventKind(StrEnum):
    CONTACT = "contact"  # 催收记录
    PROGRESS = "progress"  # a step in court: filing, hearing, ruling, … (``step``)
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
    # progress steps (cases.portal.steps): the step, the court's case number (案号), and for a
    # seizure what was seized (it sets how long the measure lasts)
    step: ProgressStep | None = Field(
        default=None, sa_type=enum_type(ProgressStep, "progress_step"), index=True
    )
    court_case_no: str | None = Field(default=None, max_length=64)
    seized_asset: SeizedAsset | None = Field(
        default=None, sa_type=enum_type(SeizedAsset, "seized_asset")
    )


class EventCreate(EventBase):
    """A hand-logged event (contact record, progress, note)."""

    # A repeating promise to pay: ``promise_times`` payments of ``promised_amount``, the
    # first on ``promised_date`` (each becomes a tracked ``cases.plans.models.Promise``).
    promise_repeat: PromiseRepeat | None = None
    promise_times: int | None = Field(default=None, ge=2, le=MAX_PROMISE_TIMES)

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
        self._step_rules()
        self._promise_rules()
        return self

    def _promise_rules(self) -> None:
        """Promises to pay (``cases.plans``): on or after the contact; repeating in full."""
        if self.promised_date is None:
            if self.promise_repeat is not None or self.promise_times is not None:
                raise field_error(
                    "promise_repeat", N_("A repeating promise needs an amount and a first date")
                )
            return
        if self.promised_date < business_time(self.occurred_at).date():
            raise field_error("promised_date", N_("A promise cannot fall before the contact"))
        if (self.promise_repeat is None) != (self.promise_times is None):
            missing = "promise_times" if self.promise_times is None else "promise_repeat"
            raise field_error(missing, N_("A repeating promise needs how often and how many times"))

    def _step_rules(self) -> None:
        if self.kind != EventKind.PROGRESS:
            given = {"step": self.step, "court_case_no": self.court_case_no}
            given["seized_asset"] = self.seized_asset
            for name, value in given.items():
                if value:
                    raise field_error(name, N_("Only progress in court is logged with a step"))
            return
        if self.step is None:
            self.step = ProgressStep.OTHER
        if self.seized_asset is not None and self.step not in SEIZING_STEPS:
            msgid = N_("Say what was seized only for preservation measures or a seizure")
            raise field_error("seized_asset", msgid)


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
    doc_type: DocumentType | None = Field(
        default=None, sa_type=enum_type(DocumentType, "document_type")
    )
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
