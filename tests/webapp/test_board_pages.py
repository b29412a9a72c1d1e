"""The deadlines board's pages: the board, deadlines added by hand and outcomes on the case
page, notifications with the unread badge, the calendar feed (read back with ``icalendar``),
``flask digest`` with and without SMTP, and the periodic task's schedule.

Counsel never see another firm's deadlines: not on the board, not in the feed, not in their
notifications (even one made before the case moved to another firm).
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from icalendar import Calendar
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.board import digest as digest_module
from cases.board.models import (
    CalendarFeed,
    CaseDeadline,
    DeadlineOutcome,
    DigestRun,
    Notification,
)
from cases.board.operations import add_deadline, issue_feed
from cases.engagements.models import Engagement, EngagementStatus, FeeKind
from cases.register.keydates import add_key_date
from cases.users.models import Role
from tests.webapp.casefile_html import count, errors, section, values
from webapp.jobs import digest_schedule

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)
ON = NOW.date()


@pytest.fixture(autouse=True)
def frozen_and_cheap(monkeypatch):
    monkeypatch.setattr("cases.users.operations.PASSWORD_METHOD", "pbkdf2:sha256:1000")
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(session, make_user, make_firm, make_case):
    """Case A: ``legal``'s, engaged to ``firm`` with ``counsel`` as lead lawyer; case F: of the
    other firm, whose counsel is ``foreign``. Each has a hearing added by hand, A's passed."""
    firm, other_firm = make_firm("金诚律师事务所"), make_firm("远方律师事务所")
    people = {
        "legal": make_user(Role.LEGAL, name="王法务"),
        "counsel": make_user(Role.COUNSEL, firm=firm, name="李律师"),
        "foreign": make_user(Role.COUNSEL, firm=other_firm, name="赵律师"),
        "finance": make_user(Role.FINANCE),
        "admin": make_user(Role.ADMIN),
    }
    legal = people["legal"]
    a = make_case(actor=legal, handler_id=legal.id)
    f = make_case(actor=legal, handler_id=legal.id)
    for case, to, lead in ((a, firm, people["counsel"]), (f, other_firm, None)):
        session.add(
            Engagement(
                case_id=case.id,
                firm_id=to.id,
                lead_lawyer_id=lead.id if lead else None,
                scope_litigation=True,
                starts_on=date(2026, 1, 5),
                claim_amount=Decimal("120000.00"),
                fee_kind=FeeKind.FIXED,
                fee_terms={"amount": "30000"},
                status=EngagementStatus.ACTIVE,
            )
        )
        case.firm_id = to.id
    session.info["actor_id"] = legal.id
    hearing = add_deadline(
        session, legal, a, {"title": "一审开庭", "kind": "hearing", "due_on": "2026-11-16"}
    )
    add_deadline(
        session, legal, f, {"title": "外所开庭", "kind": "hearing", "due_on": "2026-11-25"}
    )
    session.commit()
    return {**people, "A": a, "F": f, "hearing": hearing, "firm": firm, "other_firm": other_firm}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# ---- the board ---------------------------------------------------------------------------------


def test_the_board_shows_each_user_their_own(client, login_as, world):
    a, f = world["A"].number, world["F"].number
    login_as(world["legal"])
    mine = page(client, "/deadlines")
    assert a in mine
    assert f in mine  # legal handles both
    assert mine.index("一审开庭") < mine.index("外所开庭")  # passed first
    assert 'data-urgency="passed"' in mine
    assert 'data-testid="flag"' in mine  # passed, nothing recorded
    login_as(world["counsel"])
    theirs = page(client, "/deadlines")
    assert a in theirs
    assert f not in theirs
    assert "外所开庭" not in theirs
    assert 'data-testid="filter-handler"' not in theirs  # counsel cannot filter
    # nor widen the view through the query string
    assert f not in page(client, "/deadlines?handler=all&horizon=all")
    login_as(world["foreign"])
    foreign = page(client, "/deadlines?horizon=all")
    assert f in foreign
    assert a not in foreign


def test_finance_sees_nothing_until_it_filters(client, login_as, world):
    login_as(world["finance"])
    assert 'data-testid="board-empty"' in page(client, "/deadlines")
    chosen = page(client, f"/deadlines?firm={world['firm'].id}&horizon=all")
    assert world["A"].number in chosen
    assert world["F"].number not in chosen


