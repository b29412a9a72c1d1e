"""The engagement letter (委托代理合同) and the power of attorney (授权委托书).

``engagement_facts`` words a case's active engagement in Chinese for the documents (pure: the
rows are given); ``engagement_letter`` and ``power_of_attorney`` build the two contexts from
the case facts and what a person types, like the builders of ``cases.documents.context``.
The fee terms are written out from the same stored terms ``cases.engagements.terms`` computes
with, so the contract says what the fee requests will charge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from cases.documents import schemas as s
from cases.documents.env import upper, yuan
from cases.engagements import terms as fee_terms
from cases.engagements.models import SPECIAL_POWERS, Authority, Engagement, FeeKind
from cases.errors import N_, ValidationError
from cases.fees import (
    ENFORCEMENT_STAGE,
    LITIGATION,
    NON_LITIGATION,
    BasePlusContingency,
    ClaimPercentage,
    Contingency,
    FixedFee,
)
from cases.money import to_fen
from cases.register.models import Claim, ClaimKind
from cases.validation import FORM_ERROR

NO_ENGAGEMENT = N_("Engage a law firm on the case first (engagement panel)")
AWAITING = N_(
    "The case's engagement waits for a management override of the fee cap: "
    "the documents can be made once it is active"
)
TERMS_PENDING = N_("Enter the engagement's fee terms first (engagement panel: change terms)")
NO_AGENT = N_("Name the agent: the engagement has no lead lawyer yet")

SCOPE_WORDS = {NON_LITIGATION: "诉前清收", LITIGATION: "诉讼", ENFORCEMENT_STAGE: "执行"}
STAGE_PHRASES = {
    NON_LITIGATION: "诉前清收阶段",
    LITIGATION: "诉讼阶段",
    ENFORCEMENT_STAGE: "执行阶段",
}
KIND_WORDS = {
    FeeKind.FIXED: "固定收费",
    FeeKind.CLAIM_PERCENTAGE: "按标的额比例收费",
    FeeKind.CONTINGENCY: "风险代理收费",
    FeeKind.BASE_PLUS_CONTINGENCY: "基础费用加风险代理收费",
}
CAUSES = {
    ClaimKind.SALE: "买卖合同纠纷",
    ClaimKind.LOAN: "借款合同纠纷",
    ClaimKind.CONSTRUCTION: "建设工程施工合同纠纷",
    ClaimKind.SERVICE: "服务合同纠纷",
    ClaimKind.LEASE: "租赁合同纠纷",
    ClaimKind.OTHER: "合同纠纷",
}
# 民事诉讼法 第六十二条: what any mandate allows, what a general one leaves out, and (in
# ``SPECIAL_POWERS`` or the engagement's own note) what a special one adds.
BASIC_POWERS = "代为起诉、应诉，提交证据、申请调查取证，参加庭审、质证、辩论"
GENERAL_POWERS = (
    BASIC_POWERS + "，代为签收法律文书（不包括代为承认、放弃、变更诉讼请求，进行和解，"
    "提起反诉或者上诉）"
)
DEFAULT_EXPENSES = "差旅费、查档费、公证费等办案实际支出，由甲方据实凭票报销"


def _money(amount: Decimal) -> str:
    return f"人民币{yuan(amount)}元"


def _capital(amount: Decimal) -> str:
    return f"人民币{yuan(amount)}元（大写：人民币{upper(amount)}）"


def cause(claims: Sequence[Claim], is_bank: bool) -> str:
    """案由 of the suit over ``claims``: one kind of contract names it, several do not."""
    kinds = {ClaimKind(c.kind) for c in claims}
    if len(kinds) != 1:
        return "合同纠纷"
    (kind,) = kinds
    return "金融借款合同纠纷" if kind == ClaimKind.LOAN and is_bank else CAUSES[kind]


def _contingency_words(c: Contingency) -> str:
    base = "乙方代理甲方实际收回金额（含以物抵债资产的作价金额）"
    if c.rate is not None:
        return f"按{base}的{fee_terms.percent(c.rate)}收取风险代理费"
    if c.tiers is not None:
        parts, lower = [], Decimal(0)
        for upper_bound, rate in c.tiers:
            pct = fee_terms.percent(rate)
            if upper_bound is None:
                parts.append(f"超过{_money(lower)}的部分按{pct}")
            elif lower == 0:
                parts.append(f"{_money(upper_bound)}（含）以下的部分按{pct}")
            else:
                parts.append(f"超过{_money(lower)}至{_money(upper_bound)}（含）的部分按{pct}")
            lower = upper_bound if upper_bound is not None else lower
        return f"按{base}分段累计计算风险代理费：" + "；".join(parts)
    rates = c.stage_rates or {}
    parts = [
        f"{STAGE_PHRASES[stage]}收回的款项按{fee_terms.percent(rates[stage])}"
        for stage in (NON_LITIGATION, LITIGATION, ENFORCEMENT_STAGE)
        if stage in rates
    ]
    return f"按{base}计收风险代理费，其中" + "，".join(parts)


def fee_sentences(engagement: Engagement) -> list[str]:
    """The agreed fee terms, one sentence each, as the contract states them."""
    terms = fee_terms.engagement_arrangement(engagement)
    claim = engagement.claim_amount
    base: FixedFee | ClaimPercentage | None
    if isinstance(terms, BasePlusContingency):
        base, contingency = terms.base, terms.contingency
    elif isinstance(terms, Contingency):
        base, contingency = None, terms
    else:
        base, contingency = terms, None
    sentences = []
    if isinstance(base, FixedFee):
        what = "基础律师服务费" if contingency is not None else "律师服务费"
        sentences.append(f"{what}为{_capital(base.amount)}，于本合同签订之日起十日内支付。")
    elif isinstance(base, ClaimPercentage):
        fee = to_fen(claim * base.rate)
        what = "基础律师服务费" if contingency is not None else "律师服务费"
        sentences.append(
            f"{what}按本案标的额{_money(claim)}的{fee_terms.percent(base.rate)}计收，"
            f"即{_capital(fee)}，于本合同签订之日起十日内支付。"
        )
    if contingency is not None:
        sentences.append(
            _contingency_words(contingency) + "。风险代理费以甲方实际收到的款项为限，"
            "于每笔款项到达甲方账户后凭乙方请款单据结算；未收回的部分不计收。"
        )
        sentences.append(
            "如最终未能收回任何款项，乙方不收取风险代理费，已投入的人力及其他办案成本由乙方"
            "自行承担（本合同约定由甲方承担的办案费用除外）。"
        )
    return sentences


def engagement_facts(
    engagement: Engagement,
    *,
    firm: s.Firm,
    lead_lawyer: str | None,
    agreement: str | None,
    case_cause: str,
) -> s.EngagementFacts:
    """The engagement in the documents' words (pure; ``engagement`` may be unsaved)."""
    scopes = engagement.scopes
    words = [SCOPE_WORDS[x] for x in scopes]
    scope = "、".join(words[:-1]) + ("及" if len(words) > 1 else "") + words[-1]
    special = engagement.authority == Authority.SPECIAL
    if special:
        powers = f"{BASIC_POWERS}，{engagement.authority_note or SPECIAL_POWERS}"
    else:
        powers = engagement.authority_note or GENERAL_POWERS
    pending = engagement.terms_pending
    full = fee_terms.cap_check(engagement)
    return s.EngagementFacts(
        firm=firm,
        lead_lawyer=lead_lawyer,
        agreement=agreement,
        cause=case_cause,
        scope=scope,
        litigation=LITIGATION in scopes or ENFORCEMENT_STAGE in scopes,
        starts_on=engagement.starts_on,
        ends_on=engagement.ends_on,
        special=special,
        authority="特别授权" if special else "一般授权",
        powers=powers,
        claim_amount=to_fen(engagement.claim_amount),
        fee_kind="" if pending else KIND_WORDS[FeeKind(engagement.fee_kind)],
        fee_terms=[] if pending else fee_sentences(engagement),
        fee_at_full=to_fen(full.fee_total),
        contingency=full.cap is not None,
        expenses=engagement.expenses_note or DEFAULT_EXPENSES,
        overridden=engagement.cap_override_by_id is not None,
    )


