"""The engagement letter (委托代理合同) and the power of attorney (授权委托书), generated from the
case page like the other templates and filled from the case's active engagement."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from sqlmodel import select

from cases.documents.archive import GeneratedDocument
from cases.engagements.operations import add_agreement, engage, live_engagement
from cases.users.models import Role
from tests.webapp.casefile_html import errors


@pytest.fixture
def firm(make_firm, session):
    firm = make_firm("上海明理律师事务所")
    firm.address = "上海市浦东新区世纪大道100号36楼"
    firm.uscc = "31310000MD0187456X"
    session.flush()
    return firm


@pytest.fixture
def lawyer(make_user, firm):
    return make_user(Role.COUNSEL, firm=firm, name="陈思远")


@pytest.fixture
def case(make_case):
    claims = [
        {
            "contract_ref": "XS-2024-101",
            "contract_title": "工业品买卖合同",
            "kind": "sale",
            "principal": "600000",
            "due_date": "2025-06-30",
        }
    ]
    debtor = {"kind": "company", "name": "南京恒信建材贸易有限公司", "uscc": "91320104MA1X7K3F29"}
    return make_case(claims=claims, debtor=debtor)


@pytest.fixture
def engaged(session, case, firm, lawyer, make_user):
    """Tiered contingency within the cap, litigation and enforcement, a special mandate."""
    legal = make_user(Role.LEGAL)
    session.info["actor_id"] = legal.id
    agreement = add_agreement(
        session,
        legal,
        firm,
        {"reference": "FW-2026-明理", "signed_on": "2026-01-01", "starts_on": "2026-01-01"},
    )
    engage(
        session,
        legal,
        case,
        {
            "firm_id": firm.id,
            "lead_lawyer_id": lawyer.id,
            "framework_agreement_id": agreement.id,
            "scope_litigation": True,
            "scope_enforcement": True,
            "starts_on": date(2026, 3, 2),
            "authority": "special",
            "fee_kind": "contingency",
            "fee_terms": {"tiers": [["500000", "0.18"], [None, "0.15"]]},
            "expenses_note": "异地差旅费按甲方标准据实报销",
        },
    )
    session.commit()
    return case


def generate(client, case, template, data=None):
    url = f"/cases/{case.id}/documents/new?template={template}"
    return client.post(url, data={**(data or {}), "action": "generate"})


def docx_text(client, session, case, template) -> str:
    row = session.exec(
        select(GeneratedDocument).where(
            GeneratedDocument.case_id == case.id, GeneratedDocument.template == template
        )
    ).one()
    download = client.get(f"/cases/{case.id}/attachments/{row.attachment_id}")
    return "\n".join(p.text for p in Document(io.BytesIO(download.data)).paragraphs)


def test_engagement_letter_from_the_case_and_its_engagement(client, login_as, session, engaged):
    login_as(Role.LEGAL)

    response = generate(
        client, engaged, "engagement_letter", {"agreement_no": "华东法委〔2026〕第047号"}
    )

    assert response.status_code == 303
    text = docx_text(client, session, engaged, "engagement_letter")
    for words in (
        "委 托 代 理 合 同",
        "华东法委〔2026〕第047号",
        "乙方（受托人）：上海明理律师事务所，住所地：上海市浦东新区世纪大道100号36楼",
        "南京恒信建材贸易有限公司",
        "买卖合同纠纷",
        "代理阶段为：诉讼及执行",
        "FW-2026-明理",
        "乙方指派陈思远律师担任本案主办律师",
        "特别授权",
        "风险代理收费",
        "人民币500,000.00元（含）以下的部分按18%；超过人民币500,000.00元的部分按15%",
        "乙方可收取的律师服务费合计为人民币105,000.00元",  # 90,000 + 15,000
        "异地差旅费按甲方标准据实报销",
        "委托期限自2026年3月2日起",
    ):
        assert words in text, words


def test_power_of_attorney_names_the_lead_lawyer_by_default(client, login_as, session, engaged):
    login_as(Role.LEGAL)

    response = generate(client, engaged, "power_of_attorney", {"court": "南京市秦淮区人民法院"})

    assert response.status_code == 303
    text = docx_text(client, session, engaged, "power_of_attorney")
    for words in (
        "授 权 委 托 书",
        "受托人：陈思远，上海明理律师事务所律师。",
        "南京市秦淮区人民法院",
        "特别授权，即代为起诉、应诉",
        "进行和解，提起反诉或者上诉",
        "诉讼及执行程序终结之日止",
    ):
        assert words in text, words


def test_counsel_of_the_firm_may_generate_them_too(client, session, login_as, engaged, lawyer):
    login_as(lawyer)
    assert generate(client, engaged, "power_of_attorney").status_code == 303


@pytest.mark.parametrize("template", ["engagement_letter", "power_of_attorney"])
def test_no_active_engagement_no_document(client, login_as, session, case, template):
    login_as(Role.LEGAL)

    response = generate(client, case, template)

    assert response.status_code == 422
    assert errors(response.get_data(as_text=True))["__all__"] == [
        "请先在“委托代理”栏为本案委托律师事务所"
    ]
    assert session.exec(select(GeneratedDocument)).all() == []


def test_terms_to_be_entered_first(client, login_as, session, make_case, firm):
    case = make_case(firm=firm)  # named at intake: no terms, no lead lawyer yet
    login_as(Role.LEGAL)

    letter = generate(client, case, "engagement_letter")
    assert letter.status_code == 422
    assert "请先录入委托的收费条款" in errors(letter.get_data(as_text=True))["__all__"][0]
    poa = generate(client, case, "power_of_attorney")
    assert poa.status_code == 422
    assert "agents" in errors(poa.get_data(as_text=True))
    assert generate(client, case, "power_of_attorney", {"agents": "周婧"}).status_code == 303
    assert live_engagement(session, case.id).terms_pending
