"""Tables of the deadlines board: deadlines added by hand, what happened when one came due,
in-app notifications (the daily digest), calendar feeds, and the days the digest ran.

A deadline's identity is its case, its kind (a ``cases.deadlines.DEADLINE_KINDS`` key, or
``custom`` for one added by hand), its due date and what it concerns (the claim, guarantor or
frozen asset; ``""`` when nothing). A computed deadline has no row of its own — it is worked
out from the case every time — so its outcome names it by that identity; a deadline added by
hand is named by its row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, today, utcnow
from cases.errors import N_

CUSTOM = "custom"  # the deadline kind of a deadline added by hand
EARLIEST_DUE = date(2000, 1, 1)
LATEST_YEARS_AHEAD = 20


class CaseDeadlineKind(StrEnum):
    HEARING = "hearing"  # 开庭
    EVIDENCE_PERIOD = "evidence_period"  # 举证期限
    DEFENCE_PERIOD = "defence_period"  # 答辩期
    COURT_SET = "court_set"  # 法院指定的其他期限
    OTHER = "other"


CASE_DEADLINE_KIND_LABELS = {
    CaseDeadlineKind.HEARING: N_("Hearing"),
    CaseDeadlineKind.EVIDENCE_PERIOD: N_("Evidence period ends (举证期限)"),
    CaseDeadlineKind.DEFENCE_PERIOD: N_("Defence period ends (答辩期)"),
    CaseDeadlineKind.COURT_SET: N_("Period set by the court"),
    CaseDeadlineKind.OTHER: N_("Other"),
}

# Periods whose last day moves past rest days and holidays (民事诉讼法 第85条); a hearing is
# on the day the court set, and "other" is taken as typed.
ROLLED_KINDS = frozenset(
    {CaseDeadlineKind.EVIDENCE_PERIOD, CaseDeadlineKind.DEFENCE_PERIOD, CaseDeadlineKind.COURT_SET}
)


class CaseDeadlineBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    kind: CaseDeadlineKind = Field(
        default=CaseDeadlineKind.OTHER, sa_type=enum_type(CaseDeadlineKind, "case_deadline_kind")
    )
    due_on: date
    owner_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    note: str = Field(default="", max_length=1000)


class CaseDeadlineCreate(CaseDeadlineBase):
    @field_validator("title", "note", mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v

    @field_validator("due_on")
    @classmethod
    def _plausible(cls, v: date) -> date:
        if v < EARLIEST_DUE or v.year > today().year + LATEST_YEARS_AHEAD:
            raise PydanticCustomError("due_range", N_("Not a plausible date for a deadline"))
        return v


class CaseDeadlineUpdate(CaseDeadlineCreate):
    done: bool = False


class CaseDeadline(CaseDeadlineBase, table=True):
    """A deadline added by hand: a hearing, an evidence or defence period, a court's date."""

    __tablename__ = "case_deadline"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    done: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Outcome(StrEnum):
    ACTED = "acted"  # done in time: filed, applied, renewed, attended
    MISSED = "missed"  # passed without the act
    NOT_NEEDED = "not_needed"  # moot: paid, settled, withdrawn, superseded


OUTCOME_LABELS = {
    Outcome.ACTED: N_("Done in time"),
    Outcome.MISSED: N_("Missed"),
    Outcome.NOT_NEEDED: N_("No longer needed"),
}


class DeadlineOutcomeCreate(SQLModel):
    deadline_kind: str = Field(min_length=1, max_length=40)
    due_on: date
    subject: str = Field(default="", max_length=200)
    case_deadline_id: int | None = None
    outcome: Outcome
    note: str = Field(min_length=2, max_length=1000)

    @field_validator("note", "subject", mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v


class DeadlineOutcome(SQLModel, table=True):
    """What happened about one deadline: who recorded it, when, and what they said."""

    __tablename__ = "deadline_outcome"
    __table_args__ = (
        sa.CheckConstraint(
            "(case_deadline_id IS NOT NULL) = (deadline_kind = 'custom')",
            name="custom_names_its_row",
        ),
        sa.UniqueConstraint("case_deadline_id", name="uq_deadline_outcome_case_deadline_id"),
        # one outcome per computed deadline
        sa.Index(
            "uq_deadline_outcome_identity",
            "case_id",
            "deadline_kind",
            "due_on",
            "subject",
            unique=True,
            sqlite_where=sa.text("case_deadline_id IS NULL"),
            postgresql_where=sa.text("case_deadline_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    deadline_kind: str = Field(max_length=40)
    due_on: date
    subject: str = Field(default="", max_length=200)
    case_deadline_id: int | None = Field(default=None, foreign_key="case_deadline.id")
    outcome: Outcome = Field(sa_type=enum_type(Outcome, "deadline_outcome_kind"))
    note: str = Field(max_length=1000)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationKind(StrEnum):
    DIGEST = "digest"  # the daily digest of deadlines and plan alerts


class Notification(SQLModel, table=True):
    """An in-app message to one user. ``items`` are plain values (the page translates them
    when shown, in the reader's language); at most one digest per user and day."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "day", name="uq_notification_user_kind_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: NotificationKind = Field(sa_type=enum_type(NotificationKind, "notification_kind"))
    day: date  # the business day it is for
    counts: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CalendarFeed(SQLModel, table=True):
    """A user's secret calendar URL. Only the SHA-256 of its token is kept; at most one live
    feed per user (a new one revokes the old)."""

    __tablename__ = "calendar_feed"
    __audit_mask__ = frozenset({"token_hash"})
    __table_args__ = (
        sa.Index(
            "uq_calendar_feed_live_user",
            "user_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DigestRun(SQLModel, table=True):
    """The days the daily digest was made (the periodic task skips a day already done)."""

    __tablename__ = "digest_run"
    __audited__ = False

    day: date = Field(primary_key=True)
    ran_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    notifications: int = 0
    emails: int = 0
