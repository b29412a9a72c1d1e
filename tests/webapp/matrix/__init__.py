"""Rows of the role × endpoint matrix, one module per area (``test_permissions.py`` reads them).

An area module defines ``ROWS`` — ``{(method, rule): answers}`` in the order of ``ROLES`` —
and may define ``setup(app, session, world) -> dict[str, int]``: objects the area's URLs
name (``<int:plan_id>`` …), created on the matrix's case, by parameter name.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

ROLES = ("anonymous", "admin", "legal", "counsel", "other_counsel", "finance", "management")

# What a visitor gets. Each is checked by ``test_permissions.matches``.
OK = "200"  # the page or document itself
BAD = "bad"  # allowed, but the empty body is refused (422) or the form redirects (302/303)
GO = "redirect"  # a redirect that is not the login page
NO = "403"
HIDDEN = "404"
LOGIN = "login"  # 302 to /login?next=…
AUTH = "401"  # API without a valid token


def areas() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]
