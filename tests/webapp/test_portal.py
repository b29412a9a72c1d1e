"""The firms' portal in the browser's shoes: steps with typed files, the message thread, the
scorecard pages and a firm's start page."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus
from cases.ledger.models import Payment, PaymentStatus
from cases.portal.models import CaseMessage
from cases.portal.scorecard import scorecard
from cases.register.keydates import KeyDate
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import Role
from cases.users.operations import issue_token
from tests.webapp.casefile_html import count, errors, flashes, section, values

YESTERDAY = today() - timedelta(days=1)


def step_form(**fields) -> dict:
    return {
        "kind": "progress",
        "occurred_on": YESTERDAY.isoformat(),
        "occurred_time": "10:00",
        "channel": "",
        "summary": "收到一审判决书",
        "step": "judgment_served",
        "court_case_no": "(2026)京0105民初1234号",
        "seized_asset": "",
        **fields,
    }


@pytest.fixture
def firm(make_firm):
    return make_firm("甲律师事务所")


@pytest.fixture
def case(make_case, firm):
    return make_case(firm=firm)


@pytest.fixture
def counsel(make_user, firm):
    return make_user(Role.COUNSEL, firm=firm, name="王律师")


def rows(session) -> tuple[int, ...]:
    return tuple(count(session, m) for m in (Event, Attachment, KeyDate, AuditEntry))


# ---- progress steps -------------------------------------------------------------------------


def test_counsel_logs_a_ruling_with_typed_files_and_its_key_date(
    client, login_as, session, case, counsel
):
    login_as(counsel)

    response = client.post(
        f"/cases/{case.id}/events",
        content_type="multipart/form-data",
        data={
            **step_form(),
            "doc_type.0": "ruling",
            "file.0": [(io.BytesIO(b"%PDF-1.7 judgment"), "民事判决书.pdf")],
            "doc_type.1": "receipt",
            "file.1": [
                (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "送达回证.png"),
                (io.BytesIO(b"%PDF-1.7 envelope"), "EMS信封.pdf"),
            ],
            "doc_type.2": "evidence",
        },
    )

    assert response.status_code == 303
    event = session.exec(
        select(Event).where(Event.case_id == case.id, Event.kind == EventKind.PROGRESS)
    ).one()
    assert (event.step, event.court_case_no, event.actor_id) == (
        "judgment_served",
        "(2026)京0105民初1234号",
        counsel.id,
    )
    files = session.exec(
        select(Attachment.original_name, Attachment.doc_type)
        .where(Attachment.event_id == event.id)
        .order_by(Attachment.id)
    ).all()
    assert [(name, str(t)) for name, t in files] == [
        ("民事判决书.pdf", "ruling"),
        ("送达回证.png", "receipt"),
        ("EMS信封.pdf", "receipt"),
    ]
    key_date = session.exec(select(KeyDate).where(KeyDate.case_id == case.id)).one()
    assert (key_date.kind, key_date.on, key_date.created_by_id) == (
        "judgment_served",
        YESTERDAY,
        counsel.id,
    )

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    timeline = section(page, "timeline")
    assert "判决书送达" in timeline
    assert "(2026)京0105民初1234号" in timeline
    assert "裁判文书" in timeline
    assert "回执或送达证明" in timeline
    # the appeal deadline now runs from the judgment served
    assert "上诉" in section(page, "deadlines")


def test_the_form_offers_the_steps_and_says_which_key_dates_they_record(
    client, login_as, case, counsel
):
    login_as(counsel)
    form = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "log-event")
    assert 'name="step"' in form
    assert "ruling_served" in form
    assert "enforcement_terminated" in form
    assert "15 日内可上诉" in form  # the help on key dates
    assert form.count('type="file"') == 3
    shown = values(form)
    assert (shown["doc_type.0"], shown["doc_type.1"], shown["doc_type.2"]) == (
        "filing",
        "ruling",
        "evidence",
    )


def test_a_refused_step_keeps_what_was_typed_and_saves_nothing(
    client, login_as, session, case, counsel
):
    login_as(counsel)
    before = rows(session)

    response = client.post(
        f"/cases/{case.id}/events",
        content_type="multipart/form-data",
        data={
            **step_form(step="hearing", seized_asset="deposits"),
            "doc_type.0": "ruling",
            "file.0": [(io.BytesIO(b"%PDF-1.7 x"), "笔录.pdf")],
        },
    )

    assert response.status_code == 422
    form = section(response.get_data(as_text=True), "log-event")
    assert errors(form)["seized_asset"] == ["只有保全措施或查封冻结才需注明被查封冻结的财产"]
    assert values(form)["step"] == "hearing"
    assert values(form)["court_case_no"] == "(2026)京0105民初1234号"
    assert rows(session) == before


def test_a_bad_file_refuses_the_whole_entry(client, login_as, session, case, counsel):
    login_as(counsel)
    before = rows(session)
    response = client.post(
        f"/cases/{case.id}/events",
        content_type="multipart/form-data",
        data={
            **step_form(),
            "doc_type.0": "ruling",
            "file.0": [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "判决书.exe")],
        },
    )
    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "log-event"))["file"]
    assert rows(session) == before


def test_the_timeline_filters_filings_and_rulings(client, login_as, session, case, counsel):
    login_as(counsel)
    posts = [
        step_form(step="filing", summary="递交起诉状"),
        step_form(step="hearing", summary="开庭审理", court_case_no=""),
        {
            **step_form(kind="contact", channel="phone", summary="电话催收", step=""),
            "court_case_no": "",
        },
    ]
    for data in posts:
        assert client.post(f"/cases/{case.id}/events", data=data).status_code == 303
    # a hearing note carrying a ruling file belongs there too
    client.post(
        f"/cases/{case.id}/events",
        content_type="multipart/form-data",
        data={
            **step_form(step="hearing", summary="庭后收到裁定", court_case_no=""),
            "doc_type.0": "ruling",
            "file.0": [(io.BytesIO(b"%PDF-1.7 r"), "裁定书.pdf")],
        },
    )

    everything = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "timeline")
    filed = section(
        client.get(f"/cases/{case.id}?timeline=filed").get_data(as_text=True), "timeline"
    )

    for text in ("递交起诉状", "开庭审理", "电话催收", "庭后收到裁定"):
        assert text in everything
    assert "递交起诉状" in filed
    assert "庭后收到裁定" in filed
    assert "开庭审理" not in filed
    assert "电话催收" not in filed


def test_the_api_accepts_a_step(client, session, case, counsel):
    token = issue_token(session, counsel, "test")
    session.commit()
    response = client.post(
        f"/api/v1/cases/{case.id}/events",
        json={
            "kind": "progress",
            "occurred_at": f"{YESTERDAY.isoformat()}T09:00:00+08:00",
            "summary": "已申请强制执行",
            "step": "enforcement_applied",
            "court_case_no": "(2026)京0105执100号",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.json
    assert (response.json["step"], response.json["court_case_no"]) == (
        "enforcement_applied",
        "(2026)京0105执100号",
    )
    key_date = session.exec(select(KeyDate).where(KeyDate.case_id == case.id)).one()
    assert (key_date.kind, key_date.on) == ("enforcement_applied", YESTERDAY)


def test_the_api_refuses_a_step_on_a_contact(client, session, case, counsel):
    token = issue_token(session, counsel, "test")
    session.commit()
    response = client.post(
        f"/api/v1/cases/{case.id}/events",
        json={
            "kind": "contact",
            "channel": "phone",
            "occurred_at": f"{YESTERDAY.isoformat()}T09:00:00+08:00",
            "summary": "电话",
            "step": "filing",
        },
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"]["step"] == [
        "Only progress in court is logged with a step"
    ]


# ---- the message thread ---------------------------------------------------------------------


def test_legal_and_counsel_exchange_messages(client, login_as, session, case, counsel):
    legal = login_as(Role.LEGAL)
    response = client.post(f"/cases/{case.id}/messages", data={"body": "请于本周报告开庭情况"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.id}#messages"
    message = session.exec(select(CaseMessage).where(CaseMessage.case_id == case.id)).one()
    assert (message.author_id, message.firm_id, message.side) == (legal.id, case.firm_id, "legal")

    login_as(counsel)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    thread = section(page, "messages")
    assert "请于本周报告开庭情况" in thread
    assert 'data-testid="unread"' in thread  # new for the firm
    session.expire_all()
    assert message.read_by_firm_at is not None  # opening the page read it
    again = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "messages")
    assert 'data-testid="unread"' not in again

    reply = client.post(f"/cases/{case.id}/messages", data={"body": "已开庭，待判决"})
    assert reply.status_code == 303
    login_as(legal)
    thread = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "messages")
    assert "已开庭，待判决" in thread
    assert "王律师" in thread


def test_an_empty_message_comes_back_with_its_error(client, login_as, session, case):
    login_as(Role.LEGAL)
    response = client.post(f"/cases/{case.id}/messages", data={"body": "  "})
    assert response.status_code == 422
    assert errors(section(response.get_data(as_text=True), "messages"))["body"] == ["此项必填"]
    assert count(session, CaseMessage) == 0


def test_another_firm_never_sees_the_thread(client, login_as, make_user, make_firm, case):
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/messages", data={"body": "机密"})
    login_as(make_user(Role.COUNSEL, firm=make_firm()))
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/messages", data={"body": "x"}).status_code == 404


def test_management_reads_the_thread_without_a_form_and_finance_does_not_see_it(
    client, login_as, case
):
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/messages", data={"body": "请管理层知悉"})
    login_as(Role.MANAGEMENT)
    thread = section(client.get(f"/cases/{case.id}").get_data(as_text=True), "messages")
    assert "请管理层知悉" in thread
    assert "<form" not in thread
    login_as(Role.FINANCE)
    assert 'id="messages"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_firm_loses_the_thread_when_its_engagement_ends(
    client, login_as, session, case, counsel
):
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/messages", data={"body": "请交接材料"})
    engagement = session.exec(select(Engagement).where(Engagement.case_id == case.id)).one()
    engagement.status, engagement.ends_on = EngagementStatus.ENDED, today()
    case.firm_id = None
    session.commit()

    login_as(counsel)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/messages", data={"body": "x"}).status_code == 404
    home = client.get("/portal").get_data(as_text=True)
    assert case.number not in home


# ---- scorecards -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEGAL, Role.ADMIN, Role.MANAGEMENT])
def test_the_scorecards_show_every_firm_with_how_each_figure_is_computed(
    client, login_as, firm, case, role
):
    login_as(role)
    page = client.get("/firms").get_data(as_text=True)
    assert "甲律师事务所" in page
    assert 'data-testid="legend"' in page
    assert "回收率" in page
    assert "QS_FIRM_SILENT_DAYS" in page
    row = page[page.index(f'data-firm-id="{firm.id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-testid="open-cases">1<' in row


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.FINANCE])
def test_scorecards_are_not_for_counsel_or_finance(client, login_as, firm, role):
    login_as(role)
    assert client.get("/firms").status_code == 403
    assert client.get(f"/firms/{firm.id}").status_code == 403


def test_one_firms_page_lists_its_cases_with_the_silence_flag(
    app, client, login_as, session, firm, case, counsel
):
    engagement = session.exec(select(Engagement).where(Engagement.case_id == case.id)).one()
    engagement.starts_on = today() - timedelta(days=12)
    session.commit()
    app.extensions["qingshou_settings"].FIRM_SILENT_DAYS = 10
    login_as(Role.LEGAL)

    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert case.number in page[page.index('data-testid="firm-cases"') :]
    assert 'data-testid="case-silent"' in page
    assert "已 12 天无更新" in page

    login_as(counsel)
    client.post(f"/cases/{case.id}/events", data=step_form(step="hearing", court_case_no=""))
    login_as(Role.LEGAL)
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert 'data-testid="case-silent"' not in page
    assert 'data-testid="silent"' not in page


def test_an_unknown_firm_is_404(client, login_as):
    login_as(Role.LEGAL)
    assert client.get("/firms/999999").status_code == 404


def test_recovered_money_appears_on_the_firms_page(client, login_as, session, firm, case):
    engagement = session.exec(select(Engagement).where(Engagement.case_id == case.id)).one()
    engagement.starts_on = today() - timedelta(days=30)
    session.add(
        Payment(
            case_id=case.id,
            received_on=today() - timedelta(days=3),
            amount=Decimal("12000.00"),
            payer="债务人",
            status=PaymentStatus.CONFIRMED,
            confirmed_at=engagement.created_at,
        )
    )
    session.commit()
    card = scorecard(session, firm.id, on=today(), silent_days=30)
    assert card.recovered == Decimal("12000.00")
    login_as(Role.LEGAL)
    page = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "¥12,000.00" in page
    rate = f"{Decimal('12000') / engagement.claim_amount * 100:.2f}%"
    assert rate in page


# ---- a firm's start page --------------------------------------------------------------------


def test_counsel_start_page_shows_their_open_cases_and_unread_messages(
    client, login_as, make_case, make_firm, case, counsel
):
    other = make_case(firm=make_firm())
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/messages", data={"body": "一"})
    client.post(f"/cases/{case.id}/messages", data={"body": "二"})

    login_as(counsel)
    page = client.get("/portal").get_data(as_text=True)
    assert "甲律师事务所" in page
    assert case.number in page
    assert other.number not in page
    row = page[page.index(f'data-case-id="{case.id}"') :]
    assert 'data-testid="case-unread"><span class="badge warn">2<' in row[: row.index("</tr>")]


def test_the_case_list_shows_unread_messages_to_each_side(
    client, login_as, make_case, make_firm, case, counsel
):
    other = make_case(firm=make_firm())
    legal = login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/messages", data={"body": "一"})
    client.post(f"/cases/{other.id}/messages", data={"body": "给别的律所"})

    login_as(counsel)
    listed = client.get("/").get_data(as_text=True)
    assert case.number in listed
    assert other.number not in listed
    row = listed[listed.index(f'data-case-id="{case.id}"') :]
    assert "1 条新消息" in row[: row.index("</tr>")]
    client.post(f"/cases/{case.id}/messages", data={"body": "回复"})  # the firm answers

    login_as(legal)
    listed = client.get("/cases").get_data(as_text=True)
    row = listed[listed.index(f'data-case-id="{case.id}"') :]
    assert "1 条新消息" in row[: row.index("</tr>")]
    row = listed[listed.index(f'data-case-id="{other.id}"') :]
    assert 'data-testid="unread-messages"' not in row[: row.index("</tr>")]


@pytest.mark.parametrize("role", [Role.LEGAL, Role.ADMIN, Role.FINANCE, Role.MANAGEMENT])
def test_the_start_page_is_for_counsel(client, login_as, role):
    login_as(role)
    assert client.get("/portal").status_code == 403


def test_flash_after_sending(client, login_as, case):
    login_as(Role.LEGAL)
    client.post(f"/cases/{case.id}/messages", data={"body": "你好"})
    assert "消息已发送。" in flashes(client.get(f"/cases/{case.id}").get_data(as_text=True))
