"""What each shipped template may use: one typed context model per template.

A template sees nothing but its context model dumped to plain data (``model_dump``): no ORM
row ever reaches Jinja. Each model is built from two kinds of data:

- the **case facts** (``CaseFacts``: creditor, debtor, guarantors, claims with the interest
  due on the document date, court costs, evidence) — read from the database by
  ``cases.documents.context.load_facts``, or made up by ``cases.documents.samples``;
- the **user fields** a person types when asking for the document (``*Fields`` models:
  letter number, pay-by date, installment plan, asset clues, judgment number …) — validated
  with field errors by ``cases.documents.context``.

The catalogue (``templates/**/<name>.toml``, key ``schema``) names the context class of each
template; the contract test in ``tests/cases/documents/test_templates.py`` checks that every
variable and attribute a template uses is declared here.

Money is ``Decimal`` to the fen (``to_fen`` happens before a model is built); rates are
annual percentages; dates are ``date``. Names of people and companies are free text: the
Jinja environment escapes them (``A&B <公司>`` prints as typed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from cases.base import StrEnum
from cases.writeoffs.reasons import WriteOffReason


def _paragraphs(value: object) -> object:
    """Free text as a list of paragraphs: one per non-blank line."""
    if value is None:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Rate = Annotated[Decimal, Field(ge=0, le=100, max_digits=8, decimal_places=4)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Line = Annotated[str, Field(min_length=1, max_length=500)]
Paragraphs = Annotated[
    list[Annotated[str, Field(max_length=4000)]],
    BeforeValidator(_paragraphs),
    Field(max_length=50),
]


class Doc(BaseModel):
    """Base of every document model: unknown keys are refused, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


# ---- shared parts ----------------------------------------------------------------------------


class Party(Doc):
    """A debtor, guarantor or respondent as documents name it (民事诉讼法 第一百二十四条)."""

    kind: Literal["company", "person"]
    name: Name
    uscc: str | None = None  # 统一社会信用代码 (companies)
    id_number: str | None = None  # 公民身份号码 (individuals)
    legal_representative: str | None = None
    address: str | None = None
    phone: str | None = None
    gender: Literal["男", "女"] | None = None  # from the ID number (GB 11643)
    birth_date: date | None = None  # from the ID number
    you: Literal["贵司", "您"] = "贵司"  # how a letter addresses this party


class Guarantor(Party):
    guarantee_kind: Literal["joint", "general", "mortgage", "pledge"]
    guarantee: str  # 连带责任保证 / 一般保证 / 抵押担保 / 质押担保
    limit_amount: Money | None = None


class Creditor(Doc):
    """Our side: the company or bank (branch) the debt is owed to."""

    name: Name
    uscc: str | None = None
    address: str | None = None
    bank_account: str | None = None
    is_bank: bool = False
    we: Literal["我司", "我行"] = "我司"
    # A branch (分行、支行、分公司) acts through its 负责人, a company through its 法定代表人.
    representative_title: Literal["法定代表人", "负责人"] = "法定代表人"
    representative: str | None = None  # typed with the document: the register does not keep it
    position: str | None = None  # 职务, e.g. 董事长、行长


class Firm(Doc):
    """The law firm engaged on the case (its letterhead)."""

    name: Name
    uscc: str | None = None
    address: str | None = None
    phone: str | None = None


class EngagementFacts(Doc):
    """The case's active engagement (委托代理), worded for the engagement letter and the power
    of attorney (``cases.documents.engagement``)."""

    firm: Firm
    lead_lawyer: str | None = None
    agreement: str | None = None  # the framework agreement's reference
    cause: str  # 案由, e.g. 买卖合同纠纷
    scope: str  # 诉前清收、诉讼及执行
    litigation: bool  # the scope includes suing or enforcing: a power of attorney is needed
    starts_on: date
    ends_on: date | None = None
    special: bool  # 民事诉讼法 第六十二条: a special mandate
    authority: str  # 一般授权 / 特别授权
    powers: str  # everything the mandate allows, in words
    claim_amount: Money  # 标的额
    fee_kind: str  # 风险代理收费 …
    fee_terms: list[str]  # the agreed terms, one sentence each
    fee_at_full: Money  # the fee if the whole claim is recovered
    contingency: bool  # the fee depends on money recovered
    expenses: str
    overridden: bool = False  # management accepted terms that can exceed the statutory cap