def _engagement(facts: s.CaseFacts) -> s.EngagementFacts:
    if facts.engagement is None:
        raise ValidationError.single(FORM_ERROR, facts.engagement_problem or NO_ENGAGEMENT)
    return facts.engagement


def engagement_letter(
    facts: s.CaseFacts, user: s.EngagementLetterFields, on: date
) -> s.EngagementLetterContext:
    engagement = _engagement(facts)
    if not engagement.fee_terms:
        raise ValidationError.single(FORM_ERROR, TERMS_PENDING)
    return s.EngagementLetterContext(
        **_common(facts, on, user),
        firm=engagement.firm,
        engagement=engagement,
        agreement_no=user.agreement_no,
        signing_place=user.signing_place,
        claims=facts.claims,
        totals=facts.totals,
    )


def power_of_attorney(
    facts: s.CaseFacts, user: s.PowerOfAttorneyFields, on: date
) -> s.PowerOfAttorneyContext:
    engagement = _engagement(facts)
    agents = user.agents or ([engagement.lead_lawyer] if engagement.lead_lawyer else [])
    if not agents:
        raise ValidationError.single("agents", NO_AGENT)
    return s.PowerOfAttorneyContext(
        **_common(facts, on, user),
        firm=engagement.firm,
        engagement=engagement,
        agents=agents,
        court=user.court,
        case_no=user.case_no,
        totals=facts.totals,
    )


def _common(facts: s.CaseFacts, on: date, user: s.ApplicantFields) -> dict[str, Any]:
    creditor = facts.creditor.model_copy(
        update={"representative": user.creditor_representative, "position": user.creditor_position}
    )
    return {
        "on": on,
        "case_number": facts.case_number,
        "creditor": creditor,
        "debtor": facts.debtor,
        "guarantors": facts.guarantors,
    }
