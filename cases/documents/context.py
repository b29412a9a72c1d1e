"""The context of a document: case facts from the register plus the fields a person types.

``build_context(session, case, name, on=..., fields=...)`` is the one entry point::

    context = build_context(session, case, "lawyer_letter", on=date(2026, 11, 23), fields={
        "letter_no": "〔2026〕沪明律函字第118号",
        "pay_by": "2026-12-03",
        "lawyers": ["陈思远"],
    })

It reads the case facts (``load_facts``: creditor, debtor, guarantors, claims with the
interest due on ``on`` from ``cases.register.statement``, court costs, evidence), validates
``fields`` with the template's ``*Fields`` model — bad input raises
``cases.errors.ValidationError`` naming the field (``installments.2.due_on``) — checks the rules
that tie the two together (a pay-by date after the letter, installments adding up to the debt
…), and returns the template's context model dumped to plain data: dicts, lists, ``str``,
``int``, ``bool``, ``Decimal``, ``date`` and ``None``; never an ORM object.

``facts_from`` and ``assemble`` are pure (no database): ``cases.documents.samples`` uses them
to build realistic contexts for tests and benchmarks through the same code.

The documents are always in Chinese, whatever the user's language: labels here are Chinese
text, not msgids. Error messages are msgids like every other domain error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from cases import fees
from cases.deadlines import add_months, explain_enforcement_deadline
from cases.documents import catalog
from cases.documents import engagement as engagement_docs
from cases.documents import schemas as s
from cases.documents.env import rate, yuan
from cases.engagements.models import Engagement, EngagementStatus, FrameworkAgreement
from cases.errors import N_, Message, ValidationError
from cases.interest import FIRST_LPR_DATE, LprSeries, late_performance_interest
from cases.interest.lpr import load_series
from cases.money import to_fen
from cases.parties.models import Creditor, Party, PartyKind
from cases.register.models import (
    Case,
    CaseGuarantor,
    Claim,
    ClaimKind,
    Evidence,
    EvidenceKind,
    GuaranteeKind,
)
from cases.register.stages import Stage
from cases.register.statement import (
    LOAN_DEFAULT_RULE,
    PENALTY_RULE,
    Statement,
    _default_terms,
    case_statement,
)
from cases.users.models import LawFirm, User
from cases.validation import FORM_ERROR, parse
from cases.writeoffs.reasons import RULES, Regime

ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)

PAY_BY_AFTER = N_("The pay-by date must be after the date of the document")
NO_ACCOUNT = N_("Give the account to pay into: the creditor has none on file")
NO_FIRM = N_("Engage a law firm on the case first: the letter goes out on its letterhead")
NOTHING_DUE = N_("Nothing is owed on this date")
INSTALLMENT_AFTER = N_("Installments must fall after the date of the agreement")
INSTALLMENT_ORDER = N_("Each installment must fall after the one before")
INSTALLMENT_SUM = N_(
    "The installments add up to %(sum)s yuan, not the acknowledged debt of %(debt)s yuan"
)
BANK_CREDIT = N_("Only a bank may offer its own credit, and only once the suit is filed")
GUARANTEE_DETAIL = N_("Describe the guarantee: who gives it, its number and amount")
EFFECTIVE_AFTER_DUE = N_("The performance period cannot end before the judgment took effect")
NOT_YET_ENFORCEABLE = N_("Enforcement can be applied for only after the performance period ends")
NAME_COURT = N_("Name the court to apply to")
ENTERPRISE_REASON = N_("This reason applies to enterprises, not to banks")
BANK_REASON = N_("This reason applies to banks, not to enterprises")
OVERDUE_YEARS = N_("The debt has not been overdue for %(years)s years on this date")

# ---- Chinese wording of register values -----------------------------------------------------

CLAIM_KINDS = {
    ClaimKind.SALE: "购销合同",
    ClaimKind.LOAN: "借款合同",
    ClaimKind.CONSTRUCTION: "建设工程施工合同",
    ClaimKind.SERVICE: "服务合同",
    ClaimKind.LEASE: "租赁合同",
    ClaimKind.OTHER: "合同",
}
GUARANTEES = {
    GuaranteeKind.JOINT: "连带责任保证",
    GuaranteeKind.GENERAL: "一般保证",
    GuaranteeKind.MORTGAGE: "抵押担保",
    GuaranteeKind.PLEDGE: "质押担保",
}
EVIDENCE_KINDS = {
    EvidenceKind.CONTRACT: "合同",
    EvidenceKind.IOU: "欠条",
    EvidenceKind.STATEMENT: "对账单",
    EvidenceKind.REPAYMENT_PLAN: "还款计划",
    EvidenceKind.GUARANTEE: "担保合同",
    EvidenceKind.TRANSFER_VOUCHER: "转账凭证",
    EvidenceKind.SETTLEMENT_VOUCHER: "结算凭证",
    EvidenceKind.INVOICE: "发票",
    EvidenceKind.COLLECTION_RECORD: "催收记录",
    EvidenceKind.COURT_DOCUMENT: "法律文书",
    EvidenceKind.OTHER: "其他",
}
# 证明目的 when the evidence row has no note of its own (the complaint's evidence list).
EVIDENCE_PURPOSES = {
    EvidenceKind.CONTRACT: "证明原告与被告之间存在合同关系及双方的权利义务约定",
    EvidenceKind.IOU: "证明被告确认欠款的事实及欠款金额",
    EvidenceKind.STATEMENT: "证明双方对账确认的欠款金额",
    EvidenceKind.REPAYMENT_PLAN: "证明被告承诺还款的期限和金额，诉讼时效中断",
    EvidenceKind.GUARANTEE: "证明担保人为上述债务提供担保及担保范围",
    EvidenceKind.TRANSFER_VOUCHER: "证明原告履行合同义务及被告付款的情况",
    EvidenceKind.SETTLEMENT_VOUCHER: "证明双方结算的事实及金额",
    EvidenceKind.INVOICE: "证明原告已开具发票，交易真实发生及交易金额",
    EvidenceKind.COLLECTION_RECORD: "证明原告持续催收，诉讼时效未届满",
    EvidenceKind.COURT_DOCUMENT: "证明相关法律文书确认的事实",
    EvidenceKind.OTHER: "证明本案相关事实",
}
WRITEOFF_REASONS = {
    s.WriteoffReason.BANKRUPTCY: "债务人依法宣告破产、关闭、解散或者撤销，终止法人资格",
    s.WriteoffReason.DISSOLVED: "债务人被依法吊销营业执照或者注销登记",
    s.WriteoffReason.DEATH: "债务人（自然人）死亡，或者被依法宣告失踪、宣告死亡",
    s.WriteoffReason.DISASTER: "遭受重大自然灾害或者意外事故，损失不能获得赔偿",
    s.WriteoffReason.ENFORCEMENT_TERMINATED: (
        "经人民法院强制执行，债务人无可供执行的财产，终结本次执行程序或者终结执行"
    ),
    s.WriteoffReason.INTERNAL_EVIDENCE: "无法取得法律文书，经追偿确实无法收回",
    s.WriteoffReason.OVERDUE_3Y: "逾期三年以上，经催收确实无法收回",
    s.WriteoffReason.SMALL_OVERDUE_1Y: (
        "逾期一年以上，单笔数额不超过五万元或者不超过年度收入总额万分之一，催收成本超过可收回金额"
    ),
    s.WriteoffReason.RESTRUCTURING: "与债务人达成债务重组协议或者法院批准破产重整计划后，无法追偿",
}
# What the packet must hold for each reason (RULES.md §6: 财金〔2017〕90号; 税务总局公告2011年
# 第25号 第二十二至二十四条), after the report every write-off needs.
WRITEOFF_REPORT = "核销申请报告（债权形成过程、损失原因、已采取的清收措施及责任认定情况）"
WRITEOFF_EVIDENCE = {
    s.WriteoffReason.BANKRUPTCY: [
        "人民法院受理破产申请、宣告债务人破产的裁定书或者关闭、解散、撤销的证明",
        "破产财产分配方案或者终结破产程序的裁定书（宣告破产满一百八十日仍未终结的，相应说明）",
        "债权申报及受偿情况说明",
    ],
    s.WriteoffReason.DISSOLVED: [
        "市场监督管理部门吊销、注销营业执照的证明或者国家企业信用信息公示系统查询记录",
        "对债务人清算义务人、股东追偿情况的说明",
    ],
    s.WriteoffReason.DEATH: [
        "死亡证明，或者人民法院宣告失踪、宣告死亡的判决书",
        "对其财产或者遗产清偿情况的调查说明",
    ],
    s.WriteoffReason.DISASTER: [
        "有关部门出具的自然灾害、意外事故损失证明",
        "保险赔偿及其他补偿情况说明",
    ],
    s.WriteoffReason.ENFORCEMENT_TERMINATED: [
        "生效的判决书、调解书或者仲裁裁决书",
        "人民法院终结本次执行程序或者终结执行的裁定书",
        "执行中财产调查及受偿情况说明",
    ],
    s.WriteoffReason.INTERNAL_EVIDENCE: [
        "清收工作报告（含对债务人、担保人财产状况的调查）",
        "法律意见书（外部律师事务所或者内部法律部门出具）",
    ],
    s.WriteoffReason.OVERDUE_3Y: ["逾期三年以上应收款项的专项报告（含历次催收记录）"],
    s.WriteoffReason.SMALL_OVERDUE_1Y: ["逾期一年以上小额应收款项的专项报告（含催收成本测算）"],
    s.WriteoffReason.RESTRUCTURING: [
        "债务重组协议或者人民法院批准破产重整计划的裁定书",
        "债务人重组收益纳税情况说明",
    ],
}
# The regimes each reason is open to, as the approval workflow has them.
ENTERPRISE_ONLY = frozenset(r for r in s.WriteoffReason if not RULES[r].applies_to(Regime.BANK))
BANK_ONLY = frozenset(r for r in s.WriteoffReason if not RULES[r].applies_to(Regime.ENTERPRISE))


# ---- case facts -------------------------------------------------------------------------------


def _money(value: Decimal | int | str | None) -> Decimal:
    return ZERO if value is None else to_fen(value)


def party(p: Party) -> s.Party:
    """A debtor or guarantor; an individual's sex and birth date come from the ID number."""
    gender = birth = None
    if p.kind == PartyKind.PERSON and p.id_number and len(p.id_number) == 18:
        try:
            birth = date(int(p.id_number[6:10]), int(p.id_number[10:12]), int(p.id_number[12:14]))
            gender = "男" if int(p.id_number[16]) % 2 else "女"
        except ValueError:
            birth = gender = None
    return s.Party(
        kind=PartyKind(p.kind).value,
        name=p.name,
        uscc=p.uscc,
        id_number=p.id_number,
        legal_representative=p.legal_representative,
        address=p.address,
        phone=p.phone,
        gender=gender,
        birth_date=birth,
        you="贵司" if p.kind == PartyKind.COMPANY else "您",
    )


