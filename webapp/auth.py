"""Who is asking: session login for pages, bearer tokens for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, request
from flask_login import current_user

from cases.register import policies
from cases.users.models import Role, User
from cases.users.operations import user_for_token
from webapp.db import get_session
from webapp.extensions import login_manager


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    user_id, _, stamp = identity.partition(".")
    if not user_id.isdigit():
        return None
    session = get_session()
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or user.get_id() != identity:
        return None
    session.info["actor_id"] = user.id
    return user


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    session = get_session()
    user = user_for_token(session, token.strip())
    if user is not None:
        session.info["actor_id"] = user.id
    return user


def actor() -> User:
    """The acting user of this request (token user on the API, session user on pages)."""
    user = g.get("api_user") or current_user
    if not getattr(user, "is_authenticated", False):
        abort(401)
    return user  # type: ignore[return-value]


def require_capability(capability: str) -> Callable:
    """Refuse the view with 403 unless the actor's role has the capability."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not policies.can(actor(), capability):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no ``//`` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def role_is(*roles: Role) -> bool:
    user = current_user
    return bool(getattr(user, "is_authenticated", False) and user.role in roles)
