"""Document contexts from the register (``build_context``) and the template catalogue.

Runs on SQLite and PostgreSQL (the ``session`` fixture): the case facts are read from the
database, the figures from ``case_statement``, and the user's fields are validated with
field errors.
"""

from __future__ import annotations

import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docxtpl import DocxTemplate

from cases import fees
from cases.documents import catalog
from cases.documents.context import build_context, load_facts
from cases.documents.env import make_env
from cases.documents.samples import sample_fields
from cases.engagements.operations import change_terms, live_engagement
from cases.errors import NotFound, ValidationError
from cases.interest.lpr import load_series
from cases.ledger.operations import record_payment
from cases.money import to_fen
from cases.register.stages import Stage
from cases.register.statement import case_statement
from cases.users.models import Role
from tests.factories import valid_ric, valid_uscc

ON = date(2026, 11, 23)
D = Decimal
NAMES = [t.name for t in catalog.shipped()]


@pytest.fixture
def firm(make_firm, session):
    firm = make_firm("上海明理律师事务所")
    firm.address = "上海市浦东新区世纪大道100号36楼"
    firm.phone = "021-5879 6600"
    session.flush()
    return firm


@pytest.fixture
def creditor(make_creditor):
    return make_creditor(
        name="华东机电设备股份有限公司",
        uscc=valid_uscc(),
        address="上海市浦东新区张江路1288号",
        bank_account="中国工商银行上海张江支行 1001 2033 0920 0012 345",
    )


@pytest.fixture
def guarantor_id() -> str:
    return valid_ric(birth="19720315")


@pytest.fixture
def case(session, make_case, make_user, firm, creditor, guarantor_id):
    case = make_case(
        firm=firm,
        creditor=creditor,
        debtor={
            "kind": "company",
            "name": "南京恒信建材贸易有限公司",
            "uscc": valid_uscc(),
            "legal_representative": "孙德明",
            "address": "南京市秦淮区中华路88号",
        },
        claims=[
            {
                "contract_ref": "XS-2024-101",
                "contract_title": "工业品买卖合同",
                "kind": "sale",
                "principal": "120000.00",
                "penalty_rate": "12",
                "signed_on": "2024-09-10",
                "due_date": "2024-11-09",
            },
            {
                "contract_ref": "JK-2024-104",
                "contract_title": "借款合同",
                "kind": "loan",
                "principal": "200000.00",
                "interest_rate": "6",
                "signed_on": "2024-12-10",
                "due_date": "2025-02-08",
            },
        ],
        guarantors=[
            {
                "party": {"kind": "person", "name": "孙德明", "id_number": guarantor_id},
                "kind": "joint",
                "limit_amount": "500000",
            }
        ],
        evidence=[
            {"kind": "contract", "title": "《工业品买卖合同》", "is_original": True},
            {"kind": "statement", "title": "对账单", "note": "证明被告确认欠款"},
        ],
    )
    actor = make_user(Role.FINANCE)  # finance records confirmed money
    record_payment(
        session,
        actor,
        case,
        {"received_on": "2025-08-15", "amount": "30000", "payer": "南京恒信建材贸易有限公司"},
    )
    # The firm named at intake: its engagement's terms entered (the engagement documents).
    legal, lawyer = make_user(Role.LEGAL), make_user(Role.COUNSEL, firm=firm, name="陈思远")
    change_terms(
        session,
        legal,
        case,
        live_engagement(session, case.id),
        {
            "lead_lawyer_id": lawyer.id,
            "scope_litigation": True,
            "starts_on": "2026-11-02",
            "fee_kind": "claim_percentage",
            "fee_terms": {"rate": "0.05"},
        },
    )
    session.commit()
    return case


LETTER = {
    "letter_no": "〔2026〕沪明律函字第118号",
    "pay_by": "2026-12-03",
    "lawyers": ["陈思远"],
}


def _plain(value: Any) -> None:
    """Only plain data: what can be stored as JSON (with Decimal and date) and rendered."""
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        for v in value.values():
            _plain(v)
    elif isinstance(value, list):
        for v in value:
            _plain(v)
    else:
        assert value is None or type(value) in (str, int, bool, Decimal, date), type(value)


