"""The daily digest: for each user, their deadlines due within 7 days and the passed ones
nobody has recorded an outcome for, plus the repayment-plan alerts of their cases (missed
installments, broken promises; ``cases.plans.queries.open_alerts``).

Always an in-app ``Notification``; an email too when the caller passes a ``send`` function
(SMTP configured). One digest per user and day: a user who already has the day's digest is
skipped (a unique constraint holds it), and an email is sent at most once per digest
(``emailed_at``). ``run_daily_digest`` commits the notifications before any email goes out,
then marks each email sent in its own transaction, so a failed email is retried by the next
run of the day and never sent twice.

Deadlines are computed once for every open case, then handed out by ``queries.owns``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from cases.base import jsonable, utcnow
from cases.board.models import DigestRun, Notification, NotificationKind
from cases.board.queries import (
    DIGEST_DAYS,
    BoardRow,
    CaseHead,
    case_heads,
    collect,
    owns,
    owns_case,
    sort_key,
)
from cases.db import transaction
from cases.errors import Message
from cases.register.models import Case
from cases.users.models import Role, User

log = logging.getLogger(__name__)

MAX_ITEMS = 100  # listed per digest; the counts give the whole
Send = Callable[[User, Notification], None]


def _message_json(message: Any) -> Any:
    if isinstance(message, Message):
        return {
            "msgid": message.msgid,
            "params": {k: _message_json(v) for k, v in message.params.items()},
        }
    return jsonable(message)


def message_from_json(value: Any) -> Any:
    """A ``Message`` back from what ``_message_json`` stored (plain values as they are)."""
    if isinstance(value, dict) and "msgid" in value:
        params = {k: message_from_json(v) for k, v in value.get("params", {}).items()}
        return Message(value["msgid"], **params)
    return value


def row_item(row: BoardRow, on: date) -> dict[str, Any]:
    item = {
        "case_id": row.case.id,
        "number": row.case.number,
        "debtor": row.case.debtor,
        "kind": row.kind,
        "label": row.label,
        "title": row.title,
        "subject": row.subject,
        "due": row.due.isoformat(),
        "days": row.days_left(on),
    }
    if row.moved is not None:
        item["moved_from"] = row.moved.original.isoformat()
        item["holiday"] = row.moved.holiday
    return item


def alert_item(alert: Any) -> dict[str, Any]:
    return {
        "case_id": alert.case_id,
        "number": alert.case_number,
        "debtor": alert.debtor_name,
        "kind": "plan." + alert.kind,
        "alert": alert.kind,
        "due": alert.due_on.isoformat(),
        "amount": jsonable(alert.amount),
        "description": _message_json(alert.description),
    }


def plan_alerts(session: Session, on: date) -> list[Any]:
    """The repayment-plan area's open alerts, when that area provides them."""
    try:
        from cases.plans.queries import open_alerts
    except ImportError:  # pragma: no cover - the plans area is optional to this one
        return []
    return list(open_alerts(session, None, on=on))