class ClaimLine(Doc):
    """One claim on the document date (``cases.register.statement``)."""

    no: int
    contract_ref: str
    contract_title: str
    kind: str  # 购销合同、借款合同 …
    signed_on: date | None = None
    due_date: date
    principal: Money  # as agreed
    principal_paid: Money
    principal_due: Money
    interest_due: Money  # interest and default interest accrued to the date, less paid
    total_due: Money
    interest_rate: Rate | None = None  # agreed annual rate within the term
    penalty_rate: Rate | None = None  # agreed annual default rate
    onward_from: date  # the day after the document date (or after the due date)
    onward: str  # how interest runs on from ``onward_from``, e.g. 按年利率18%计算


class Totals(Doc):
    principal: Money  # as agreed, all claims
    principal_due: Money
    interest_due: Money
    total_due: Money


class Costs(Doc):
    """Court costs of suing for the total due (诉讼费用交纳办法 第十三、十四条), estimates."""

    acceptance_fee: Money = Decimal("0.00")
    preservation_fee: Money = Decimal("0.00")


class EvidenceRow(Doc):
    no: int
    title: str
    kind: str  # 合同、对账单 …
    original: bool
    purpose: str  # 证明目的


class CaseFacts(Doc):
    """Everything the register knows that documents use, on one day."""

    case_number: str
    stage: str
    creditor: Creditor
    debtor: Party
    guarantors: list[Guarantor] = Field(default_factory=list)
    claims: list[ClaimLine] = Field(min_length=1)
    totals: Totals
    costs: Costs
    evidence: list[EvidenceRow] = Field(default_factory=list)
    firm: Firm | None = None
    engagement: EngagementFacts | None = None  # the active one, once its terms are entered
    engagement_problem: str | None = None  # why there is none (a msgid), for a clear refusal
    handler: str | None = None
    recovered: Money = Decimal("0.00")
    oldest_due: date | None = None
    overdue_days: int = 0


class DocumentContext(Doc):
    """What every template may use."""

    on: date  # the document's date; interest is computed to it
    case_number: str
    creditor: Creditor
    debtor: Party
    guarantors: list[Guarantor] = Field(default_factory=list)


# Characters XML 1.0 forbids: one in a document's text would make the .docx unreadable.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value: Any) -> Any:
    if isinstance(value, str):
        return _NOT_IN_XML.sub("", value)
    if isinstance(value, Mapping):
        return {k: _xml_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_xml_safe(v) for v in value]
    return value


class UserFields(Doc):
    """Base of what a person types: a blank entry counts as not given; control characters
    that XML cannot hold are dropped."""

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = _xml_safe(data)
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class ApplicantFields(UserFields):
    """The creditor's representative, which the register does not keep."""

    creditor_representative: Name | None = None
    creditor_position: Annotated[str, Field(max_length=50)] | None = None


class AssetKind(StrEnum):
    DEPOSIT = "deposit"
    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    EQUITY = "equity"
    RECEIVABLE = "receivable"
    OTHER = "other"


ASSET_LABELS = {
    AssetKind.DEPOSIT: "银行存款",
    AssetKind.REAL_ESTATE: "不动产",
    AssetKind.VEHICLE: "机动车辆",
    AssetKind.EQUITY: "股权",
    AssetKind.RECEIVABLE: "到期债权",
    AssetKind.OTHER: "其他财产",
}


class AssetClueIn(Doc):
    kind: AssetKind
    description: Line  # e.g. 中国建设银行南京城南支行 账号 3205…


class AssetClue(Doc):
    no: int
    kind: AssetKind
    label: str
    description: str


# ---- 催收通知书 ------------------------------------------------------------------------------


class CollectionNoticeFields(UserFields):
    notice_no: Annotated[str, Field(max_length=50)] | None = None
    pay_by: date
    bank_account: Line | None = None  # instead of the creditor's account on file
    contact_name: Annotated[str, Field(max_length=50)] | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None


class CollectionNoticeContext(DocumentContext):
    notice_no: str | None = None
    pay_by: date
    account: str
    contact_name: str | None = None
    contact_phone: str | None = None
    claims: list[ClaimLine]
    totals: Totals


# ---- 律师函 ----------------------------------------------------------------------------------


class LawyerLetterFields(UserFields):
    letter_no: Annotated[str, Field(min_length=1, max_length=50)]  # 〔2026〕沪明律函字第12号
    pay_by: date
    lawyers: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        min_length=1, max_length=3
    )
    lawyer_phone: Annotated[str, Field(max_length=40)] | None = None
    bank_account: Line | None = None
    facts: Paragraphs = Field(default_factory=list)  # what the register does not say


