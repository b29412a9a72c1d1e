"""Realistic contexts without a database, for tests, benchmarks and previews.

``sample_context(name, rows=10)`` builds a made-up case — a machinery supplier in Shanghai
owed money by a Nanjing building-materials trader, with its holding company and its boss as
guarantors — as unsaved rows, computes its statement on ``SAMPLE_DATE`` with the bundled LPR
history, and runs it through the same ``facts_from`` and ``assemble`` as
``build_context``. ``rows`` is the number of claims (and of installments, evidence rows and
asset clues where the template has them): the lawyer's letter gets ten claim rows with the
default. ``minimal=True`` gives the sparsest context a template must still render: an
individual debtor, no guarantors, no evidence, every optional field left out.

All values are deterministic, so rendered samples can be compared with stored snapshots.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cases.deadlines import add_months
from cases.documents import catalog
from cases.documents.context import assemble, facts_from
from cases.documents.schemas import CaseFacts
from cases.engagements.models import Authority, Engagement, EngagementStatus, FeeKind
from cases.interest import LprSeries
from cases.ledger.models import Payment
from cases.money import to_fen
from cases.parties.models import Creditor, Party, PartyKind
from cases.register.models import CaseGuarantor, Claim, ClaimKind, Evidence, EvidenceKind
from cases.register.models import GuaranteeKind as Guarantee
from cases.register.stages import Stage
from cases.register.statement import compute
from cases.users.models import LawFirm

SAMPLE_DATE = date(2026, 11, 23)
D = Decimal

CREDITOR = Creditor(
    id=1,
    name="华东机电设备股份有限公司",
    uscc="91310000132208463Y",
    address="上海市浦东新区张江路1288号",
    bank_account="中国工商银行上海张江支行 1001 2033 0920 0012 345",
    is_bank=False,
)
DEBTOR = Party(
    id=1,
    kind=PartyKind.COMPANY,
    name="南京恒信建材贸易有限公司",
    uscc="91320104MA1X7K3F29",
    legal_representative="孙德明",
    address="江苏省南京市秦淮区中华路88号1206室",
    phone="025-8452 3366",
)
PERSON_DEBTOR = Party(
    id=4,
    kind=PartyKind.PERSON,
    name="刘晓梅",
    id_number="320106198506082627",
    address="江苏省南京市鼓楼区北京西路12号3幢502室",
)
GUARANTORS = (
    (
        CaseGuarantor(id=1, case_id=1, party_id=2, kind=Guarantee.JOINT),
        Party(
            id=2,
            kind=PartyKind.COMPANY,
            name="恒信控股集团有限公司",
            uscc="91320100MA1NQ8H563",
            legal_representative="孙德明",
            address="江苏省南京市建邺区江东中路369号",
        ),
    ),
    (
        CaseGuarantor(id=2, case_id=1, party_id=3, kind=Guarantee.JOINT, limit_amount=D("500000")),
        Party(
            id=3,
            kind=PartyKind.PERSON,
            name="孙德明",
            id_number="320104197203153814",
            address="江苏省南京市秦淮区龙蟠中路218号5幢1801室",
            phone="139 5188 2046",
        ),
    ),
)
FIRM = LawFirm(
    id=1,
    name="上海明理律师事务所",
    uscc="31310000MD0187456X",
    address="上海市浦东新区世纪大道100号环球金融中心36楼",
    phone="021-5879 6600",
)
LAWYERS = ["陈思远", "周婧"]
# Base 2 percent of the claim plus 12 percent of recoveries, in court and in enforcement, a
# special mandate, overridden by management (a base paid up front can exceed the cap).
ENGAGEMENT = Engagement(
    id=1,
    case_id=1,
    firm_id=1,
    framework_agreement_id=1,
    lead_lawyer_id=7,
    scope_litigation=True,
    scope_enforcement=True,
    starts_on=date(2026, 11, 2),
    authority=Authority.SPECIAL,
    claim_amount=D("500000.00"),
    fee_kind=FeeKind.BASE_PLUS_CONTINGENCY,
    fee_terms={"base": {"rate": "0.02"}, "contingency": {"rate": "0.12"}},
    expenses_note="异地办案差旅费按甲方差旅标准据实报销",
    status=EngagementStatus.ACTIVE,
    cap_override_reason="基础费用用于覆盖先期办案成本，经总经理办公会审议同意",
    cap_override_by_id=9,
)
# The sparsest: 5 percent of the claim, before suit, a general mandate, no agreement.
MINIMAL_ENGAGEMENT = Engagement(
    id=2,
    case_id=1,
    firm_id=1,
    lead_lawyer_id=7,
    scope_non_litigation=True,
    starts_on=date(2026, 11, 2),
    claim_amount=D("86400.00"),
    fee_kind=FeeKind.CLAIM_PERCENTAGE,
    fee_terms={"rate": "0.05"},
    status=EngagementStatus.ACTIVE,
)
COURT = "南京市秦淮区人民法院"


def _claims(rows: int) -> list[Claim]:
    """Sales on 60-day terms, a loan among them; penalty rates agreed on most."""
    claims = []
    for i in range(rows):
        signed = add_months(date(2024, 9, 10), i)
        kind = ClaimKind.LOAN if i % 5 == 3 else ClaimKind.SALE
        claims.append(
            Claim(
                id=i + 1,
                case_id=1,
                contract_ref=f"HDJD-{'JK' if kind == ClaimKind.LOAN else 'XS'}-2024-{i + 101:03d}",
                contract_title="借款合同" if kind == ClaimKind.LOAN else "工业品买卖合同",
                kind=kind,
                principal=to_fen(D("86400") + D("37215.50") * i + D(i * i * 913)),
                interest_rate=D("6.0") if kind == ClaimKind.LOAN else None,
                penalty_rate=None if i % 3 == 2 or kind == ClaimKind.LOAN else D("12"),
                interest_basis=365,
                signed_on=signed,
                due_date=signed + timedelta(days=60),
            )
        )
    return claims


def _evidence(claims: list[Claim], rows: int) -> list[Evidence]:
    items = [
        Evidence(
            id=1,
            case_id=1,
            kind=EvidenceKind.CONTRACT,
            title=f"《{claims[0].contract_title}》（{claims[0].contract_ref}）等合同{len(claims)}份",
            is_original=True,
        ),
        Evidence(
            id=2,
            case_id=1,
            kind=EvidenceKind.INVOICE,
            title="增值税专用发票及送货签收单",
            is_original=False,
        ),
        Evidence(
            id=3,
            case_id=1,
            kind=EvidenceKind.STATEMENT,
            title="2026年9月15日对账单",
            is_original=True,
            note="证明被告于2026年9月15日盖章确认欠款金额",
        ),
        Evidence(
            id=4,
            case_id=1,
            kind=EvidenceKind.GUARANTEE,
            title="《最高额保证合同》两份",
            is_original=True,
        ),
        Evidence(
            id=5,
            case_id=1,
            kind=EvidenceKind.COLLECTION_RECORD,
            title="催收函及EMS签收记录",
            is_original=False,
        ),
    ]
    fixed = len(items)
    for i in range(fixed, rows):
        items.append(
            Evidence(
                id=i + 1,
                case_id=1,
                kind=EvidenceKind.TRANSFER_VOUCHER,
                title=f"银行回单（第{i - fixed + 1}组）",
                is_original=False,
            )
        )
    return items[:rows]


def sample_facts(rows: int = 10, *, minimal: bool = False, on: date = SAMPLE_DATE) -> CaseFacts:
    """The facts of the made-up case with ``rows`` claims (at least one)."""
    claims = _claims(max(rows, 1))
    payments = [
        Payment(
            id=1,
            case_id=1,
            received_on=date(2025, 8, 15),
            amount=D("30000"),
            payer=DEBTOR.name,
            claim_id=claims[0].id,
        )
    ]
    lpr = LprSeries.bundled()
    statement = compute(claims, [] if minimal else payments, on, lpr)
    oldest = min(c.due_date for c in claims)
    return facts_from(
        number="QS-2026-000123",
        stage=Stage.DEMAND_LETTER,
        creditor_row=CREDITOR,
        debtor_row=PERSON_DEBTOR if minimal else DEBTOR,
        guarantor_rows=[] if minimal else GUARANTORS,
        claims=claims,
        statement=statement,
        lpr=lpr,
        evidence=[] if minimal else _evidence(claims, max(rows, 1)),
        firm_row=FIRM,
        handler=None if minimal else "王立新",
        recovered=D("0") if minimal else D("30000"),
        oldest_due=oldest,
        overdue_days=(on - oldest).days,
        engagement_row=MINIMAL_ENGAGEMENT if minimal else ENGAGEMENT,
        lead_lawyer=LAWYERS[0],
        agreement=None if minimal else "FW-2024-明理",
    )


def _installments(total: Decimal, rows: int, on: date) -> list[dict[str, Any]]:
    rows = max(rows, 1)
    share = to_fen(total / rows)
    plan = []
    for i in range(rows):
        amount = share if i < rows - 1 else total - share * (rows - 1)
        plan.append({"due_on": add_months(date(on.year, on.month, 25), i + 1), "amount": amount})
    return plan


CLUES = [
    {"kind": "deposit", "description": "中国建设银行南京城南支行 账号 3205 0159 8736 0000 1234"},
    {
        "kind": "real_estate",
        "description": "南京市秦淮区中华路88号1206室办公用房（苏（2021）宁秦不动产权第0012345号）",
    },
    {"kind": "vehicle", "description": "苏A·8K2M6 奔驰牌小型轿车一辆"},
    {"kind": "receivable", "description": "对南京城建置业有限公司的到期货款债权约人民币60万元"},
    {"kind": "equity", "description": "被申请人持有的南京恒信物流有限公司60%股权"},
]


def sample_fields(name: str, facts: CaseFacts, rows: int, *, minimal: bool, on: date) -> dict:
    """What a person would type for template ``name``."""
    clues = CLUES[: max(1, min(rows, len(CLUES)))]
    full = not minimal
    if name == "collection_notice":
        return {
            "pay_by": on + timedelta(days=15),
            **(
                {
                    "notice_no": "华东催字〔2026〕第0158号",
                    "contact_name": "李敏",
                    "contact_phone": "021-6288 1234",
                }
                if full
                else {}
            ),
        }
    if name == "lawyer_letter":
        return {
            "letter_no": "〔2026〕沪明律函字第118号",
            "pay_by": on + timedelta(days=10),
            "lawyers": LAWYERS if full else LAWYERS[:1],
            **(
                {
                    "lawyer_phone": "021-5879 6600",
                    "facts": "2026年9月15日，委托人与贵司进行对账，贵司在对账单上盖章确认了上述"
                    "欠款金额，并承诺于2026年10月31日前付清，但至今未履行。",
                }
                if full
                else {}
            ),
        }
    if name == "repayment_agreement":
        return {
            "installments": _installments(facts.totals.total_due, rows, on),
            **(
                {
                    "agreement_no": "华东还字〔2026〕第021号",
                    "interest_rate": D("3.45"),
                    "signing_place": "上海市浦东新区",
                    "creditor_representative": "赵立群",
                    "creditor_position": "董事长",
                }
                if full
                else {}
            ),
        }
    if name == "preservation_application":
        return {
            "court": COURT,
            "asset_clues": clues,
            "guarantee_kind": "insurance",
            "guarantee_detail": "中国人民财产保险股份有限公司上海市分公司出具的诉讼财产保全责任"
            "保险保单保函（保单号：PZCA202631000000012345）",
            **(
                {"creditor_representative": "赵立群", "creditor_position": "董事长"} if full else {}
            ),
        }
    if name == "complaint":
        return {
            "court": COURT,
            **(
                {
                    "agents": LAWYERS,
                    "creditor_representative": "赵立群",
                    "creditor_position": "董事长",
                    "facts": "2026年9月15日，原、被告对账，被告在对账单上盖章确认欠款金额，"
                    "并承诺于2026年10月31日前付清，但至今未履行。",
                }
                if full
                else {}
            ),
        }
    if name == "enforcement_application":
        effective = on - timedelta(days=60)
        return {
            "judgment_court": COURT,
            "judgment_no": "（2026）苏0104民初5123号",
            "performance_due": effective + timedelta(days=10),
            **(
                {
                    "effective_on": effective,
                    "costs": facts.costs.acceptance_fee + facts.costs.preservation_fee,
                    "asset_clues": clues,
                    "creditor_representative": "赵立群",
                    "creditor_position": "董事长",
                }
                if full
                else {}
            ),
        }
    if name == "writeoff_application":
        return {
            "reason": "enforcement_terminated",
            "reason_detail": "债务人已停止经营，经南京市秦淮区人民法院强制执行，未发现可供执行"
            "的财产，法院于2026年10月20日裁定终结本次执行程序。",
            "recovery_steps": "2025年9月起电话、上门催收6次并发送律师函；\n2026年3月提起诉讼并申请"
            "诉讼保全，冻结存款2.3万元；\n2026年7月申请强制执行，执行到位3万元。",
            "legal_opinion": "经审查，本案债权真实、合法，已穷尽诉讼、保全及强制执行等清收手段，"
            "债务人名下无可供执行的财产，符合核销条件。核销后仍应保留追索权利。",
            **({"applicant_dept": "法律事务部"} if full else {}),
        }
    if name == "engagement_letter":
        return (
            {
                "agreement_no": "华东法委〔2026〕第047号",
                "signing_place": "上海市浦东新区",
                "creditor_representative": "赵立群",
                "creditor_position": "董事长",
            }
            if full
            else {}
        )
    if name == "power_of_attorney":
        return (
            {
                "agents": LAWYERS,
                "court": COURT,
                "case_no": "（2026）苏0104民初5123号",
                "creditor_representative": "赵立群",
                "creditor_position": "董事长",
            }
            if full
            else {}
        )
    raise KeyError(name)


def sample_context(
    name: str, rows: int = 10, *, minimal: bool = False, on: date = SAMPLE_DATE
) -> dict[str, Any]:
    """A realistic context of template ``name``, as ``build_context`` returns it."""
    catalog.get(name)
    facts = sample_facts(rows, minimal=minimal, on=on)
    fields = sample_fields(name, facts, rows, minimal=minimal, on=on)
    return assemble(name, facts, fields, on=on).model_dump(mode="python")
