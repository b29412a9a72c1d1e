"""The management reports on the pages (``webapp/blueprints/reports.py``): the dashboard with
its cards, rates and their inputs, trend, aging with links to the case list, funnel, targets
and rankings, all with server-side SVG charts; the targets' pages; the monthly PDF. The
business date is frozen at Friday 20 November 2026 (the week runs from Monday 16 November).

The book (principal; confirmed money by the date received):

    K1  branch "某银行A分行" (under "某银行")  handler 王承办  100,000 signed 2026-01-01
        due 2026-09-30; paid 10,000 on 2026-10-15 and 5,000 on 2026-11-17 (this week)
    K2  "独立债权人有限公司" (no branches)    no handler       50,000 signed 2026-01-01
        due 2026-11-10; paid 2,000 on 2026-11-02; 9,000 reported on 11-18, still pending
    K3  "某银行A分行"                        王承办            30,000 signed 2026-06-01
        due 2027-03-31 (not yet due)
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from flask import render_template_string
from pypdf import PdfReader
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.figures import Figure, Step, Unit
from cases.ledger.models import PaymentStatus
from cases.reports.targets import ReportTarget
from cases.users.models import Role
from tests.factories import add_payment, claim_in
from tests.webapp.casefile_html import errors, flashes, section, values

D = Decimal


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        yield


pytestmark = pytest.mark.usefixtures("cheap_passwords")  # several users per test


@pytest.fixture
def book(session, make_case, make_creditor, make_user):
    bank = make_creditor(name="某银行")
    branch = make_creditor(name="某银行A分行", parent_id=bank.id)
    solo = make_creditor(name="独立债权人有限公司")
    handler = make_user(Role.LEGAL, name="王承办")
    k1 = make_case(
        creditor=branch,
        handler_id=handler.id,
        claims=[claim_in("100000.00", "2026-09-30", "2026-01-01")],
    )
    add_payment(session, k1, "10000.00", date(2026, 10, 15))
    add_payment(session, k1, "5000.00", date(2026, 11, 17))
    k2 = make_case(creditor=solo, claims=[claim_in("50000.00", "2026-11-10", "2026-01-01")])
    add_payment(session, k2, "2000.00", date(2026, 11, 2))
    add_payment(session, k2, "9000.00", date(2026, 11, 18), PaymentStatus.PENDING)
    k3 = make_case(
        creditor=branch,
        handler_id=handler.id,
        claims=[claim_in("30000.00", "2027-03-31", "2026-06-01")],
    )
    session.commit()
    return {"bank": bank, "branch": branch, "solo": solo, "handler": handler, "K": (k1, k2, k3)}


@pytest.fixture
def manager(login_as, client):
    user = login_as(Role.MANAGEMENT)
    client.post("/lang/en")
    return user


def _target(session, manager, **kw):
    row = ReportTarget(
        name="百日攻坚",
        start_on=date(2026, 10, 1),
        end_on=date(2027, 1, 8),
        target_amount=D("16000000.00"),
        created_by_id=manager.id,
        **kw,
    )
    session.add(row)
    session.commit()
    return row


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", page, flags=re.S)


# ---- the dashboard ----------------------------------------------------------------------------


def test_dashboard_cards_rates_and_charts(client, session, book, manager):
    _target(session, manager)
    response = client.get("/reports")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # cards: this week 5,000 (17 Nov); this month 5,000 + 2,000; this year 10,000 more
    assert 'data-testid="card-week">CN¥5,000.00<' in page
    assert 'data-testid="card-month">CN¥7,000.00<' in page
    assert 'data-testid="card-year">CN¥17,000.00<' in page
    assert 'data-testid="card-period">CN¥7,000.00<' in page  # the chosen period: this month
    # November's recovery rate: due K1 100,000 − 10,000 + K2 50,000 = 140,000; collected
    # 5,000 + 2,000 = 7,000 → 5.00%, with its inputs and rule
    rates = section(page, "rates")
    assert 'data-testid="rate-recovery"><strong>5.00%<' in rates
    assert 'data-testid="rate-recovery-numerator">7,000.00<' in rates
    assert 'data-testid="rate-recovery-denominator">140,000.00<' in rates
    assert "客户欠款回收率=(本期收回欠款金额/本期到期应收欠款金额)×100%" in rates
    assert "Rate, percent, half-up to 0.01: <strong>5.00%</strong>" in rates  # not as money
    assert "CN¥5.00" not in rates
    # receivables at 30 November: K1 85,000 + K2 48,000 + K3 30,000 = 163,000; overdue
    # K1 + K2 = 133,000 → 81.595… → 81.60%
    assert 'data-testid="rate-overdue"><strong>81.60%<' in rates
    # every chart is an accessible SVG: role, title and description it is labelled by
    svgs = _svgs(page)
    ids = [re.search(r'id="([^"]+)"', svg).group(1) for svg in svgs]
    assert ids[:4] == ["chart-recovered", "chart-rates", "chart-aging", "chart-funnel"]
    assert any(i.startswith("chart-target-") for i in ids)
    for svg, ident in zip(svgs, ids, strict=True):
        assert 'role="img"' in svg
        assert f'aria-labelledby="{ident}-title {ident}-desc"' in svg
        assert f'<title id="{ident}-title">' in svg
        assert f'<desc id="{ident}-desc">' in svg
    # the bar of November's money is labelled with its value
    assert ">CN¥7K<" in svgs[0]
    assert "Money recovered per period" in svgs[0]


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "Rate, percent, half-up to 0.01"), ("zh", "比率(%，四舍五入至0.01)")],
)
def test_a_rates_how_computed_shows_its_percent_not_money(client, book, manager, lang, label):
    """The last step of a seed-004 rate is a percentage: 81.60%, never ¥81.60 (the figure is
    drawn by the shared "how computed" disclosure, ``_figure.html``)."""
    client.post(f"/lang/{lang}")
    rates = section(client.get("/reports").get_data(as_text=True), "rates")
    how = rates[rates.index('data-testid="rate-overdue"') :]
    how = how[how.index('<details class="how">') : how.index("</details>")]
    assert f"{label}: <strong>81.60%</strong>" in how
    assert "¥81.60" not in how
    assert "¥" in how  # the amounts it divides stay money


def test_a_percent_step_shows_as_a_percent_in_any_how_computed(app):
    """``Step.unit`` says a value is a percentage, whatever the step's label."""
    figure = Figure(
        Decimal("12.35"),
        "seed-004",
        steps=(
            Step("Collected", Decimal("1235.00")),
            Step("Share", Decimal("12.35"), unit=Unit.PERCENT),
        ),
    )
    with app.test_request_context():
        how = render_template_string(
            '{% from "_figure.html" import how %}{{ how(figure) }}', figure=figure
        )
    assert "Share: <strong>12.35%</strong>" in how
    assert "Collected: <strong>¥1,235.00</strong>" in how