def guarantor(link: CaseGuarantor, p: Party) -> s.Guarantor:
    kind = GuaranteeKind(link.kind)
    return s.Guarantor(
        **party(p).model_dump(),
        guarantee_kind=kind.value,
        guarantee=GUARANTEES[kind],
        limit_amount=None if link.limit_amount is None else _money(link.limit_amount),
    )


def creditor(c: Creditor) -> s.Creditor:
    return s.Creditor(
        name=c.name,
        uscc=c.uscc,
        address=c.address,
        bank_account=c.bank_account,
        is_bank=c.is_bank,
        we="我行" if c.is_bank else "我司",
        representative_title="负责人" if c.parent_id is not None else "法定代表人",
    )


def firm(f: LawFirm) -> s.Firm:
    return s.Firm(name=f.name, uscc=f.uscc, address=f.address, phone=f.phone)


def onward(claim: Claim, lpr: LprSeries) -> str:
    """How interest runs on after the statement date: the rule ``case_statement`` applies."""
    rule, agreed, markup = _default_terms(claim)
    if agreed is not None:
        if rule == PENALTY_RULE:
            return f"按合同约定的逾期利率年{rate(agreed)}%计算"
        if rule == LOAN_DEFAULT_RULE:
            return f"按借款期内利率年{rate(agreed)}%计算"
        return f"按合同约定利率年{rate(agreed)}%计算"
    if markup is not None:
        breach = max(claim.due_date + ONE_DAY, FIRST_LPR_DATE)
        if not lpr:
            return "按违约时一年期贷款市场报价利率上浮50%计算"
        base = lpr.rate_on(breach)
        return (
            f"按违约时（{breach.year}年{breach.month}月{breach.day}日）一年期贷款市场报价利率"
            f"{rate(base)}%上浮50%，即年利率{rate(base * (1 + markup))}%计算"
        )
    return "按全国银行间同业拆借中心公布的一年期贷款市场报价利率（LPR）计算"


