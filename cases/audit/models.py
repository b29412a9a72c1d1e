"""The audit trail: one row per create, update or delete, with actor, time and field diff.

Rows are written in the same transaction as the change (see ``cases.audit.trail``) and the
database refuses to update or delete them (triggers created by the initial migration).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, utcnow


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __audited__ = False

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: AuditAction = Field(sa_type=enum_type(AuditAction, "audit_action"))
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    case_id: int | None = Field(default=None, index=True)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
