"""Reading the audit trail."""

from __future__ import annotations

from sqlmodel import Session, select

from cases.audit.models import AuditEntry


def for_case(session: Session, case_id: int, *, limit: int = 500) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.case_id == case_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.exec(stmt))
