"""Every deadline of a case, computed from its claims, payments, promises and key dates.

The rules are in ``cases.deadlines``; this module decides which of them apply to a case:

- limitation (诉讼时效, 民法典 第188、195条) of each claim with money outstanding, from its due
  date, restarted by every interruption on record: key dates that interrupt (demand delivered,
  debtor's acknowledgement, suit, enforcement application, pre-suit preservation), payments
  received (part payment is the debtor agreeing to pay) and promises to pay logged on the
  timeline. Once a suit, arbitration or payment order is filed the proceedings take over and
  the limitation line is no longer shown;
- the guarantee period (保证期间, 民法典 第692条) of each guarantor under a suretyship (joint or
  general; not mortgage or pledge), from the earliest due date — six months, the statutory
  default: agreed periods are not recorded yet;
- court deadlines from key dates: sue within 30 days of pre-suit preservation, appeal 15 / 10
  days after a judgment / ruling is served, objection to a payment order within 15 days,
  apply for enforcement within 2 years of the end of the performance period, and apply to
  renew a freeze or seizure before it lapses (the reminder date is the action date).

A deadline answered by a later key date (a suit after pre-suit preservation, an enforcement
application after the performance period) is not listed. Closed cases have no deadlines;
written-off cases keep them (账销案存: still pursued).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from cases import deadlines
from cases.base import business_time
from cases.errors import N_
from cases.figures import Figure
from cases.ledger.models import Payment
from cases.parties.models import Party
from cases.register.keydates import INTERRUPTING, KeyDate, KeyDateKind, key_dates
from cases.register.models import Case, CaseGuarantor, Claim, GuaranteeKind
from cases.register.stages import Stage
from cases.timeline.models import Event

URGENT_DAYS = 7
SOON_DAYS = 30

FREEZE_KINDS = {
    KeyDateKind.FREEZE_DEPOSIT: "deposit",
    KeyDateKind.FREEZE_MOVABLE: "movable",
    KeyDateKind.FREEZE_IMMOVABLE: "immovable",
}
APPEALS = {
    KeyDateKind.JUDGMENT_SERVED: ("judgment", N_("Last day to appeal the judgment")),
    KeyDateKind.RULING_SERVED: ("ruling", N_("Last day to appeal the ruling")),
    KeyDateKind.PAYMENT_ORDER_SERVED: (
        "payment_order_objection",
        N_("Last day for the debtor to object to the payment order"),
    ),
}


@dataclass(frozen=True)
class Deadline:
    label: str  # msgid
    due: date
    figure: Figure
    subject: str | None = None  # the claim or guarantor it concerns

    def days_left(self, on: date) -> int:
        return (self.due - on).days

    def urgency(self, on: date) -> str:
        """``passed``, ``urgent`` (≤ 7 days), ``soon`` (≤ 30 days) or ``ok``."""
        days = self.days_left(on)
        if days < 0:
            return "passed"
        if days <= URGENT_DAYS:
            return "urgent"
        if days <= SOON_DAYS:
            return "soon"
        return "ok"


def _interruptions(session: Session, case: Case, dates: list[KeyDate]) -> list[date]:
    found = {d.on for d in dates if d.kind in INTERRUPTING}
    found.update(session.exec(select(Payment.received_on).where(Payment.case_id == case.id)).all())
    promises = session.exec(
        select(Event.occurred_at).where(
            Event.case_id == case.id, Event.promised_amount.is_not(None)
        )
    ).all()
    found.update(business_time(at).date() for at in promises)
    return sorted(found)


def _after(dates: list[KeyDate], kind: KeyDateKind, day: date) -> bool:
    return any(d.kind == kind and d.on >= day for d in dates)


def case_deadlines(session: Session, case: Case) -> list[Deadline]:
    """The deadlines of ``case``, soonest first."""
    if case.stage == Stage.CLOSED:
        return []
    dates = key_dates(session, case.id)
    found: list[Deadline] = []
    suing = any(d.kind == KeyDateKind.SUIT_FILED for d in dates) or case.stage in (
        Stage.LITIGATION,
        Stage.ENFORCEMENT,
    )
    claims = list(session.exec(select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)))
    if not suing and case.outstanding > 0:
        interruptions = _interruptions(session, case, dates)
        for claim in claims:
            figure = deadlines.explain_limitation_expiry(
                claim.due_date, interruptions=[d for d in interruptions if d > claim.due_date]
            )
            found.append(
                Deadline(N_("Limitation period ends"), figure.value, figure, claim.contract_ref)
            )
        if claims:
            main_due = min(claim.due_date for claim in claims)
            sureties = session.exec(
                select(CaseGuarantor, Party)
                .join(Party, Party.id == CaseGuarantor.party_id)
                .where(
                    CaseGuarantor.case_id == case.id,
                    CaseGuarantor.kind.in_([GuaranteeKind.JOINT, GuaranteeKind.GENERAL]),
                )
            ).all()
            for _link, party in sureties:
                figure = deadlines.explain_guarantee_period_expiry(main_due)
                found.append(
                    Deadline(N_("Guarantee period ends"), figure.value, figure, party.name)
                )
    for d in dates:
        if d.kind == KeyDateKind.PRESUIT_PRESERVATION and not _after(
            dates, KeyDateKind.SUIT_FILED, d.on
        ):
            figure = deadlines.explain_presuit_preservation_deadline(d.on)
            found.append(
                Deadline(N_("Last day to sue after pre-suit preservation"), figure.value, figure)
            )
        elif d.kind in APPEALS:
            kind, label = APPEALS[d.kind]
            figure = deadlines.explain_appeal_deadline(d.on, kind)
            found.append(Deadline(label, figure.value, figure))
        elif d.kind == KeyDateKind.PERFORMANCE_DUE and not _after(
            dates, KeyDateKind.ENFORCEMENT_APPLIED, d.on
        ):
            figure = deadlines.explain_enforcement_deadline(d.on)
            found.append(Deadline(N_("Last day to apply for enforcement"), figure.value, figure))
        elif d.kind in FREEZE_KINDS:
            figure = deadlines.explain_freeze_expiry(FREEZE_KINDS[d.kind], d.on)
            found.append(
                Deadline(
                    N_("Apply to renew the freeze or seizure by"), figure.value, figure, d.note
                )
            )
    return sorted(found, key=lambda x: (x.due, x.label))
