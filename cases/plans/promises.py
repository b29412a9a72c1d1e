"""Promises to pay held by a logged contact record (called by ``cases.timeline.operations``).

Kept apart from ``operations`` so that the timeline can call it without importing the
document archive (which itself stores files through the timeline).
"""

from __future__ import annotations

from sqlmodel import Session

from cases.base import business_time
from cases.plans.matching import promise_dates
from cases.plans.models import Promise, PromiseRepeat
from cases.timeline.models import Event


def record_promises(
    session: Session, event: Event, *, repeat: PromiseRepeat | None = None, times: int | None = None
) -> list[Promise]:
    """The promise(s) ``event`` holds: one, or ``times`` of them repeated weekly or monthly,
    each of the promised amount. ``log_event``'s permission (``case.log_event``) covers it."""
    if event.promised_amount is None or event.promised_date is None:
        return []
    count = times if repeat is not None and times else 1
    made_on = business_time(event.occurred_at).date()
    rows = [
        Promise(
            case_id=event.case_id,
            event_id=event.id,
            made_on=made_on,
            due_on=due_on,
            amount=event.promised_amount,
            seq=seq,
            times=count,
            repeat=repeat if count > 1 else None,
        )
        for seq, due_on in enumerate(promise_dates(event.promised_date, repeat, count), start=1)
    ]
    session.add_all(rows)
    session.flush()
    return rows