def evidence_row(no: int, item: Evidence) -> s.EvidenceRow:
    kind = EvidenceKind(item.kind)
    return s.EvidenceRow(
        no=no,
        title=item.title,
        kind=EVIDENCE_KINDS[kind],
        original=item.is_original,
        purpose=(item.note or "").strip() or EVIDENCE_PURPOSES[kind],
    )


def facts_from(
    *,
    number: str,
    stage: Stage | str,
    creditor_row: Creditor,
    debtor_row: Party,
    guarantor_rows: Sequence[tuple[CaseGuarantor, Party]],
    claims: Sequence[Claim],
    statement: Statement,
    lpr: LprSeries,
    evidence: Sequence[Evidence] = (),
    firm_row: LawFirm | None = None,
    handler: str | None = None,
    recovered: Decimal = ZERO,
    oldest_due: date | None = None,
    overdue_days: int = 0,
    engagement_row: Engagement | None = None,
    lead_lawyer: str | None = None,
    agreement: str | None = None,
    engagement_problem: str | None = None,
) -> s.CaseFacts:
    """The facts of a case on ``statement.as_of``, from rows loaded or made up (pure).

    ``engagement_row`` is the case's active engagement (its firm is ``firm_row``), with its
    lead lawyer's name and framework agreement's reference; ``engagement_problem`` the msgid
    that says why there is none."""
    lines = {line.claim_id: line for line in statement.claims}
    claim_lines = []
    for no, claim in enumerate(claims, 1):
        line = lines[claim.id]
        claim_lines.append(
            s.ClaimLine(
                no=no,
                contract_ref=claim.contract_ref,
                contract_title=claim.contract_title,
                kind=CLAIM_KINDS[ClaimKind(claim.kind)],
                signed_on=claim.signed_on,
                due_date=claim.due_date,
                principal=_money(claim.principal),
                principal_paid=_money(line.principal_paid),
                principal_due=_money(line.principal_due),
                interest_due=_money(line.interest_due),
                total_due=_money(line.total_due),
                interest_rate=claim.interest_rate,
                penalty_rate=claim.penalty_rate,
                onward_from=max(statement.as_of, claim.due_date) + ONE_DAY,
                onward=onward(claim, lpr),
            )
        )
    costs = statement.costs
    return s.CaseFacts(
        case_number=number,
        stage=Stage(stage).value,
        creditor=creditor(creditor_row),
        debtor=party(debtor_row),
        guarantors=[guarantor(link, p) for link, p in guarantor_rows],
        claims=claim_lines,
        totals=s.Totals(
            principal=_money(sum((c.principal for c in claims), ZERO)),
            principal_due=_money(statement.principal_due),
            interest_due=_money(statement.interest_due),
            total_due=_money(statement.total_due),
        ),
        costs=s.Costs(
            acceptance_fee=_money(costs["acceptance"].value) if "acceptance" in costs else ZERO,
            preservation_fee=(
                _money(costs["preservation"].value) if "preservation" in costs else ZERO
            ),
        ),
        evidence=[evidence_row(no, item) for no, item in enumerate(evidence, 1)],
        firm=firm(firm_row) if firm_row is not None else None,
        engagement=(
            engagement_docs.engagement_facts(
                engagement_row,
                firm=firm(firm_row),
                lead_lawyer=lead_lawyer,
                agreement=agreement,
                case_cause=engagement_docs.cause(claims, creditor_row.is_bank),
            )
            if engagement_row is not None and firm_row is not None
            else None
        ),
        engagement_problem=engagement_problem,
        handler=handler,
        recovered=_money(recovered),
        oldest_due=oldest_due,
        overdue_days=overdue_days,
    )


