"""The daily digest and the calendar feed of the deadlines board (``cases.board.digest``,
``.feed``, ``.operations``): who gets what, once a day; emails sent once; the ICS read back
with ``icalendar``; feed tokens stored hashed and revocable.

The people and cases are those of ``test_board.py`` (A: ``legal``'s, lead lawyer ``lead``;
B: ``other_legal``'s, the firm's without a lead; C: ``other_legal``'s, the other firm's).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlmodel import select

from cases.board import digest, operations
from cases.board.feed import build_calendar
from cases.board.models import CalendarFeed, DigestRun, Notification
from cases.board.queries import open_rows, sort_key
from cases.errors import Message
from tests.cases.test_board import (  # noqa: F401  (the fixtures)
    ON,
    cases_fixture,
    cheap_passwords_fixture,
    people_fixture,
)

EXPECTED = {  # who gets a digest on ON, and the case numbers in it
    "legal": {"A"},
    "other_legal": {"B"},
    "lead": {"A", "B"},
    "colleague": {"B"},
    "admin": {"A", "B"},
    "management": {"A", "B"},
}


@pytest.fixture
def due(session, people, cases):
    """A hearing on A in 2 days, B's evidence period passed 3 weeks ago, C's hearing in 27
    days (too far for the digest); A's and B's limitation (2028) is far too."""
    legal, other = people["legal"], people["other_legal"]
    session.info["actor_id"] = legal.id
    operations.add_deadline(
        session, legal, cases["A"], {"title": "开庭", "kind": "hearing", "due_on": "2026-11-25"}
    )
    operations.add_deadline(
        session,
        other,
        cases["B"],
        {"title": "举证", "kind": "evidence_period", "due_on": "2026-11-02"},
    )
    operations.add_deadline(
        session, other, cases["C"], {"title": "开庭", "kind": "hearing", "due_on": "2026-12-20"}
    )
    session.commit()


def digests(session, people, cases) -> dict[str, set[str]]:
    names = {case.number: name for name, case in cases.items()}
    users = {user.id: key for key, user in people.items() if key not in ("firm", "other_firm")}
    found: dict[str, set[str]] = {}
    for note in session.exec(select(Notification)):
        found[users[note.user_id]] = {names[item["number"]] for item in note.items}
    return found


def test_each_user_gets_their_passed_and_coming_deadlines(session, people, cases, due):
    made = digest.make_digests(session, ON)
    assert len(made) == len(EXPECTED)
    assert digests(session, people, cases) == EXPECTED  # foreign counsel and finance: nothing
    lead = next(n for n in made if n.user_id == people["lead"].id)
    assert lead.counts == {"passed": 1, "due": 1, "alerts": 0, "total": 2}
    passed, coming = lead.items  # passed first
    assert (passed["title"], passed["due"], passed["days"]) == ("举证", "2026-11-02", -21)
    assert (coming["title"], coming["days"], coming["label"]) == ("开庭", 2, "Hearing")


def test_one_digest_per_user_and_day(session, session_factory, people, cases, due):
    first = digest.run_daily_digest(session_factory, ON)
    again = digest.run_daily_digest(session_factory, ON)
    assert (first.notifications, again.notifications) == (len(EXPECTED), 0)
    assert len(session.exec(select(Notification)).all()) == len(EXPECTED)
    assert session.get(DigestRun, ON).notifications == len(EXPECTED)
    assert digest.run_daily_digest(session_factory, ON, skip_if_done=True).skipped
    tomorrow = digest.run_daily_digest(session_factory, ON + timedelta(days=1))
    assert tomorrow.notifications == len(EXPECTED)


def test_a_resolved_deadline_leaves_the_digest(session, people, cases, due):
    hearing = next(r for r in open_rows(session, people["legal"]) if r.title == "开庭")
    operations.record_outcome(
        session,
        people["legal"],
        cases["A"],
        {
            "deadline_kind": "custom",
            "due_on": hearing.due,
            "case_deadline_id": hearing.custom.id,
            "outcome": "not_needed",
            "note": "已和解，撤诉",
        },
    )
    digest.make_digests(session, ON)
    assert "legal" not in digests(session, people, cases)
    assert digests(session, people, cases)["lead"] == {"B"}


def test_each_digest_is_emailed_once(session, session_factory, people, cases, due):
    sent: list[tuple[int, int]] = []
    fail = {people["colleague"].id}

    def send(user, note):
        if user.id in fail:
            raise OSError("mailbox unavailable")
        sent.append((user.id, note.id))

    report = digest.run_daily_digest(session_factory, ON, send)
    assert (report.emails, report.failed) == (len(EXPECTED) - 1, 1)
    session.expire_all()
    emailed = {n.user_id for n in session.exec(select(Notification)) if n.emailed_at}
    assert emailed == {u for u, _ in sent}
    fail.clear()  # the next run of the day retries the one that failed, and only it
    retry = digest.run_daily_digest(session_factory, ON, send)
    assert (retry.notifications, retry.emails, retry.failed) == (0, 1, 0)
    assert sent[-1][0] == people["colleague"].id
    assert len(sent) == len(EXPECTED)
    assert session.get(DigestRun, ON).emails == len(EXPECTED)


def test_plan_alerts_go_to_the_owners_of_their_case(session, people, cases, due, monkeypatch):
    """``cases.plans.queries.open_alerts`` (another area) is asked once; its alerts reach the
    users who own the alert's case, with the description kept for translation."""
    alert = SimpleNamespace(
        case_id=cases["C"].id,
        kind="promise_broken",
        due_on=date(2026, 11, 20),
        amount=Decimal("5000.00"),
        description=Message("Promised %(amount)s by %(date)s", amount="5000.00", date="2026-11-20"),
        case_number=cases["C"].number,
        debtor_name="债务人",
    )
    monkeypatch.setattr(digest, "plan_alerts", lambda _session, _on: [alert])
    digest.make_digests(session, ON)
    found = digests(session, people, cases)
    assert found["foreign"] == {"C"}  # the other firm's counsel: C names no lead lawyer
    assert "C" in found["other_legal"]
    assert "C" not in found["legal"] | found["lead"]
    note = next(n for n in session.exec(select(Notification)) if n.user_id == people["foreign"].id)
    (item,) = note.items
    assert (item["alert"], item["amount"], note.counts["alerts"]) == (
        "promise_broken",
        "5000.00",
        1,
    )
    assert digest.message_from_json(item["description"]) == alert.description


