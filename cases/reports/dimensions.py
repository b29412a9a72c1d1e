"""The groupings of the management view: creditor, branch, handler, firm.

Creditors form a tree (``Creditor.parent_id``: a bank, its branches 分行, their sub-branches
支行; a group and its subsidiaries). "By branch" groups a case under the creditor entity it
was registered to; "by creditor" under the top of that entity's tree, at any depth. Handler
and firm are the case's current ones (None: not assigned / not engaged).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
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


def creditor_roots() -> sa.CTE:
    """``(id, root_id)`` for every creditor: the top of its tree (a recursive CTE)."""
    tree = (
        sa.select(Creditor.id.label("id"), Creditor.id.label("root_id"))
        .where(Creditor.parent_id.is_(None))
        .cte("creditor_root", recursive=True)
    )
    child = aliased(Creditor)
    return tree.union_all(
        sa.select(child.id, tree.c.root_id).join(tree, child.parent_id == tree.c.id)
    )


def grouped(stmt: sa.Select[Any], dimension: Dimension | str) -> tuple[sa.Select[Any], Any]:
    """``stmt`` (which selects from ``case``) joined as the dimension needs, and its key."""
    dimension = Dimension(dimension)
    if dimension == Dimension.CREDITOR:
        roots = creditor_roots()
        return stmt.join(roots, roots.c.id == Case.creditor_id), roots.c.root_id
    column = {
        Dimension.BRANCH: Case.creditor_id,
        Dimension.HANDLER: Case.handler_id,
        Dimension.FIRM: Case.firm_id,
    }[dimension]
    return stmt, column


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
