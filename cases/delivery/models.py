"""Proof of delivery of a demand letter: the sending, then what became of it.

A ``Delivery`` is one posted demand — a 律师函 or 催收通知书 generated on the case, or another
written demand named by its title — with its carrier and tracking number (unique per carrier)
and the day it was sent. Its outcome comes later (or at once): signed for (签收, on a day, by
someone), refused by the addressee (拒收) or returned undelivered (退回), with the signed
receipt kept as evidence. What each outcome means for the limitation period is in
``cases.delivery.rules``; the key date it records is linked from here (``key_date_id``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, today, utcnow
from cases.errors import N_
from cases.validation import field_error

# The generated documents that are demands (主张权利文书): their delivery interrupts limitation.
DEMAND_TEMPLATES = ("lawyer_letter", "collection_notice")


class Carrier(StrEnum):
    EMS = "ems"  # 中国邮政 EMS
    SF = "sf"  # 顺丰速运
    JD = "jd"  # 京东物流
    ZTO = "zto"  # 中通快递
    OTHER = "other"


CARRIER_LABELS = {
    Carrier.EMS: N_("EMS (China Post)"),
    Carrier.SF: N_("SF Express"),
    Carrier.JD: N_("JD Logistics"),
    Carrier.ZTO: N_("ZTO Express"),
    Carrier.OTHER: N_("Other carrier"),
}


class DeliveryStatus(StrEnum):
    SENT = "sent"  # 已寄出, outcome not known yet
    DELIVERED = "delivered"  # 已签收
    REFUSED = "refused"  # 拒收
    RETURNED = "returned"  # 退回 (wrong address, addressee unknown, moved away …)


STATUS_LABELS = {
    DeliveryStatus.SENT: N_("Sent, awaiting the outcome"),
    DeliveryStatus.DELIVERED: N_("Signed for"),
    DeliveryStatus.REFUSED: N_("Refused by the addressee"),
    DeliveryStatus.RETURNED: N_("Returned undelivered"),
}
OUTCOMES = (DeliveryStatus.DELIVERED, DeliveryStatus.REFUSED, DeliveryStatus.RETURNED)

# The one transition table: an outcome is recorded once, on a sending. A wrong record is undone
# (deleted, with its key date) and recorded again.
TRANSITIONS: dict[tuple[DeliveryStatus, DeliveryStatus], DeliveryStatus] = {
    (DeliveryStatus.SENT, outcome): outcome for outcome in OUTCOMES
}

_TRACKING = re.compile(r"^[A-Z0-9][A-Z0-9-]{4,38}[A-Z0-9]$")
_FUTURE = N_("This date cannot be in the future")


def normalise_tracking(value: str) -> str:
    """``" sf 1234 5678 9012 "`` → ``"SF123456789012"``: spaces dropped, letters upper case."""
    return re.sub(r"\s+", "", value).upper()


def _not_future(value: date | None) -> date | None:
    if value is not None and value > today():
        raise PydanticCustomError("future", _FUTURE)
    return value


class SendingCreate(SQLModel):
    """A demand posted to the debtor: which letter, how, and when."""

    document_id: int | None = None  # a GeneratedDocument of the case (a demand letter)
    title: str | None = Field(default=None, max_length=200)  # for another document
    carrier: Carrier
    tracking_no: str = Field(min_length=1, max_length=40)
    sent_on: date

    @field_validator("tracking_no", mode="before")
    @classmethod
    def _normalise(cls, v: object) -> object:
        return normalise_tracking(v) if isinstance(v, str) else v

    @field_validator("tracking_no")
    @classmethod
    def _tracking(cls, v: str) -> str:
        if not _TRACKING.match(v):
            raise PydanticCustomError(
                "tracking", N_("A tracking number is 6 to 40 letters and digits")
            )
        return v

    @field_validator("title")
    @classmethod
    def _title(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    _sent = field_validator("sent_on")(_not_future)

    @model_validator(mode="after")
    def _letter(self) -> SendingCreate:
        if self.document_id is None and not self.title:
            raise field_error("title", N_("Choose the letter sent, or give the document's title"))
        return self


class OutcomeCreate(SQLModel):
    """What became of a sending: signed for, refused or returned, on a day."""

    status: DeliveryStatus
    outcome_on: date
    signer: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=500)

    _on = field_validator("outcome_on")(_not_future)

    @field_validator("signer", "note")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @model_validator(mode="after")
    def _rules(self) -> OutcomeCreate:
        if self.status not in OUTCOMES:
            raise field_error("status", N_("Say whether it was signed for, refused or returned"))
        if self.status == DeliveryStatus.DELIVERED and not self.signer:
            raise field_error("signer", N_("Who signed for it? (as on the receipt)"))
        return self


class Delivery(SQLModel, table=True):
    __tablename__ = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("carrier", "tracking_no", name="uq_delivery_carrier_tracking"),
        sa.CheckConstraint("(status = 'sent') = (outcome_on IS NULL)", name="outcome_dated"),
        sa.CheckConstraint(
            "outcome_on IS NULL OR outcome_on >= sent_on", name="outcome_after_sent"
        ),
        sa.CheckConstraint("status != 'delivered' OR signer IS NOT NULL", name="signed_by_someone"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="generated_document.id")
    run_id: int | None = Field(default=None, foreign_key="bulk_run.id", index=True)
    title: str = Field(max_length=200)  # the letter's title (律师函 …), copied when generated
    carrier: Carrier = Field(sa_type=enum_type(Carrier, "delivery_carrier"))
    tracking_no: str = Field(max_length=40)
    sent_on: date
    status: DeliveryStatus = Field(
        default=DeliveryStatus.SENT, sa_type=enum_type(DeliveryStatus, "delivery_status")
    )
    outcome_on: date | None = None
    signer: str | None = Field(default=None, max_length=100)
    outcome_note: str | None = Field(default=None, max_length=500)
    receipt_id: int | None = Field(default=None, foreign_key="attachment.id")
    # The DEMAND_DELIVERED key date the outcome recorded (signed for or refused). Removing the
    # key date by hand leaves the delivery on record without it.
    key_date_id: int | None = Field(default=None, foreign_key="key_date.id", ondelete="SET NULL")
    sent_event_id: int | None = Field(default=None, foreign_key="event.id")
    outcome_event_id: int | None = Field(default=None, foreign_key="event.id")
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    outcome_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
