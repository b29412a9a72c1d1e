"""Demo data of the settlement area, added after the demo cases are loaded.

- Money reported by the engaged firms' lawyers and waiting for finance: court payouts and bank
  transfers, and one asset taken in settlement (以物抵债) at its agreed value; one report that
  finance rejected (not on the bank statement).
- Fee requests on engaged cases whose confirmed recoveries earned a fee, in every status:
  awaiting approval, approved, paid, and rejected with a reason.

Everything goes through the operations, as the firm, legal staff and finance would do it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus
from cases.errors import DomainError
from cases.ledger.operations import record_payment, reject_payment
from cases.register.models import Case, CaseStatus
from cases.register.stages import Stage
from cases.settlement.operations import (
    approve_fee_request,
    pay_fee_request,
    reject_fee_request,
    request_fee,
)
from cases.settlement.queries import current_fee_due
from cases.users.models import Role, User

HUNDRED = Decimal(100)
REPORTING_STAGES = (Stage.LITIGATION, Stage.ENFORCEMENT, Stage.NEGOTIATION)
ASSET = "债务人名下位于本市经济开发区的厂房设备一批（数控机床4台），经双方协议作价抵偿欠款"
NOTES = ("法院执行款已划至我司账户，请财务核对", "债务人按和解协议支付首期款", "保证人代偿款")
REJECTION = "银行流水中未查到该笔款项，请律师核实付款凭证后重新报告"
FEE_NOTES = ("一审判决后执行回款，按委托代理合同约定请款", "本阶段回款已经财务确认，申请结算律师费")
FEE_REJECTION = "回款系债务人主动履行，与代理工作无直接关系，请与法务部沟通后重新提交"


def _counsel(users: dict[str, User], firm_id: int) -> list[User]:
    return [
        u
        for key, u in sorted(users.items())
        if key.startswith("counsel") and u.role == Role.COUNSEL and u.firm_id == firm_id
    ]


def _reports(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    cases = session.exec(
        select(Case)
        .where(
            Case.firm_id.is_not(None),
            Case.status == CaseStatus.ACTIVE,
            Case.stage.in_(REPORTING_STAGES),
            Case.claimed_principal > Case.recovered_amount,
        )
        .order_by(Case.id)
    ).all()
    picked = rng.sample(list(cases), min(6, len(cases)))
    for n, case in enumerate(picked):
        lawyers = _counsel(users, case.firm_id)
        if not lawyers:
            continue
        lawyer = rng.choice(lawyers)
        session.info["actor_id"] = lawyer.id
        share = Decimal(rng.choice([5, 8, 10, 15])) / 100
        outstanding = case.claimed_principal - case.recovered_amount
        amount = max((outstanding * share / HUNDRED).quantize(Decimal(1)) * HUNDRED, HUNDRED)
        received = today() - timedelta(days=rng.randint(1, 12))
        data = {"received_on": received, "amount": amount, "payer": "债务人"}
        if n == 0:
            data.update(method="in_kind", asset_description=ASSET, note="以物抵债协议已签署")
        else:
            court = case.stage == Stage.ENFORCEMENT
            data.update(
                method="court" if court else "bank_transfer",
                payer="人民法院执行款专户" if court else "债务人",
                bank_ref=f"RPT{received:%Y%m%d}{rng.randrange(10**6, 10**7)}",
                note=rng.choice(NOTES),
            )
        payment = record_payment(session, lawyer, case, data)
        if n == len(picked) - 1:
            session.info["actor_id"] = users["finance1"].id
            reject_payment(session, users["finance1"], case, payment.id, REJECTION)


def _fee_requests(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    engagements = session.exec(
        select(Engagement)
        .where(Engagement.status == EngagementStatus.ACTIVE)
        .order_by(Engagement.id)
    ).all()
    due = []
    for engagement in engagements:
        try:
            if current_fee_due(session, engagement).now_due > 0:
                due.append(engagement)
        except DomainError:
            continue  # terms the fee rules refuse: nothing to request
    # requested, approved, paid, paid, rejected, requested, approved …
    plan = ["requested", "approved", "paid", "paid", "rejected"]
    for n, engagement in enumerate(rng.sample(due, min(8, len(due)))):
        case = session.get(Case, engagement.case_id)
        lawyers = _counsel(users, engagement.firm_id)
        lead = session.get(User, engagement.lead_lawyer_id) if engagement.lead_lawyer_id else None
        requester = lead if lead is not None and lead.is_active else (lawyers or [None])[0]
        if requester is None:
            continue
        session.info["actor_id"] = requester.id
        row = request_fee(session, requester, case, {"note": rng.choice(FEE_NOTES)})
        outcome = plan[n % len(plan)]
        if outcome == "requested":
            continue
        legal = users["legal1"]
        session.info["actor_id"] = legal.id
        if outcome == "rejected":
            reject_fee_request(session, legal, case, row.id, FEE_REJECTION)
            continue
        approve_fee_request(session, legal, case, row.id)
        if outcome == "paid":
            finance = users["finance1"]
            session.info["actor_id"] = finance.id
            reference = f"FEE{today():%Y%m%d}{rng.randrange(10**5, 10**6)}"
            pay_fee_request(
                session, finance, case, row.id, {"paid_on": today(), "paid_reference": reference}
            )


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    """Pending counsel reports and fee requests in each status (flushes, never commits)."""
    _reports(session, rng, users)
    session.flush()
    _fee_requests(session, rng, users)
    session.flush()