def test_dashboard_trend_table_has_twelve_periods(client, book, manager):
    page = client.get("/reports").get_data(as_text=True)
    trend = section(page, "trend")
    rows = re.findall(r"<tr>\s*<td>(\d{4}-\d{2})</td>\s*<td class=\"num\">([\d,.]+)</td>", trend)
    assert [r[0] for r in rows] == [f"2025-{m:02d}" for m in (12,)] + [
        f"2026-{m:02d}" for m in range(1, 12)
    ]
    assert dict(rows)["2026-10"] == "10,000.00"
    assert dict(rows)["2026-11"] == "7,000.00"


def test_aging_cells_open_the_case_list(client, book, manager):
    page = client.get("/reports?dimension=branch").get_data(as_text=True)
    aging = section(page, "aging")
    branch, solo = book["branch"].id, book["solo"].id
    # K1: 85,000 overdue since 30 September (51 days: 31–90); K2: 48,000 since 10 November
    assert f"/?aging=31-90&amp;creditor_id={branch}" in aging
    assert f"/?aging=0-30&amp;creditor_id={solo}" in aging
    assert f"/?aging=not_due&amp;creditor_id={branch}" in aging  # K3
    assert "85,000.00" in aging
    assert "48,000.00" in aging
    assert "/?aging=31-90" in aging  # the total row: every case of the bucket
    # the list really shows that cell's cases
    listed = client.get(f"/?aging=31-90&creditor_id={branch}").get_data(as_text=True)
    assert book["K"][0].number in listed
    assert book["K"][2].number not in listed


def test_by_creditor_only_a_creditor_without_branches_links(client, book, manager):
    aging = section(client.get("/reports?dimension=creditor").get_data(as_text=True), "aging")
    assert "某银行" in aging
    assert "独立债权人有限公司" in aging
    assert f"creditor_id={book['solo'].id}" in aging
    # the bank's cases are registered to its branch: the list cannot show the bank's tree
    assert f"creditor_id={book['bank'].id}" not in aging


def test_by_handler_unassigned_cases_have_their_row_without_link(client, book, manager):
    aging = section(client.get("/reports?dimension=handler").get_data(as_text=True), "aging")
    assert "王承办" in aging
    assert "Not assigned" in aging
    assert f"handler_id={book['handler'].id}" in aging