def load_facts(session: Session, case: Case, on: date) -> s.CaseFacts:
    """The facts of ``case`` on ``on`` from the database."""
    lpr = load_series(session)
    creditor_row = session.get(Creditor, case.creditor_id)
    debtor_row = session.get(Party, case.debtor_id)
    assert creditor_row is not None  # foreign keys
    assert debtor_row is not None
    guarantor_rows = session.exec(
        select(CaseGuarantor, Party)
        .join(Party, Party.id == CaseGuarantor.party_id)
        .where(CaseGuarantor.case_id == case.id)
        .order_by(CaseGuarantor.id)
    ).all()
    claims = session.exec(select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)).all()
    evidence = session.exec(
        select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
    ).all()
    firm_row = session.get(LawFirm, case.firm_id) if case.firm_id is not None else None
    handler = session.get(User, case.handler_id) if case.handler_id is not None else None
    live = session.exec(
        select(Engagement).where(
            Engagement.case_id == case.id, Engagement.status != EngagementStatus.ENDED
        )
    ).first()
    active = live if live is not None and live.status == EngagementStatus.ACTIVE else None
    lead = session.get(User, active.lead_lawyer_id) if active and active.lead_lawyer_id else None
    agreement = (
        session.get(FrameworkAgreement, active.framework_agreement_id)
        if active and active.framework_agreement_id
        else None
    )
    return facts_from(
        number=case.number,
        stage=case.stage,
        creditor_row=creditor_row,
        debtor_row=debtor_row,
        guarantor_rows=[tuple(row) for row in guarantor_rows],
        claims=claims,
        statement=case_statement(session, case, on, lpr),
        lpr=lpr,
        evidence=evidence,
        firm_row=firm_row,
        handler=handler.name if handler is not None else None,
        recovered=case.recovered_amount,
        oldest_due=case.oldest_due_date,
        overdue_days=case.overdue_days(on),
        engagement_row=active,
        lead_lawyer=lead.name if lead else None,
        agreement=agreement.reference if agreement else None,
        engagement_problem=(
            None
            if active
            else engagement_docs.AWAITING
            if live is not None
            else engagement_docs.NO_ENGAGEMENT
        ),
    )