class LawyerLetterContext(DocumentContext):
    firm: Firm
    letter_no: str
    pay_by: date
    lawyers: list[str]
    lawyer_phone: str | None = None
    account: str | None = None
    facts: list[str]
    claims: list[ClaimLine]
    totals: Totals
    costs: Costs


# ---- 还款协议 --------------------------------------------------------------------------------


class InstallmentIn(Doc):
    due_on: date
    amount: Amount


class Installment(Doc):
    no: int
    due_on: date
    amount: Money
    balance_after: Money


class Debt(Doc):
    principal: Money
    interest: Money
    total: Money


class RepaymentAgreementFields(ApplicantFields):
    agreement_no: Annotated[str, Field(max_length=50)] | None = None
    installments: list[InstallmentIn] = Field(min_length=1, max_length=120)
    # The debt acknowledged; by default what the statement says is due on the date.
    principal: Money | None = None
    interest: Money | None = None
    interest_rate: Rate | None = None  # on the unpaid balance while installments are kept
    bank_account: Line | None = None
    signing_place: Annotated[str, Field(max_length=100)] | None = None


class RepaymentAgreementContext(DocumentContext):
    agreement_no: str | None = None
    claims: list[ClaimLine]
    debt: Debt
    installments: list[Installment]
    final_due: date
    interest_rate: Rate | None = None
    account: str | None = None
    signing_place: str | None = None


# ---- 财产保全申请书 --------------------------------------------------------------------------


class GuaranteeKind(StrEnum):
    INSURANCE = "insurance"  # 诉讼财产保全责任保险（保单保函）
    GUARANTEE_COMPANY = "guarantee_company"  # 担保公司保函
    BANK_GUARANTEE = "bank_guarantee"  # 银行保函
    CASH = "cash"  # 现金
    PROPERTY = "property"  # 以财产担保
    BANK_CREDIT = "bank_credit"  # 金融机构以自身信用（财产保全规定 第九条第一款第（六）项）


GUARANTEE_LABELS = {
    GuaranteeKind.INSURANCE: "诉讼财产保全责任保险",
    GuaranteeKind.GUARANTEE_COMPANY: "担保公司出具保函",
    GuaranteeKind.BANK_GUARANTEE: "银行出具保函",
    GuaranteeKind.CASH: "现金",
    GuaranteeKind.PROPERTY: "财产",
    GuaranteeKind.BANK_CREDIT: "金融机构自身信用",
}


class PreservationFields(ApplicantFields):
    court: Name
    before_suit: bool | None = None  # default: before suit unless the case is in litigation
    case_no: Annotated[str, Field(max_length=50)] | None = None  # 诉中: the suit's number
    amount: Amount | None = None  # default: the total due on the date
    include_guarantors: bool = True
    asset_clues: list[AssetClueIn] = Field(min_length=1, max_length=50)
    guarantee_kind: GuaranteeKind
    guarantee_detail: Line | None = None  # insurer and policy number, amount, property …


class PreservationContext(DocumentContext):
    court: str
    before_suit: bool
    case_no: str | None = None
    amount: Money
    respondents: list[Party]
    claims: list[ClaimLine]
    totals: Totals
    asset_clues: list[AssetClue]
    guarantee_kind: GuaranteeKind
    guarantee_label: str
    guarantee_detail: str | None = None


# ---- 民事起诉状 ------------------------------------------------------------------------------


class ComplaintFields(ApplicantFields):
    court: Name
    # 民事诉讼法 第六十一条: one or two agents ad litem.
    agents: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=2
    )
    include_guarantors: bool = True
    facts: Paragraphs = Field(default_factory=list)


class ComplaintContext(DocumentContext):
    court: str
    firm: Firm | None = None
    agents: list[str]
    claims: list[ClaimLine]
    totals: Totals
    costs: Costs
    evidence: list[EvidenceRow]
    facts: list[str]
    copies: int  # 起诉状副本: one per defendant (民事诉讼法 第一百二十三条)


# ---- 强制执行申请书 --------------------------------------------------------------------------


class JudgmentKind(StrEnum):
    JUDGMENT = "judgment"
    MEDIATION = "mediation"
    RULING = "ruling"
    PAYMENT_ORDER = "payment_order"
    ARBITRATION = "arbitration"
    NOTARIAL = "notarial"


