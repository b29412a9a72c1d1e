"""The case list page: Chinese labels, filters kept, counsel isolation, bad parameters."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import url_for

from cases.base import today
from cases.register.stages import Stage
from cases.users.models import Role
from tests.factories import valid_uscc


def page_of(client, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-case-id="(\d+)"', html)]


def debtor(name: str) -> dict:
    return {"kind": "company", "name": name, "uscc": valid_uscc()}


def test_list_needs_login(client):
    assert client.get("/cases").status_code == 302


@pytest.mark.parametrize("url", ["/", "/cases"])
def test_list_shows_cases_with_chinese_labels(client, login_as, make_case, session, url):
    user = login_as(Role.LEGAL)
    case = make_case(
        actor=user,
        debtor=debtor("华东建材有限公司"),
        risk_level="high",
        tags=["重点"],
        external_ref="ERP-7",
        claims=[
            {
                "contract_ref": "HT-9",
                "contract_title": "购销合同",
                "principal": Decimal("1234567.89"),
                "due_date": str(today() - timedelta(days=45)),
            }
        ],
    )
    case.stage = Stage.LITIGATION
    session.commit()

    html = page_of(client, url)
    assert rows(html) == [case.id]
    for text in (
        "案件编号",
        "债务人",
        "未回收余额",
        "逾期天数",
        "最近动态",  # column heads
        case.number,
        "ERP-7",
        "华东建材有限公司",
        "¥1,234,567.89",
        "诉讼",
        "重点",
        "31–90天",
        "高",
        "共 1 件",
    ):
        assert text in html, text
    assert '<span class="days">45</span>' in html


def test_case_number_links_to_the_case_file(app, client, login_as, make_case):
    if "casefile.detail" not in app.view_functions:  # written in parallel; stand in for it
        app.add_url_rule(
            "/cases/<int:case_id>", endpoint="casefile.detail", view_func=lambda case_id: ""
        )
    user = login_as(Role.LEGAL)
    case = make_case(actor=user)
    with app.test_request_context():
        link = url_for("casefile.detail", case_id=case.id)
    assert f'<a class="nowrap" href="{link}">{case.number}</a>' in page_of(client)


def test_filter_form_keeps_the_chosen_values(client, login_as, make_case, make_firm, make_creditor):
    user = login_as(Role.LEGAL)
    firm, creditor = make_firm("明理律师事务所"), make_creditor(name="保留筛选债权人有限公司")
    kept = make_case(
        actor=user,
        firm=firm,
        creditor=creditor,
        handler_id=user.id,
        risk_level="medium",
        credit_grade="B",
        tags=["保全"],
        debtor=debtor("保留筛选有限公司"),
        claims=[
            {
                "contract_ref": "HT-1",
                "contract_title": "借款合同",
                "principal": Decimal("5000.00"),
                "due_date": str(today() - timedelta(days=200)),
            }
        ],
    )
    make_case(actor=user, risk_level="medium", debtor=debtor("保留筛选另一家有限公司"))

    chosen = {
        "stage": "intake",
        "status": "active",
        "risk_level": "medium",
        "credit_grade": "B",
        "firm_id": firm.id,
        "creditor_id": creditor.id,
        "handler_id": user.id,
        "aging": "181-365",
        "tag": "保全",
    }
    query = "&".join(f"{k}={v}" for k, v in chosen.items())
    html = page_of(client, f"/cases?q=保留筛选&{query}&sort=outstanding&order=asc")
    assert 'value="保留筛选"' in html
    for name, value in chosen.items():
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        assert len(re.findall(r"<option [^>]*selected>", select)) == 1, name
        assert re.search(rf'<option value="{value}" selected>', select), name
    assert '<input type="hidden" name="sort" value="outstanding">' in html
    assert '<input type="hidden" name="order" value="asc">' in html
    assert rows(html) == [kept.id]


def test_counsel_sees_only_own_firm_cases(client, login_as, make_case, make_firm, make_user):
    ours, theirs = make_firm("本所律师事务所"), make_firm("他所律师事务所")
    own = make_case(firm=ours, debtor=debtor("本所客户债务人有限公司"))
    other = make_case(firm=theirs, debtor=debtor("他所客户债务人有限公司"))
    login_as(make_user(Role.COUNSEL, firm=ours))

    for url in (
        "/",
        f"/cases?firm_id={theirs.id}",
        "/cases?q=他所客户",
        f"/cases?q={other.number}",
    ):
        html = page_of(client, url)
        assert other.id not in rows(html)
        assert "他所客户债务人有限公司" not in html
        assert other.number not in html.replace(f"q={other.number}", "").replace(
            f'value="{other.number}"', ""
        )  # the search box echoes what was typed
    assert rows(page_of(client)) == [own.id]
    assert 'name="firm_id"' not in page_of(client)  # no firm filter for counsel


@pytest.mark.parametrize(
    ("query", "complains"),
    [
        ("stage=unknown", True),
        ("page=abc", True),
        ("sort=evil", True),
        ("order=sideways", True),
        ("page=-1", True),
        ("page=0", True),
        ("page=99999999999999999999999", True),
        ("handler_id=abc", True),
        ("firm_id=99999999999999999999", True),
        ("creditor_id=1.5", True),
        ("aging=forever", True),
        ("risk_level=extreme", True),
        ("credit_grade=Z", True),
        ("q=" + "x" * 500, True),
        ("tag=" + "标" * 100, True),
        ("q=%00%01", False),  # control characters only: no search at all
        ("stage=intake&stage=bogus", False),  # the first value counts
        ("q=%25%27%22%3B--", False),  # quotes and wildcards are plain text
    ],
)
def test_bad_parameters_do_not_break_the_page(client, login_as, make_case, query, complains):
    user = login_as(Role.LEGAL)
    case = make_case(actor=user)
    response = client.get(f"/cases?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("部分查询参数无法识别，已忽略" in html) is complains
    assert rows(html) == ([] if "%25" in query else [case.id])


def test_ignored_parameters_are_named_as_on_the_page(client, login_as):
    login_as(Role.LEGAL)
    html = page_of(client, "/cases?stage=unknown&page=abc&sort=evil")
    message = re.search(r'data-testid="ignored-params">(.*?)</div>', html, re.S).group(1)
    assert message.strip() == "部分查询参数无法识别，已忽略：页码, 排序, 阶段"


def test_unknown_parameters_are_simply_ignored(client, login_as, make_case):
    user = login_as(Role.LEGAL)
    make_case(actor=user)
    html = page_of(client, "/cases?utm_source=mail&page_size=1000")
    assert "部分查询参数无法识别" not in html
    assert len(rows(html)) == 1


def test_pagination_uses_the_configured_page_size(app, client, login_as, make_case):
    app.config["PAGE_SIZE"] = 2
    user = login_as(Role.LEGAL)
    made = [make_case(actor=user) for _ in range(5)]
    newest_first = [c.id for c in reversed(made)]

    first = page_of(client)
    assert rows(first) == newest_first[:2]
    assert "共 5 件" in first
    assert "第 1 页，共 3 页" in first
    assert re.search(r'href="/(cases)?\?page=2" rel="next"', first)
    assert rows(page_of(client, "/cases?page=2")) == newest_first[2:4]
    last = page_of(client, "/cases?page=3")
    assert rows(last) == newest_first[4:]
    assert "第 3 页，共 3 页" in last
    assert rows(page_of(client, "/cases?page=40")) == newest_first[4:]  # clamped to the last


def test_sort_links_toggle_and_keep_filters(client, login_as, make_case):
    user = login_as(Role.LEGAL)
    make_case(actor=user, risk_level="low")
    html = page_of(client, "/cases?risk_level=low&sort=outstanding&order=desc&page=1")
    link = re.search(r'<a href="([^"]+)" data-testid="sort-outstanding"', html).group(1)
    assert sorted(link.split("?")[1].split("&amp;")) == [
        "order=asc",
        "risk_level=low",
        "sort=outstanding",
    ]
    other = re.search(r'<a href="([^"]+)" data-testid="sort-debtor"', html).group(1)
    assert sorted(other.split("?")[1].split("&amp;")) == ["risk_level=low", "sort=debtor"]


def test_empty_list_says_so_in_chinese(client, login_as):
    login_as(Role.LEGAL)
    html = page_of(client, "/cases?q=不存在的债务人")
    assert "没有符合条件的案件。" in html
    assert "共 0 件" in html


def test_english_is_available(client, login_as, make_case):
    user = login_as(Role.LEGAL)
    make_case(actor=user)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    html = page_of(client)
    for text in ("Outstanding", "Overdue days", "Cases found: 1"):
        assert text in html
    assert "未回收余额" not in html
