"""The engagement pages: the case panel, the engagement form with the cap beside the terms,
ending, management's override page, framework agreements, the case edit form and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus
from cases.engagements.operations import (
    add_agreement,
    end_engagement,
    engage,
    live_engagement,
    record_override,
)
from cases.users.models import Role
from cases.users.operations import issue_token
from tests.webapp.casefile_html import count, errors, flashes, section, values

S = EngagementStatus


@pytest.fixture
def firm(make_firm):
    return make_firm("上海明理律师事务所")


@pytest.fixture
def lawyer(make_user, firm):
    return make_user(Role.COUNSEL, firm=firm, name="陈思远")


@pytest.fixture
def case(make_case):
    """No firm yet; a claim of 2,000,000."""
    claims = [
        {
            "contract_ref": "JK-1",
            "contract_title": "借款合同",
            "principal": "2000000",
            "due_date": "2025-06-30",
        }
    ]
    return make_case(claims=claims)


def form(firm, lawyer, **changes) -> dict[str, str]:
    data = {
        "firm_id": str(firm.id),
        "lead_lawyer_id": str(lawyer.id),
        "framework_agreement_id": "",
        "scope_litigation": "y",
        "scope_enforcement": "y",
        "starts_on": today().isoformat(),
        "ends_on": "",
        "authority": "special",
        "authority_note": "",
        "matter_type": "debt_collection",
        "claim_amount": "",
        "fee_kind": "contingency",
        "contingency_mode": "flat",
        "contingency_rate": "15",
        "base_mode": "rate",
        "expenses_note": "差旅费据实报销",
        "action": "save",
    }
    return {**data, **changes}


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_engage_within_the_cap(client, login_as, session, case, firm, lawyer):
    login_as(Role.LEGAL)
    url = f"/cases/{case.id}/engagements/new"
    assert client.get(url).status_code == 200

    response = client.post(url, data=form(firm, lawyer))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#engagements"
    engagement = live_engagement(session, case.id)
    assert engagement.status == S.ACTIVE
    assert engagement.fee_terms == {"rate": "0.15"}
    assert engagement.scopes == ("litigation", "enforcement")
    session.refresh(case)
    assert case.firm_id == firm.id
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "engagements")
    shown = text(panel)
    for words in (
        "上海明理律师事务所",
        "陈思远",
        "诉讼、执行",
        "特别授权",
        "风险代理：按实际回收金额的 15% 收取",
        "差旅费据实报销",
        "回收金额在标的额以内时均不超过法定上限",
    ):
        assert words in shown, words


def test_check_terms_shows_the_cap_beside_them_and_saves_nothing(
    client, login_as, session, case, firm, lawyer
):
    """20 percent of 2,000,000 = 400,000 against 180,000 + 150,000 = 330,000."""
    login_as(Role.LEGAL)
    url = f"/cases/{case.id}/engagements/new"

    response = client.post(url, data=form(firm, lawyer, contingency_rate="20", action="check"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'data-key="fee">¥400,000.00<', page)
    assert re.search(r'data-key="cap">¥330,000.00<', page)
    assert 'data-testid="cap-refusal"' in page
    assert "管理层" in text(page)
    assert "司发通〔2021〕87号 第(六)项" in page
    assert values(page)["contingency_rate"] == "20"  # as typed
    assert count(session, Engagement) == 0


def test_terms_above_the_cap_wait_for_management(client, login_as, session, case, firm, lawyer):
    login_as(Role.LEGAL)

    response = client.post(
        f"/cases/{case.id}/engagements/new",
        data=form(
            firm, lawyer, fee_kind="base_plus_contingency", base_rate="2", contingency_rate="12"
        ),
    )

    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert any("管理层" in f for f in flashes(page))
    engagement = live_engagement(session, case.id)
    assert engagement.status == S.AWAITING_OVERRIDE
    assert engagement.fee_terms == {"base": {"rate": "0.02"}, "contingency": {"rate": "0.12"}}
    assert 'data-testid="awaiting-override"' in section(page, "engagements")
    login_as(lawyer)
    assert client.get(f"/cases/{case.id}").status_code == 404  # not the firm's yet


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lead_lawyer_id": "other"}, "lead_lawyer_id"),
        ({"scope_litigation": "", "scope_enforcement": ""}, "scope"),
        ({"contingency_rate": "abc"}, "contingency_rate"),
        ({"contingency_rate": "150"}, "contingency_rate"),
        (
            {
                "contingency_mode": "tiered",
                "tiers.0.upper": "",
                "tiers.0.rate": "20",
                "tiers.1.upper": "",
                "tiers.1.rate": "10",
            },
            "tiers",
        ),
        ({"contingency_mode": "stage", "stage_rate.litigation": "15"}, "stage_rates"),
        ({"fee_kind": "base_plus_contingency", "base_rate": "x"}, "base_rate"),
        ({"fee_kind": "fixed", "fixed_amount": ""}, "fixed_amount"),
        ({"matter_type": "marriage"}, "matter_type"),
    ],
    ids=[
        "lawyer of another firm",
        "no scope",
        "not a number",
        "above 100 percent",
        "tiers out of order",
        "a stage without a rate",
        "bad base",
        "no fixed amount",
        "contingency in a marriage matter",
    ],
)
def test_a_refused_form_keeps_what_was_typed(
    client, login_as, session, case, firm, lawyer, make_user, make_firm, changes, field
):
    login_as(Role.LEGAL)
    if changes.get("lead_lawyer_id") == "other":
        changes = {"lead_lawyer_id": str(make_user(Role.COUNSEL, firm=make_firm()).id)}
    typed = form(firm, lawyer, **changes)

    response = client.post(f"/cases/{case.id}/engagements/new", data=typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field in errors(page), errors(page)
    shown = values(page)
    for name, value in typed.items():
        if name != "action" and name in shown:
            assert shown[name] == value, name
    assert count(session, Engagement) == 0


def test_a_second_engagement_is_refused_with_a_clear_message(
    client, login_as, session, case, firm, lawyer
):
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/engagements/new", data=form(firm, lawyer))

    response = client.post(f"/cases/{case.id}/engagements/new", data=form(firm, lawyer))

    assert response.status_code == 422
    assert "请先在“委托代理”栏解除该委托" in " ".join(
        errors(response.get_data(as_text=True))["__all__"]
    )
    assert count(session, Engagement) == 1


def _engaged(session, case, firm, lawyer, legal, **changes):
    data = {
        "firm_id": firm.id,
        "lead_lawyer_id": lawyer.id,
        "scope_litigation": True,
        "starts_on": today() - timedelta(days=30),
        "fee_kind": "contingency",
        "fee_terms": {"rate": "0.15"},
        **changes,
    }
    session.info["actor_id"] = legal.id
    engagement = engage(session, legal, case, data)
    session.commit()
    return engagement


def test_change_terms_shows_the_current_terms_in_percent(
    client, login_as, session, case, firm, lawyer
):
    legal = login_as(Role.LEGAL)
    tiers = {"tiers": [["1000000", "0.18"], [None, "0.15"]]}
    engagement = _engaged(session, case, firm, lawyer, legal, fee_terms=tiers)
    url = f"/cases/{case.id}/engagements/{engagement.id}/edit"

    shown = values(client.get(url).get_data(as_text=True))

    assert "firm_id" not in shown  # the firm stays
    assert (shown["contingency_mode"], shown["tiers.0.upper"], shown["tiers.0.rate"]) == (
        "tiered",
        "1000000",
        "18",
    )
    assert (shown["tiers.1.upper"], shown["tiers.1.rate"]) == ("", "15")
    changed = {**shown, "contingency_mode": "flat", "contingency_rate": "25", "action": "save"}
    response = client.post(url, data=changed)
    assert response.status_code == 303
    session.refresh(engagement)
    assert engagement.fee_terms == {"rate": "0.25"}
    assert engagement.status == S.AWAITING_OVERRIDE  # 25 percent: above the cap


def test_ending_an_engagement(client, login_as, session, case, firm, lawyer):
    legal = login_as(Role.LEGAL)
    engagement = _engaged(session, case, firm, lawyer, legal)
    url = f"/cases/{case.id}/engagements/{engagement.id}/end"

    refused = client.post(url, data={"on": today().isoformat(), "reason": ""})
    assert refused.status_code == 422
    assert "reason" in errors(refused.get_data(as_text=True))
    assert values(refused.get_data(as_text=True))["on"] == today().isoformat()

    response = client.post(url, data={"on": today().isoformat(), "reason": "律师离职"})

    assert response.status_code == 303
    session.refresh(engagement)
    assert (engagement.status, engagement.end_reason) == (S.ENDED, "律师离职")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    past = section(page, "engagements")
    assert 'data-testid="past-engagements"' in past
    assert "律师离职" in past
    login_as(lawyer)
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_management_overrides_with_a_reason(
    client, login_as, session, case, firm, lawyer, make_user
):
    legal = make_user(Role.LEGAL)
    engagement = _engaged(session, case, firm, lawyer, legal, fee_terms={"rate": "0.2"})
    boss = login_as(Role.MANAGEMENT)

    page = client.get("/engagements/overrides").get_data(as_text=True)
    assert f'data-testid="awaiting-{engagement.id}"' in page
    assert case.number in page
    assert re.search(r'data-key="fee">¥400,000.00<', page)
    assert re.search(r'data-key="cap">¥330,000.00<', page)
    url = f"/cases/{case.id}/engagements/{engagement.id}/override"

    refused = client.post(url, data={"reason": " "})
    assert refused.status_code == 422
    assert errors(refused.get_data(as_text=True)) == {"reason": ["请填写理由"]}

    response = client.post(url, data={"reason": "框架协议招标确定的比例"})

    assert response.status_code == 303
    session.refresh(engagement)
    assert (engagement.status, engagement.cap_override_by_id) == (S.ACTIVE, boss.id)
    assert 'data-testid="no-overrides"' in client.get("/engagements/overrides").get_data(
        as_text=True
    )
    login_as(lawyer)
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "engagements")
    assert "框架协议招标确定的比例" in panel  # reason, by and when on the case
    assert 'data-testid="change-terms"' not in panel  # counsel: read only


def test_management_refuses(client, login_as, session, case, firm, lawyer, make_user):
    legal = make_user(Role.LEGAL)
    engagement = _engaged(session, case, firm, lawyer, legal, fee_terms={"rate": "0.3"})
    login_as(Role.MANAGEMENT)

    response = client.post(
        f"/cases/{case.id}/engagements/{engagement.id}/refuse", data={"reason": "比例过高"}
    )

    assert response.status_code == 303
    session.refresh(engagement)
    assert (engagement.status, engagement.end_reason) == (S.ENDED, "比例过高")


def test_counsel_see_only_their_own_firms_engagement(
    client, login_as, session, case, firm, lawyer, make_firm, make_user
):
    legal = make_user(Role.LEGAL)
    before = make_firm("北京朗正律师事务所")
    first = _engaged(session, case, before, make_user(Role.COUNSEL, firm=before), legal)
    session.info["actor_id"] = legal.id
    end_engagement(session, legal, case, first, today(), "更换律所")
    session.commit()
    _engaged(session, case, firm, lawyer, legal)

    login_as(lawyer)
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "engagements")
    assert "上海明理律师事务所" in panel
    assert "北京朗正律师事务所" not in panel
    login_as(Role.LEGAL)
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "engagements")
    assert "北京朗正律师事务所" in panel


def test_framework_agreements_page(client, login_as, session, firm):
    login_as(Role.ADMIN)
    assert f"/engagements/firms/{firm.id}/agreements" in client.get("/admin/firms").get_data(
        as_text=True
    )
    login_as(Role.LEGAL)
    url = f"/engagements/firms/{firm.id}/agreements"
    typed = {
        "reference": "FW-2026-明理",
        "signed_on": "2026-01-01",
        "starts_on": "2026-01-01",
        "ends_on": "2025-12-31",
        "terms": "按件委托",
    }

    refused = client.post(url, data=typed)
    assert refused.status_code == 422
    assert list(errors(refused.get_data(as_text=True))) == ["ends_on"]
    assert values(refused.get_data(as_text=True))["reference"] == "FW-2026-明理"

    response = client.post(url, data={**typed, "ends_on": ""})
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "FW-2026-明理" in page
    assert "按件委托" in page
    assert client.get("/engagements/firms/999999/agreements").status_code == 404


def test_the_agreement_offered_on_the_form_is_the_firms(
    client, login_as, session, case, firm, lawyer
):
    legal = login_as(Role.LEGAL)
    session.info["actor_id"] = legal.id
    agreement = add_agreement(
        session,
        legal,
        firm,
        {"reference": "FW-1", "signed_on": "2026-01-01", "starts_on": "2026-01-01"},
    )
    session.commit()

    response = client.post(
        f"/cases/{case.id}/engagements/new",
        data=form(firm, lawyer, framework_agreement_id=str(agreement.id)),
    )

    assert response.status_code == 303
    assert live_engagement(session, case.id).framework_agreement_id == agreement.id


def test_the_case_edit_form_has_no_firm_field(client, login_as, session, make_case, firm):
    case = make_case(firm=firm)
    login_as(Role.LEGAL)
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert "firm_id" not in values(page)
    assert "上海明理律师事务所" in page
    assert "#engagements" in page

    other = client.post(f"/cases/{case.id}/edit", data={"status": "active", "firm_id": "999"})
    assert other.status_code == 422
    assert "委托代理" in " ".join(errors(other.get_data(as_text=True))["firm_id"])


def test_a_firm_named_at_intake_asks_for_its_terms(client, login_as, session, make_case, firm):
    case = make_case(firm=firm)
    login_as(Role.LEGAL)
    panel = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "engagements")
    assert 'data-testid="terms-pending"' in panel
    engagement = live_engagement(session, case.id)
    shown = values(
        client.get(f"/cases/{case.id}/engagements/{engagement.id}/edit").get_data(as_text=True)
    )
    assert (shown["fee_kind"], shown["lead_lawyer_id"]) == ("", "")  # to be chosen


def test_the_api_read(client, session, case, firm, lawyer, make_user, make_firm):
    legal, boss = make_user(Role.LEGAL), make_user(Role.MANAGEMENT)
    others = make_user(Role.COUNSEL, firm=make_firm())
    tokens = {u.id: issue_token(session, u, "t") for u in (legal, lawyer, others)}
    engagement = _engaged(
        session,
        case,
        firm,
        lawyer,
        legal,
        fee_kind="base_plus_contingency",
        fee_terms={"base": {"amount": "20000"}, "contingency": {"rate": "0.1"}},
    )

    def get(user):
        headers = {"Authorization": f"Bearer {tokens[user.id]}"}
        return client.get(f"/api/v1/cases/{case.id}/engagement", headers=headers)

    assert get(legal).json["live"]["status"] == "awaiting_override"
    assert get(lawyer).status_code == 404  # not the firm's case until the override
    session.info["actor_id"] = boss.id
    record_override(session, boss, case, engagement, "同意")
    session.commit()

    body = get(lawyer).json
    live = body["live"]
    assert body["past"] == []
    assert (live["status"], live["firm"]["name"], live["lead_lawyer"]["name"]) == (
        "active",
        "上海明理律师事务所",
        "陈思远",
    )
    assert live["cap_override_reason"] == "同意"
    assert live["fee_terms_text"] == [
        "基础费用 20,000.00 元",
        "风险代理：按实际回收金额的 10% 收取",
    ]
    legal_view = get(legal).json["live"]
    assert legal_view["cap"] == {
        "fee_at_full_recovery": "220000.00",
        "cap_at_full_claim": "330000.00",
        "can_exceed_cap": True,
        "rule": "司发通〔2021〕87号 第(六)项",
    }
    assert legal_view["fee_terms"] == {"base": {"amount": "20000"}, "contingency": {"rate": "0.1"}}
    assert legal_view["claim_amount"] == "2000000.00"
    assert get(others).status_code == 404
