"""Users, roles, law firms and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
from pydantic import EmailStr, field_validator
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, utcnow
from cases.errors import N_


class Role(StrEnum):
    ADMIN = "admin"
    LEGAL = "legal"
    COUNSEL = "counsel"
    FINANCE = "finance"
    MANAGEMENT = "management"


ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.LEGAL: N_("Legal staff"),
    Role.COUNSEL: N_("Outside counsel"),
    Role.FINANCE: N_("Finance"),
    Role.MANAGEMENT: N_("Management"),
}


class LawFirmBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    uscc: str | None = Field(default=None, max_length=18)
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)


class LawFirm(LawFirmBase, table=True):
    __tablename__ = "law_firm"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserBase(SQLModel):
    email: str = Field(max_length=254)
    name: str = Field(min_length=1, max_length=100)
    role: Role = Field(sa_type=enum_type(Role, "role"))
    firm_id: int | None = Field(default=None, foreign_key="law_firm.id", index=True)
    locale: str = Field(default="zh", max_length=10)
    is_active: bool = True


class UserCreate(UserBase):
    email: EmailStr
    password: str = Field(min_length=10, max_length=200)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class User(UserBase, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint("(role = 'counsel') = (firm_id IS NOT NULL)", name="counsel_has_firm"),
    )
    __audit_mask__ = frozenset({"password_hash"})

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_counsel(self) -> bool:
        return self.role == Role.COUNSEL

    # The login-session protocol (Flask-Login's names; no Flask import here).
    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        """Session identity; changes with the password, which logs out other sessions."""
        return f"{self.id}.{self.password_hash[-16:]}"


class UserRead(UserBase):
    id: int


class ApiToken(SQLModel, table=True):
    """A bearer token for the HTTP API. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_token"
    __audit_mask__ = frozenset({"token_hash"})

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
