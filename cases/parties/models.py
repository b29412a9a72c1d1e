"""Creditor entities (our company and its branches) and counterparties (debtors, guarantors)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases import ids
from cases.base import StrEnum, UTCDateTime, enum_type, utcnow
from cases.errors import N_
from cases.validation import field_error


class PartyKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


PARTY_KIND_LABELS = {PartyKind.COMPANY: N_("Company"), PartyKind.PERSON: N_("Individual")}


class CreditorBase(SQLModel):
    name: str = Field(min_length=2, max_length=200)
    short_name: str | None = Field(default=None, max_length=50)
    uscc: str | None = Field(default=None, max_length=18)
    is_bank: bool = False
    parent_id: int | None = Field(default=None, foreign_key="creditor.id", index=True)
    address: str | None = Field(default=None, max_length=300)
    bank_account: str | None = Field(default=None, max_length=100)


class Creditor(CreditorBase, table=True):
    __tablename__ = "creditor"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _check_uscc(value: str | None) -> str | None:
    if not isinstance(value, str):
        return value  # the type check that follows says what is wrong
    if not value.strip():
        return None
    value = ids.normalise_uscc(value).upper()
    if not ids.is_valid_uscc(value):
        raise PydanticCustomError(
            "uscc", N_("Not a valid unified social credit code (check digit)")
        )
    return value


def _check_ric(value: str | None) -> str | None:
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    value = ids.normalise_ric(value).upper()
    if not ids.is_valid_ric(value):
        raise PydanticCustomError("ric", N_("Not a valid resident ID number (check digit)"))
    return value


class PartyBase(SQLModel):
    kind: PartyKind = Field(sa_type=enum_type(PartyKind, "party_kind"))
    name: str = Field(min_length=2, max_length=200)
    uscc: str | None = Field(default=None, max_length=18)
    id_number: str | None = Field(default=None, max_length=18)
    legal_representative: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)


class PartyCreate(PartyBase):
    """A debtor or guarantor as typed: the identifier matches the kind and passes its check."""

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str) -> str:
        return v.strip()

    @field_validator("uscc", mode="before")
    @classmethod
    def _uscc(cls, v: str | None) -> str | None:
        return _check_uscc(v)

    @field_validator("id_number", mode="before")
    @classmethod
    def _ric(cls, v: str | None) -> str | None:
        return _check_ric(v)

    @model_validator(mode="after")
    def _identifier_matches_kind(self) -> PartyCreate:
        if self.kind == PartyKind.COMPANY:
            if not self.uscc:
                raise field_error("uscc", N_("A company needs its unified social credit code"))
            self.id_number = None
        else:
            if not self.id_number:
                raise field_error("id_number", N_("An individual needs a resident ID number"))
            self.uscc = None
        return self


class Party(PartyBase, table=True):
    __tablename__ = "party"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'company' AND uscc IS NOT NULL AND id_number IS NULL)"
            " OR (kind = 'person' AND id_number IS NOT NULL AND uscc IS NULL)",
            name="identifier_matches_kind",
        ),
        # Debtor-name search in the case list (GIN trigram on PostgreSQL; migration 0002).
        sa.Index(
            "ix_party_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    uscc: str | None = Field(default=None, max_length=18, sa_column_kwargs={"unique": True})
    id_number: str | None = Field(default=None, max_length=18, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def identifier(self) -> str:
        return self.uscc or self.id_number or ""


class PartyRead(PartyBase):
    id: int


class ContactBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=500)


class ContactCreate(ContactBase):
    pass


class Contact(ContactBase, table=True):
    """A person to reach at a party, or an address for service (送达地址)."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    party_id: int = Field(foreign_key="party.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContactRead(ContactBase):
    id: int