# ---- one builder per template -----------------------------------------------------------------


def _common(facts: s.CaseFacts, on: date, **changes: Any) -> dict[str, Any]:
    return {
        "on": on,
        "case_number": facts.case_number,
        "creditor": facts.creditor,
        "debtor": facts.debtor,
        "guarantors": facts.guarantors,
        **changes,
    }


def _represented(facts: s.CaseFacts, user: s.ApplicantFields) -> s.Creditor:
    return facts.creditor.model_copy(
        update={"representative": user.creditor_representative, "position": user.creditor_position}
    )


def _as_party(p: s.Party) -> s.Party:
    return s.Party.model_validate(p.model_dump(include=set(s.Party.model_fields)))


def _check_pay_by(pay_by: date, on: date) -> None:
    if pay_by <= on:
        raise ValidationError.single("pay_by", PAY_BY_AFTER)


def _require_due(facts: s.CaseFacts) -> None:
    if facts.totals.total_due <= 0:
        raise ValidationError.single(FORM_ERROR, NOTHING_DUE)


def _clues(clues: Sequence[s.AssetClueIn]) -> list[s.AssetClue]:
    return [
        s.AssetClue(
            no=no,
            kind=clue.kind,
            label=s.ASSET_LABELS[s.AssetKind(clue.kind)],
            description=clue.description,
        )
        for no, clue in enumerate(clues, 1)
    ]


