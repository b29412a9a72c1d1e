"""Write audit entries for every flushed create, update and delete, in the same transaction.

A session-level ``after_flush`` hook sees each changed row with its attribute history and
inserts one ``audit_entry`` row per change through the session's own connection, so the
entry commits or rolls back with the change itself. The actor is ``session.info["actor_id"]``,
set by whoever opened the unit of work (a request, a CLI command, a test).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as ORMSession

from cases.audit.models import AuditAction, AuditEntry
from cases.base import jsonable, utcnow

MASK = "***"
# Bookkeeping stamps: changing only these is not worth an audit entry.
IGNORED = frozenset({"updated_at", "last_activity_at", "last_used_at"})


def _audited(obj: Any) -> bool:
    return getattr(type(obj), "__audited__", True) and hasattr(type(obj), "__table__")


def _case_id(obj: Any) -> int | None:
    if type(obj).__tablename__ == "case":
        return obj.id
    return getattr(obj, "case_id", None)


def _columns(obj: Any) -> list[str]:
    return [c.key for c in sa.inspect(type(obj)).column_attrs]


def _value(obj: Any, key: str, value: Any) -> Any:
    if key in getattr(type(obj), "__audit_mask__", ()):
        return MASK if value is not None else None
    return jsonable(value)


def _diff_new(obj: Any) -> dict[str, list[Any]]:
    return {
        key: [None, _value(obj, key, getattr(obj, key))]
        for key in _columns(obj)
        if getattr(obj, key) is not None and key not in IGNORED
    }


def _diff_deleted(obj: Any) -> dict[str, list[Any]]:
    return {key: [_value(obj, key, getattr(obj, key)), None] for key in _columns(obj)}


def _diff_dirty(obj: Any) -> dict[str, list[Any]]:
    state = sa.inspect(obj)
    diff: dict[str, list[Any]] = {}
    for key in _columns(obj):
        if key in IGNORED:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        diff[key] = [_value(obj, key, old), _value(obj, key, new)]
    return diff


def _primary_key(obj: Any) -> int | None:
    # New rows get their identity key only after this hook: read the flushed key columns.
    state = sa.inspect(obj)
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    if identity and len(identity) == 1 and isinstance(identity[0], int):
        return identity[0]
    return None


@event.listens_for(ORMSession, "after_flush")
def _write_audit(session: ORMSession, _flush_context) -> None:
    rows: list[dict[str, Any]] = []
    actor_id = session.info.get("actor_id")
    at = utcnow()
    changes = (
        (AuditAction.CREATE, session.new, _diff_new),
        (AuditAction.UPDATE, session.dirty, _diff_dirty),
        (AuditAction.DELETE, session.deleted, _diff_deleted),
    )
    for action, objects, differ in changes:
        for obj in objects:
            if not _audited(obj):
                continue
            diff = differ(obj)
            if action is AuditAction.UPDATE and not diff:
                continue
            rows.append(
                {
                    "at": at,
                    "actor_id": actor_id,
                    "action": action,
                    "entity": type(obj).__tablename__,
                    "entity_id": _primary_key(obj),
                    "case_id": _case_id(obj),
                    "changes": diff,
                }
            )
    if rows:
        session.connection().execute(sa.insert(AuditEntry), rows)
