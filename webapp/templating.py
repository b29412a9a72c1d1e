"""Names every page template may use."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from cases.register import policies
from cases.register.models import LABELS
from cases.register.stages import ACTION_LABELS, STAGE_LABELS
from cases.users.models import ROLE_LABELS
from webapp.i18n import tr


def can(capability: str) -> bool:
    return bool(current_user.is_authenticated and policies.can(current_user, capability))


def has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def tr_pair(pair: list[str]) -> tuple[str, str]:
    """``[value, msgid]`` → ``(value, translated label)``, for select options."""
    value, label = pair
    return str(value), tr(label)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["tr_pair"] = tr_pair
    app.jinja_env.globals.update(
        can=can,
        has_endpoint=has_endpoint,
        ROLE_LABELS=ROLE_LABELS,
        STAGE_LABELS=STAGE_LABELS,
        ACTION_LABELS=ACTION_LABELS,
        LABELS=LABELS,
    )
