"""Changes on the board: deadlines added and updated by hand, outcomes recorded, calendar
feeds issued and revoked, notifications read.

Each takes the acting user, checks the capability (``deadline.manage`` for deadlines and
outcomes), validates, flushes and leaves the commit to the caller. The audit hook records
every change with its actor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from cases.base import utcnow
from cases.board.models import (
    CUSTOM,
    CalendarFeed,
    CaseDeadline,
    CaseDeadlineCreate,
    CaseDeadlineUpdate,
    DeadlineOutcome,
    DeadlineOutcomeCreate,
    Notification,
)
from cases.board.queries import case_rows
from cases.errors import N_, NotFound, ValidationError
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.users.models import Role, User
from cases.validation import parse

FEED_USE_RESOLUTION = timedelta(minutes=15)  # how exactly CalendarFeed.last_used_at is kept
OWNER_ROLES = frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL})


# ---- deadlines added by hand ----------------------------------------------------------------


def owner_choices(session: Session, case: Case) -> list[User]:
    """Who may own a deadline of ``case``: active legal staff and admins, and the counsel of
    the case's firm."""
    users = session.exec(
        select(User)
        .where(User.is_active, User.role.in_(list(OWNER_ROLES)))
        .order_by(User.role, User.name, User.id)
    )
    return [u for u in users if policies.may_see(u, case)]


def _check_owner(session: Session, case: Case, owner_id: int | None) -> None:
    if owner_id is None:
        return
    owner = session.get(User, owner_id)
    if (
        owner is None
        or not owner.is_active
        or owner.role not in OWNER_ROLES
        or not policies.may_see(owner, case)
    ):
        raise ValidationError.single(
            "owner_id", N_("Choose legal staff or a lawyer of the firm handling this case")
        )


def add_deadline(
    session: Session, actor: User, case: Case, data: CaseDeadlineCreate | dict[str, Any]
) -> CaseDeadline:
    policies.require(actor, "deadline.manage")
    data = parse(CaseDeadlineCreate, data)
    owner_id = data.owner_id if data.owner_id is not None else actor.id
    _check_owner(session, case, owner_id)
    row = CaseDeadline.model_validate(
        data, update={"case_id": case.id, "owner_id": owner_id, "created_by_id": actor.id}
    )
    session.add(row)
    touch(case)
    session.flush()
    return row


def get_deadline(session: Session, case: Case, deadline_id: int) -> CaseDeadline:
    """A deadline added by hand, through its case (another case's id: not found)."""
    row = session.get(CaseDeadline, deadline_id)
    if row is None or row.case_id != case.id:
        raise NotFound(N_("No such deadline on this case."))
    return row


def update_deadline(
    session: Session,
    actor: User,
    case: Case,
    deadline_id: int,
    data: CaseDeadlineUpdate | dict[str, Any],
) -> CaseDeadline:
    policies.require(actor, "deadline.manage")
    row = get_deadline(session, case, deadline_id)
    data = parse(CaseDeadlineUpdate, data)
    _check_owner(session, case, data.owner_id)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    touch(case)
    session.flush()
    return row


# ---- outcomes -------------------------------------------------------------------------------


def record_outcome(
    session: Session, actor: User, case: Case, data: DeadlineOutcomeCreate | dict[str, Any]
) -> DeadlineOutcome:
    """Record what happened about one of the case's current deadlines. A deadline added by
    hand is named by ``case_deadline_id`` and is marked done; a computed one by its kind, due
    date and subject, which must be one the case has now."""
    policies.require(actor, "deadline.manage")
    data = parse(DeadlineOutcomeCreate, data)
    rows = case_rows(session, case)
    custom: CaseDeadline | None = None
    if data.case_deadline_id is not None:
        custom = get_deadline(session, case, data.case_deadline_id)
        due_on = next((r.due for r in rows if r.custom is custom), custom.due_on)
        kind, subject = CUSTOM, ""
        taken = session.exec(
            select(DeadlineOutcome.id).where(DeadlineOutcome.case_deadline_id == custom.id)
        ).first()
    else:
        kind, due_on, subject = data.deadline_kind, data.due_on, data.subject
        if kind == CUSTOM or (case.id, kind, due_on, subject) not in {r.key for r in rows}:
            raise ValidationError.single(
                "__all__",
                N_("This deadline is no longer on the case (its date may have moved): reload"),
            )
        taken = session.exec(
            select(DeadlineOutcome.id).where(
                DeadlineOutcome.case_id == case.id,
                DeadlineOutcome.case_deadline_id.is_(None),
                DeadlineOutcome.deadline_kind == kind,
                DeadlineOutcome.due_on == due_on,
                DeadlineOutcome.subject == subject,
            )
        ).first()
    if taken is not None:
        raise ValidationError.single(
            "__all__", N_("What happened about this deadline has already been recorded")
        )
    row = DeadlineOutcome(
        case_id=case.id,
        deadline_kind=kind,
        due_on=due_on,
        subject=subject,
        case_deadline_id=custom.id if custom else None,
        outcome=data.outcome,
        note=data.note,
        recorded_by_id=actor.id,
    )
    session.add(row)
    if custom is not None:
        custom.done = True
        custom.updated_at = utcnow()
    touch(case)
    session.flush()
    return row


# ---- calendar feeds ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_feed(session: Session, user: User) -> CalendarFeed | None:
    return session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
        )
    ).first()


def revoke_feed(session: Session, user: User) -> bool:
    """Revoke the user's feed URL; whether there was one."""
    feed = live_feed(session, user)
    if feed is None:
        return False
    feed.revoked_at = utcnow()
    session.flush()
    return True


def issue_feed(session: Session, user: User) -> str:
    """A new secret feed token for the user (the old URL stops working). Only its hash is
    stored: show it once."""
    revoke_feed(session, user)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(user_id=user.id, token_hash=_digest(token)))
    session.flush()
    return token


def user_for_feed(session: Session, token: str) -> User | None:
    """The active user whose live feed has this token, else None."""
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == _digest(token), CalendarFeed.revoked_at.is_(None)
        )
    ).first()
    if feed is None:
        return None
    user = session.get(User, feed.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_USE_RESOLUTION:
        feed.last_used_at = now
        session.flush()
    return user


# ---- notifications ----------------------------------------------------------------------------


def get_notification(session: Session, user: User, notification_id: int) -> Notification:
    """One of the user's own notifications (anyone else's: not found)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(N_("No such notification."))
    return row


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    row = get_notification(session, user, notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row


def mark_all_read(session: Session, user: User) -> int:
    rows = session.exec(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.read_at = now
    session.flush()
    return len(rows)


def unread_count(session: Session, user: User) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).one()