def test_the_board_shows_a_holiday_rollover(client, login_as, session, world):
    """Judgment served 2025-09-23: 15 days end on 10-08, in the National Day holiday, so the
    last day to appeal is 10-09 (民事诉讼法 第171条, 第85条)."""
    add_key_date(
        session, world["legal"], world["A"], {"kind": "judgment_served", "on": date(2025, 9, 23)}
    )
    session.commit()
    login_as(world["legal"])
    board = page(client, "/deadlines")
    row = board[board.index('data-kind="judgment"') :]
    row = row[: row.index("</tr>")]
    assert "2025年10月9日" in row
    assert "2025年10月8日" in row
    assert "国庆节" in row
    detail = page(client, f"/cases/{world['A'].id}")
    assert "国庆节" in section(detail, "deadlines")


# ---- deadlines added by hand, on the case page ------------------------------------------------


def test_adding_a_deadline_on_the_case_page(client, login_as, session, world):
    login_as(world["counsel"])
    case = world["A"]
    form = section(page(client, f"/cases/{case.id}"), "case-deadlines")
    assert values(form)["owner_id"] == str(world["counsel"].id)
    response = client.post(
        f"/cases/{case.id}/deadlines",
        data={
            "title": "举证期限",
            "kind": "evidence_period",
            "due_on": "2026-10-03",
            "note": "某法院",
        },
    )
    assert response.status_code == 303
    row = session.exec(select(CaseDeadline).where(CaseDeadline.title == "举证期限")).one()
    assert (row.owner_id, row.created_by_id, row.due_on) == (
        world["counsel"].id,
        world["counsel"].id,
        date(2026, 10, 3),
    )
    shown = section(page(client, f"/cases/{case.id}"), "case-deadlines")
    assert "举证期限" in shown
    assert "2026年10月8日" in shown  # rolled past National Day
    assert "国庆节" in shown


