"""Who may do what to which case.

The object-level rule: outside counsel see and touch only the cases engaged to their own
firm. Queries filter with ``visible_filter``; single-object loads go through
``get_visible_case`` which answers ``NotFound`` (not "forbidden") for any other case, so a
lawyer cannot even learn that a case number exists.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from cases.errors import N_, NotFound, PermissionDenied
from cases.register.models import Case
from cases.users.models import Role, User

# Role-level capabilities. Object-level limits (counsel → own firm) apply on top.
CAPABILITIES: dict[str, frozenset[Role]] = {
    "case.view": frozenset(Role),
    "case.create": frozenset({Role.ADMIN, Role.LEGAL}),
    "case.edit": frozenset({Role.ADMIN, Role.LEGAL}),
    "case.move_stage": frozenset({Role.ADMIN, Role.LEGAL}),
    "case.log_event": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "case.attach": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "case.key_dates": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "case.writeoff_packet": frozenset({Role.ADMIN, Role.LEGAL, Role.FINANCE, Role.MANAGEMENT}),
    "case.generate_document": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "case.view_audit": frozenset({Role.ADMIN, Role.LEGAL}),
    "case.import": frozenset({Role.ADMIN, Role.LEGAL}),
    "calc.use": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "template.manage": frozenset({Role.ADMIN}),
    # engagements and firms (issue 5)
    "firm.manage": frozenset({Role.ADMIN, Role.LEGAL}),  # framework agreements
    "firm.scorecard": frozenset({Role.ADMIN, Role.LEGAL, Role.MANAGEMENT}),
    "engagement.manage": frozenset({Role.ADMIN, Role.LEGAL}),
    "engagement.override": frozenset({Role.MANAGEMENT}),  # accept terms above the cap
    "case.message": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    # the case's message threads (counsel: their own firm's, while engaged)
    "case.read_messages": frozenset({Role.ADMIN, Role.LEGAL, Role.MANAGEMENT, Role.COUNSEL}),
    "portal.home": frozenset({Role.COUNSEL}),  # a firm's own start page
    # money: counsel and legal report, finance confirms (segregation of duties)
    "payment.report": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "payment.confirm": frozenset({Role.FINANCE}),
    "fee.request": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "fee.approve": frozenset({Role.ADMIN, Role.LEGAL}),
    "fee.pay": frozenset({Role.FINANCE}),
    "plan.manage": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "deadline.manage": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    "delivery.record": frozenset({Role.ADMIN, Role.LEGAL, Role.COUNSEL}),
    # write-offs (issue 6): legal applies, finance reviews, management approves
    "writeoff.apply": frozenset({Role.ADMIN, Role.LEGAL}),
    "writeoff.review": frozenset({Role.FINANCE}),
    "writeoff.approve": frozenset({Role.MANAGEMENT}),
    # the management view (issue 6): ledger, aging, rates, targets, the monthly report
    "report.view": frozenset({Role.ADMIN, Role.LEGAL, Role.FINANCE, Role.MANAGEMENT}),
    "report.targets": frozenset({Role.ADMIN, Role.MANAGEMENT}),  # set targets per team/period
}


def can(actor: User, capability: str) -> bool:
    return actor.is_active and actor.role in CAPABILITIES[capability]


def require(actor: User, capability: str) -> None:
    if not can(actor, capability):
        raise PermissionDenied(N_("You are not allowed to do this."))


def visible_filter(actor: User) -> sa.ColumnElement[bool]:
    """A WHERE clause limiting ``Case`` rows to those the actor may see."""
    if not actor.is_active:
        return sa.false()
    if actor.role == Role.COUNSEL:
        return Case.firm_id == actor.firm_id
    return sa.true()


def may_see(actor: User, case: Case) -> bool:
    if not actor.is_active:
        return False
    if actor.role != Role.COUNSEL:
        return True
    return case.firm_id is not None and case.firm_id == actor.firm_id


def get_visible_case(session: Session, actor: User, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not may_see(actor, case):
        raise NotFound(N_("No such case."))
    return case


def authorize(session: Session, actor: User, case_id: int, capability: str) -> Case:
    """Load a case the actor may see and check the capability: 404 before 403."""
    case = get_visible_case(session, actor, case_id)
    require(actor, capability)
    return case