def _render(name: str, context: dict[str, Any]) -> str:
    tpl = DocxTemplate(catalog.get(name).path)
    tpl.render(context, jinja_env=make_env(), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    document = docx.Document(io.BytesIO(out.getvalue()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# ---- build_context ----------------------------------------------------------------------------


def test_lawyer_letter_context_from_the_case(session, case, firm, creditor):
    context = build_context(session, case, "lawyer_letter", on=ON, fields=LETTER)
    _plain(context)
    statement = case_statement(session, case, ON, load_series(session))
    assert context["on"] == ON
    assert context["case_number"] == case.number
    assert context["creditor"]["name"] == creditor.name
    assert context["creditor"]["we"] == "我司"
    assert context["creditor"]["representative_title"] == "法定代表人"
    assert context["debtor"]["name"] == "南京恒信建材贸易有限公司"
    assert context["debtor"]["you"] == "贵司"
    assert context["firm"] == {
        "name": "上海明理律师事务所",
        "uscc": None,
        "address": "上海市浦东新区世纪大道100号36楼",
        "phone": "021-5879 6600",
    }
    assert context["pay_by"] == date(2026, 12, 3)
    assert context["account"] == creditor.bank_account
    lines = context["claims"]
    assert [c["contract_ref"] for c in lines] == ["XS-2024-101", "JK-2024-104"]
    for line, owed in zip(lines, statement.claims, strict=True):
        assert line["principal_due"] == to_fen(owed.principal_due)
        assert line["interest_due"] == to_fen(owed.interest_due)
        assert line["total_due"] == line["principal_due"] + line["interest_due"]
        assert line["onward_from"] == date(2026, 11, 24)
    assert lines[0]["onward"] == "按合同约定的逾期利率年12%计算"
    assert lines[1]["onward"] == "按借款期内利率年6%计算"
    # 30,000 paid on 2025-08-15 went to the matured claims in the legal order: principal is down.
    assert context["totals"]["principal_due"] < D("320000.00")
    assert context["totals"]["total_due"] == to_fen(statement.total_due)
    assert context["costs"]["acceptance_fee"] == to_fen(fees.acceptance_fee(statement.total_due))
    assert context["costs"]["preservation_fee"] == to_fen(
        fees.preservation_fee(statement.total_due)
    )
    text = _render("lawyer_letter", context)
    assert "〔2026〕沪明律函字第118号" in text
    assert "致：南京恒信建材贸易有限公司" in text
    assert "抄送：孙德明（担保人）" in text


def test_individual_guarantor_details_come_from_the_id_number(session, case, guarantor_id):
    context = build_context(session, case, "complaint", on=ON, fields={"court": "某某人民法院"})
    (guarantor,) = context["guarantors"]
    assert guarantor["kind"] == "person"
    assert guarantor["birth_date"] == date(1972, 3, 15)
    assert guarantor["gender"] == ("男" if int(guarantor_id[16]) % 2 else "女")
    assert guarantor["you"] == "您"
    assert guarantor["guarantee"] == "连带责任保证"
    assert guarantor["limit_amount"] == D("500000.00")
    assert [e["purpose"] for e in context["evidence"]] == [
        "证明原告与被告之间存在合同关系及双方的权利义务约定",
        "证明被告确认欠款",
    ]
    assert context["copies"] == 2


@pytest.mark.parametrize("name", NAMES)
def test_every_template_builds_and_renders_from_the_case(session, case, name):
    facts = load_facts(session, case, ON)
    fields = sample_fields(name, facts, 2, minimal=False, on=ON)
    context = build_context(session, case, name, on=ON, fields=fields)
    _plain(context)
    assert catalog.get(name).context_class.model_validate(context)
    text = _render(name, context)
    assert "南京恒信建材贸易有限公司" in text
    for leftover in ("{{", "{%", "None"):
        assert leftover not in text


def test_control_characters_never_reach_the_document(session, case):
    fields = {**LETTER, "letter_no": "〔2026〕\x0b沪明律函字\x00第118号", "facts": "甲\x1f乙\n丙"}
    context = build_context(session, case, "lawyer_letter", on=ON, fields=fields)
    assert context["letter_no"] == "〔2026〕沪明律函字第118号"
    assert context["facts"] == ["甲乙", "丙"]
    assert "〔2026〕沪明律函字第118号" in _render("lawyer_letter", context)


def test_guarantors_can_be_left_out_of_a_filing(session, case):
    fields = {"court": "某某人民法院", "include_guarantors": False}
    context = build_context(session, case, "complaint", on=ON, fields=fields)
    assert context["guarantors"] == []
    assert context["copies"] == 1


def test_preservation_defaults_to_before_suit_and_the_total_due(session, case):
    fields = {
        "court": "某某人民法院",
        "asset_clues": [{"kind": "deposit", "description": "建设银行 账号 1234"}],
        "guarantee_kind": "insurance",
        "guarantee_detail": "某保险公司保单保函",
    }
    context = build_context(session, case, "preservation_application", on=ON, fields=fields)
    assert context["before_suit"] is True
    assert context["amount"] == context["totals"]["total_due"]
    assert [r["name"] for r in context["respondents"]] == ["南京恒信建材贸易有限公司", "孙德明"]
    assert context["asset_clues"] == [
        {"no": 1, "kind": "deposit", "label": "银行存款", "description": "建设银行 账号 1234"}
    ]


def test_repayment_installments_get_running_balances(session, case):
    facts = load_facts(session, case, ON)
    total = facts.totals.total_due
    first = to_fen(total / 2)
    fields = {
        "installments": [
            {"due_on": "2026-12-25", "amount": str(first)},
            {"due_on": "2027-01-25", "amount": str(total - first)},
        ]
    }
    context = build_context(session, case, "repayment_agreement", on=ON, fields=fields)
    assert [i["balance_after"] for i in context["installments"]] == [total - first, D("0.00")]
    assert context["debt"]["total"] == total
    assert context["final_due"] == date(2027, 1, 25)


def test_enforcement_doubles_interest_after_the_performance_period(session, case):
    fields = {
        "judgment_court": "南京市秦淮区人民法院",
        "judgment_no": "（2026）苏0104民初5123号",
        "performance_due": "2026-10-13",
        "principal": "300000",
        "interest": "20000",
        "costs": "5000",
    }
    context = build_context(session, case, "enforcement_application", on=ON, fields=fields)
    # 法释〔2014〕8号 第一条: (300,000 + 5,000) × 0.0175% × 41 days
    assert context["late_base"] == D("305000")
    assert context["late_interest"] == D("2188.38")
    assert context["adjudged_total"] == D("325000")
    assert context["total"] == D("327188.38")
    assert context["court"] == "南京市秦淮区人民法院"
    assert context["deadline"] == date(2028, 10, 13)  # 民事诉讼法 第二百五十条: two years
    assert context["within_deadline"] is True
    assert context["enforcement_fee"] == to_fen(fees.enforcement_fee(D("327188.38")))


# ---- field errors -----------------------------------------------------------------------------


def _errors(session, case, name: str, fields: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        build_context(session, case, name, on=ON, fields=fields)
    return {k: [m.msgid for m in v] for k, v in caught.value.errors.items()}


CLUE = [{"kind": "deposit", "description": "建设银行 账号 1234"}]


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        pytest.param(
            "lawyer_letter",
            {},
            {"letter_no", "pay_by", "lawyers"},
            id="required fields",
        ),
        pytest.param(
            "lawyer_letter",
            {**LETTER, "letter_no": "  "},
            {"letter_no"},
            id="blank counts as missing",
        ),
        pytest.param(
            "lawyer_letter",
            {**LETTER, "pay_by": "2026-11-23"},
            {"pay_by"},
            id="pay-by date not after the letter",
        ),
        pytest.param(
            "lawyer_letter",
            {**LETTER, "pay_by": "23/12/2026"},
            {"pay_by"},
            id="not a date",
        ),
        pytest.param("lawyer_letter", {**LETTER, "lettr_no": "x"}, {"lettr_no"}, id="unknown"),
        pytest.param(
            "complaint",
            {"court": "某法院", "agents": ["甲", "乙", "丙"]},
            {"agents"},
            id="at most two agents (民事诉讼法 第六十一条)",
        ),
        pytest.param(
            "repayment_agreement",
            {"installments": [{"due_on": "2026-12-25", "amount": "1000"}]},
            {"installments"},
            id="installments must add up to the debt",
        ),
        pytest.param(
            "repayment_agreement",
            {
                "principal": "2000",
                "interest": "0",
                "installments": [
                    {"due_on": "2027-01-25", "amount": "1000"},
                    {"due_on": "2026-12-25", "amount": "1000"},
                ],
            },
            {"installments.1.due_on"},
            id="installments in order",
        ),
        pytest.param(
            "repayment_agreement",
            {"installments": [{"due_on": "2026-12-25", "amount": "abc"}]},
            {"installments.0.amount"},
            id="installment amount",
        ),
        pytest.param(
            "preservation_application",
            {"court": "某法院", "asset_clues": [], "guarantee_kind": "insurance"},
            {"asset_clues"},
            id="at least one asset clue",
        ),
        pytest.param(
            "preservation_application",
            {"court": "某法院", "asset_clues": CLUE, "guarantee_kind": "insurance"},
            {"guarantee_detail"},
            id="the guarantee described",
        ),
        pytest.param(
            "preservation_application",
            {"court": "某法院", "asset_clues": CLUE, "guarantee_kind": "bank_credit"},
            {"guarantee_kind"},
            id="own credit only for banks during a suit (财产保全规定 第九条)",
        ),
        pytest.param(
            "enforcement_application",
            {"judgment_court": "某法院", "judgment_no": "（2026）1号", "performance_due": ON},
            {"performance_due"},
            id="not before the performance period ends",
        ),
        pytest.param(
            "enforcement_application",
            {
                "judgment_court": "某仲裁委员会",
                "judgment_no": "（2026）1号",
                "judgment_kind": "arbitration",
                "performance_due": "2026-10-01",
            },
            {"court"},
            id="an award names the court",
        ),
        pytest.param(
            "writeoff_application",
            {
                "reason": "internal_evidence",
                "reason_detail": "x",
                "recovery_steps": "x",
                "legal_opinion": "x",
            },
            {"reason"},
            id="bank-only reason for an enterprise",
        ),
        pytest.param(
            "writeoff_application",
            {
                "reason": "overdue_3y",
                "reason_detail": "x",
                "recovery_steps": "x",
                "legal_opinion": "x",
            },
            {"reason"},
            id="not yet three years overdue (税务总局公告2011年第25号)",
        ),
        pytest.param(
            "writeoff_application",
            {"reason": "bankruptcy", "reason_detail": "", "recovery_steps": "x"},
            {"reason_detail", "legal_opinion"},
            id="write-off explanations required",
        ),
    ],
)
def test_bad_user_fields_are_field_errors(session, case, name, fields, expected):
    assert set(_errors(session, case, name, fields)) == expected


def test_letter_needs_an_engaged_firm(session, make_case, creditor):
    case = make_case(creditor=creditor)
    errors = _errors(session, case, "lawyer_letter", LETTER)
    assert errors == {
        "__all__": ["Engage a law firm on the case first: the letter goes out on its letterhead"]
    }


def test_notice_needs_an_account(session, make_case, make_creditor):
    case = make_case(creditor=make_creditor())
    errors = _errors(session, case, "collection_notice", {"pay_by": "2026-12-08"})
    assert errors == {
        "bank_account": ["Give the account to pay into: the creditor has none on file"]
    }
    context = build_context(
        session,
        case,
        "collection_notice",
        on=ON,
        fields={"pay_by": "2026-12-08", "bank_account": "某银行 1234"},
    )
    assert context["account"] == "某银行 1234"


def test_bank_branch_writes_as_a_bank(session, make_case, make_creditor):
    head = make_creditor(name="某某银行股份有限公司", is_bank=True)
    branch = make_creditor(name="某某银行股份有限公司南京分行", is_bank=True, parent_id=head.id)
    case = make_case(creditor=branch)
    context = build_context(
        session,
        case,
        "writeoff_application",
        on=ON,
        fields={
            "reason": "internal_evidence",
            "reason_detail": "多次催收无果",
            "recovery_steps": "电话催收\n上门催收",
            "legal_opinion": "符合核销条件",
        },
    )
    assert context["creditor"]["we"] == "我行"
    assert context["creditor"]["representative_title"] == "负责人"
    assert context["recovery_steps"] == ["电话催收", "上门催收"]
    assert context["checklist"][0] == {
        "no": 1,
        "name": "核销申请报告（债权形成过程、损失原因、已采取的清收措施及责任认定情况）",
        "attached": False,
    }
    assert "呆账核销申请表" in _render("writeoff_application", context)


def test_unknown_template(session, case):
    with pytest.raises(NotFound):
        build_context(session, case, "no_such_template", on=ON)


# ---- the catalogue ----------------------------------------------------------------------------


def test_catalogue_lists_every_shipped_template():
    shipped = {t.name: t for t in catalog.shipped()}
    assert set(shipped) == {
        "collection_notice",
        "lawyer_letter",
        "repayment_agreement",
        "preservation_application",
        "complaint",
        "enforcement_application",
        "writeoff_application",
        "engagement_letter",
        "power_of_attorney",
    }
    assert shipped["lawyer_letter"].title == "律师函"
    assert shipped["lawyer_letter"].kind == "letter"
    assert shipped["complaint"].kind == "filing"
    assert shipped["writeoff_application"].kind == "writeoff"
    assert shipped["repayment_agreement"].offers_pdf is False
    for info in shipped.values():
        assert info.version == "1"
        assert info.path.is_file()
        assert info.creditors == {"bank", "enterprise"}
        assert info.context_class.__name__ == info.schema


@pytest.mark.parametrize(
    ("stage", "is_bank", "first"),
    [
        (
            Stage.DEMAND_LETTER,
            False,
            [
                "collection_notice",
                "engagement_letter",
                "lawyer_letter",
                "power_of_attorney",
                "repayment_agreement",
                "complaint",
                "preservation_application",
            ],
        ),
        (
            Stage.ENFORCEMENT,
            True,
            [
                "engagement_letter",
                "power_of_attorney",
                "repayment_agreement",
                "enforcement_application",
                "writeoff_application",
            ],
        ),
        (Stage.CLOSED, False, ["writeoff_application"]),
        (Stage.INTAKE, False, []),
    ],
)
def test_for_case_puts_suitable_templates_first(stage, is_bank, first):
    ordered = [t.name for t in catalog.for_case(stage, is_bank)]
    assert ordered[: len(first)] == first
    assert sorted(ordered) == sorted(NAMES)
    rest = [n for n in NAMES if n not in first]
    assert ordered[len(first) :] == rest  # the others keep the catalogue's order


def test_for_case_respects_creditor_type(tmp_path: Path):
    _write(tmp_path, "letters", "bank_only", 'creditors = ["bank"]')
    (only,) = catalog.load_dir(tmp_path)
    assert only.suits(Stage.COLLECTION, is_bank=True)
    assert not only.suits(Stage.COLLECTION, is_bank=False)


def _write(root: Path, folder: str, name: str, override: str = "", *, docx_file=True) -> Path:
    lines = {
        "title": 'title = "测试"',
        "kind": 'kind = "letter"',
        "version": 'version = "1"',
        "stages": 'stages = ["collection"]',
        "creditors": 'creditors = ["bank", "enterprise"]',
        "schema": 'schema = "LawyerLetterContext"',
        "offers_pdf": "offers_pdf = true",
    }
    if override:
        key = override.split("=")[0].strip()
        lines[key] = override
    (root / folder).mkdir(parents=True, exist_ok=True)
    source = root / folder / f"{name}.toml"
    source.write_text("\n".join(v for v in lines.values() if v) + "\n", encoding="utf-8")
    if docx_file:
        shutil.copy(catalog.get("lawyer_letter").path, source.with_suffix(".docx"))
    return source


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('stages = ["collection", "suing"]', "unknown stage 'suing'; known stages: intake"),
        ('kind = "memo"', "unknown kind 'memo'"),
        ('creditors = ["bank", "person"]', "unknown creditor type 'person'"),
        ('schema = "NoSuchContext"', "unknown schema 'NoSuchContext'"),
        ('offers_pdf = "yes"', "offers_pdf must be true or false"),
        ("stages = []", "stages must be a non-empty list"),
        ('colour = "red"', "unknown key colour"),
        ("title =", "not valid TOML"),
    ],
)
def test_bad_metadata_is_refused_with_a_clear_error(tmp_path: Path, override, message):
    source = _write(tmp_path, "letters", "broken", override)
    with pytest.raises(catalog.TemplateMetadataError, match=message) as caught:
        catalog.load(source)
    assert "broken.toml" in str(caught.value)


def test_metadata_needs_its_docx(tmp_path: Path):
    source = _write(tmp_path, "filings", "lonely", docx_file=False)
    with pytest.raises(catalog.TemplateMetadataError, match="no template lonely.docx"):
        catalog.load(source)


def test_missing_metadata_key(tmp_path: Path):
    source = _write(tmp_path, "letters", "short")
    source.write_text('title = "x"\n', encoding="utf-8")
    with pytest.raises(catalog.TemplateMetadataError, match="missing creditors, kind"):
        catalog.load(source)