def test_custom_period_and_rankings(client, book, manager):
    url = "/reports?period=custom&start=2026-10-01&end=2026-10-31&dimension=firm"
    page = client.get(url).get_data(as_text=True)
    assert "2026-10-01 – 2026-10-31" in page
    assert 'data-testid="card-period">CN¥10,000.00<' in page
    form = values(page)
    assert (form["period"], form["start"], form["end"]) == ("custom", "2026-10-01", "2026-10-31")
    rankings = section(page, "rankings")
    # October: the branch recovered 10,000 of 100,000 due → 10.00%; the handler the same
    table = rankings[rankings.index('data-testid="ranking-branch-amount"') :]
    assert re.search(r"<td class=\"num\">1</td>\s*<td><a href=\"/\?creditor_id=", table)
    assert "10,000.00" in table
    assert "10.00%" in rankings
    assert "王承办" in rankings


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=decade", "Unknown period"),
        ("dimension=team", "Unknown grouping"),
        ("period=custom&start=2026-10-31&end=2026-10-01", "cannot be before its start"),
        ("period=custom&start=nonsense", "Give the first and last day"),
    ],
)
def test_parameters_not_understood_fall_back_with_a_message(client, book, manager, query, message):
    response = client.get(f"/reports?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in " ".join(flashes(page))
    assert values(page)["start"] in ("2026-11-01", "2026-10-31", "2026-10-01")


def test_the_same_page_draws_the_same_charts(client, book, manager):
    first = _svgs(client.get("/reports").get_data(as_text=True))
    second = _svgs(client.get("/reports").get_data(as_text=True))
    assert first == second


def test_counsel_never_see_reports(client, login_as, book):
    login_as(Role.COUNSEL)
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/monthly.pdf").status_code == 403
    assert client.get("/reports/targets").status_code == 403


def test_the_nav_links_the_reports_for_those_who_may(client, login_as, book):
    login_as(Role.FINANCE)
    assert 'href="/reports"' in client.get("/cases").get_data(as_text=True)
    login_as(Role.COUNSEL)
    assert 'href="/reports"' not in client.get("/cases").get_data(as_text=True)


def test_the_page_in_chinese(client, login_as, book):
    login_as(Role.MANAGEMENT)
    page = client.get("/reports").get_data(as_text=True)
    assert "回收率" in page
    assert "Money recovered" not in page


# ---- targets ----------------------------------------------------------------------------------


def _form(**changes):
    data = {
        "name": "百日攻坚",
        "scope": "book",
        "metric": "recovered",
        "target_amount": "16,000,000",
        "key.creditor": "",
        "key.branch": "",
        "key.handler": "",
        "key.firm": "",
        "start_on": "2026-10-01",
        "end_on": "2027-01-08",
        "note": "",
    }
    data.update(changes)
    return data


def test_create_a_target_and_see_its_progress(client, session, book, manager):
    response = client.post("/reports/targets/new", data=_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/reports/targets")
    target = session.exec(select(ReportTarget)).one()
    assert (target.target_amount, target.scope_key, target.created_by_id) == (
        D("16000000.00"),
        None,
        manager.id,
    )
    page = client.get("/reports/targets").get_data(as_text=True)
    assert "百日攻坚" in page
    # 17,000 reached of 16,000,000: 0.11%; 50 of 100 days over (1 Oct – 19 Nov)
    assert "¥17,000.00" in page
    assert "50 of 100 days elapsed" in page
    assert 'data-testid="status">Behind<' in page
    # remaining 15,983,000 over 50 days (today included) = 319,660 a day
    assert "¥319,660.00" in page
    assert 'id="chart-target-' in page
    dashboard = client.get("/reports").get_data(as_text=True)
    assert "百日攻坚" in section(dashboard, "targets")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_on": "2026-09-30"}, "end_on", "The last day cannot be before the first day"),
        ({"target_amount": "0"}, "target_amount", "Must be greater than 0"),
        ({"target_amount": "-100"}, "target_amount", "Must be greater than 0"),
        ({"scope": "branch"}, "key.branch", "Choose whom the target is for"),
        ({"scope": "handler", "key.handler": "99999999"}, "key.handler", "No such handler"),
        ({"scope": "firm", "key.firm": "99999999"}, "key.firm", "No such law firm"),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_a_refused_target_form_keeps_what_was_typed(
    client, session, book, manager, changes, field, message
):
    response = client.post("/reports/targets/new", data=_form(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in " ".join(errors(page).get(field, []))
    shown, typed = values(page), _form(**changes)
    typed.pop(field if field.startswith("key.") else "", None)  # an unknown id is no option
    for name, value in typed.items():
        assert shown.get(name, "") == value, name
    assert session.exec(select(ReportTarget)).all() == []


def test_change_and_delete_a_target(client, session, book, manager):
    target = _target(session, manager)
    form = values(client.get(f"/reports/targets/{target.id}/edit").get_data(as_text=True))
    assert form["name"] == "百日攻坚"
    assert form["target_amount"] == "16000000.00"
    form.update(scope="branch", **{"key.branch": str(book["branch"].id)}, target_amount="300000")
    response = client.post(f"/reports/targets/{target.id}/edit", data=form)
    assert response.status_code == 303
    session.refresh(target)
    assert (target.scope.value, target.scope_key, target.target_amount) == (
        "branch",
        book["branch"].id,
        D("300000.00"),
    )
    page = client.get("/reports/targets").get_data(as_text=True)
    assert "Branch · 某银行A分行" in page
    assert "¥15,000.00" in page  # K1's 10,000 + 5,000 since 1 October; K2 is not the branch's
    response = client.post(f"/reports/targets/{target.id}/delete")
    assert response.status_code == 303
    assert session.exec(select(ReportTarget)).all() == []
    assert client.post(f"/reports/targets/{target.id}/delete").status_code == 404


def test_only_admin_and_management_change_targets(client, session, login_as, book, manager):
    target = _target(session, manager)
    login_as(Role.FINANCE)
    page = client.get("/reports/targets").get_data(as_text=True)
    assert "百日攻坚" in page
    assert 'data-testid="new-target"' not in page
    assert 'data-testid="delete-target"' not in page
    assert client.get("/reports/targets/new").status_code == 403
    assert client.post("/reports/targets/new", data=_form()).status_code == 403
    assert client.post(f"/reports/targets/{target.id}/delete").status_code == 403
    assert session.get(ReportTarget, target.id) is not None


# ---- the monthly PDF --------------------------------------------------------------------------


def _pdf_text(data: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return text, fonts


def test_monthly_pdf_of_the_last_full_month(client, session, login_as, book):
    login_as(Role.MANAGEMENT)  # Chinese, the default
    manager = login_as(Role.MANAGEMENT)
    _target(session, manager)
    response = client.get("/reports/monthly.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    text, fonts = _pdf_text(response.data)
    assert any("Qingshou-Serif" in name for name in fonts)  # the embedded CJK serif
    compact = re.sub(r"\s", "", text)
    assert "清收工作月报" in compact
    assert "2026-10" in compact  # the last full month on 20 November
    assert "10,000.00" in compact  # October's money
    assert "10.00%" in compact  # October's recovery rate: 10,000 / 100,000
    assert "百日攻坚" in compact
    assert "某银行A分行" in compact  # aging table and rankings
    assert "客户欠款回收率" in compact


def test_monthly_pdf_of_a_chosen_month_and_refusals(client, book, manager):
    response = client.get("/reports/monthly.pdf?month=2026-11")
    assert response.status_code == 200
    text, _fonts = _pdf_text(response.data)
    assert "7,000.00" in text  # November so far
    for bad in ("2026-13", "11-2026", "2026-12", "abc"):
        refused = client.get(f"/reports/monthly.pdf?month={bad}")
        assert refused.status_code == 303
        assert refused.headers["Location"].endswith("/reports")


def test_the_monthly_pdf_draws_the_pages_charts(client, book, manager, monkeypatch):
    """The PDF's charts come from the same builders: October's trend on the page (a from–to
    period ending in October) and in October's report are the same markup."""
    seen = []
    monkeypatch.setattr(
        "webapp.blueprints.reports.html_to_pdf", lambda html: seen.append(html) or b"%PDF-"
    )
    assert client.get("/reports/monthly.pdf?month=2026-10").status_code == 200
    page = client.get("/reports?period=custom&start=2026-10-01&end=2026-10-31")

    def charts(html):
        return {re.search(r'id="([^"]+)"', s).group(1): s for s in _svgs(html)}

    in_pdf, on_page = charts(seen[0]), charts(page.get_data(as_text=True))
    assert in_pdf["chart-recovered"] == on_page["chart-recovered"]
    assert in_pdf["chart-rates"] == on_page["chart-rates"]
    assert 'font-family="&quot;Qingshou Serif&quot;' in in_pdf["chart-recovered"]
