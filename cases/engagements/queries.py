"""Reading engagements for the case page, the override page and the API (no changes)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cases.figures import Step
from cases.register.models import Case
from cases.users.models import LawFirm, User

from . import terms
from .models import ENGAGEMENT_STATUS_LABELS, Engagement, EngagementStatus, FrameworkAgreement
from .operations import awaiting_override, visible_engagements

STATUS_LABELS = ENGAGEMENT_STATUS_LABELS


@dataclass(frozen=True)
class EngagementView:
    """One engagement with the names it points to, its terms in words and its cap figures."""

    engagement: Engagement
    firm: LawFirm
    lead_lawyer: User | None
    agreement: FrameworkAgreement | None
    override_by: User | None
    created_by: User | None
    terms: tuple[Step, ...]
    check: terms.CapCheck | None  # None while the terms are still to be entered

    @property
    def live(self) -> bool:
        return self.engagement.status != EngagementStatus.ENDED


def view(session: Session, engagement: Engagement) -> EngagementView:
    def user(user_id: int | None) -> User | None:
        return session.get(User, user_id) if user_id is not None else None

    firm = session.get(LawFirm, engagement.firm_id)
    assert firm is not None  # foreign key
    agreement_id = engagement.framework_agreement_id
    return EngagementView(
        engagement=engagement,
        firm=firm,
        lead_lawyer=user(engagement.lead_lawyer_id),
        agreement=session.get(FrameworkAgreement, agreement_id) if agreement_id else None,
        override_by=user(engagement.cap_override_by_id),
        created_by=user(engagement.created_by_id),
        terms=terms.describe(engagement),
        check=None if engagement.terms_pending else terms.check(engagement),
    )


def case_engagements(
    session: Session, actor: User, case: Case
) -> tuple[EngagementView | None, list[EngagementView]]:
    """The live engagement and the past ones the actor may see, newest first."""
    views = [view(session, e) for e in visible_engagements(session, actor, case)]
    live = next((v for v in views if v.live), None)
    return live, [v for v in views if not v.live]


def override_queue(session: Session) -> list[tuple[EngagementView, Case]]:
    """Engagements waiting for management, oldest first, with their cases."""
    return [(view(session, e), case) for e, case, _firm in awaiting_override(session)]