JUDGMENT_LABELS = {
    JudgmentKind.JUDGMENT: "民事判决书",
    JudgmentKind.MEDIATION: "民事调解书",
    JudgmentKind.RULING: "民事裁定书",
    JudgmentKind.PAYMENT_ORDER: "支付令",
    JudgmentKind.ARBITRATION: "仲裁裁决书",
    JudgmentKind.NOTARIAL: "具有强制执行效力的公证债权文书",
}


class EnforcementFields(ApplicantFields):
    court: Name | None = None  # default: the court that decided (民事诉讼法 第二百三十五条)
    judgment_court: Name  # 作出执行依据的机构
    judgment_no: Annotated[str, Field(min_length=1, max_length=50)]  # （2026）苏0104民初123号
    judgment_kind: JudgmentKind = JudgmentKind.JUDGMENT
    effective_on: date | None = None
    performance_due: date  # 履行期限届满之日
    # What the judgment awards (by default what the statement says is due, costs nil).
    principal: Money | None = None
    interest: Money | None = None
    costs: Money = Decimal("0.00")  # 由被执行人负担的诉讼费用
    include_guarantors: bool = True
    asset_clues: list[AssetClueIn] = Field(default_factory=list, max_length=50)


class EnforcementContext(DocumentContext):
    court: str
    judgment_court: str
    judgment_no: str
    judgment_kind: JudgmentKind
    judgment_label: str
    effective_on: date | None = None
    performance_due: date
    respondents: list[Party]
    principal: Money
    interest: Money
    costs: Money
    adjudged_total: Money
    late_base: Money  # 除一般债务利息外的金钱债务 (法释〔2014〕8号 第一条)
    late_from: date
    late_interest: Money  # the doubled part, to the document date
    total: Money
    enforcement_fee: Money  # 诉讼费用交纳办法 第十四条(一), borne by the respondent
    deadline: date  # 申请执行期间届满 (民事诉讼法 第二百五十条)
    within_deadline: bool
    asset_clues: list[AssetClue]


# ---- 核销申请表 ------------------------------------------------------------------------------


# One list of reasons for the form and the approval workflow (RULES.md §6): the write-off
# domain's, with the regimes each reason is open to (``cases.writeoffs.reasons.RULES``).
WriteoffReason = WriteOffReason


class ChecklistRow(Doc):
    no: int
    name: str
    attached: bool


class WriteoffFields(UserFields):
    reason: WriteoffReason
    reason_detail: Paragraphs = Field(min_length=1)
    recovery_steps: Paragraphs = Field(min_length=1)
    legal_opinion: Paragraphs = Field(min_length=1)
    amount: Amount | None = None  # default: principal and interest due
    applicant_dept: Annotated[str, Field(max_length=100)] | None = None


class WriteoffContext(DocumentContext):
    claims: list[ClaimLine]
    totals: Totals
    recovered: Money
    amount: Money
    oldest_due: date | None = None
    overdue_days: int
    reason: WriteoffReason
    reason_label: str
    reason_detail: list[str]
    recovery_steps: list[str]
    legal_opinion: list[str]
    checklist: list[ChecklistRow]
    firm: Firm | None = None
    handler: str | None = None
    applicant_dept: str | None = None


# ---- 委托代理合同 ----------------------------------------------------------------------------


class EngagementLetterFields(ApplicantFields):
    agreement_no: Annotated[str, Field(max_length=50)] | None = None  # 合同编号
    signing_place: Annotated[str, Field(max_length=100)] | None = None


class EngagementLetterContext(DocumentContext):
    firm: Firm
    engagement: EngagementFacts
    agreement_no: str | None = None
    signing_place: str | None = None
    claims: list[ClaimLine]
    totals: Totals


# ---- 授权委托书 ------------------------------------------------------------------------------


class PowerOfAttorneyFields(ApplicantFields):
    # 民事诉讼法 第六十一条: one or two agents; by default the engagement's lead lawyer.
    agents: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=2
    )
    court: Name | None = None
    case_no: Annotated[str, Field(max_length=50)] | None = None  # 案号, once the court gives one


class PowerOfAttorneyContext(DocumentContext):
    firm: Firm
    engagement: EngagementFacts
    agents: list[str]
    court: str | None = None
    case_no: str | None = None
    totals: Totals


CONTEXTS: dict[str, type[DocumentContext]] = {
    cls.__name__: cls
    for cls in (
        CollectionNoticeContext,
        LawyerLetterContext,
        RepaymentAgreementContext,
        PreservationContext,
        ComplaintContext,
        EnforcementContext,
        WriteoffContext,
        EngagementLetterContext,
        PowerOfAttorneyContext,
    )
}