def collection_notice(
    facts: s.CaseFacts, user: s.CollectionNoticeFields, on: date
) -> s.CollectionNoticeContext:
    _require_due(facts)
    _check_pay_by(user.pay_by, on)
    account = user.bank_account or facts.creditor.bank_account
    if not account:
        raise ValidationError.single("bank_account", NO_ACCOUNT)
    return s.CollectionNoticeContext(
        **_common(facts, on),
        notice_no=user.notice_no,
        pay_by=user.pay_by,
        account=account,
        contact_name=user.contact_name,
        contact_phone=user.contact_phone,
        claims=facts.claims,
        totals=facts.totals,
    )


def lawyer_letter(
    facts: s.CaseFacts, user: s.LawyerLetterFields, on: date
) -> s.LawyerLetterContext:
    if facts.firm is None:
        raise ValidationError.single(FORM_ERROR, NO_FIRM)
    _require_due(facts)
    _check_pay_by(user.pay_by, on)
    return s.LawyerLetterContext(
        **_common(facts, on),
        firm=facts.firm,
        letter_no=user.letter_no,
        pay_by=user.pay_by,
        lawyers=user.lawyers,
        lawyer_phone=user.lawyer_phone,
        account=user.bank_account or facts.creditor.bank_account,
        facts=user.facts,
        claims=facts.claims,
        totals=facts.totals,
        costs=facts.costs,
    )


def repayment_agreement(
    facts: s.CaseFacts, user: s.RepaymentAgreementFields, on: date
) -> s.RepaymentAgreementContext:
    principal = facts.totals.principal_due if user.principal is None else user.principal
    interest = facts.totals.interest_due if user.interest is None else user.interest
    debt = s.Debt(principal=principal, interest=interest, total=principal + interest)
    if debt.total <= 0:
        raise ValidationError.single("principal", NOTHING_DUE)
    errors: dict[str, Message] = {}
    previous = on
    for index, item in enumerate(user.installments):
        if item.due_on <= previous:
            field = f"installments.{index}.due_on"
            errors[field] = Message(INSTALLMENT_AFTER if index == 0 else INSTALLMENT_ORDER)
        previous = max(previous, item.due_on)
    paid = sum((item.amount for item in user.installments), ZERO)
    if not errors and paid != debt.total:
        errors["installments"] = Message(INSTALLMENT_SUM, sum=yuan(paid), debt=yuan(debt.total))
    if errors:
        raise ValidationError(errors)
    balance = debt.total
    installments = []
    for no, item in enumerate(user.installments, 1):
        balance -= item.amount
        installments.append(
            s.Installment(no=no, due_on=item.due_on, amount=item.amount, balance_after=balance)
        )
    return s.RepaymentAgreementContext(
        **_common(facts, on, creditor=_represented(facts, user)),
        agreement_no=user.agreement_no,
        claims=facts.claims,
        debt=debt,
        installments=installments,
        final_due=installments[-1].due_on,
        interest_rate=user.interest_rate,
        account=user.bank_account or facts.creditor.bank_account,
        signing_place=user.signing_place,
    )


