"""The key dates a progress step records (关键日期), so that court deadlines start by themselves.

A step that is a court event records the matching key date on the day it happened, unless the
case already has that date (the same kind on the same day):

- suit filed → ``SUIT_FILED`` (interrupts the limitation period, 民法典 第195条);
- judgment served → ``JUDGMENT_SERVED`` (15 days to appeal, 民事诉讼法 第171条);
- ruling served → ``RULING_SERVED`` (10 days to appeal);
- enforcement applied for → ``ENFORCEMENT_APPLIED`` (interrupts the 2-year period, 第250条);
- preservation measures or an enforcement seizure, with what was seized → the freeze date
  (deposits 1 year, movables 2, real estate 3: 民诉法解释 第485条); preservation measures on a
  case with no suit recorded on or before that day are pre-suit preservation
  → ``PRESUIT_PRESERVATION`` as well (sue within 30 days, 民事诉讼法 第104条).

Hearings, mediation, auctions, money received and the other steps start no deadline here.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from cases.base import business_time
from cases.portal.steps import ProgressStep, SeizedAsset
from cases.register.keydates import KeyDate, KeyDateKind, add_key_date
from cases.register.models import Case
from cases.timeline.models import Event
from cases.users.models import User

STEP_KEY_DATES: dict[ProgressStep, KeyDateKind] = {
    ProgressStep.FILING: KeyDateKind.SUIT_FILED,
    ProgressStep.JUDGMENT_SERVED: KeyDateKind.JUDGMENT_SERVED,
    ProgressStep.RULING_SERVED: KeyDateKind.RULING_SERVED,
    ProgressStep.ENFORCEMENT_APPLIED: KeyDateKind.ENFORCEMENT_APPLIED,
}
# The key date's note, in Chinese like the rest of the record (the domain has no locale).
STEP_NOTE = "据进展记录自动记录"
FREEZE_KEY_DATES: dict[SeizedAsset, KeyDateKind] = {
    SeizedAsset.DEPOSITS: KeyDateKind.FREEZE_DEPOSIT,
    SeizedAsset.MOVABLES: KeyDateKind.FREEZE_MOVABLE,
    SeizedAsset.IMMOVABLES: KeyDateKind.FREEZE_IMMOVABLE,
}


def _suit_filed_by(session: Session, case_id: int, on: date) -> bool:
    stmt = select(KeyDate.id).where(
        KeyDate.case_id == case_id, KeyDate.kind == KeyDateKind.SUIT_FILED, KeyDate.on <= on
    )
    return session.exec(stmt.limit(1)).first() is not None


def implied_key_dates(session: Session, event: Event) -> list[KeyDateKind]:
    """The key dates ``event``'s step implies (none for a step that starts no deadline)."""
    if event.step is None:
        return []
    step = ProgressStep(event.step)
    kinds = [STEP_KEY_DATES[step]] if step in STEP_KEY_DATES else []
    if event.seized_asset is not None:
        kinds.append(FREEZE_KEY_DATES[SeizedAsset(event.seized_asset)])
    on = business_time(event.occurred_at).date()
    if step == ProgressStep.PRESERVATION_MEASURES and not _suit_filed_by(
        session, event.case_id, on
    ):
        kinds.append(KeyDateKind.PRESUIT_PRESERVATION)
    return kinds


def record_step_key_dates(session: Session, actor: User, case: Case, event: Event) -> list[KeyDate]:
    """Record the key dates of ``event``'s step that the case does not have yet."""
    on = business_time(event.occurred_at).date()
    made = []
    for kind in implied_key_dates(session, event):
        exists = session.exec(
            select(KeyDate.id).where(
                KeyDate.case_id == case.id, KeyDate.kind == kind, KeyDate.on == on
            )
        ).first()
        if exists is None:
            note = STEP_NOTE + (f"（{event.court_case_no}）" if event.court_case_no else "")
            data = {"kind": kind, "on": on, "note": note}
            made.append(add_key_date(session, actor, case, data))
    return made
