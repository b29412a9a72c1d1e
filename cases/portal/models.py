"""Tables: the message thread between the legal department and the engaged firm on a case.

One thread per (case, firm): a firm sees only its own thread, and only while it is engaged on
the case (``Case.firm_id``); legal staff see every firm's thread on the case. Each message
carries a read marker per side: when the firm's counsel and when the legal department first
saw it (the author's own side is marked at once).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, utcnow
from cases.errors import N_

MESSAGE_MAX = 4000


class Side(StrEnum):
    LEGAL = "legal"  # the legal department (legal staff, admins)
    FIRM = "firm"  # the engaged firm's counsel


SIDE_LABELS = {Side.LEGAL: N_("Legal department"), Side.FIRM: N_("Law firm")}


class CaseMessageCreate(SQLModel):
    body: str = Field(min_length=1, max_length=MESSAGE_MAX)

    @field_validator("body", mode="before")
    @classmethod
    def _strip(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v


class CaseMessage(SQLModel, table=True):
    __tablename__ = "case_message"
    __table_args__ = (
        sa.Index("ix_case_message_thread", "case_id", "firm_id", "created_at"),
        sa.CheckConstraint(
            "read_by_firm_at IS NOT NULL OR side != 'firm'", name="firm_reads_its_own"
        ),
        sa.CheckConstraint(
            "read_by_legal_at IS NOT NULL OR side != 'legal'", name="legal_reads_its_own"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    firm_id: int = Field(foreign_key="law_firm.id", index=True)
    author_id: int = Field(foreign_key="app_user.id")
    side: Side = Field(sa_type=enum_type(Side, "message_side"))
    body: str = Field(min_length=1, max_length=MESSAGE_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_by_firm_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    read_by_legal_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
