"""The groupings of the management view: creditor, branch, handler, firm.

Creditors form a tree (``Creditor.parent_id``: a bank, its branches 分行, their sub-branches
支行; a group and its subsidiaries). "By branch" groups a case under the creditor entity it
was registered to; "by creditor" under the top of that entity's tree, at any depth. Handler
and firm are the case's current ones (None: not assigned / not engaged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.base import StrEnum
from cases.errors import N_
from cases.parties.models import Creditor
from cases.register.models import Case
from cases.users.models import LawFirm, User


class Dimension(StrEnum):
    CREDITOR = "creditor"
    BRANCH = "branch"
    HANDLER = "handler"
    FIRM = "firm"


DIMENSION_LABELS = {
    Dimension.CREDITOR: N_("Creditor"),
    Dimension.BRANCH: N_("Branch"),
    Dimension.HANDLER: N_("Handler"),
    Dimension.FIRM: N_("Law firm"),
}


def column(dimension: Dimension | str) -> Any:
    """The column of ``case`` a grouping reads: the creditor entity for creditor and branch
    (a creditor's cases are rolled up to the top of its tree by ``key_of``)."""
    return {
        Dimension.CREDITOR: Case.creditor_id,
        Dimension.BRANCH: Case.creditor_id,
        Dimension.HANDLER: Case.handler_id,
        Dimension.FIRM: Case.firm_id,
    }[Dimension(dimension)]


def roots(session: Session) -> dict[int, int]:
    """The top of its tree for every creditor entity (one query over ``creditor``, which is
    small: a few hundred entities against the cases' hundred thousands)."""
    parent = dict(session.execute(sa.select(Creditor.id, Creditor.parent_id)).all())
    found: dict[int, int] = {}
    for start in parent:
        path = []
        node = start
        while node not in found and parent.get(node) is not None and len(path) <= len(parent):
            path.append(node)
            node = parent[node]
        top = found.get(node, node)
        for seen in (*path, node):
            found[seen] = top
    return found


def key_of(session: Session, dimension: Dimension | str) -> Callable[[int | None], int | None]:
    """The group of a value of ``column(dimension)``: itself, or for creditors the top of the
    entity's tree. Queries group by the plain column — cheap — and roll up here, rather than
    joining every row to a recursive walk of the tree."""
    if Dimension(dimension) != Dimension.CREDITOR:
        return lambda key: key
    top = roots(session)
    return lambda key: None if key is None else top.get(key, key)


def names(session: Session, dimension: Dimension | str, keys: list[int | None]) -> dict[int, str]:
    """Display names of the keys of a grouping, in one query (None keys are the caller's)."""
    ids = [k for k in keys if k is not None]
    if not ids:
        return {}
    model, column = {
        Dimension.CREDITOR: (Creditor, Creditor.name),
        Dimension.BRANCH: (Creditor, Creditor.name),
        Dimension.HANDLER: (User, User.name),
        Dimension.FIRM: (LawFirm, LawFirm.name),
    }[Dimension(dimension)]
    rows = session.execute(sa.select(model.id, column).where(model.id.in_(ids))).all()
    return dict(rows)
