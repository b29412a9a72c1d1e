"""The main flow in a real browser: a legal staff member registers a case, logs a collection
call with the debtor's promise, finds it on the timeline, and reads the page in English; and
a wrong credit code is refused in Chinese without losing what was typed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from cases.base import today
from cases.parties.models import Creditor, Party
from cases.register.models import Case
from cases.timeline.models import Channel, Event, EventKind
from tests.browser.pages import CASE_NUMBER, IntakePage, choice
from tests.factories import valid_uscc

pytestmark = pytest.mark.browser


def _saved(live_app, model, *where):
    factory = live_app.extensions["qingshou_db"].session_factory
    with factory() as session:
        return list(session.exec(select(model).where(*where)))


def _fill_intake(intake: IntakePage, world, *, debtor: str, uscc: str) -> None:
    intake.choose_creditor(world.creditor_name)
    intake.fill_debtor(
        name=debtor, identifier=uscc, legal_representative="周建华", phone="0512-57701234"
    )
    intake.fill_claim(
        0,
        contract_ref="DT-2025-GX-0815",
        title="钢材购销合同",
        principal="356,800.00",
        signed_on="2025-01-10",
        due_date="2025-06-30",
    )


def test_register_a_case_log_a_call_and_read_it_in_english(nav, world, live_app):
    debtor = "昆山恒达机电设备有限公司"
    nav.log_in(world.legal_email, world.password)
    intake = nav.open_new_case()
    _fill_intake(intake, world, debtor=debtor, uscc=valid_uscc())

    detail = intake.register()

    number = detail.case_number()
    assert CASE_NUMBER.fullmatch(number).group(1) == str(today().year)
    expect(detail.heading).to_have_text(f"{number} · {debtor}")
    expect(detail.flash()).to_have_text(f"案件 {number} 已登记。")
    expect(detail.stage()).to_have_text("移交立案")

    promised_on = (today() + timedelta(days=14)).isoformat()
    detail = detail.log_contact(
        channel="电话",
        summary="电话联系财务经理周建华，告知货款已逾期",
        debtor_said="承认欠款，称下游回款延迟，承诺两周内先付五万元",
        promised_amount="50000",
        promised_date=promised_on,
    )

    expect(detail.flash()).to_have_text("已记入案件进展。")
    entry = detail.timeline_entry("电话联系财务经理周建华")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("催收记录 · 电话")
    expect(entry).to_contain_text("债务人答复： 承认欠款，称下游回款延迟，承诺两周内先付五万元")
    promise = re.compile(r"承诺于 \d{4}年\d{1,2}月\d{1,2}日 前还款 ¥50,000\.00")
    expect(entry).to_contain_text(promise)
    expect(entry).to_contain_text("王法务")

    nav.switch_language("English")

    detail.page.wait_for_url("**/cases/*")
    expect(detail.stage()).to_have_text("Intake")
    entry = detail.timeline_entry("电话联系财务经理周建华", heading="Timeline")
    expect(entry).to_contain_text("Collection contact · Phone")
    expect(entry).to_contain_text("Promised to pay CN¥50,000.00 by")
    expect(detail.page.get_by_role("heading", name="Log progress")).to_be_visible()

    [case] = _saved(live_app, Case, Case.number == number)
    assert case.claimed_principal == Decimal("356800.00")
    [event] = _saved(live_app, Event, Event.case_id == case.id, Event.kind == EventKind.CONTACT)
    assert (event.channel, event.promised_amount, event.promised_date.isoformat()) == (
        Channel.PHONE,
        Decimal("50000.00"),
        promised_on,
    )


def test_a_wrong_credit_code_is_refused_in_chinese_and_the_form_keeps_its_values(
    nav, world, live_app
):
    debtor = "苏州鑫源建材贸易有限公司"
    good = valid_uscc()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
    nav.log_in(world.legal_email, world.password)
    intake = nav.open_new_case()
    _fill_intake(intake, world, debtor=debtor, uscc=wrong)

    intake = intake.register_refused()

    identifier = intake.debtor_field("统一社会信用代码或身份证号码")
    expect(identifier).to_have_value(wrong)
    expect(identifier).to_have_attribute("aria-invalid", "true")
    expect(identifier).to_have_accessible_description("统一社会信用代码无效（校验位错误）")
    expect(intake.debtor_part).to_contain_text("统一社会信用代码无效（校验位错误）")
    expect(intake.debtor_field("名称")).to_have_value(debtor)
    expect(intake.debtor_field("法定代表人")).to_have_value("周建华")
    expect(intake.claim_field(0, "合同编号")).to_have_value("DT-2025-GX-0815")
    expect(intake.claim_field(0, "本金（元）")).to_have_value("356,800.00")
    expect(intake.claim_field(0, "到期日")).to_have_value("2025-06-30")
    expect(choice(intake.case_part, "债权人")).to_have_value(
        str(_creditor_id(live_app, world.creditor_name))
    )
    assert _saved(live_app, Party, Party.name == debtor) == []

    # Corrected, the same form goes through.
    identifier.fill(good)
    detail = intake.register()
    expect(detail.heading).to_have_text(f"{detail.case_number()} · {debtor}")


def _creditor_id(live_app, name: str) -> int:
    [creditor] = _saved(live_app, Creditor, Creditor.name == name)
    return creditor.id
