"""The computed parts of the case page: the amount owed to a chosen date, costs of suing,
payments as applied (民法典 第五百六十一条), deadlines with days left, and key dates."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import today
from cases.ledger.operations import record_payment
from cases.register.keydates import KeyDate, KeyDateKind, add_key_date
from cases.users.models import Role
from tests.webapp.casefile_html import errors, flashes, section, values

pytestmark = pytest.mark.filterwarnings("ignore::cases.deadlines.HolidayDataMissing")

LOAN = {
    "contract_ref": "JK-2024-001",
    "contract_title": "借款合同",
    "kind": "loan",
    "principal": Decimal("1000000.00"),
    "interest_rate": Decimal("3.65"),
    "signed_on": "2024-01-01",
    "due_date": "2024-12-31",
}


@pytest.fixture
def firm(make_firm):
    return make_firm("金诚律师事务所")


@pytest.fixture
def loan_case(session, make_case, make_user, firm):
    legal = make_user(Role.LEGAL)
    case = make_case(actor=legal, firm=firm, claims=[LOAN])
    finance = make_user(Role.FINANCE)  # finance records money: confirmed, so it counts
    session.info["actor_id"] = finance.id
    record_payment(
        session,
        finance,
        case,
        {"received_on": date(2025, 1, 10), "amount": "50000", "payer": "债务人"},
    )
    session.commit()
    return case


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_amount_owed_to_a_chosen_date(client, login_as, loan_case):
    """Hand-worked: 36,500 term interest + 1,000 default to 2025-01-10; 50,000 pays 37,500
    interest and 12,500 principal; 20 days on 987,500 at 98.75 a day = 1,975."""
    login_as(Role.LEGAL)
    page = client.get(f"/cases/{loan_case.id}?as_of=2025-01-30").get_data(as_text=True)
    owed = section(page, "owed")
    assert 'data-testid="owed-principal">¥987,500.00' in owed
    assert 'data-testid="owed-interest">¥1,975.00' in owed
    assert 'data-testid="owed-total">¥989,475.00' in owed
    text = _text(owed)
    assert "债权计算" in text
    assert "民法典 第六百七十四条" in text  # how computed: the rule
    assert "2024年1月2日至2024年12月31日期间利息：365天，本金 1,000,000.00" in text
    # costs of suing for 989,475: 第十三条 acceptance fee 13,800 − (1,000,000 − 989,475) × 1%
    # is in the 500k–1m tier: 8,800 + 489,475 × 1% = 13,694.75
    assert 'data-testid="cost-acceptance">¥13,694.75' in owed
    assert 'data-testid="cost-preservation">¥5,000.00' in owed
    assert "按此金额起诉的诉讼费用" in text


def test_payments_show_how_they_were_applied(client, login_as, loan_case):
    login_as(Role.LEGAL)
    page = client.get(f"/cases/{loan_case.id}").get_data(as_text=True)
    payments = section(page, "payments")
    assert 'data-testid="to-interest">¥37,500.00' in payments
    assert 'data-testid="to-principal">¥12,500.00' in payments
    assert "第五百六十一条" in payments


def test_a_bad_statement_date_says_so_and_uses_today(client, login_as, loan_case):
    login_as(Role.LEGAL)
    response = client.get(f"/cases/{loan_case.id}?as_of=2025-02-30")
    owed = section(response.get_data(as_text=True), "owed")
    assert response.status_code == 200
    assert "不是有效日期：2025-02-30" in owed
    assert 'value="2025-02-30"' in owed  # what was typed stays
    assert f"截至 {today().year}年" in _text(owed)


def test_deadlines_with_days_left_and_colour(client, login_as, session, loan_case):
    legal = login_as(Role.LEGAL)
    served = today() - timedelta(days=3)
    add_key_date(session, legal, loan_case, {"kind": KeyDateKind.JUDGMENT_SERVED, "on": served})
    session.commit()
    page = client.get(f"/cases/{loan_case.id}").get_data(as_text=True)
    deadlines = section(page, "deadlines")
    rows = re.findall(
        r'<tr data-testid="deadline" data-urgency="(\w+)">(.*?)</tr>', deadlines, re.S
    )
    appeal = [(u, _text(body)) for u, body in rows if "上诉" in _text(body)]
    assert len(appeal) == 1
    urgency, text = appeal[0]
    # 15 days from service, rolled past weekends/holidays: 12 to 14+ days left → "soon"
    assert urgency == "soon"
    assert re.search(r"\b1[2-9] 天", text)
    assert "民事诉讼法" in text  # how computed
    assert "badge warn" in deadlines


def test_record_and_remove_a_key_date(client, login_as, session, loan_case):
    login_as(Role.LEGAL)
    response = client.post(
        f"/cases/{loan_case.id}/key-dates",
        data={"kind": "demand_delivered", "on": "2025-03-01", "note": "EMS 1234567890"},
    )
    assert response.status_code == 303
    row = session.exec(select(KeyDate).where(KeyDate.case_id == loan_case.id)).one()
    assert (row.kind, row.on, row.note) == (
        KeyDateKind.DEMAND_DELIVERED,
        date(2025, 3, 1),
        "EMS 1234567890",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert any("已记录" in f for f in flashes(page))
    # 诉讼时效规定 第八条: the demand restarts the three years: 2025-03-01 → 2028-03-01
    assert "2028年3月1日" in _text(section(page, "deadlines"))
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "key_date")).one()
    assert entry.case_id == loan_case.id

    response = client.post(f"/cases/{loan_case.id}/key-dates/{row.id}/delete")
    assert response.status_code == 303
    session.expire_all()
    assert session.exec(select(KeyDate).where(KeyDate.case_id == loan_case.id)).all() == []


def test_a_refused_key_date_keeps_what_was_typed(client, login_as, session, loan_case):
    login_as(Role.LEGAL)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/cases/{loan_case.id}/key-dates",
        data={"kind": "judgment_served", "on": tomorrow, "note": "（2026）沪0101民初123号"},
    )
    assert response.status_code == 422
    form = section(response.get_data(as_text=True), "deadlines")
    assert errors(form)["on"] == ["该日期不能晚于今天"]
    typed = values(form)
    assert (typed["kind"], typed["on"], typed["note"]) == (
        "judgment_served",
        tomorrow,
        "（2026）沪0101民初123号",
    )
    assert session.exec(select(KeyDate).where(KeyDate.case_id == loan_case.id)).all() == []


def test_counsel_records_dates_on_their_firms_cases_only(
    client, login_as, make_user, make_firm, session, loan_case, firm
):
    login_as(make_user(Role.COUNSEL, firm=firm))
    response = client.post(
        f"/cases/{loan_case.id}/key-dates", data={"kind": "judgment_served", "on": "2026-11-02"}
    )
    assert response.status_code == 303

    stranger = make_user(Role.COUNSEL, firm=make_firm())
    login_as(stranger)
    response = client.post(
        f"/cases/{loan_case.id}/key-dates", data={"kind": "judgment_served", "on": "2026-11-02"}
    )
    assert response.status_code == 404
    row = session.exec(select(KeyDate).where(KeyDate.case_id == loan_case.id)).one()
    assert client.post(f"/cases/{loan_case.id}/key-dates/{row.id}/delete").status_code == 404


def test_finance_sees_figures_but_cannot_record_dates(client, login_as, loan_case):
    login_as(Role.FINANCE)
    page = client.get(f"/cases/{loan_case.id}").get_data(as_text=True)
    assert 'id="owed"' in page
    assert 'id="key-date"' not in page
    response = client.post(
        f"/cases/{loan_case.id}/key-dates", data={"kind": "judgment_served", "on": "2026-11-02"}
    )
    assert response.status_code == 403


def test_a_key_date_of_another_case_is_404(client, login_as, session, make_case, loan_case):
    legal = login_as(Role.LEGAL)
    other = make_case(actor=legal)
    row = add_key_date(
        session, legal, other, {"kind": KeyDateKind.SUIT_FILED, "on": date(2026, 1, 5)}
    )
    session.commit()
    response = client.post(f"/cases/{loan_case.id}/key-dates/{row.id}/delete")
    assert response.status_code == 404
    assert session.get(KeyDate, row.id) is not None


def test_english_page(client, login_as, loan_case):
    login_as(Role.LEGAL)
    client.post("/lang/en")
    page = client.get(f"/cases/{loan_case.id}?as_of=2025-01-30").get_data(as_text=True)
    assert "Amount owed" in page
    assert "Deadlines" in page


# ---- the same in the API ----------------------------------------------------------------------


def _api(app, session, user):
    from cases.users.operations import issue_token

    token = issue_token(session, user, "test")
    session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_statement_in_the_api(app, session, make_user, loan_case):
    client = _api(app, session, make_user(Role.FINANCE))
    response = client.get(f"/api/v1/cases/{loan_case.id}/statement?as_of=2025-01-30")
    assert response.status_code == 200
    body = response.json
    assert (body["principal_due"], body["interest_due"], body["total_due"]) == (
        "987500.00",
        "1975.00",
        "989475.00",
    )
    (payment,) = body["payments"]
    assert (payment["to_interest"], payment["to_principal"]) == ("37500.00", "12500.00")
    assert body["claims"][0]["interest"]["rule"].startswith("民法典 第六百七十四条")
    assert body["costs"]["acceptance"]["display"] == "13694.75"
    bad = client.get(f"/api/v1/cases/{loan_case.id}/statement?as_of=2025-02-30")
    assert bad.status_code == 422
    assert "as_of" in bad.json["error"]["fields"]


def test_deadlines_in_the_api(app, session, make_user, make_firm, loan_case, firm):
    counsel = make_user(Role.COUNSEL, firm=firm)
    add_key_date(
        session, counsel, loan_case, {"kind": KeyDateKind.DEMAND_DELIVERED, "on": date(2025, 3, 1)}
    )
    session.commit()
    client = _api(app, session, counsel)
    body = client.get(
        f"/api/v1/cases/{loan_case.id}/deadlines", headers={"Accept-Language": "zh"}
    ).json
    (limitation,) = [d for d in body["items"] if d["label"] == "Limitation period ends"]
    assert limitation["due"] == "2028-03-01"
    assert limitation["text"] == "诉讼时效届满"
    assert limitation["subject"] == "JK-2024-001"
    assert limitation["urgency"] == "ok"
    stranger = _api(app, session, make_user(Role.COUNSEL, firm=make_firm()))
    assert stranger.get(f"/api/v1/cases/{loan_case.id}/deadlines").status_code == 404
    assert stranger.get(f"/api/v1/cases/{loan_case.id}/statement").status_code == 404


# ---- the case summary as a PDF ------------------------------------------------------------------


def test_case_summary_pdf(client, login_as, loan_case, firm, make_user, make_firm):
    login_as(make_user(Role.COUNSEL, firm=firm))
    response = client.get(f"/cases/{loan_case.id}/summary.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert loan_case.number in text
    assert "案件摘要" in text
    assert "JK-2024-001" in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Qingshou" in name for name in fonts)  # the embedded serif
    login_as(make_user(Role.COUNSEL, firm=make_firm()))
    assert client.get(f"/cases/{loan_case.id}/summary.pdf").status_code == 404
