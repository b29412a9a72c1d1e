"""The intake form: registering a case, and every refusal keeping what was typed."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import today
from cases.parties.models import Party
from cases.register.models import Case, CaseGuarantor, Claim, Evidence
from cases.register.operations import tag_names
from cases.users.models import Role
from tests.factories import valid_ric, valid_uscc
from tests.webapp.casefile_html import count, errors, flashes, options, values

TOMORROW = "tomorrow"  # replaced by the real date when the test runs


def intake_form(creditor, handler=None, **fields: str) -> dict[str, str]:
    """The intake form as a browser posts it: one claim typed, the other rows left blank."""
    form = {
        "creditor_id": str(creditor.id),
        "handler_id": str(handler.id) if handler else "",
        "firm_id": "",
        "credit_grade": "B",
        "risk_level": "high",
        "loan_class": "",
        "external_ref": "",
        "transferred_on": "2026-01-05",
        "tags": "重点, 百日攻坚",
        "summary": "货款拖欠逾一年，多次催收未果。",
        "debtor.kind": "company",
        "debtor.name": "华南建材贸易有限公司",
        "debtor.identifier": valid_uscc(),
        "debtor.legal_representative": "张伟",
        "debtor.phone": "020-12345678",
        "debtor.email": "",
        "debtor.address": "广州市天河区",
        "claims.0.contract_ref": "GX-2024-017",
        "claims.0.contract_title": "钢材购销合同",
        "claims.0.principal": "350000.00",
        "claims.0.interest_rate": "4.35",
        "claims.0.penalty_rate": "",
        "claims.0.penalty_terms": "",
        "claims.0.signed_on": "2024-03-01",
        "claims.0.due_date": "2024-09-30",
    }
    for n in range(3):
        form.setdefault(f"claims.{n}.kind", "sale")
        form.setdefault(f"claims.{n}.interest_basis", "365")
        for name in (
            "contract_ref",
            "contract_title",
            "principal",
            "interest_rate",
            "penalty_rate",
            "penalty_terms",
            "signed_on",
            "due_date",
        ):
            form.setdefault(f"claims.{n}.{name}", "")
        form.update(
            {
                f"evidence.{n}.kind": "contract",
                f"evidence.{n}.title": "",
                f"evidence.{n}.received_on": "",
            }
        )
    for n in range(2):
        form.update(
            {
                f"guarantors.{n}.name": "",
                f"guarantors.{n}.party_kind": "company",
                f"guarantors.{n}.identifier": "",
                f"guarantors.{n}.kind": "joint",
            }
        )
    form.update(fields)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    return {key: tomorrow if value == TOMORROW else value for key, value in form.items()}


def saved_rows(session) -> tuple[int, ...]:
    return tuple(
        count(session, model) for model in (Case, Claim, Party, CaseGuarantor, Evidence, AuditEntry)
    )


@pytest.fixture
def legal(login_as):
    return login_as(Role.LEGAL)


def test_form_offers_creditors_active_legal_handlers_and_firms(
    client, legal, make_user, make_creditor, make_firm
):
    creditor, firm = make_creditor(), make_firm()
    other_legal = make_user(Role.LEGAL)
    gone = make_user(Role.LEGAL)
    gone.is_active = False
    finance = make_user(Role.FINANCE)

    response = client.get("/cases/new")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert str(creditor.id) in options(page, "creditor_id")
    assert str(firm.id) in options(page, "firm_id")
    handlers = options(page, "handler_id")
    assert {str(legal.id), str(other_legal.id)} <= set(handlers)
    assert str(gone.id) not in handlers
    assert str(finance.id) not in handlers
    assert values(page)["handler_id"] == str(legal.id)  # the legal user handles by default
    assert "登记案件" in page
    assert 'name="csrf_token"' in page


def test_intake_registers_the_case_with_claims_guarantors_evidence_and_tags(
    client, session, legal, make_creditor, make_firm
):
    creditor, firm = make_creditor(), make_firm()
    guarantor_id = valid_ric(birth="19750315")
    form = intake_form(
        creditor,
        legal,
        firm_id=str(firm.id),
        **{
            "claims.2.contract_ref": "GX-2024-031",
            "claims.2.contract_title": "补充供货合同",
            "claims.2.principal": "1,250.50",
            "claims.2.due_date": "2025-01-31",
            "claims.2.interest_basis": "360",
            "guarantors.1.name": "李强",
            "guarantors.1.party_kind": "person",
            "guarantors.1.identifier": guarantor_id,
            "guarantors.1.kind": "general",
            "evidence.0.kind": "iou",
            "evidence.0.title": "欠条（2024-10-08）",
            "evidence.0.is_original": "y",
            "evidence.0.received_on": "2024-10-09",
        },
    )

    response = client.post("/cases/new", data=form)

    assert response.status_code == 303
    case = session.exec(select(Case).where(Case.creditor_id == creditor.id)).one()
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert (case.handler_id, case.firm_id, case.credit_grade, case.risk_level) == (
        legal.id,
        firm.id,
        "B",
        "high",
    )
    assert case.claimed_principal == Decimal("351250.50")
    assert case.oldest_due_date.isoformat() == "2024-09-30"
    claims = session.exec(select(Claim).where(Claim.case_id == case.id).order_by(Claim.id)).all()
    assert [(c.contract_ref, c.principal, c.interest_basis) for c in claims] == [
        ("GX-2024-017", Decimal("350000.00"), 365),
        ("GX-2024-031", Decimal("1250.50"), 360),
    ]
    assert claims[0].interest_rate == Decimal("4.35")
    debtor = session.get(Party, case.debtor_id)
    assert (debtor.name, debtor.uscc, debtor.legal_representative) == (
        "华南建材贸易有限公司",
        form["debtor.identifier"],
        "张伟",
    )
    guarantee, person = session.exec(
        select(CaseGuarantor, Party).join(Party).where(CaseGuarantor.case_id == case.id)
    ).one()
    assert (person.name, person.id_number, guarantee.kind) == ("李强", guarantor_id, "general")
    evidence = session.exec(select(Evidence).where(Evidence.case_id == case.id)).one()
    assert (evidence.kind, evidence.is_original, evidence.received_on.isoformat()) == (
        "iou",
        True,
        "2024-10-09",
    )
    assert tag_names(session, case.id) == sorted(["重点", "百日攻坚"])

    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"案件 {case.number} 已登记。" in flashes(detail)


def test_blank_rows_are_ignored_and_a_message_points_at_the_row_typed(
    client, session, legal, make_creditor
):
    form = intake_form(
        make_creditor(),
        legal,
        **{
            "claims.2.contract_ref": "GX-9",
            "claims.2.contract_title": "买卖合同",
            "claims.2.principal": "-5",
            "claims.2.due_date": "2025-01-01",
        },
    )
    before = saved_rows(session)

    response = client.post("/cases/new", data=form)

    shown = errors(response.get_data(as_text=True))
    assert response.status_code == 422
    assert shown == {"claims.2.principal": ["须大于 0"]}
    assert saved_rows(session) == before


BAD_INPUT = [
    pytest.param({"claims.0.principal": "-100"}, "claims.0.principal", "须大于 0", id="negative"),
    pytest.param({"claims.0.principal": "0"}, "claims.0.principal", "须大于 0", id="zero"),
    pytest.param(
        {"claims.0.principal": "12万"},
        "claims.0.principal",
        "金额格式不正确",
        id="malformed-amount",
    ),
    pytest.param(
        {"claims.0.principal": "100.125"},
        "claims.0.principal",
        "最多 2 位小数",
        id="three-decimals",
    ),
    pytest.param({"claims.0.principal": ""}, "claims.0.principal", "此项必填", id="no-principal"),
    pytest.param({"claims.0.due_date": ""}, "claims.0.due_date", "此项必填", id="no-due-date"),
    pytest.param(
        {"claims.0.due_date": "2025-02-30"},
        "claims.0.due_date",
        "日期格式不正确（YYYY-MM-DD）",
        id="impossible-date",
    ),
    pytest.param(
        {"claims.0.signed_on": TOMORROW, "claims.0.due_date": "2030-01-01"},
        "claims.0.signed_on",
        "签订日期不能晚于今天",
        id="signed-in-future",
    ),
    pytest.param(
        {"claims.0.interest_rate": "101"},
        "claims.0.interest_rate",
        "不能大于 100",
        id="rate-over-100",
    ),
    pytest.param(
        {"debtor.identifier": "91110000000000001X"},
        "debtor.identifier",
        "统一社会信用代码无效（校验位错误）",
        id="bad-uscc-check-digit",
    ),
    pytest.param(
        {"debtor.kind": "person", "debtor.name": "王五", "debtor.identifier": "110101198001010011"},
        "debtor.identifier",
        "居民身份证号码无效（校验位错误）",
        id="bad-id-check-digit",
    ),
    pytest.param(
        {"debtor.identifier": ""},
        "debtor.identifier",
        "单位须填写统一社会信用代码",
        id="company-without-uscc",
    ),
    pytest.param({"debtor.name": ""}, "debtor.name", "此项必填", id="no-debtor-name"),
    pytest.param({"creditor_id": ""}, "creditor_id", "此项必填", id="no-creditor"),
    pytest.param(
        {"transferred_on": TOMORROW},
        "transferred_on",
        "该日期不能晚于今天",
        id="transferred-in-future",
    ),
    pytest.param(
        {"evidence.1.title": "对账单", "evidence.1.received_on": TOMORROW},
        "evidence.1.received_on",
        "该日期不能晚于今天",
        id="evidence-in-future",
    ),
    pytest.param(
        {"guarantors.0.name": "担保公司", "guarantors.0.identifier": "123"},
        "guarantors.0.identifier",
        "统一社会信用代码无效（校验位错误）",
        id="guarantor-bad-uscc",
    ),
    pytest.param(
        {"loan_class": "normal"},
        "loan_class",
        "五级分类仅适用于银行债权人",
        id="loan-class-not-a-bank",
    ),
    pytest.param(
        {
            "claims.0.contract_ref": "",
            "claims.0.contract_title": "",
            "claims.0.principal": "",
            "claims.0.interest_rate": "",
            "claims.0.signed_on": "",
            "claims.0.due_date": "",
        },
        "claims",
        "至少添加 1 项",
        id="no-claim-at-all",
    ),
]


@pytest.mark.parametrize(("typed", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_in_chinese_beside_its_field_and_nothing_is_saved(
    client, session, legal, make_creditor, typed, field, message
):
    form = intake_form(make_creditor(), legal, **typed)
    before = saved_rows(session)

    response = client.post("/cases/new", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in errors(page).get(field, []), errors(page)
    assert "请更正以下错误。" in page
    assert saved_rows(session) == before
    shown = values(page)
    assert {name: shown.get(name) for name in typed} == {name: form[name] for name in typed}


def test_every_typed_value_comes_back_after_a_refusal(
    client, session, legal, make_creditor, make_firm
):
    firm = make_firm()
    form = intake_form(
        make_creditor(),
        legal,
        firm_id=str(firm.id),
        loan_class="",
        external_ref="ERP-778",
        **{
            "debtor.kind": "person",
            "debtor.name": "赵六",
            "debtor.identifier": valid_ric(),
            "debtor.email": "zhao@example.cn",
            "claims.0.penalty_rate": "0.05",
            "claims.0.penalty_terms": "逾期按日万分之五计违约金",
            "claims.0.kind": "loan",
            "claims.0.interest_basis": "360",
            "claims.1.contract_ref": "JK-2",
            "claims.1.contract_title": "借款合同",
            "claims.1.principal": "abc",
            "claims.1.due_date": "2025-05-05",
            "guarantors.0.name": "钱七",
            "guarantors.0.party_kind": "person",
            "guarantors.0.identifier": valid_ric(),
            "guarantors.0.kind": "general",
            "evidence.2.kind": "statement",
            "evidence.2.title": "对账单",
            "evidence.2.is_original": "y",
            "evidence.2.received_on": "2025-06-01",
        },
    )

    response = client.post("/cases/new", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors(page) == {"claims.1.principal": ["金额格式不正确"]}
    shown = values(page)
    assert {name: shown.get(name) for name in form} == form


def test_debtor_cannot_guarantee_itself(client, session, legal, make_creditor):
    form = intake_form(make_creditor(), legal)
    form.update(
        {
            "guarantors.0.name": form["debtor.name"],
            "guarantors.0.identifier": form["debtor.identifier"],
        }
    )
    before = saved_rows(session)

    response = client.post("/cases/new", data=form)

    assert response.status_code == 422
    assert errors(response.get_data(as_text=True)) == {
        "guarantors": ["债务人不能同时为自己的保证人"]
    }
    assert saved_rows(session) == before


def test_an_inactive_handler_is_refused(client, session, legal, make_user, make_creditor):
    gone = make_user(Role.LEGAL)
    gone.is_active = False
    session.commit()

    response = client.post("/cases/new", data=intake_form(make_creditor(), gone))

    assert response.status_code == 422
    assert errors(response.get_data(as_text=True)) == {"handler_id": ["承办人须为在职法务人员"]}
    assert count(session, Case) == 0


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT])
def test_only_legal_staff_and_admins_register_cases(client, session, login_as, make_creditor, role):
    login_as(role)

    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", data=intake_form(make_creditor())).status_code == 403
    assert count(session, Case) == 0


def test_admin_registers_a_case(client, session, login_as, make_creditor):
    login_as(Role.ADMIN)

    response = client.post("/cases/new", data=intake_form(make_creditor()))

    assert response.status_code == 303
    assert count(session, Case) == 1


def test_the_form_posts_its_csrf_token(app, client, session, legal, make_creditor):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/cases/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = intake_form(make_creditor(), legal)

    assert client.post("/cases/new", data=form).status_code == 400
    assert client.post("/cases/new", data={**form, "csrf_token": token}).status_code == 303
    assert count(session, Case) == 1


def test_english_interface_on_request(client, legal, make_creditor):
    make_creditor()
    client.post("/lang/en", data={})

    page = client.get("/cases/new").get_data(as_text=True)

    assert "Register the case" in page
    assert "Unified social credit code or resident ID number" in page
