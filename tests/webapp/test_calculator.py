"""The legal calculator page and its JSON API: figures with their rule, errors in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from cases.interest.lpr import LprRate, load_series
from cases.users.models import Role
from cases.users.operations import issue_token
from tests.webapp.casefile_html import errors, section, values


def _calc(client, **args: str):
    response = client.get("/calc/?" + urlencode(args, doseq=True))
    return response, response.get_data(as_text=True)


def _cell(html: str, key: str) -> str:
    match = re.search(rf'data-key="{key}">(?:<strong>)?([^<]+)<', html)
    assert match, f"no {key} in the result"
    return match.group(1)


# ---- court costs: 《诉讼费用交纳办法》第十三、十四条 ------------------------------------


@pytest.mark.parametrize(
    ("amount", "halved", "acceptance", "payment_order", "preservation", "enforcement"),
    [
        # 50 + 90,000×2.5% + 100,000×2% + 300,000×1.5% + 500,000×1% = 13,800 (第十三条(一));
        # enforcement 50 + 490,000×1.5% + 500,000×1% = 12,400 (第十四条(一))
        ("1000000", False, "¥13,800.00", "¥4,600.00", "¥5,000.00", "¥12,400.00"),
        ("1000000", True, "¥6,900.00", "¥4,600.00", "¥5,000.00", "¥12,400.00"),
        # 50 + 0.01×2.5% = 50.00025 → shown ¥50.00; preservation 30 + 9,000.01×1% = 120.0001
        ("10000.01", False, "¥50.00", "¥16.67", "¥120.00", "¥50.00"),
    ],
    ids=["one-million", "halved-once", "just-above-first-tier"],
)
def test_court_costs_show_every_fee_with_its_rule(
    client, login_as, amount, halved, acceptance, payment_order, preservation, enforcement
):
    login_as(Role.LEGAL)
    args = {"tool": "court", "amount": amount, **({"halved": "y"} if halved else {})}

    response, page = _calc(client, **args)

    assert response.status_code == 200
    result = section(page, "court")
    assert _cell(result, "acceptance") == acceptance
    assert _cell(result, "payment_order") == payment_order
    assert _cell(result, "preservation") == preservation
    assert _cell(result, "enforcement") == enforcement
    assert "《诉讼费用交纳办法》第十三条(一)" in result
    assert "计算过程" in result
    assert values(result)["amount"] == amount


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "须大于 0"),
        ({"amount": "一百万"}, "amount", "金额格式不正确"),
        ({"amount": ""}, "amount", "此项必填"),
        ({"amount": "100", "preserved_amount": "1.234"}, "preserved_amount", "最多 2 位小数"),
    ],
    ids=["negative", "words", "missing", "three-decimals"],
)
def test_bad_court_cost_input_is_refused_in_chinese_and_kept(
    client, login_as, args, field, message
):
    login_as(Role.COUNSEL)

    response, page = _calc(client, tool="court", **args)

    assert response.status_code == 422
    shown = section(page, "court")
    assert message in errors(shown).get(field, []), errors(shown)
    assert {k: values(shown).get(k, "") for k in args} == args


# ---- lawyer fees: 司发通〔2021〕87号 第(五)、(六)项 ---------------------------------------


def test_a_contingency_above_the_cap_is_flagged(client, login_as):
    login_as(Role.LEGAL)

    response, page = _calc(
        client,
        tool="fee",
        kind="contingency",
        claim="2000000",
        recovered="1000000",
        contingency_rate="25",
        expenses="3000",
    )

    result = section(page, "fee")
    assert response.status_code == 200
    assert _cell(result, "fee_total") == "¥250,000.00"  # 25% of 1,000,000
    assert _cell(result, "cap") == "¥180,000.00"  # 18% of the first 1,000,000
    assert 'data-testid="over-cap"' in result
    assert 'data-testid="can-exceed"' in result
    assert "¥3,000.00" in result  # expenses shown apart


def test_a_contingency_within_the_cap_is_not_flagged(client, login_as):
    login_as(Role.LEGAL)

    _, page = _calc(
        client,
        tool="fee",
        kind="contingency",
        claim="800000",
        recovered="500000",
        contingency_rate="15",
    )

    result = section(page, "fee")
    assert _cell(result, "fee_total") == "¥75,000.00"
    assert _cell(result, "cap") == "¥90,000.00"
    assert "over-cap" not in result
    assert "can-exceed" not in result


def test_contingency_in_a_wage_claim_is_refused(client, login_as):
    login_as(Role.LEGAL)

    response, page = _calc(
        client,
        tool="fee",
        kind="contingency",
        claim="50000",
        contingency_rate="20",
        matter_type="unpaid_wages",
    )

    assert response.status_code == 422
    assert any("不得" in m or "不允许" in m for m in errors(section(page, "fee"))["__all__"])


def test_a_rate_is_required_for_a_contingency(client, login_as):
    login_as(Role.LEGAL)
    response, page = _calc(client, tool="fee", kind="contingency", claim="50000")
    assert response.status_code == 422
    assert errors(section(page, "fee")) == {"contingency_rate": ["此项必填"]}


# ---- deadlines: 民事诉讼法(2023) 第85、171条 ------------------------------------------------


def test_an_appeal_deadline_rolls_over_national_day(client, login_as):
    login_as(Role.COUNSEL)

    # Served Tuesday 2025-09-23: 15 days → Wednesday 2025-10-08, inside the National Day
    # holiday (Oct 1–8, 2025): the period ends on the first working day after, Thursday Oct 9.
    response, page = _calc(client, tool="deadline", kind="judgment", start="2025-09-23")

    result = section(page, "deadline")
    assert response.status_code == 200
    assert _cell(result, "value") == "2025年10月9日"
    assert "第171条" in result


def test_limitation_restarts_at_an_interruption(client, login_as):
    login_as(Role.LEGAL)

    # 民法典 第188、195条: due 2023-03-15, demand delivered 2024-05-10 → 3 years from then:
    # 2027-05-10 (a Monday; 2027 holidays are not published yet, so only weekends count).
    _, page = _calc(
        client,
        tool="deadline",
        kind="limitation",
        start="2023-03-15",
        interruptions=["2024-05-10", ""],
    )

    result = section(page, "deadline")
    assert _cell(result, "value") == "2027年5月10日"
    assert "假期安排" in result or "节假日" in result  # the uncovered-year warning is shown


# ---- who may use it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 200),
        (Role.LEGAL, 200),
        (Role.COUNSEL, 200),
        (Role.FINANCE, 403),
        (Role.MANAGEMENT, 403),
    ],
)
def test_calculator_is_for_legal_staff_and_counsel(client, login_as, role, status):
    login_as(role)
    assert client.get("/calc/").status_code == status


# ---- the API -------------------------------------------------------------------------------


@pytest.fixture
def headers(session, make_user):
    def make(role=Role.LEGAL, lang="zh"):
        token = issue_token(session, make_user(role))
        session.commit()
        return {"Authorization": f"Bearer {token}", "Accept-Language": lang}

    return make


def test_api_court_costs_are_exact_with_display_values(client, headers):
    response = client.post(
        "/api/v1/calc/court-costs", json={"amount": "10000.01"}, headers=headers()
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["acceptance"]["value"] == "50.00025"  # exact, 第十三条(一)
    assert body["acceptance"]["display"] == "50.00"
    assert body["acceptance"]["rule"] == "《诉讼费用交纳办法》第十三条(一)"
    assert body["acceptance"]["inputs"]["amount"] == "10000.01"
    assert sum(float(s["value"]) for s in body["acceptance"]["steps"]) == pytest.approx(50.00025)
    assert all(s["text"] for s in body["acceptance"]["steps"])


def test_api_lawyer_fee_in_english(client, headers):
    response = client.post(
        "/api/v1/calc/lawyer-fee",
        json={
            "kind": "base_plus_contingency",
            "claim": "1000000",
            "recovered": "400000",
            "claim_rate": "2",
            "contingency_rate": "10",
        },
        headers=headers(lang="en"),
    )

    body = response.get_json()
    assert response.status_code == 200
    assert body["fee_total"] == "60000.00"  # 2% of the claim + 10% of 400,000
    assert body["cap"] == "72000.00"  # 18% of 400,000
    assert body["within_cap"] is True
    assert body["can_exceed_cap"] is True  # the base alone exceeds a cap of 0 at no recovery
    assert body["components"][0]["text"].startswith("2%")


def test_api_deadline_and_its_errors(client, headers):
    ok = client.post(
        "/api/v1/calc/deadline",
        json={"kind": "ruling", "start": "2025-12-24"},
        headers=headers(),
    )
    # 10 days after 2025-12-24 is Sunday 2026-01-04, a make-up working day: it stands.
    assert ok.get_json()["value"] == "2026-01-04"

    bad = client.post(
        "/api/v1/calc/deadline",
        json={"kind": "someday", "start": "2025-02-30"},
        headers=headers(),
    )
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"kind", "start"}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_api_calculator_is_refused_to_other_roles(client, headers, role):
    response = client.post(
        "/api/v1/calc/court-costs", json={"amount": "100"}, headers=headers(role)
    )
    assert response.status_code == 403


def test_calculator_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/calc/court-costs", "/calc/lawyer-fee", "/calc/deadline"} <= {
        p.removeprefix("/api/v1") for p in paths
    }


# ---- interest: RULES.md §5 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "value", "shown"),
    [
        # 民法典 第674条: 1,000,000 × 3.65% / 365 = 100 a day × 30 days
        ({"kind": "contract", "annual_rate": "3.65", "start": "2025-03-01", "end": "2025-03-31"},
         "¥3,000.00", ["第六百七十四条", "3.65%"]),
        # LPR 3.45% for 20 days, 3.35% from 22 July 2024 for 10: 1,025,000 / 365 = 2,808.219…
        ({"kind": "lpr", "start": "2024-07-01", "end": "2024-07-31"},
         "¥2,808.22", ["¥1,890.41", "¥917.81", "2024年7月22日"]),
        # 买卖合同解释 第18条: LPR 3.45% × 1.5 = 5.175%; 51,750 × 30 / 365 = 4,253.42
        ({"kind": "lpr", "markup": "50", "start": "2023-09-01", "end": "2023-10-01"},
         "¥4,253.42", ["5.175%", "第十八条"]),
        # 民间借贷规定 第25条: 4 × 3.45% = 13.8% on 1,000,000 for 365 days
        ({"kind": "lending_cap", "contract_date": "2023-09-01", "start": "2023-09-01",
          "end": "2024-08-31"}, "¥138,000.00", ["四倍", "第二十五条"]),
        # 迟延履行利息解释 第1条: 1,000,000 × 0.0175% a day × 100 days
        ({"kind": "late_performance", "start": "2025-01-01", "end": "2025-04-11"},
         "¥17,500.00", ["0.0175%", "100天"]),
    ],
    ids=["民法典674-contract", "LPR-two-rates", "买卖合同解释18-markup",
         "民间借贷规定25-cap", "迟延履行利息解释1-late"],
)  # fmt: skip
def test_interest_of_each_kind_with_how_it_was_computed(client, login_as, args, value, shown):
    login_as(Role.LEGAL)

    response, page = _calc(client, tool="interest", principal="1000000", **args)

    assert response.status_code == 200
    result = section(page, "interest")
    assert _cell(result, "value") == value
    for text in shown:
        assert text in result
    assert "计算过程" in result
    assert "LPR" not in "".join(re.findall(r'<p class="warning"[^>]*>([^<]*)', result))
    assert values(result)["kind"] == args["kind"]


def test_an_lpr_change_inside_the_period_shows_two_steps(client, login_as):
    login_as(Role.COUNSEL)

    _, page = _calc(
        client, tool="interest", kind="lpr", principal="1000000", start="2024-07-01",
        end="2024-07-31",
    )  # fmt: skip

    steps = re.findall(r"<li>(.*?)</li>", section(page, "interest"), re.S)
    assert len(steps) == 2
    assert "3.45%" in steps[0]
    assert "3.35%" in steps[1]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"kind": "contract", "annual_rate": "4", "start": "2025-03-31", "end": "2025-03-01"},
         "end", "截止日不能早于起算日"),
        ({"kind": "contract", "start": "2025-03-01", "end": "2025-03-31"},
         "annual_rate", "此项必填"),
        ({"kind": "lpr", "markup": "50", "spread": "1.5", "start": "2025-03-01",
          "end": "2025-03-31"}, "spread", "上浮比例和加点只能填写其中一项"),
        ({"kind": "lending_cap", "start": "2025-03-01", "end": "2025-03-31"},
         "contract_date", "此项必填"),
        ({"kind": "lpr", "start": "2018-01-01", "end": "2019-12-31"},
         "start", "LPR自2019年8月20日起才开始公布"),
        ({"kind": "contract", "annual_rate": "百分之四", "start": "2025-03-01",
          "end": "2025-03-31"}, "annual_rate", "金额格式不正确"),
    ],
    ids=["end-before-start", "contract-without-rate", "markup-and-spread",
         "cap-without-contract-date", "before-first-lpr", "rate-in-words"],
)  # fmt: skip
def test_bad_interest_input_is_refused_in_chinese_and_kept(client, login_as, args, field, message):
    login_as(Role.LEGAL)

    response, page = _calc(client, tool="interest", principal="1000000", **args)

    assert response.status_code == 422
    shown = section(page, "interest")
    assert errors(shown).get(field) == [message], errors(shown)
    assert {k: values(shown)[k] for k in args} == args
    assert values(shown)["principal"] == "1000000"
    assert 'data-testid="interest-result"' not in shown


PAST_LAST_LPR_ZH = "计算期间超出已录入的最新LPR，此后的利率可能不同"


def test_computing_past_the_last_lpr_on_file_is_flagged(client, login_as, session):
    login_as(Role.LEGAL)
    lpr = load_series(session)
    after = lpr.known_until + timedelta(days=1)  # the next publication day at the earliest

    _, page = _calc(
        client, tool="interest", kind="lpr", principal="1000000", start=str(lpr.last_date),
        end=str(after),
    )  # fmt: skip

    result = section(page, "interest")
    assert PAST_LAST_LPR_ZH in result
    assert "已录入的最新LPR为" in result  # the step naming the last row


def test_the_lpr_table_in_the_database_is_used(client, login_as, session):
    """A row an admin adds (a publication repeating the rates) moves the horizon."""
    login_as(Role.LEGAL)
    last = load_series(session)[-1]
    published = last.effective_date.replace(day=1) + timedelta(days=50)  # next month
    published = published.replace(day=20)
    session.add(LprRate(effective_date=published, lpr_1y=last.lpr_1y, lpr_5y=last.lpr_5y))
    session.commit()
    end = published + timedelta(days=10)

    _, page = _calc(
        client, tool="interest", kind="lpr", principal="1000000", start=str(last.effective_date),
        end=str(end),
    )  # fmt: skip

    result = section(page, "interest")
    assert PAST_LAST_LPR_ZH not in result
    assert len(re.findall(r"<li>", result)) == 2  # cut at the new row, same rate


def test_interest_api_returns_the_figure(client, headers):
    response = client.post(
        "/api/v1/calc/interest",
        json={
            "kind": "contract",
            "principal": "1000000",
            "annual_rate": "3.65",
            "start": "2025-03-01",
            "end": "2025-03-31",
        },
        headers=headers(Role.COUNSEL),
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["value"] == "3000"  # 100 a day × 30 days, exact
    assert body["display"] == "3000.00"
    assert "第六百七十四条" in body["rule"]
    assert body["inputs"]["days"] == 30
    assert body["inputs"]["basis"] == 365
    assert body["steps"][0]["text"].startswith("2025年3月2日至2025年3月31日：30天")
    assert body["warnings"] == []


def test_interest_api_lpr_markup_and_the_past_last_lpr_warning(client, headers, session):
    lpr = load_series(session)
    response = client.post(
        "/api/v1/calc/interest",
        json={
            "kind": "lpr",
            "principal": "1000000",
            "markup": "50",
            "start": "2023-09-01",
            "end": str(lpr.known_until + timedelta(days=1)),
        },
        headers=headers(lang="en"),
    )

    body = response.get_json()
    assert response.status_code == 200
    assert body["inputs"]["multiplier"] == "0.5"
    assert body["steps"][0]["params"]["rate"] == "5.175"  # LPR 3.45% × 1.5
    assert body["warnings"] == ["Computed past the last published LPR; later rates may differ"]


def test_interest_api_refuses_bad_input(client, headers):
    bad = client.post(
        "/api/v1/calc/interest",
        json={
            "kind": "contract",
            "principal": "1000000",
            "start": "2025-03-31",
            "end": "2025-03-01",
        },
        headers=headers(),
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"end": ["截止日不能早于起算日"]}

    missing = client.post("/api/v1/calc/interest", json={}, headers=headers())
    assert missing.status_code == 422
    assert set(missing.get_json()["error"]["fields"]) == {"kind", "principal", "start", "end"}


@pytest.mark.parametrize(("role", "status"), [(Role.COUNSEL, 200), (Role.FINANCE, 403)])
def test_interest_api_is_for_counsel_not_finance(client, headers, role, status):
    response = client.post(
        "/api/v1/calc/interest",
        json={"kind": "late_performance", "principal": "100", "start": "2025-01-01",
              "end": "2025-01-02"},
        headers=headers(role),
    )  # fmt: skip
    assert response.status_code == status


def test_the_interest_endpoint_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/calc/interest"]["post"]
    assert operation["tags"] == ["calculator"]