def preservation(facts: s.CaseFacts, user: s.PreservationFields, on: date) -> s.PreservationContext:
    before_suit = facts.stage != Stage.LITIGATION if user.before_suit is None else user.before_suit
    amount = facts.totals.total_due if user.amount is None else user.amount
    if amount <= 0:
        raise ValidationError.single("amount", NOTHING_DUE)
    kind = s.GuaranteeKind(user.guarantee_kind)
    if kind == s.GuaranteeKind.BANK_CREDIT:
        if before_suit or not facts.creditor.is_bank:
            raise ValidationError.single("guarantee_kind", BANK_CREDIT)
    elif not user.guarantee_detail:
        raise ValidationError.single("guarantee_detail", GUARANTEE_DETAIL)
    guarantors = facts.guarantors if user.include_guarantors else []
    return s.PreservationContext(
        **_common(facts, on, creditor=_represented(facts, user), guarantors=guarantors),
        court=user.court,
        before_suit=before_suit,
        case_no=None if before_suit else user.case_no,
        amount=amount,
        respondents=[facts.debtor, *(_as_party(g) for g in guarantors)],
        claims=facts.claims,
        totals=facts.totals,
        asset_clues=_clues(user.asset_clues),
        guarantee_kind=kind,
        guarantee_label=s.GUARANTEE_LABELS[kind],
        guarantee_detail=None if kind == s.GuaranteeKind.BANK_CREDIT else user.guarantee_detail,
    )


def complaint(facts: s.CaseFacts, user: s.ComplaintFields, on: date) -> s.ComplaintContext:
    _require_due(facts)
    guarantors = facts.guarantors if user.include_guarantors else []
    return s.ComplaintContext(
        **_common(facts, on, creditor=_represented(facts, user), guarantors=guarantors),
        court=user.court,
        firm=facts.firm,
        agents=user.agents,
        claims=facts.claims,
        totals=facts.totals,
        costs=facts.costs,
        evidence=facts.evidence,
        facts=user.facts,
        copies=1 + len(guarantors),
    )


def enforcement(facts: s.CaseFacts, user: s.EnforcementFields, on: date) -> s.EnforcementContext:
    kind = s.JudgmentKind(user.judgment_kind)
    if user.effective_on is not None and user.performance_due < user.effective_on:
        raise ValidationError.single("performance_due", EFFECTIVE_AFTER_DUE)
    if user.performance_due >= on:
        raise ValidationError.single("performance_due", NOT_YET_ENFORCEABLE)
    court = user.court
    if court is None:
        if kind in (s.JudgmentKind.ARBITRATION, s.JudgmentKind.NOTARIAL):
            raise ValidationError.single("court", NAME_COURT)
        court = user.judgment_court
    principal = facts.totals.principal_due if user.principal is None else user.principal
    interest = facts.totals.interest_due if user.interest is None else user.interest
    adjudged = principal + interest + user.costs
    if adjudged <= 0:
        raise ValidationError.single("principal", NOTHING_DUE)
    # 法释〔2014〕8号 第一条: the doubled part runs on the money debt other than ordinary
    # interest — the principal and the costs the judgment awards.
    late_base = principal + user.costs
    late = to_fen(late_performance_interest(late_base, user.performance_due, on).value)
    total = adjudged + late
    deadline = explain_enforcement_deadline(user.performance_due).value
    guarantors = facts.guarantors if user.include_guarantors else []
    return s.EnforcementContext(
        **_common(facts, on, creditor=_represented(facts, user), guarantors=guarantors),
        court=court,
        judgment_court=user.judgment_court,
        judgment_no=user.judgment_no,
        judgment_kind=kind,
        judgment_label=s.JUDGMENT_LABELS[kind],
        effective_on=user.effective_on,
        performance_due=user.performance_due,
        respondents=[facts.debtor, *(_as_party(g) for g in guarantors)],
        principal=principal,
        interest=interest,
        costs=user.costs,
        adjudged_total=adjudged,
        late_base=late_base,
        late_from=user.performance_due + ONE_DAY,
        late_interest=late,
        total=total,
        enforcement_fee=to_fen(fees.enforcement_fee(total)),
        deadline=deadline,
        within_deadline=on <= deadline,
        asset_clues=_clues(user.asset_clues),
    )


