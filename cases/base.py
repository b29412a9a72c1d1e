"""Shared column helpers and the metadata naming convention."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = sa.Numeric(14, 2)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Timestamps are aware datetimes in Python and naive UTC in every database."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """The business date (China Standard Time), the one deadlines and overdue days count from."""
    return datetime.now(BUSINESS_TZ).date()


def business_time(value: datetime) -> datetime:
    """An aware datetime in China Standard Time; a naive one is taken to be CST already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=BUSINESS_TZ)
    return value.astimezone(BUSINESS_TZ)


StrEnum = enum.StrEnum  # re-exported: str values, ``str(member)`` is the value


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A VARCHAR column with a CHECK constraint listing the enum's values (portable, migratable)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        name=name,
        validate_strings=True,
    )


def money_field(
    *,
    nullable: bool = False,
    gt: Decimal | None = None,
    ge: Decimal | None = None,
    default: Any = ...,
    **kwargs: Any,
) -> Any:
    return Field(
        default=default,
        max_digits=14,
        decimal_places=2,
        gt=gt,
        ge=ge,
        sa_type=MONEY,
        nullable=nullable,
        **kwargs,
    )


def jsonable(value: Any) -> Any:
    """Plain JSON value for audit diffs and API output."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
