"""Case-page panels: each area adds what its part of the case page needs.

A blueprint module registers ``@panel`` functions ``(session, user, case) -> dict``; the case
page merges their results into its template context, and ``casefile/detail.html`` includes
each area's partial. Keeps ``casefile.py`` from knowing every area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from cases.register.models import Case
from cases.users.models import User

Panel = Callable[[Session, User, Case], dict[str, Any]]
PANELS: list[Panel] = []


def panel(func: Panel) -> Panel:
    PANELS.append(func)
    return func


def panel_context(session: Session, user: User, case: Case) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for func in PANELS:
        context.update(func(session, user, case))
    return context