def test_the_digest_lists_at_most_a_hundred_items(session, people, cases):
    for n in range(digest.MAX_ITEMS + 5):
        operations.add_deadline(
            session, people["legal"], cases["A"], {"title": f"期限{n}", "due_on": "2026-11-24"}
        )
    (note,) = [n for n in digest.make_digests(session, ON) if n.user_id == people["legal"].id]
    assert (len(note.items), note.counts["total"]) == (digest.MAX_ITEMS, digest.MAX_ITEMS + 5)


# ---- the calendar feed ------------------------------------------------------------------------


def test_the_feed_token_is_stored_hashed_and_replaced(session, people):
    user = people["legal"]
    token = operations.issue_feed(session, user)
    (feed,) = session.exec(select(CalendarFeed)).all()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash
    assert operations.user_for_feed(session, token) is user
    newer = operations.issue_feed(session, user)  # a new one replaces it
    assert operations.user_for_feed(session, token) is None
    assert operations.user_for_feed(session, newer) is user
    assert operations.revoke_feed(session, user)
    assert operations.user_for_feed(session, newer) is None
    assert not operations.revoke_feed(session, user)  # nothing left to revoke
    assert operations.user_for_feed(session, "not-a-token") is None


def test_a_deactivated_users_feed_stops(session, people):
    token = operations.issue_feed(session, people["lead"])
    people["lead"].is_active = False
    session.flush()
    assert operations.user_for_feed(session, token) is None


def test_the_feed_reads_back_as_all_day_events_with_an_alarm(session, people, cases, due):
    rows = sorted(open_rows(session, people["lead"]), key=sort_key(ON))
    data = build_calendar(
        rows,
        ON,
        name="期限",
        translate=lambda msgid: msgid,
        case_url=lambda case_id: f"https://qs.example.cn/cases/{case_id}",
    )
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(rows) == 4  # two hearings/periods + A's and B's limitation
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == 4  # unique, and the same on the next fetch:
    again = Calendar.from_ical(build_calendar(rows, ON, name="x", translate=str))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(by_uid)
    evidence = next(e for e in events if "举证" in str(e["SUMMARY"]))
    assert evidence.decoded("DTSTART") == date(2026, 11, 2)  # all day (a DATE)
    assert evidence.decoded("DTEND") == date(2026, 11, 3)
    assert cases["B"].number in str(evidence["SUMMARY"])
    description = str(evidence["DESCRIPTION"])
    assert cases["B"].number in description
    assert "《民事诉讼法》(2023) 第85条" in description  # the rule
    assert "Passed: record what happened on the case page" in description
    (alarm,) = evidence.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(hours=-15)  # 09:00 the day before
    limitation = next(e for e in events if "Limitation period ends" in str(e["SUMMARY"]))
    assert limitation.decoded("DTSTART") == date(2028, 6, 30)
    assert "《民法典》第188" in str(limitation["DESCRIPTION"])
    assert str(limitation["URL"]).startswith("https://qs.example.cn/cases/")
