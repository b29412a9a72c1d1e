"""The case message thread between the legal department and the engaged law firm.

Who reads: legal staff, admins and management (every firm's thread on the case, management
without marking anything read) and the counsel of the firm engaged on the case (its own
thread, only while the engagement is live: ``Case.firm_id``). Who writes (``case.message``):
legal staff, admins, and that firm's counsel. A message goes to the thread of the firm engaged
now; a case with no firm engaged has nobody to write to.

Read markers are bookkeeping, like ``Case.last_activity_at``: marking a thread read is one
UPDATE outside the audit trail (posting a message is audited like any other row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.base import utcnow
from cases.errors import N_, DomainError, PermissionDenied
from cases.portal.models import CaseMessage, CaseMessageCreate, Side
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.users.models import LawFirm, Role, User
from cases.validation import parse

SIDES = {Role.ADMIN: Side.LEGAL, Role.LEGAL: Side.LEGAL, Role.COUNSEL: Side.FIRM}
READ_COLUMN = {Side.FIRM: "read_by_firm_at", Side.LEGAL: "read_by_legal_at"}
NO_FIRM = N_("No law firm is engaged on this case: there is nobody to write to.")


def side_of(user: User) -> Side | None:
    """The side of the conversation ``user`` speaks for (management and finance: none)."""
    return SIDES.get(user.role)


def _other(side: Side) -> Side:
    return Side.LEGAL if side == Side.FIRM else Side.FIRM


def may_read(user: User, case: Case) -> bool:
    """Whether ``user`` sees message threads on ``case`` (a case they may already see)."""
    if not policies.can(user, "case.read_messages") or not policies.may_see(user, case):
        return False
    return user.role != Role.COUNSEL or case.firm_id == user.firm_id


@dataclass
class ThreadMessage:
    message: CaseMessage
    author_name: str
    new: bool  # not yet read by the reader's side before this page was shown


@dataclass
class Thread:
    firm: LawFirm
    messages: list[ThreadMessage]
    current: bool  # the thread of the firm engaged now (the one a message goes to)


def post_message(
    session: Session, actor: User, case: Case, data: CaseMessageCreate | dict[str, Any]
) -> CaseMessage:
    """A message from ``actor`` to the other side, in the thread of the firm engaged now."""
    policies.require(actor, "case.message")
    if not may_read(actor, case):
        raise PermissionDenied(N_("You are not allowed to do this."))
    if case.firm_id is None:
        raise DomainError(NO_FIRM)
    data = parse(CaseMessageCreate, data)
    side = side_of(actor)
    now = utcnow()
    message = CaseMessage.model_validate(
        data,
        update={
            "case_id": case.id,
            "firm_id": case.firm_id,
            "author_id": actor.id,
            "side": side,
            "created_at": now,
            READ_COLUMN[side]: now,
        },
    )
    session.add(message)
    touch(case)
    session.flush()
    return message


def _thread_filter(user: User, case: Case) -> sa.ColumnElement[bool]:
    clause = CaseMessage.case_id == case.id
    if user.role == Role.COUNSEL:
        clause = sa.and_(clause, CaseMessage.firm_id == user.firm_id)
    return clause


def threads(session: Session, reader: User, case: Case) -> list[Thread]:
    """The threads ``reader`` sees on ``case``, the current firm's first, oldest message first.

    The current firm's thread is listed even while empty, so that it can be written to."""
    if not may_read(reader, case):
        return []
    rows = session.exec(
        select(CaseMessage, User.name)
        .join(User, User.id == CaseMessage.author_id)
        .where(_thread_filter(reader, case))
        .order_by(CaseMessage.created_at, CaseMessage.id)
    ).all()
    side = side_of(reader)
    by_firm: dict[int, list[ThreadMessage]] = defaultdict(list)
    for message, name in rows:
        unread = side is not None and getattr(message, READ_COLUMN[side]) is None
        by_firm[message.firm_id].append(ThreadMessage(message, name, unread))
    firm_ids = set(by_firm) | ({case.firm_id} if case.firm_id else set())
    firms = {f.id: f for f in session.exec(select(LawFirm).where(LawFirm.id.in_(firm_ids)))}
    order = sorted(firm_ids, key=lambda i: (i != case.firm_id, firms[i].name))
    return [Thread(firms[i], by_firm.get(i, []), i == case.firm_id) for i in order]


def mark_read(session: Session, reader: User, case: Case) -> int:
    """Mark the other side's messages on ``case`` read by ``reader``'s side; how many were new.

    Management and finance speak for neither side and mark nothing."""
    side = side_of(reader)
    if side is None or not may_read(reader, case):
        return 0
    column = getattr(CaseMessage, READ_COLUMN[side])
    result = session.execute(
        sa.update(CaseMessage)
        .where(_thread_filter(reader, case), CaseMessage.side == _other(side), column.is_(None))
        .values({READ_COLUMN[side]: utcnow()})
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def unread_counts(
    session: Session, reader: User, case_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Per case, the other side's messages ``reader``'s side has not read yet.

    Counsel count only their firm's threads on cases still engaged to it; legal staff and
    admins count every firm's messages; management and finance have nothing unread."""
    side = side_of(reader)
    if side is None or not reader.is_active:
        return {}
    column = getattr(CaseMessage, READ_COLUMN[side])
    stmt = (
        select(CaseMessage.case_id, sa.func.count())
        .where(CaseMessage.side == _other(side), column.is_(None))
        .group_by(CaseMessage.case_id)
    )
    if reader.role == Role.COUNSEL:
        stmt = stmt.join(Case, Case.id == CaseMessage.case_id).where(
            CaseMessage.firm_id == reader.firm_id, Case.firm_id == reader.firm_id
        )
    if case_ids is not None:
        stmt = stmt.where(CaseMessage.case_id.in_(list(case_ids)))
    return dict(session.exec(stmt).all())
