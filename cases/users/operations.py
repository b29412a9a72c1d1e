"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from cases.base import utcnow
from cases.errors import N_, ValidationError
from cases.users.models import ApiToken, LawFirm, Role, User, UserCreate
from cases.validation import parse

TOKEN_USE_RESOLUTION = timedelta(minutes=5)  # how exactly ApiToken.last_used_at is kept

# scrypt (werkzeug's default) with its recommended cost parameters.
PASSWORD_METHOD = "scrypt:32768:8:1"  # noqa: S105 (a hash method name, not a password)
# A constant hash to compare against when the user does not exist (equal timing).
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


def get_or_create_firm(session: Session, name: str) -> LawFirm:
    firm = session.exec(select(LawFirm).where(LawFirm.name == name)).first()
    if firm is None:
        firm = LawFirm(name=name)
        session.add(firm)
        session.flush()
    return firm


def create_user(session: Session, data: UserCreate | dict[str, Any]) -> User:
    data = parse(UserCreate, data)
    if session.exec(select(User.id).where(User.email == data.email)).first():
        raise ValidationError.single("email", N_("A user with this email already exists"))
    if (data.role == Role.COUNSEL) != (data.firm_id is not None):
        raise ValidationError.single(
            "firm_id", N_("Outside counsel, and only outside counsel, belong to a law firm")
        )
    user = User.model_validate(
        data.model_dump(exclude={"password"}),
        update={"password_hash": generate_password_hash(data.password, method=PASSWORD_METHOD)},
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < 10:
        raise ValidationError.single(
            "password", N_("At least %(min_length)s characters"), min_length=10
        )
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    session.flush()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """A user's own change: the current password proves it is them; other sessions end."""
    if not check_password_hash(user.password_hash, current):
        raise ValidationError.single("current_password", N_("The current password is wrong"))
    if new == current:
        raise ValidationError.single(
            "password", N_("The new password must differ from the current one")
        )
    set_password(session, user, new)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str = "") -> str:
    """A new bearer token for the user; only its hash is stored, so show it once."""
    token = "qs_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.exec(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # at most one write per token and resolution period
        session.flush()
    return user


def revoke_tokens(session: Session, user: User) -> int:
    rows = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    session.flush()
    return len(rows)
