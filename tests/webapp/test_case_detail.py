"""The case file page, editing, stage moves, and who may see and do what."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import BUSINESS_TZ, today
from cases.ledger.operations import record_payment
from cases.parties.models import ContactCreate, Party
from cases.parties.operations import add_contact
from cases.register.operations import tag_names
from cases.register.stages import Stage
from cases.timeline.models import Attachment, Event, EventKind
from cases.timeline.operations import attach_file, log_event
from cases.users.models import LawFirm, Role, User
from tests.factories import valid_ric, valid_uscc
from tests.webapp.casefile_html import count, errors, flashes, options, section, values

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture
def store(app):
    return app.extensions["qingshou_files"]


@pytest.fixture
def full_case(session, make_case, make_user, make_firm, make_creditor, store):
    """A case with two claims, a guarantor, evidence, tags, a contact, a payment and a file."""
    legal = make_user(Role.LEGAL, name="王法务")
    firm = make_firm("金诚律师事务所")
    case = make_case(
        actor=legal,
        firm=firm,
        creditor=make_creditor(name="华东钢铁集团有限公司"),
        handler_id=legal.id,
        credit_grade="C",
        risk_level="high",
        tags=["重点", "百日攻坚"],
        debtor={
            "kind": "company",
            "name": "南方建材有限公司",
            "uscc": valid_uscc(),
            "legal_representative": "陈明",
            "phone": "0755-88886666",
        },
        claims=[
            {
                "contract_ref": "GX-01",
                "contract_title": "钢材购销合同",
                "principal": "200000.00",
                "interest_rate": "4.3500",
                "due_date": (today() - timedelta(days=400)).isoformat(),
            },
            {
                "contract_ref": "GX-02",
                "contract_title": "补充协议",
                "principal": "20000.00",
                "due_date": (today() - timedelta(days=30)).isoformat(),
            },
        ],
        guarantors=[
            {
                "party": {"kind": "person", "name": "刘保证", "id_number": valid_ric()},
                "kind": "joint",
            }
        ],
        evidence=[{"kind": "iou", "title": "欠条原件", "is_original": True}],
    )
    session.info["actor_id"] = legal.id
    add_contact(
        session,
        session.get(Party, case.debtor_id),
        ContactCreate(
            name="黄会计", title="财务经理", phone="13800138000", note="工作日上午可联系"
        ),
    )
    now = datetime.now(BUSINESS_TZ)
    contact = log_event(
        session,
        legal,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": now - timedelta(days=20),
            "summary": "电话催收，对方财务接听",
            "debtor_response": "资金紧张，月底先还一部分",
            "promised_amount": "50000",
            "promised_date": (today() + timedelta(days=10)).isoformat(),
        },
    )
    finance = make_user(Role.FINANCE, name="孙财务")
    session.info["actor_id"] = finance.id
    record_payment(  # recorded by finance: confirmed at once
        session,
        finance,
        case,
        {
            "received_on": (today() - timedelta(days=5)).isoformat(),
            "amount": "30000.00",
            "payer": "南方建材有限公司",
            "method": "bank_transfer",
            "bank_ref": "HX20261101",
        },
    )
    session.info["actor_id"] = legal.id
    attach_file(
        session,
        legal,
        case,
        store,
        filename="催收录音说明.pdf",
        data=PDF,
        max_bytes=2**20,
        event=contact,
    )
    session.commit()
    return case


def test_detail_shows_the_whole_case_file(client, login_as, full_case, session):
    login_as(Role.LEGAL)

    response = client.get(f"/cases/{full_case.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = section(page, "summary")
    for text in (
        full_case.number,
        "华东钢铁集团有限公司",
        "王法务",
        "金诚律师事务所",
        "高",
        "重点",
        "百日攻坚",
        "¥220,000.00",
        "¥30,000.00",
        "¥190,000.00",
    ):
        assert text in page
    assert "移交立案" in page  # the stage
    assert re.search(r'data-testid="overdue-days">400<', summary)
    assert re.search(r'data-testid="aging">1–2年<', summary)
    parties = section(page, "parties")
    assert "南方建材有限公司" in parties
    assert "陈明" in parties
    assert "0755-88886666" in parties
    assert "刘保证" in parties
    assert "黄会计" in parties
    assert "财务经理" in parties
    assert "13800138000" in parties
    assert "连带责任保证" in parties
    claims = section(page, "claims")
    assert "GX-01" in claims
    assert "GX-02" in claims
    assert "4.35" in claims
    assert "4.3500" not in claims
    assert re.search(r'data-testid="principal-total">¥220,000.00<', claims)
    assert "欠条原件" in section(page, "evidence")
    assert "原件" in section(page, "evidence")
    payments = section(page, "payments")
    assert "HX20261101" in payments
    assert "银行转账" in payments
    assert re.search(r'data-testid="recovered">¥30,000.00<', payments)
    assert "催收录音说明.pdf" in section(page, "documents")


def test_timeline_is_newest_first_with_contacts_promises_payments_and_files(
    client, login_as, full_case
):
    login_as(Role.LEGAL)

    timeline = section(client.get(f"/cases/{full_case.id}").get_data(as_text=True), "timeline")

    assert re.findall(r'data-kind="(\w+)"', timeline) == ["stage_change", "payment", "contact"]
    promised = today() + timedelta(days=10)
    assert "电话" in timeline
    assert "资金紧张，月底先还一部分" in timeline
    assert "承诺于" in timeline
    assert "前还款 ¥50,000.00" in timeline
    assert str(promised.year) in timeline
    assert "¥30,000.00" in timeline
    assert "王法务" in timeline
    assert re.search(rf'href="/cases/{full_case.id}/attachments/\d+">催收录音说明.pdf', timeline)


def test_audit_trail_lists_actor_action_entity_and_changes(client, login_as, full_case):
    login_as(Role.LEGAL)

    audit = section(client.get(f"/cases/{full_case.id}").get_data(as_text=True), "audit")

    assert "王法务" in audit
    assert "新建" in audit
    assert "回款" in audit
    assert '<span title="principal">本金</span>: 200000.00' in audit
    labels = re.findall(r'<span title="(\w+)">([^<]*)</span>', audit)
    assert labels
    assert [name for name, label in labels if name == label] == []  # every column is named
    assert "#None" not in audit  # tag links have no single id


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.LEGAL, {"audit", "move", "log-event", "record-payment", "upload", "edit"}),
        (Role.ADMIN, {"audit", "move", "log-event", "record-payment", "upload", "edit"}),
        (Role.COUNSEL, {"log-event", "record-payment", "upload"}),  # reports money
        (Role.FINANCE, {"record-payment"}),
        (Role.MANAGEMENT, set()),
    ],
)
def test_each_role_sees_only_the_sections_it_may_use(
    client, login_as, full_case, session, role, shown
):
    firm = session.get(LawFirm, full_case.firm_id) if role == Role.COUNSEL else None
    login_as(role, firm=firm)

    page = client.get(f"/cases/{full_case.id}").get_data(as_text=True)

    present = {
        name
        for name in ("audit", "move", "log-event", "record-payment", "upload")
        if f'id="{name}"' in page
    }
    if f'href="/cases/{full_case.id}/edit"' in page:
        present.add("edit")
    assert present == shown
    assert "南方建材有限公司" in page  # everyone who may see the case sees its file


# ---- who may reach which URL ----------------------------------------------------------------


def _urls(case_id: int, attachment_id: int) -> list[tuple[str, str]]:
    return [
        ("get", f"/cases/{case_id}"),
        ("get", f"/cases/{case_id}/edit"),
        ("post", f"/cases/{case_id}/edit"),
        ("post", f"/cases/{case_id}/stage"),
        ("post", f"/cases/{case_id}/events"),
        ("post", f"/cases/{case_id}/payments"),
        ("post", f"/cases/{case_id}/attachments"),
        ("get", f"/cases/{case_id}/attachments/{attachment_id}"),
    ]


def _attachment_id(session, case) -> int:
    return session.exec(select(Attachment.id).where(Attachment.case_id == case.id)).first()


@pytest.mark.parametrize("engaged", [True, False], ids=["other-firm", "not-engaged"])
def test_counsel_gets_404_on_every_url_of_a_case_outside_their_firm(
    client, login_as, make_case, make_firm, session, store, engaged
):
    case = make_case(firm=make_firm() if engaged else None)
    legal = session.get(User, case.created_by_id)
    attach_file(session, legal, case, store, filename="a.pdf", data=PDF, max_bytes=2**20)
    session.commit()
    login_as(Role.COUNSEL, firm=make_firm())
    before = count(session, AuditEntry)

    codes = {
        url: getattr(client, method)(
            url, data={"action": "accept", "summary": "x", "kind": "note"}
        ).status_code
        for method, url in _urls(case.id, _attachment_id(session, case))
    }

    assert set(codes.values()) == {404}, codes
    assert count(session, AuditEntry) == before


def test_a_file_of_another_case_is_not_found_through_this_case(
    client, login_as, make_case, session, store
):
    mine, other = make_case(), make_case()
    legal = login_as(Role.LEGAL)
    attach_file(session, legal, other, store, filename="b.pdf", data=PDF, max_bytes=2**20)
    session.commit()

    url = f"/cases/{mine.id}/attachments/{_attachment_id(session, other)}"

    assert client.get(url).status_code == 404
    assert client.get(f"/cases/{mine.id}/attachments/999999").status_code == 404
    assert client.get("/cases/999999").status_code == 404


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        (Role.FINANCE, "get", "edit"),
        (Role.FINANCE, "post", "edit"),
        (Role.FINANCE, "post", "stage"),
        (Role.FINANCE, "post", "events"),
        (Role.FINANCE, "post", "attachments"),
        (Role.MANAGEMENT, "get", "edit"),
        (Role.MANAGEMENT, "post", "edit"),
        (Role.MANAGEMENT, "post", "stage"),
        (Role.MANAGEMENT, "post", "events"),
        (Role.MANAGEMENT, "post", "payments"),
        (Role.MANAGEMENT, "post", "attachments"),
        (Role.COUNSEL, "get", "edit"),
        (Role.COUNSEL, "post", "stage"),
    ],
)
def test_roles_without_the_capability_get_403_and_change_nothing(
    client, login_as, make_case, make_firm, session, role, method, path
):
    firm = make_firm()
    case = make_case(firm=firm)
    login_as(role, firm=firm if role == Role.COUNSEL else None)
    before = (count(session, AuditEntry), count(session, Event))

    response = getattr(client, method)(
        f"/cases/{case.id}/{path}",
        data={
            "action": "accept",
            "status": "closed",
            "kind": "note",
            "summary": "x",
            "occurred_on": today().isoformat(),
            "received_on": today().isoformat(),
            "amount": "10",
            "payer": "x",
        },
    )

    assert response.status_code == 403
    assert (count(session, AuditEntry), count(session, Event)) == before


def test_pages_need_login(client, make_case):
    case = make_case()

    response = client.get(f"/cases/{case.id}")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# ---- editing --------------------------------------------------------------------------------


def test_edit_form_shows_the_current_values(client, login_as, full_case):
    login_as(Role.LEGAL)

    page = client.get(f"/cases/{full_case.id}/edit").get_data(as_text=True)

    shown = values(page)
    assert shown["handler_id"] == str(full_case.handler_id)
    assert "firm_id" not in shown  # engaged and released on the engagement panel only
    assert 'data-testid="firm">金诚律师事务所<' in page
    assert (shown["status"], shown["credit_grade"], shown["risk_level"]) == ("active", "C", "high")
    assert shown["tags"] == "百日攻坚, 重点"


def test_edit_keeps_offering_a_handler_who_has_left(
    client, login_as, make_case, make_user, session
):
    gone = make_user(Role.LEGAL, name="已离职法务")
    case = make_case(handler_id=gone.id)
    gone.is_active = False
    session.commit()
    login_as(Role.LEGAL)

    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/edit", data={**values(page), "summary": "改"})

    assert values(page)["handler_id"] == str(gone.id)
    assert response.status_code == 422
    assert errors(response.get_data(as_text=True)) == {"handler_id": ["承办人须为在职法务人员"]}
    session.refresh(case)
    assert case.handler_id == gone.id


def test_edit_changes_the_case_and_audits_it(client, login_as, make_case, make_user, session):
    case = make_case()
    legal = login_as(Role.LEGAL)
    other = make_user(Role.LEGAL, name="孙承办")

    response = client.post(
        f"/cases/{case.id}/edit",
        data={
            "handler_id": str(other.id),
            "firm_id": "",
            "status": "suspended",
            "credit_grade": "D",
            "risk_level": "low",
            "loan_class": "",
            "summary": "债务人进入破产重整",
            "tags": "破产，重整",
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}"
    session.refresh(case)
    assert (case.handler_id, case.status, case.credit_grade, case.risk_level, case.summary) == (
        other.id,
        "suspended",
        "D",
        "low",
        "债务人进入破产重整",
    )
    assert tag_names(session, case.id) == ["破产", "重整"]
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.case_id == case.id,
            AuditEntry.entity == "case",
            AuditEntry.action == "update",
            AuditEntry.actor_id == legal.id,
        )
    ).one()
    assert entry.changes["status"] == ["active", "suspended"]
    assert entry.changes["handler_id"] == [None, other.id]
    assert "案件已更新。" in flashes(client.get(f"/cases/{case.id}").get_data(as_text=True))


def test_edit_refusal_keeps_values_and_changes_nothing(client, login_as, make_case, session):
    case = make_case()
    login_as(Role.LEGAL)
    before = count(session, AuditEntry)
    form = {
        "handler_id": "",
        "status": "closed",
        "credit_grade": "A",
        "risk_level": "medium",
        "loan_class": "doubtful",
        "summary": "改为可疑类",
        "tags": "试试",
    }

    response = client.post(f"/cases/{case.id}/edit", data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert errors(page) == {"loan_class": ["五级分类仅适用于银行债权人"]}
    shown = values(page)
    assert {name: shown[name] for name in form} == form
    session.refresh(case)
    assert (case.status, case.credit_grade, case.summary) == ("active", None, None)
    assert count(session, AuditEntry) == before


def test_edit_sets_the_class_for_a_bank_creditor(
    client, login_as, make_case, make_creditor, session
):
    case = make_case(creditor=make_creditor(is_bank=True))
    login_as(Role.ADMIN)

    response = client.post(
        f"/cases/{case.id}/edit", data={"status": "active", "loan_class": "substandard"}
    )

    assert response.status_code == 303
    session.refresh(case)
    assert case.loan_class == "substandard"


# ---- stage moves ----------------------------------------------------------------------------


def test_only_the_moves_of_the_current_stage_are_offered(client, login_as, make_case):
    case = make_case()
    login_as(Role.LEGAL)

    move = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "move")

    assert options(move, "action") == ["accept", "close"]
    assert "接收移交，开始催收" in move


def test_a_move_changes_the_stage_and_goes_on_the_timeline(client, login_as, make_case, session):
    case = make_case()
    legal = login_as(Role.LEGAL)

    response = client.post(
        f"/cases/{case.id}/stage", data={"action": "accept", "note": "材料齐全，已对账确认"}
    )

    assert response.status_code == 303
    session.refresh(case)
    assert case.stage == Stage.COLLECTION
    event = session.exec(
        select(Event).where(
            Event.case_id == case.id,
            Event.actor_id == legal.id,
            Event.kind == EventKind.STAGE_CHANGE,
        )
    ).one()
    assert (event.from_stage, event.to_stage, event.summary) == (
        "intake",
        "collection",
        "材料齐全，已对账确认",
    )
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "案件已进入“非诉催收”阶段。" in flashes(page)
    assert "移交立案 → 非诉催收" in section(page, "timeline")
    assert options(section(page, "move"), "action") == [
        "send_letter",
        "negotiate",
        "preserve",
        "sue",
        "close",
    ]


def test_closing_closes_the_status_too(client, login_as, make_case, session):
    case = make_case()
    login_as(Role.LEGAL)

    client.post(f"/cases/{case.id}/stage", data={"action": "close"})

    session.refresh(case)
    assert (case.stage, case.status, case.closed_on) == (Stage.CLOSED, "closed", today())


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("fly", "未知的阶段操作“fly”。"),
        ("", "未知的阶段操作“”。"),
        ("enforce", "处于“移交立案”阶段的案件不能“申请强制执行”。"),
        ("reopen", "处于“移交立案”阶段的案件不能“重新立案”。"),
        ("write_off", "此操作须经审批通过。"),
    ],
)
def test_an_illegal_move_is_refused_with_a_chinese_flash_and_nothing_changes(
    client, login_as, make_case, session, action, message
):
    case = make_case()
    login_as(Role.LEGAL)
    before = (count(session, Event), count(session, AuditEntry))

    response = client.post(f"/cases/{case.id}/stage", data={"action": action, "note": "我的备注"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in flashes(page)
    assert values(section(page, "move"))["note"] == "我的备注"
    session.refresh(case)
    assert case.stage == Stage.INTAKE
    assert (count(session, Event), count(session, AuditEntry)) == before


def test_an_overlong_note_is_refused_beside_the_note(client, login_as, make_case, session):
    case = make_case()
    login_as(Role.LEGAL)

    response = client.post(
        f"/cases/{case.id}/stage", data={"action": "accept", "note": "长" * 4001}
    )

    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "move")) == {
        "note": ["最多 4000 个字符"]
    }
    session.refresh(case)
    assert case.stage == Stage.INTAKE
