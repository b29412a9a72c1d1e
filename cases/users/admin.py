"""Administration of users, law firms and creditor entities (admin role only)."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator
from sqlmodel import Session, select

from cases.errors import N_, PermissionDenied, ValidationError
from cases.parties.models import Creditor, CreditorBase, _check_uscc
from cases.users.models import LawFirm, LawFirmBase, Role, User
from cases.users.operations import create_user, set_password
from cases.validation import parse


class CreditorCreate(CreditorBase):
    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str | None) -> str | None:
        return _check_uscc(v)


class LawFirmCreate(LawFirmBase):
    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str | None) -> str | None:
        return _check_uscc(v)


def require_admin(actor: User) -> None:
    if not (actor.is_active and actor.role == Role.ADMIN):
        raise PermissionDenied(N_("You are not allowed to do this."))


def add_user(session: Session, actor: User, data: dict[str, Any]) -> User:
    require_admin(actor)
    return create_user(session, data)


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    require_admin(actor)
    if user.id == actor.id and not active:
        raise ValidationError.single("is_active", N_("You cannot deactivate yourself"))
    user.is_active = active
    session.flush()


def reset_password(session: Session, actor: User, user: User, password: str) -> None:
    """An admin sets a new password (told to the user in person); their sessions end."""
    require_admin(actor)
    set_password(session, user, password)


def add_firm(session: Session, actor: User, data: dict[str, Any]) -> LawFirm:
    require_admin(actor)
    data = parse(LawFirmCreate, data)
    if session.exec(select(LawFirm.id).where(LawFirm.name == data.name)).first():
        raise ValidationError.single("name", N_("A law firm with this name already exists"))
    firm = LawFirm.model_validate(data)
    session.add(firm)
    session.flush()
    return firm


def add_creditor(session: Session, actor: User, data: dict[str, Any]) -> Creditor:
    require_admin(actor)
    data = parse(CreditorCreate, data)
    if session.exec(select(Creditor.id).where(Creditor.name == data.name)).first():
        raise ValidationError.single("name", N_("A creditor with this name already exists"))
    if data.parent_id is not None and session.get(Creditor, data.parent_id) is None:
        raise ValidationError.single("parent_id", N_("Unknown creditor"))
    creditor = Creditor.model_validate(data)
    session.add(creditor)
    session.flush()
    return creditor
