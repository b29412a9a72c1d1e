"""The LPR table in the database, and the admin operations that keep it current.

Migration 0004 seeds ``lpr_rate`` from the bundled ``cases/interest/lpr.csv`` (RULES.md §5:
change points only, a rate holds until the next row). New rows are published monthly on the
20th; an admin adds them here (``add_rate``), corrects them (``update_rate``) or removes a
mistaken one (``delete_rate``). Every change is audited by the ORM hook (``cases.audit``).
Computations read the table as an ``LprSeries`` (``load_series``).

A row repeating the previous rates is allowed: it records that a publication left them
unchanged and moves the date up to which computations are certain (``LprSeries.known_until``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, Session, SQLModel, select

from cases.base import UTCDateTime, today, utcnow
from cases.errors import N_, NotFound, ValidationError
from cases.interest.calc import FIRST_LPR_DATE, LPR_PUBLICATION_DAY, LprSeries
from cases.users.admin import require_admin
from cases.users.models import User
from cases.validation import parse

RATE = sa.Numeric(5, 2)  # percent per year, as published: 3.45


def _rate_field(**kwargs: Any) -> Any:
    return Field(gt=0, lt=100, max_digits=5, decimal_places=2, sa_type=RATE, **kwargs)


class LprRateBase(SQLModel):
    effective_date: date
    lpr_1y: Decimal = _rate_field()
    lpr_5y: Decimal = _rate_field()  # five years and above (5年期以上)


class LprRateCreate(LprRateBase):
    @field_validator("effective_date")
    @classmethod
    def _published_day(cls, v: date) -> date:
        if v > today():
            raise PydanticCustomError("future", N_("An LPR cannot take effect in the future"))
        if v < FIRST_LPR_DATE:
            raise PydanticCustomError(
                "before_lpr", N_("The LPR was first published on 20 August 2019")
            )
        if v.day < LPR_PUBLICATION_DAY:
            raise PydanticCustomError(
                "publication_day",
                N_("The LPR takes effect on the 20th of a month (or the next working day)"),
            )
        return v


class LprRateUpdate(SQLModel):
    effective_date: date | None = None
    lpr_1y: Decimal | None = None
    lpr_5y: Decimal | None = None


class LprRate(LprRateBase, table=True):
    __tablename__ = "lpr_rate"
    __table_args__ = (
        sa.CheckConstraint("lpr_1y > 0 AND lpr_1y < 100", name="lpr_1y_range"),
        sa.CheckConstraint("lpr_5y > 0 AND lpr_5y < 100", name="lpr_5y_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    effective_date: date = Field(sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")  # None: seeded


class LprRateRead(LprRateBase):
    id: int
    created_at: datetime
    created_by_id: int | None


DUPLICATE_DATE = N_("An LPR for this date is already on file")


# ---- queries --------------------------------------------------------------------------------


def list_rates(session: Session) -> list[LprRate]:
    """Every row, newest first (for the admin list)."""
    return list(session.exec(select(LprRate).order_by(LprRate.effective_date.desc())))


def get_rate(session: Session, rate_id: int) -> LprRate:
    rate = session.get(LprRate, rate_id)
    if rate is None:
        raise NotFound(N_("No such LPR row"))
    return rate


def load_series(session: Session) -> LprSeries:
    """The table as an ``LprSeries`` for computations."""
    rows = session.exec(
        select(LprRate.effective_date, LprRate.lpr_1y, LprRate.lpr_5y).order_by(
            LprRate.effective_date
        )
    )
    return LprSeries.from_rows(tuple(row) for row in rows)


# ---- operations (admin only; flush, never commit) -------------------------------------------


def _refuse_duplicate(session: Session, day: date, rate_id: int | None = None) -> None:
    query = select(LprRate.id).where(LprRate.effective_date == day)
    if rate_id is not None:
        query = query.where(LprRate.id != rate_id)
    if session.exec(query).first() is not None:
        raise ValidationError.single("effective_date", DUPLICATE_DATE)


def add_rate(session: Session, actor: User, data: LprRateCreate | dict[str, Any]) -> LprRate:
    """Record a published LPR: effective date (not in the future, from 2019-08-20, on or after
    the 20th of its month, not already on file) and the 1-year and 5-year-plus rates in percent
    (above 0, below 100, at most 2 decimal places)."""
    require_admin(actor)
    data = parse(LprRateCreate, data)
    _refuse_duplicate(session, data.effective_date)
    rate = LprRate.model_validate(data, update={"created_by_id": actor.id})
    session.add(rate)
    session.flush()
    return rate


def update_rate(
    session: Session, actor: User, rate: LprRate, data: LprRateUpdate | dict[str, Any]
) -> LprRate:
    """Correct a row: the fields given replace the row's, validated as ``add_rate`` does."""
    require_admin(actor)
    if not isinstance(data, LprRateUpdate):
        data = parse(LprRateUpdate, data)
    changes = data.model_dump(exclude_unset=True)
    current = {"effective_date": rate.effective_date, "lpr_1y": rate.lpr_1y, "lpr_5y": rate.lpr_5y}
    merged = parse(LprRateCreate, {**current, **changes})
    _refuse_duplicate(session, merged.effective_date, rate.id)
    for key, value in merged.model_dump().items():
        setattr(rate, key, value)
    session.flush()
    return rate


def delete_rate(session: Session, actor: User, rate: LprRate) -> None:
    """Remove a mistaken row; the previous row's rates then hold until the next one."""
    require_admin(actor)
    session.delete(rate)
    session.flush()
