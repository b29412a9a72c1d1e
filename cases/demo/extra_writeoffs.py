"""Demo data of the writeoffs area, added after the demo cases are loaded.

Write-off applications (核销申请) through the operations and by the demo users of each role, on
cases in enforcement where the court ended enforcement for lack of property (or, in a small
demo, cases in litigation whose debtor went bankrupt): a draft still missing evidence, one
awaiting finance, one awaiting management, one returned by finance with its reason, and two
approved today (已核销, 账销案存) — one of which then received money that finance confirmed,
recovery of written-off debt. The evidence is the case's evidence list (paper kept in the file
room), with the rows the reason needs added to it.
"""

from __future__ import annotations

import random
from decimal import Decimal

from sqlmodel import Session, select

from cases.base import today
from cases.ledger.operations import record_payment
from cases.parties.models import Creditor, Party
from cases.register.models import Case, CaseStatus, Claim, Evidence, EvidenceKind
from cases.register.stages import Stage
from cases.users.models import Role, User
from cases.writeoffs.models import Decision, WriteOffApplication
from cases.writeoffs.operations import create_application, decide, submit
from cases.writeoffs.reasons import WriteOffReason, checklist, regime_for

REASONS = {
    Stage.ENFORCEMENT: WriteOffReason.ENFORCEMENT_TERMINATED,
    Stage.LITIGATION: WriteOffReason.BANKRUPTCY,
}
MAX_PRINCIPAL = Decimal("2000000.00")  # below the second-manager threshold once interest is in
# (checklist item, kind, title) of the paper evidence the reason needs
PAPERS = {
    "contract": (EvidenceKind.CONTRACT, None),
    "report": (EvidenceKind.OTHER, "核销报告（债权形成、损失原因、追偿过程及责任认定）"),
    "judgment": (EvidenceKind.COURT_DOCUMENT, "民事判决书（已生效）"),
    "termination_ruling": (EvidenceKind.COURT_DOCUMENT, "执行裁定书（终结本次执行程序）"),
    "bankruptcy_notice": (EvidenceKind.COURT_DOCUMENT, "宣告破产裁定书及债权申报通知"),
    "liquidation_result": (EvidenceKind.COURT_DOCUMENT, "终结破产程序裁定书及破产财产分配方案"),
}
DETAIL = {
    WriteOffReason.ENFORCEMENT_TERMINATED: (
        "债务人经法院强制执行，经网络查控及现场调查均无可供执行的财产，法院已裁定终结本次"
        "执行程序；保证人亦无可供执行财产。已穷尽清收手段，申请核销，账销案存，继续追索。"
    ),
    WriteOffReason.BANKRUPTCY: (
        "诉讼中债务人被法院裁定宣告破产，已依法申报债权；破产财产分配后债权未获清偿部分"
        "无法收回，破产程序已终结。申请核销，账销案存。"
    ),
}
OPINION = (
    "经审查，本案债权真实、合法，已依法采取诉讼、执行或申报债权等追偿措施，现有证据足以证明"
    "债权无法收回，符合核销条件。建议予以核销，核销后账销案存，保留追索权利。"
)


def _cases(session: Session) -> list[Case]:
    """Six cases below the second-manager threshold: in enforcement first, then litigation."""
    found: list[Case] = []
    for stage in REASONS:
        stmt = (
            select(Case)
            .where(Case.stage == stage, Case.status == CaseStatus.ACTIVE)
            .where(Case.claimed_principal > Case.recovered_amount)
            .where(Case.claimed_principal <= MAX_PRINCIPAL)
            .order_by(Case.id)
            .limit(6 - len(found))
        )
        found += session.exec(stmt).all()
    return found


def _applicant(session: Session, case: Case, users: dict[str, User]) -> User:
    handler = session.get(User, case.handler_id) if case.handler_id else None
    if handler is not None and handler.is_active and handler.role == Role.LEGAL:
        return handler
    return users["legal1"]


def _papers(session: Session, case: Case, items: list[str]) -> list[dict[str, int | str]]:
    """Evidence rows of the case covering ``items``: the case's own where it has them (its
    contract), else a row added to its evidence list."""
    own = session.exec(select(Evidence).where(Evidence.case_id == case.id)).all()
    links: list[dict[str, int | str]] = []
    for item in items:
        kind, title = PAPERS[item]
        row = next((e for e in own if e.kind == kind and title is None), None)
        if row is None:
            if title is None:  # the contract the debt arises from
                claim = session.exec(select(Claim).where(Claim.case_id == case.id)).first()
                title = f"{claim.contract_title}（{claim.contract_ref}）"
            row = Evidence(
                case_id=case.id, kind=kind, title=title, is_original=True, received_on=today()
            )
            session.add(row)
            session.flush()
        links.append({"item": item, "evidence_id": row.id})
    return links


def _draft(
    session: Session, users: dict[str, User], case: Case, *, complete: bool = True
) -> tuple[WriteOffApplication, User]:
    applicant = _applicant(session, case, users)
    session.info["actor_id"] = applicant.id
    creditor = session.get(Creditor, case.creditor_id)
    reason = REASONS[case.stage]
    items = [i.key for i in checklist(reason, regime_for(bool(creditor and creditor.is_bank)))]
    data = {
        "reason": reason,
        "reason_detail": DETAIL[reason],
        "legal_opinion": OPINION if complete else None,
        "evidence": _papers(session, case, items if complete else items[:2]),
    }
    return create_application(session, applicant, case, data), applicant


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    cases = _cases(session)
    if len(cases) < 6:
        return
    cases.reverse()  # litigation ones (if any) for the applications still in the works
    finance, boss = users["finance1"], users["management1"]

    def act(user: User) -> User:
        session.info["actor_id"] = user.id
        return user

    def submitted(case: Case) -> tuple[WriteOffApplication, User]:
        application, applicant = _draft(session, users, case)
        submit(session, act(applicant), application)
        return application, applicant

    # a draft: the court's documents still to be found, no legal opinion yet
    _draft(session, users, cases[0], complete=False)
    # awaiting finance; awaiting management
    submitted(cases[1])
    application, _ = submitted(cases[2])
    decide(session, act(finance), application, Decision.APPROVE, reason="余额已与总账核对一致")
    # returned by finance to its applicant
    application, _ = submitted(cases[3])
    decide(
        session,
        act(finance),
        application,
        Decision.REJECT,
        reason="请补充保证人的财产调查情况及担保债权的清收记录后再报",
    )
    # approved: written off today and kept open to recovery (账销案存)
    for case in cases[4:6]:
        application, _ = submitted(case)
        decide(session, act(finance), application, Decision.APPROVE, reason="同意，已核对余额")
        decide(session, act(boss), application, Decision.APPROVE, reason="同意核销，账销案存")
    # money then recovered on the second one: recovery of written-off debt
    debtor = session.get(Party, cases[5].debtor_id)
    share = (cases[5].claimed_principal * Decimal(rng.choice(["0.03", "0.05"]))).quantize(
        Decimal("0.01")
    )
    record_payment(
        session,
        act(finance),
        cases[5],
        {
            "received_on": today(),
            "amount": share,
            "payer": debtor.name,
            "method": "bank_transfer",
            "note": "恢复执行后划扣的存款（核销后收回）",
        },
    )