def test_a_refused_deadline_keeps_what_was_typed(client, login_as, session, world):
    login_as(world["legal"])
    before = count(session, CaseDeadline)
    response = client.post(
        f"/cases/{world['A'].id}/deadlines",
        data={"title": "开庭", "kind": "hearing", "due_on": "2026-02-30"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert values(html)["title"] == "开庭"
    assert "due_on" in errors(html)
    assert count(session, CaseDeadline) == before


def test_editing_a_deadline_returns_to_the_board(client, login_as, session, world):
    login_as(world["legal"])
    hearing = world["hearing"]
    url = f"/cases/{world['A'].id}/deadlines/{hearing.id}/edit"
    assert values(page(client, url))["title"] == "一审开庭"
    response = client.post(
        url,
        data={
            "title": "一审开庭（改期）",
            "kind": "hearing",
            "due_on": "2026-12-07",
            "next": "/deadlines",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/deadlines")
    session.refresh(hearing)
    assert (hearing.title, hearing.due_on) == ("一审开庭（改期）", date(2026, 12, 7))
    # an outside address is not followed
    response = client.post(
        url, data={"title": "x", "due_on": "2026-12-07", "next": "https://evil.example/"}
    )
    assert response.headers["Location"].endswith(f"/cases/{world['A'].id}#deadlines")


def test_another_firms_counsel_gets_404_on_every_deadline_form(client, login_as, world):
    login_as(world["foreign"])
    case, hearing = world["A"], world["hearing"]
    assert client.post(f"/cases/{case.id}/deadlines", data={"title": "x"}).status_code == 404
    edit = f"/cases/{case.id}/deadlines/{hearing.id}/edit"
    assert client.get(edit).status_code == 404
    assert client.post(f"/cases/{case.id}/deadline-outcomes", data={}).status_code == 404
    # and a deadline of A named under F's URL is not found either
    assert client.get(f"/cases/{world['F'].id}/deadlines/{hearing.id}/edit").status_code == 404


# ---- outcomes -------------------------------------------------------------------------------


def test_recording_what_happened_clears_the_flag(client, login_as, session, world):
    login_as(world["legal"])
    hearing = world["hearing"]
    board = page(client, "/deadlines")
    assert board.count('data-testid="flag"') == 1
    response = client.post(
        f"/cases/{world['A'].id}/deadline-outcomes",
        data={
            "deadline_kind": "custom",
            "due_on": "2026-11-16",
            "case_deadline_id": hearing.id,
            "outcome": "acted",
            "note": "已出庭，庭审笔录已归档",
            "next": "/deadlines",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/deadlines")
    outcome = session.exec(select(DeadlineOutcome)).one()
    assert (outcome.recorded_by_id, outcome.case_deadline_id) == (world["legal"].id, hearing.id)
    board = page(client, "/deadlines")
    assert 'data-testid="flag"' not in board
    assert "一审开庭" not in board  # resolved: off the board
    shown = section(page(client, f"/cases/{world['A'].id}"), "case-deadlines")
    assert "已出庭，庭审笔录已归档" in shown
    assert "王法务" in shown


def test_a_refused_outcome_is_shown_again(client, login_as, session, world):
    login_as(world["legal"])
    response = client.post(
        f"/cases/{world['A'].id}/deadline-outcomes",
        data={
            "deadline_kind": "custom",
            "due_on": "2026-11-16",
            "case_deadline_id": world["hearing"].id,
            "outcome": "missed",
            "note": "",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "note" in errors(html)
    assert values(html)["case_deadline_id"] == str(world["hearing"].id)
    assert count(session, DeadlineOutcome) == 0


# ---- notifications ------------------------------------------------------------------------------


def test_notifications_the_badge_and_mark_read(client, login_as, runner, session, world):
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert "0 emailed" in result.output
    login_as(world["counsel"])
    home = page(client, "/deadlines")
    assert re.search(r'data-testid="unread-count"[^>]*>1<', home)
    listing = page(client, "/notifications")
    assert listing.count('data-testid="notification-item"') == 1
    assert world["A"].number in listing
    assert "一审开庭" in listing
    (note,) = session.exec(select(Notification).where(Notification.user_id == world["counsel"].id))
    # someone else's notification is not found
    login_as(world["foreign"])
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    login_as(world["counsel"])
    assert client.post(f"/notifications/{note.id}/read").status_code == 303
    assert 'data-testid="unread-count"' not in page(client, "/deadlines")
    session.refresh(note)
    assert note.read_at is not None


def test_a_notification_hides_a_case_that_moved_to_another_firm(
    client, login_as, runner, session, world
):
    assert runner.invoke(args=["digest"]).exit_code == 0
    case = world["A"]
    case.firm_id = world["other_firm"].id  # re-engaged elsewhere since the digest
    session.commit()
    login_as(world["counsel"])
    listing = page(client, "/notifications")
    assert case.number not in listing
    assert "一审开庭" not in listing
    assert 'data-testid="notification-item"' not in listing


def test_mark_all_read(client, login_as, runner, session, world):
    assert runner.invoke(args=["digest"]).exit_code == 0
    login_as(world["legal"])
    response = client.post("/notifications/read-all")
    assert response.status_code == 303
    unread = session.exec(
        select(Notification).where(
            Notification.user_id == world["legal"].id, Notification.read_at.is_(None)
        )
    ).all()
    assert unread == []


# ---- flask digest, with and without SMTP ---------------------------------------------------


class FakeSMTP:
    """Stands in for ``smtplib.SMTP``: records what would have been sent."""

    sent: list = []
    opened: list = []

    def __init__(self, host, port, timeout=None):
        FakeSMTP.opened.append((host, port))
        self.steps: list[str] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.steps.append("starttls")

    def login(self, user, password):
        self.steps.append(f"login {user}")

    def send_message(self, message):
        FakeSMTP.sent.append((self.steps[:], message))


@pytest.fixture
def fake_smtp(monkeypatch):
    import smtplib

    FakeSMTP.sent, FakeSMTP.opened = [], []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


@pytest.fixture
def smtp_app(database_url, session_factory, tmp_path):
    from webapp import create_app

    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SMTP_HOST": "smtp.example.cn",
            "SMTP_PORT": 587,
            "SMTP_USER": "qingshou",
            "SMTP_PASSWORD": "s3cret-smtp",
            "SMTP_FROM": "清收系统 <qingshou@example.cn>",
            "BASE_URL": "https://qs.example.cn",
        }
    )
    app.extensions["qingshou_db"].session_factory = session_factory
    return app


def test_without_smtp_nothing_is_emailed(runner, session, world, fake_smtp):
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert fake_smtp.opened == []
    assert count(session, Notification) > 0
    assert session.exec(select(Notification.emailed_at)).all() == [None] * count(
        session, Notification
    )


def test_with_smtp_each_digest_is_emailed_once(smtp_app, session, world, fake_smtp):
    runner = smtp_app.test_cli_runner()
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    recipients = {message["To"]: (steps, message) for steps, message in fake_smtp.sent}
    counsel = world["counsel"].email
    assert set(recipients) == {
        world["legal"].email,
        counsel,
        world["foreign"].email,
        world["admin"].email,
    }
    steps, message = recipients[counsel]
    assert steps == ["starttls", "login qingshou"]
    assert message["From"] == "清收系统 <qingshou@example.cn>"
    assert "2026-11-23" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert world["A"].number in text
    assert world["F"].number not in text  # another firm's case never reaches counsel
    html = message.get_body(("html",)).get_content()
    assert f"https://qs.example.cn/cases/{world['A'].id}#deadlines" in html
    # again the same day: nothing new, nothing sent twice
    before = len(fake_smtp.sent)
    assert runner.invoke(args=["digest"]).exit_code == 0
    assert len(fake_smtp.sent) == before
    assert session.get(DigestRun, ON).emails == before


def test_the_digest_speaks_the_users_language(smtp_app, session, world, fake_smtp):
    world["legal"].locale = "en"
    world["counsel"].locale = "zh"
    session.commit()
    assert smtp_app.test_cli_runner().invoke(args=["digest"]).exit_code == 0
    by_user = {message["To"]: message for _steps, message in fake_smtp.sent}
    assert "daily digest" in by_user[world["legal"].email]["Subject"]
    assert "每日" in by_user[world["counsel"].email]["Subject"]


def test_the_periodic_task_runs_from_the_digest_hour_shanghai_time(app, session, world):
    due = digest_schedule(7)
    assert due(datetime(2026, 11, 22, 23, 0))  # UTC: 07:00 in Shanghai
    assert due(datetime(2026, 11, 23, 3, 40))  # 11:40, catching up
    assert not due(datetime(2026, 11, 22, 22, 50))  # 06:50
    assert not due(datetime(2026, 11, 22, 23, 5))  # every ten minutes
    with pytest.raises(RuntimeError):
        digest_schedule(24)
    task = app.extensions["qingshou_queue"].daily_digest
    assert task.call_local() != "skipped"
    assert count(session, Notification) > 0
    assert task.call_local() == "skipped"  # the day is done


# ---- the calendar feed ---------------------------------------------------------------------


def _feed_url(client) -> str:
    response = client.post("/deadlines/calendar")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    match = re.search(
        r'value="(http://localhost/calendar/[^"]+\.ics)"', response.get_data(as_text=True)
    )
    assert match, "the new address is shown on the page"
    return match.group(1).removeprefix("http://localhost")


def test_a_feed_url_is_shown_once_and_serves_the_users_deadlines(client, login_as, session, world):
    login_as(world["counsel"])
    path = _feed_url(client)
    assert path.removeprefix("/calendar/").removesuffix(".ics") not in page(
        client, "/deadlines/calendar"
    )
    stored = session.exec(select(CalendarFeed)).one()
    assert stored.token_hash not in path  # only the hash is kept
    anonymous = client.application.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.data)
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert any("一审开庭" in s and world["A"].number in s for s in summaries)
    assert not any(world["F"].number in s for s in summaries)
    assert "外所开庭" not in response.get_data(as_text=True)
    hearing = next(e for e in cal.walk("VEVENT") if "一审开庭" in str(e["SUMMARY"]))
    assert hearing.decoded("DTSTART") == date(2026, 11, 16)
    assert "开庭" in str(hearing["SUMMARY"])  # in the counsel's language (zh)
    assert len(list(hearing.walk("VALARM"))) == 1


def test_a_new_feed_replaces_the_old_and_revoking_ends_it(client, login_as, world):
    login_as(world["legal"])
    anonymous = client.application.test_client()
    first = _feed_url(client)
    second = _feed_url(client)
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    assert client.post("/deadlines/calendar/revoke").status_code == 303
    assert anonymous.get(second).status_code == 404
    assert 'data-testid="revoke-feed"' not in page(client, "/deadlines/calendar")


@pytest.mark.parametrize("role", ["anonymous", "legal", "counsel", "admin"])
def test_an_unknown_feed_token_is_404_for_everyone(client, login_as, session, world, role):
    issue_feed(session, world["counsel"])  # a live feed exists, but not with this token
    session.commit()
    if role != "anonymous":
        login_as(world[role])
    for token in ("not-a-token", "x" * 43, ""):
        assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_of_a_deactivated_user_is_404(client, session, world):
    token = issue_feed(session, world["legal"])
    world["legal"].is_active = False
    session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_digest_module_is_asked_for_plan_alerts_once(app, session, world, monkeypatch):
    calls = []
    monkeypatch.setattr(digest_module, "plan_alerts", lambda s, on: calls.append(on) or [])
    from webapp.blueprints.board import run_digest

    run_digest(app, ON)
    assert calls == [ON]


def test_the_embedded_worker_starts_from_a_request_thread(database_url, session_factory, tmp_path):
    """The web process starts its worker (and with it the periodic digest) on its first
    request; a threaded server serves that request off the main thread, where Python refuses
    to set signal handlers — the embedded worker sets none."""
    from webapp import create_app

    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        }
    )
    app.extensions["qingshou_db"].session_factory = session_factory
    queue = app.extensions["qingshou_queue"]
    answers: list[int] = []
    thread = threading.Thread(
        target=lambda: answers.append(app.test_client().get("/login").status_code)
    )
    thread.start()
    thread.join()
    try:
        assert answers == [200]
        assert queue._consumer is not None
    finally:
        if queue._consumer is not None:
            queue._consumer.stop(graceful=True)