@dataclass
class Due:
    """What is due for the digest, for every open case, computed once."""

    rows: list[BoardRow]
    alerts: list[Any]
    heads: dict[int, CaseHead]
    by_handler: dict[int, list[BoardRow]] = field(default_factory=dict)
    by_firm: dict[int, list[BoardRow]] = field(default_factory=dict)
    by_owner: dict[int, list[BoardRow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.rows:
            if row.case.handler_id is not None:
                self.by_handler.setdefault(row.case.handler_id, []).append(row)
            if row.case.firm_id is not None:
                self.by_firm.setdefault(row.case.firm_id, []).append(row)
            if row.custom is not None and row.custom.owner_id is not None:
                self.by_owner.setdefault(row.custom.owner_id, []).append(row)

    def for_user(self, user: User) -> tuple[list[BoardRow], list[Any]]:
        if user.role in (Role.ADMIN, Role.MANAGEMENT):
            candidates: Iterable[BoardRow] = self.rows
        else:
            candidates = [*self.by_owner.get(user.id, [])]
            if user.role == Role.LEGAL:
                candidates += self.by_handler.get(user.id, [])
            elif user.role == Role.COUNSEL and user.firm_id is not None:
                candidates += self.by_firm.get(user.firm_id, [])
        seen: set[int] = set()
        rows = []
        for row in candidates:
            if id(row) not in seen and owns(user, row):
                seen.add(id(row))
                rows.append(row)
        heads = self.heads
        alerts = [
            a for a in self.alerts if a.case_id in heads and owns_case(user, heads[a.case_id])
        ]
        return rows, alerts


def due_for_digest(session: Session, on: date) -> Due:
    rows = [
        row
        for row in collect(session, sa.true())
        if not row.resolved and row.days_left(on) <= DIGEST_DAYS
    ]
    alerts = plan_alerts(session, on)
    heads = {row.case.id: row.case for row in rows}
    missing = {a.case_id for a in alerts} - heads.keys()
    if missing:
        heads.update((head.id, head) for head in case_heads(session, Case.id.in_(missing)))
    return Due(rows, alerts, heads)


def make_digests(session: Session, on: date) -> list[Notification]:
    """Today's digest for every active user who has something due and no digest yet."""
    due = due_for_digest(session, on)
    done = set(
        session.exec(
            select(Notification.user_id).where(
                Notification.kind == NotificationKind.DIGEST, Notification.day == on
            )
        )
    )
    made = []
    for user in session.exec(select(User).where(User.is_active).order_by(User.id)):
        if user.id in done:
            continue
        rows, alerts = due.for_user(user)
        if not rows and not alerts:
            continue
        rows.sort(key=sort_key(on))
        items = [row_item(row, on) for row in rows] + [alert_item(a) for a in alerts]
        counts = {
            "passed": sum(1 for row in rows if row.due < on),
            "due": sum(1 for row in rows if row.due >= on),
            "alerts": len(alerts),
            "total": len(items),
        }
        note = Notification(
            user_id=user.id,
            kind=NotificationKind.DIGEST,
            day=on,
            counts=counts,
            items=items[:MAX_ITEMS],
        )
        session.add(note)
        made.append(note)
    session.flush()
    return made


@dataclass
class DigestReport:
    day: date
    skipped: bool = False  # the day was already done (``skip_if_done``)
    notifications: int = 0
    emails: int = 0
    failed: int = 0  # emails that could not be sent (retried by the next run of the day)


def run_daily_digest(
    factory: sessionmaker[Session],
    on: date,
    send: Send | None = None,
    *,
    skip_if_done: bool = False,
) -> DigestReport:
    """Make the day's digests (one transaction), then email them if ``send`` is given (one
    transaction per email)."""
    report = DigestReport(on)
    with transaction(factory) as session:
        run = session.get(DigestRun, on)
        if skip_if_done and run is not None:
            report.skipped = True
            return report
        report.notifications = len(make_digests(session, on))
        if run is None:
            run = DigestRun(day=on)
            session.add(run)
        run.ran_at = utcnow()
        run.notifications += report.notifications
    if send is None:
        return report
    with transaction(factory) as session:
        pending = session.exec(
            select(Notification.id)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.kind == NotificationKind.DIGEST,
                Notification.day == on,
                Notification.emailed_at.is_(None),
                User.is_active,
            )
            .order_by(Notification.id)
        ).all()
    for notification_id in pending:
        with transaction(factory) as session:
            note = session.get(Notification, notification_id)
            if note is None or note.emailed_at is not None:
                continue
            user = session.get(User, note.user_id)
            try:
                send(user, note)
            except Exception:  # one user's mail server trouble must not stop the others
                log.exception("digest email to user %s failed", note.user_id)
                report.failed += 1
                continue
            note.emailed_at = utcnow()
            report.emails += 1
    if report.emails:
        with transaction(factory) as session:
            run = session.get(DigestRun, on)
            run.emails += report.emails
    return report
