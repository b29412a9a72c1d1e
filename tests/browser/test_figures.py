"""The case page's figures in a real browser: a legal staff member computes what the debtor
owes on a chosen day, opens "how computed", and records a demand's delivery, which moves the
limitation date (诉讼时效规定 第八条)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import live_case
from tests.browser.pages import choice, label, section

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]


def _loan_case(live_app, world) -> int:
    loan = {
        "contract_ref": "JK-2024-001",
        "contract_title": "借款合同",
        "kind": "loan",
        "principal": Decimal("1000000.00"),
        "interest_rate": Decimal("3.65"),
        "signed_on": "2024-01-01",
        "due_date": "2024-12-31",
    }
    payment = {"received_on": date(2025, 1, 10), "amount": "50000"}
    return live_case(
        live_app, world, debtor="常州宏远机械有限公司", claims=[loan], payments=[payment]
    )


def test_amount_owed_how_computed_and_a_key_date(nav, world, live_app):
    case_id = _loan_case(live_app, world)
    nav.log_in(world.legal_email, world.password)
    page = nav.page
    page.goto(f"/cases/{case_id}")

    owed = section(page, "债权计算")
    owed.get_by_label("利息计至").fill("2025-01-30")
    owed.get_by_role("button", name="计算").click()
    page.wait_for_url(re.compile(r"as_of=2025-01-30"))
    owed = section(page, "债权计算")
    expect(owed.get_by_test_id("owed-total")).to_have_text("¥989,475.00")
    expect(owed.get_by_test_id("owed-interest")).to_have_text("¥1,975.00")
    how = owed.locator("details.how").first
    how.locator("summary").click()
    expect(how).to_contain_text("民法典 第六百七十四条")
    expect(how).to_contain_text("2024年1月2日至2024年12月31日期间利息：365天")
    expect(how).to_contain_text("抵充利息 37,500.00，抵充本金 12,500.00")

    payments = section(page, "回款记录")
    expect(payments.get_by_test_id("to-principal")).to_have_text("¥12,500.00")

    deadlines = section(page, "期限")
    choice(deadlines, "情况说明").select_option(label="催收函/律师函送达债务人")
    deadlines.get_by_label(label("日期")).fill("2025-03-01")
    deadlines.get_by_label("备注（如账户、法院、签收单号）").fill("EMS 1191234567890")
    deadlines.get_by_role("button", name="记录日期").click()

    expect(page.get_by_role("status")).to_contain_text("已记录")
    deadlines = section(page, "期限")
    row = deadlines.get_by_test_id("deadline").filter(has_text="诉讼时效届满")
    expect(row).to_contain_text("2028年3月1日")
    expect(deadlines.get_by_test_id("key-dates")).to_contain_text("EMS 1191234567890")
