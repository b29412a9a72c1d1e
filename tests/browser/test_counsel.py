"""Outside counsel and finance in a real browser: a lawyer of the engaged firm logs a judgment
served (with the judgment as a typed file) and reports money recovered; the money does not
count until finance confirms it from the money queue (issue 5; 民法典 第五百六十一条 for the
allocation, 民事诉讼法 第一百七十一条 for the appeal period the judgment starts)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from cases.base import today
from cases.db import transaction
from cases.engagements.operations import engage
from cases.register.models import Case
from cases.users.models import LawFirm, Role, User
from cases.users.operations import create_user
from tests.browser.conftest import live_case
from tests.browser.pages import choice, label, section
from tests.conftest import PASSWORD
from tests.factories import valid_uscc

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]


def _engaged_case(live_app, world) -> tuple[int, str, str]:
    """A loan case engaged to a firm on a 15 percent contingency; the firm's lead lawyer and a
    finance user. Returns the case id and the two e-mail addresses."""
    loan = {
        "contract_ref": "JK-2025-017",
        "contract_title": "借款合同",
        "kind": "loan",
        "principal": Decimal("800000.00"),
        "interest_rate": Decimal("4.35"),
        "signed_on": "2025-01-01",
        "due_date": "2025-12-31",
    }
    case_id = live_case(live_app, world, debtor="无锡恒通贸易有限公司", claims=[loan])
    tag = uuid.uuid4().hex[:8]
    factory = live_app.extensions["qingshou_db"].session_factory
    with transaction(factory) as session:
        legal = session.exec(select(User).where(User.email == world.legal_email)).one()
        session.info["actor_id"] = legal.id
        firm = LawFirm(name=f"江苏衡信律师事务所{tag}", uscc=valid_uscc())
        session.add(firm)
        session.flush()
        lawyer = create_user(
            session,
            {
                "email": f"counsel-{tag}@example.cn",
                "name": "周律师",
                "role": Role.COUNSEL,
                "firm_id": firm.id,
                "password": PASSWORD,
            },
        )
        finance = create_user(
            session,
            {
                "email": f"finance-{tag}@example.cn",
                "name": "钱财务",
                "role": Role.FINANCE,
                "password": PASSWORD,
            },
        )
        terms = {
            "firm_id": firm.id,
            "lead_lawyer_id": lawyer.id,
            "scope_litigation": True,
            "scope_enforcement": True,
            "starts_on": today() - timedelta(days=60),
            "fee_kind": "contingency",
            "fee_terms": {"rate": "0.15"},
        }
        engage(session, legal, session.get(Case, case_id), terms)
        return case_id, lawyer.email, finance.email


def test_counsel_logs_a_judgment_and_reports_money_that_finance_confirms(
    nav, world, live_app, tmp_path
):
    case_id, counsel_email, finance_email = _engaged_case(live_app, world)
    served = today() - timedelta(days=3)
    judgment = tmp_path / "民事判决书.pdf"
    judgment.write_bytes(b"%PDF-1.4\n% judgment\n")

    # -- the lawyer logs the judgment served, with the judgment itself ----------------------
    nav.log_in(counsel_email, PASSWORD)
    page = nav.page
    page.goto(f"/cases/{case_id}")
    form = section(page, "记录进展")
    choice(form, "类型").select_option(label="进展")
    form.get_by_label(label("日期")).fill(served.isoformat())
    form.locator("select[name=step]").select_option(label="判决书送达")
    form.get_by_label("案号").fill("(2026)苏0214民初5678号")
    form.get_by_label(label("情况说明")).fill("一审判决送达，判决被告偿还借款本金及利息。")
    form.locator("select[name='doc_type.0']").select_option(value="ruling")
    form.locator("input[name='file.0']").set_input_files(str(judgment))
    form.get_by_role("button", name="记入进展").click()

    timeline = section(page, "案件进展")
    entry = timeline.locator("li, tr, article").filter(has_text="一审判决送达").first
    expect(entry).to_contain_text("判决书送达")
    expect(entry).to_contain_text("(2026)苏0214民初5678号")
    expect(entry).to_contain_text("民事判决书.pdf")
    deadlines = section(page, "期限")
    appeal_ends = served + timedelta(days=15)
    expect(deadlines).to_contain_text("上诉")
    expect(deadlines).to_contain_text(f"{appeal_ends.year}年{appeal_ends.month}月")

    # -- and reports money the debtor paid; it does not count yet ---------------------------
    report = section(page, "报告收回款项")
    report.get_by_label(label("收款日期")).fill((today() - timedelta(days=1)).isoformat())
    report.get_by_label(label("金额（元）")).fill("120000")
    report.get_by_label(label("付款人")).fill("无锡恒通贸易有限公司")
    report.get_by_label(label("银行流水号")).fill(f"BR{uuid.uuid4().hex[:12].upper()}")
    report.get_by_role("button", name="报告，待财务确认").click()

    payments = section(page, "回款记录")
    row = payments.locator("tr[data-status]").first
    expect(row).to_have_attribute("data-status", "pending")
    expect(row.get_by_test_id("payment-status")).to_contain_text("待财务确认")
    expect(payments.get_by_test_id("recovered")).to_have_text("¥0.00")
    expect(page.get_by_role("link", name="回款与律师费")).to_have_count(0)  # not counsel's
    page.get_by_role("button", name="退出").click()

    # -- finance confirms it from the money queue -------------------------------------------
    nav.log_in(finance_email, PASSWORD)
    page.get_by_role("link", name="回款与律师费").click()
    pending = page.get_by_test_id("pending-payments")
    line = pending.locator("tr").filter(has_text="无锡恒通贸易有限公司")
    expect(line).to_contain_text("120,000.00")
    line.get_by_test_id("confirm-payment").click()
    expect(
        page.get_by_test_id("pending-payments")
        .locator("tr")
        .filter(has_text="无锡恒通贸易有限公司")
    ).to_have_count(0)

    page.goto(f"/cases/{case_id}")
    payments = section(page, "回款记录")
    row = payments.locator("tr[data-status]").first
    expect(row).to_have_attribute("data-status", "confirmed")
    expect(row.get_by_test_id("payment-status")).to_contain_text("财务已确认")
    expect(payments.get_by_test_id("recovered")).to_have_text("¥120,000.00")
    expect(row.get_by_test_id("to-interest")).not_to_have_text(re.compile(r"^—$"))
