"""Documents in a real browser: from the case page, a legal staff member picks the 催收通知书,
is told what is missing, previews the notice, keeps it on the case and downloads it."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from docx import Document
from playwright.sync_api import expect

from cases.base import today
from tests.browser.conftest import live_case
from tests.browser.pages import label, section

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]


def _case(live_app, world) -> int:
    claim = {
        "contract_ref": "GX-2025-0815",
        "contract_title": "钢材购销合同",
        "principal": Decimal("356800.00"),
        "due_date": "2025-06-30",
    }
    return live_case(live_app, world, debtor="无锡恒泰物资有限公司", claims=[claim])


def test_generate_a_collection_notice_from_the_case_page(nav, world, live_app):
    case_id = _case(live_app, world)
    nav.log_in(world.legal_email, world.password)
    page = nav.page
    page.goto(f"/cases/{case_id}")
    section(page, "文件").get_by_role("link", name="生成文书").click()
    page.get_by_role("link", name="催收通知书").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("催收通知书")

    pay_by = page.get_by_label(label("付款期限"))
    expect(pay_by).to_have_value((today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="预览").click()
    # the creditor has no account on file: the form says so and keeps the date
    expect(page.get_by_role("alert")).to_contain_text("请更正")
    expect(page.locator("form.card")).to_contain_text("该债权人未登记银行账户")
    account = page.get_by_label(label("收款账户（如不用债权人登记的账户）"))
    account.fill("中国工商银行无锡分行 1103 0211 0900 1234 567")
    page.get_by_role("button", name="预览").click()

    preview = section(page, "预览")
    expect(preview).to_contain_text("无锡恒泰物资有限公司")
    expect(preview).to_contain_text("356,800.00")
    expect(preview).to_contain_text("1103 0211 0900 1234 567")
    page.get_by_role("button", name="生成并存档").click()

    expect(page.get_by_role("status")).to_contain_text("已生成催收通知书（第 1 版）。")
    generated = page.get_by_test_id("generated")
    expect(generated).to_contain_text("催收通知书")
    with page.expect_download() as download:
        generated.get_by_role("link", name=".docx").click()
    doc = Document(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "无锡恒泰物资有限公司" in text


def test_a_bulk_run_from_the_case_list(nav, world, live_app):
    claim = {
        "contract_ref": "GX-2025-0901",
        "contract_title": "钢材购销合同",
        "principal": Decimal("120000.00"),
        "due_date": "2025-06-30",
    }
    for n in range(3):
        live_case(live_app, world, debtor=f"常熟永昌贸易有限公司{n}", claims=[claim])
    nav.log_in(world.legal_email, world.password)
    page = nav.page
    page.goto("/cases?q=常熟永昌贸易")
    page.get_by_role("link", name="为这些案件批量生成文书").click()
    expect(page.get_by_test_id("count")).to_contain_text("3 件")
    page.get_by_role("link", name="催收通知书").click()
    page.get_by_label(label("收款账户（如不用债权人登记的账户）")).fill(
        "中国银行常熟支行 4455 6677"
    )
    page.get_by_role("button", name="开始生成").click()

    expect(page.get_by_role("status")).to_contain_text("任务已开始：共 3 份文书。")
    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(page.get_by_test_id("counts")).to_contain_text("已完成 3")
    with page.expect_download() as download:
        page.get_by_role("link", name="全部下载（zip）").click()
    with zipfile.ZipFile(download.value.path()) as bundle:
        assert len(bundle.namelist()) == 3