def writeoff(facts: s.CaseFacts, user: s.WriteoffFields, on: date) -> s.WriteoffContext:
    reason = s.WriteoffReason(user.reason)
    if facts.creditor.is_bank and reason in ENTERPRISE_ONLY:
        raise ValidationError.single("reason", ENTERPRISE_REASON)
    if not facts.creditor.is_bank and reason in BANK_ONLY:
        raise ValidationError.single("reason", BANK_REASON)
    years = {s.WriteoffReason.OVERDUE_3Y: 3, s.WriteoffReason.SMALL_OVERDUE_1Y: 1}.get(reason)
    if years and (facts.oldest_due is None or add_months(facts.oldest_due, 12 * years) > on):
        raise ValidationError.single("reason", OVERDUE_YEARS, years=years)
    amount = facts.totals.total_due if user.amount is None else user.amount
    if amount <= 0:
        raise ValidationError.single("amount", NOTHING_DUE)
    required = [WRITEOFF_REPORT, *WRITEOFF_EVIDENCE[reason]]
    on_file = [f"{e.title}（{'原件' if e.original else '复印件'}）" for e in facts.evidence]
    checklist = [
        s.ChecklistRow(no=no, name=name, attached=attached)
        for no, (name, attached) in enumerate(
            [*((n, False) for n in required), *((n, True) for n in on_file)], 1
        )
    ]
    return s.WriteoffContext(
        **_common(facts, on),
        claims=facts.claims,
        totals=facts.totals,
        recovered=facts.recovered,
        amount=amount,
        oldest_due=facts.oldest_due,
        overdue_days=facts.overdue_days,
        reason=reason,
        reason_label=WRITEOFF_REASONS[reason],
        reason_detail=user.reason_detail,
        recovery_steps=user.recovery_steps,
        legal_opinion=user.legal_opinion,
        checklist=checklist,
        firm=facts.firm,
        handler=facts.handler,
        applicant_dept=user.applicant_dept,
    )


Builder = Callable[[s.CaseFacts, Any, date], s.DocumentContext]
BUILDERS: dict[str, tuple[type[s.UserFields], Builder]] = {
    "CollectionNoticeContext": (s.CollectionNoticeFields, collection_notice),
    "LawyerLetterContext": (s.LawyerLetterFields, lawyer_letter),
    "RepaymentAgreementContext": (s.RepaymentAgreementFields, repayment_agreement),
    "PreservationContext": (s.PreservationFields, preservation),
    "ComplaintContext": (s.ComplaintFields, complaint),
    "EnforcementContext": (s.EnforcementFields, enforcement),
    "WriteoffContext": (s.WriteoffFields, writeoff),
    "EngagementLetterContext": (s.EngagementLetterFields, engagement_docs.engagement_letter),
    "PowerOfAttorneyContext": (s.PowerOfAttorneyFields, engagement_docs.power_of_attorney),
}


def fields_model(name: str) -> type[s.UserFields]:
    """The model of what a person types for template ``name`` (e.g. to draw a form)."""
    return BUILDERS[catalog.get(name).schema][0]


def assemble(
    name: str, facts: s.CaseFacts, fields: Mapping[str, Any] | BaseModel | None, *, on: date
) -> s.DocumentContext:
    """The context model of template ``name`` from case facts and user fields (pure)."""
    model, build = BUILDERS[catalog.get(name).schema]
    user = parse(model, dict(fields or {}) if not isinstance(fields, BaseModel) else fields)
    return build(facts, user, on)


def build_context(
    session: Session,
    case: Case,
    name: str,
    *,
    on: date,
    fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The context of template ``name`` for ``case`` on ``on``, as plain data."""
    catalog.get(name)  # an unknown template fails before the database is read
    context = assemble(name, load_facts(session, case, on), fields, on=on)
    return context.model_dump(mode="python")
