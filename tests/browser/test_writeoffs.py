"""Management approves a write-off in a real browser (issue 6; WORKFLOW.md stages 9–10): the
application was prepared by legal staff — enforcement terminated for lack of property
(国家税务总局公告2011年第25号 第二十二条第（三）项), every checklist item covered by a file of the
case, a legal opinion — and reviewed by finance. The manager finds it on the write-off queue,
reads the case summary, evidence and opinion on the single approval page, approves, and the
case shows as written off and kept open to recovery (已核销, 账销案存)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from cases.db import transaction
from cases.register.models import Case
from cases.register.operations import move_stage
from cases.register.stages import Action, Stage
from cases.timeline.operations import attach_file
from cases.users.models import Role, User
from cases.users.operations import create_user
from cases.writeoffs import operations as ops
from cases.writeoffs.models import Decision, WriteOffApplication, WriteOffStatus
from cases.writeoffs.reasons import WriteOffReason, checklist
from tests.browser.conftest import live_case
from tests.browser.pages import CaseDetailPage, section
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::UserWarning")]

DEBTOR = "常州瑞丰精密机械有限公司"
DETAIL = "经两次网络查控及现场调查，债务人无可供执行财产，法院裁定终结本次执行程序。"
OPINION = "经核查，债务人确无可供执行财产，法院已裁定终结本次执行程序，建议核销，账销案存。"
FILES = {
    "contract": "设备采购合同.pdf",
    "report": "核销报告.pdf",
    "judgment": "民事判决书.pdf",
    "termination_ruling": "终结本次执行程序裁定书.pdf",
}


def _person(session, role: Role, name: str) -> User:
    return create_user(
        session,
        {
            "email": f"{role.value}-{uuid.uuid4().hex[:8]}@example.cn",
            "name": name,
            "role": role,
            "password": PASSWORD,
        },
    )


def _reviewed_application(live_app, world) -> tuple[int, int, str]:
    """A case in enforcement whose write-off legal applied for and finance approved; returns
    the case id, the application id and the manager's e-mail address."""
    claim = {
        "contract_ref": "CG-2024-0317",
        "contract_title": "设备采购合同",
        "principal": Decimal("286000.00"),
        "due_date": "2024-12-31",
    }
    case_id = live_case(live_app, world, debtor=DEBTOR, claims=[claim])
    factory = live_app.extensions["qingshou_db"].session_factory
    with transaction(factory) as session:
        legal = session.exec(select(User).where(User.email == world.legal_email)).one()
        session.info["actor_id"] = legal.id
        case = session.get(Case, case_id)
        for action in (Action.ACCEPT, Action.SUE, Action.ENFORCE):
            move_stage(session, legal, case, action)
        reason = WriteOffReason.ENFORCEMENT_TERMINATED
        links = []
        for item in checklist(reason, "enterprise"):
            file = attach_file(
                session,
                legal,
                case,
                live_app.extensions["qingshou_files"],
                filename=FILES[item.key],
                data=b"%PDF-1.4\n% evidence\n",
                max_bytes=10**6,
            )
            links.append({"item": item.key, "attachment_id": file.id})
        application = ops.create_application(
            session,
            legal,
            case,
            {
                "reason": reason,
                "reason_detail": DETAIL,
                "legal_opinion": OPINION,
                "evidence": links,
            },
        )
        ops.submit(session, legal, application)
        finance = _person(session, Role.FINANCE, "孙财务")
        session.info["actor_id"] = finance.id
        ops.decide(session, finance, application, Decision.APPROVE, reason="余额已核对")
        boss = _person(session, Role.MANAGEMENT, "刘振华")
        return case_id, application.id, boss.email


def test_management_approves_a_write_off_from_the_single_page(nav, world, live_app):
    case_id, application_id, boss_email = _reviewed_application(live_app, world)

    nav.log_in(boss_email, PASSWORD)
    page = nav.page
    page.get_by_role("navigation").get_by_role("link", name="核销", exact=True).click()
    expect(page.get_by_role("heading", name="核销", level=1)).to_be_visible()
    awaiting = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile(r"^待我审批"), level=2)
    )  # its heading counts what waits: 待我审批 (1)
    waiting = awaiting.locator(f'tr[data-application="{application_id}"]')
    expect(waiting).to_contain_text(DEBTOR)
    expect(waiting).to_contain_text("管理层审批")  # the step awaited
    waiting.get_by_role("link", name="查看申请").click()

    # -- everything a decision needs, on one page -------------------------------------------
    summary = section(page, "案件摘要")
    expect(summary).to_contain_text(DEBTOR)
    expect(summary).to_contain_text(world.creditor_name)
    expect(summary).to_contain_text("286,000.00")
    expect(summary).to_contain_text("执行")
    expect(section(page, "核销事项")).to_contain_text("终结执行")
    expect(section(page, "法律意见")).to_contain_text(OPINION)
    evidence = section(page, "证据清单")
    for name in FILES.values():
        expect(evidence.get_by_role("link", name=name)).to_be_visible()
    expect(evidence.locator('tr[data-covered="yes"]')).to_have_count(len(FILES))
    approval = section(page, "审批")
    expect(approval.locator('tr[data-step="1"]')).to_contain_text("孙财务")
    expect(approval.locator('tr[data-step="1"]')).to_contain_text("余额已核对")

    approval.get_by_label("审批意见（选填）").fill("同意核销，账销案存，继续追索。")
    approval.get_by_role("button", name="同意", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已批准核销")
    expect(page.get_by_test_id("writeoff-application-status")).to_have_text("已批准核销")
    expect(section(page, "审批").locator('tr[data-step="2"]')).to_contain_text("刘振华")

    # -- the case: 已核销, kept open to recovery --------------------------------------------
    page.get_by_role("link", name="案件页面").click()
    detail = CaseDetailPage(page)
    expect(detail.stage()).to_have_text("已核销")
    writeoff = section(page, "核销")
    expect(writeoff.get_by_test_id("writeoff-status")).to_have_text("已核销（账销案存）")
    expect(writeoff.get_by_test_id("written-off-amount")).to_contain_text("¥")

    factory = live_app.extensions["qingshou_db"].session_factory
    with factory() as session:
        assert session.get(Case, case_id).stage == Stage.WRITTEN_OFF
        assert session.get(WriteOffApplication, application_id).status == WriteOffStatus.APPROVED
