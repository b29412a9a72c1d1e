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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from cases import deadlines
from cases.base import business_time
from cases.errors import N_
from cases.figures import Figure
from cases.ledger.models import CONFIRMED, Payment
from cases.parties.models import Party
from cases.register.keydates import INTERRUPTING, KeyDate, KeyDateKind
from cases.register.models import Case, CaseGuarantor, Claim, GuaranteeKind
from cases.register.stages import Stage
from cases.timeline.models import Event

URGENT_DAYS = 7
SOON_DAYS = 30


def urgency(days_left: int) -> str:
    """``passed``, ``urgent`` (≤ 7 days), ``soon`` (≤ 30 days) or ``ok``: the colour of a
    deadline wherever it is shown (case page, board, digest)."""
    if days_left < 0:
        return "passed"
    if days_left <= URGENT_DAYS:
        return "urgent"
    return "soon" if days_left <= SOON_DAYS else "ok"


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
    kind: str = ""  # its ``cases.deadlines.DEADLINE_KINDS`` key: limitation, judgment, …

    def days_left(self, on: date) -> int:
        return (self.due - on).days

    def urgency(self, on: date) -> str:
        return urgency(self.days_left(on))


@dataclass
class CaseFacts:
    """What a case's deadlines are computed from (``load_facts`` reads them for many cases)."""

    # Rows with the columns the rules read (``kind``, ``on``, ``note``; ``contract_ref``,
    # ``due_date``): plain rows load several times faster than ORM objects.
    key_dates: list[KeyDate] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # Days the debtor agreed to pay: confirmed payments received and promises logged.
    agreed_to_pay: set[date] = field(default_factory=set)
    sureties: list[str] = field(default_factory=list)  # guarantors under a suretyship


def load_facts(session: Session, case_ids: Iterable[int] | sa.Select) -> dict[int, CaseFacts]:
    """The facts of every case in ``case_ids`` (ids, or a ``select`` of ids), in five queries
    whatever their number: the deadlines board computes thousands of cases at once."""
    ids = case_ids if isinstance(case_ids, sa.Select) else list(case_ids)
    facts: dict[int, CaseFacts] = {}

    def of(case_id: int) -> CaseFacts:
        return facts.setdefault(case_id, CaseFacts())

    dates = (
        select(KeyDate.case_id, KeyDate.kind, KeyDate.on, KeyDate.note)
        .where(KeyDate.case_id.in_(ids))
        .order_by(KeyDate.on, KeyDate.id)
    )
    for row in session.exec(dates):
        of(row.case_id).key_dates.append(row)
    claims = (
        select(Claim.case_id, Claim.contract_ref, Claim.due_date)
        .where(Claim.case_id.in_(ids))
        .order_by(Claim.id)
    )
    for claim in session.exec(claims):
        of(claim.case_id).claims.append(claim)
    # a part payment interrupts only once finance has confirmed the money arrived
    paid = select(Payment.case_id, Payment.received_on).where(Payment.case_id.in_(ids), CONFIRMED)
    for case_id, on in session.exec(paid):
        of(case_id).agreed_to_pay.add(on)
    promised = select(Event.case_id, Event.occurred_at).where(
        Event.case_id.in_(ids), Event.promised_amount.is_not(None)
    )
    for case_id, at in session.exec(promised):
        of(case_id).agreed_to_pay.add(business_time(at).date())
    sureties = (
        select(CaseGuarantor.case_id, Party.name)
        .join(Party, Party.id == CaseGuarantor.party_id)
        .where(
            CaseGuarantor.case_id.in_(ids),
            CaseGuarantor.kind.in_([GuaranteeKind.JOINT, GuaranteeKind.GENERAL]),
        )
        .order_by(CaseGuarantor.id)
    )
    for case_id, name in session.exec(sureties):
        of(case_id).sureties.append(name)
    return facts


def _interruptions(facts: CaseFacts) -> list[date]:
    found = {d.on for d in facts.key_dates if d.kind in INTERRUPTING}
    return sorted(found | facts.agreed_to_pay)


def _after(dates: list[KeyDate], kind: KeyDateKind, day: date) -> bool:
    return any(d.kind == kind and d.on >= day for d in dates)


def case_deadlines(session: Session, case: Case) -> list[Deadline]:
    """The deadlines of ``case``, soonest first."""
    if case.stage == Stage.CLOSED:
        return []
    return deadlines_for(case, load_facts(session, [case.id]).get(case.id, CaseFacts()))


def deadlines_for(case: Case, facts: CaseFacts) -> list[Deadline]:
    """The deadlines of ``case`` from its facts (loaded by ``load_facts``), soonest first."""
    if case.stage == Stage.CLOSED:
        return []
    dates = facts.key_dates
    found: list[Deadline] = []
    suing = any(d.kind == KeyDateKind.SUIT_FILED for d in dates) or case.stage in (
        Stage.LITIGATION,
        Stage.ENFORCEMENT,
    )
    claims = facts.claims
    if not suing and case.outstanding > 0:
        interruptions = _interruptions(facts)
        for claim in claims:
            figure = deadlines.explain_limitation_expiry(
                claim.due_date, interruptions=[d for d in interruptions if d > claim.due_date]
            )
            label = N_("Limitation period ends")
            found.append(Deadline(label, figure.value, figure, claim.contract_ref, "limitation"))
        if claims:
            main_due = min(claim.due_date for claim in claims)
            for name in facts.sureties:
                figure = deadlines.explain_guarantee_period_expiry(main_due)
                label = N_("Guarantee period ends")
                found.append(Deadline(label, figure.value, figure, name, "guarantee_period"))
    for d in dates:
        if d.kind == KeyDateKind.PRESUIT_PRESERVATION and not _after(
            dates, KeyDateKind.SUIT_FILED, d.on
        ):
            figure = deadlines.explain_presuit_preservation_deadline(d.on)
            label = N_("Last day to sue after pre-suit preservation")
            found.append(Deadline(label, figure.value, figure, kind="presuit_preservation"))
        elif d.kind in APPEALS:
            kind, label = APPEALS[d.kind]
            figure = deadlines.explain_appeal_deadline(d.on, kind)
            found.append(Deadline(label, figure.value, figure, kind=kind))
        elif d.kind == KeyDateKind.PERFORMANCE_DUE and not _after(
            dates, KeyDateKind.ENFORCEMENT_APPLIED, d.on
        ):
            figure = deadlines.explain_enforcement_deadline(d.on)
            label = N_("Last day to apply for enforcement")
            found.append(Deadline(label, figure.value, figure, kind="enforcement"))
        elif d.kind in FREEZE_KINDS:
            figure = deadlines.explain_freeze_expiry(FREEZE_KINDS[d.kind], d.on)
            label = N_("Apply to renew the freeze or seizure by")
            found.append(Deadline(label, figure.value, figure, d.note, "freeze_renewal"))
    return sorted(found, key=lambda x: (x.due, x.label))
