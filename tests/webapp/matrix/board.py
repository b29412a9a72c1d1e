"""The deadlines board: the board, deadlines added by hand, outcomes, notifications, calendar.

``setup`` adds a deadline by hand on the matrix's case (``case_deadline_id``), a digest
notification for the case's counsel (``notification_id``: anyone else's read button is 404)
and that counsel's calendar feed (``feed_token``: the ICS answers anyone who has the token,
without login — a bad token is tested in ``tests/webapp/test_board_pages.py``).
"""

from __future__ import annotations

from datetime import date

from cases.board.models import Notification, NotificationKind
from cases.board.operations import add_deadline, issue_feed
from tests.webapp.matrix import BAD, GO, HIDDEN, LOGIN, NO, OK

ROWS = {
    # -- every signed-in user: their own board, notifications and calendar ------------------
    ("GET", "/deadlines"): (LOGIN, OK, OK, OK, OK, OK, OK),
    ("GET", "/notifications"): (LOGIN, OK, OK, OK, OK, OK, OK),
    ("POST", "/notifications/read-all"): (LOGIN, GO, GO, GO, GO, GO, GO),
    # the notification is the counsel's: everyone else's read button is 404
    ("POST", "/notifications/<int:notification_id>/read"): (
        LOGIN,
        HIDDEN,
        HIDDEN,
        GO,
        HIDDEN,
        HIDDEN,
        HIDDEN,
    ),
    ("GET", "/deadlines/calendar"): (LOGIN, OK, OK, OK, OK, OK, OK),
    # a new feed URL is shown once on the page itself (200), never through a redirect
    ("POST", "/deadlines/calendar"): (LOGIN, OK, OK, OK, OK, OK, OK),
    ("POST", "/deadlines/calendar/revoke"): (LOGIN, GO, GO, GO, GO, GO, GO),
    # the feed: the token is the key, whoever asks
    ("GET", "/calendar/<feed_token>.ics"): (OK, OK, OK, OK, OK, OK, OK),
    # -- deadline.manage on the case: admin, legal, counsel of its firm ---------------------
    ("POST", "/cases/<int:case_id>/deadlines"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("GET", "/cases/<int:case_id>/deadlines/<int:case_deadline_id>/edit"): (
        LOGIN,
        OK,
        OK,
        OK,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/deadlines/<int:case_deadline_id>/edit"): (
        LOGIN,
        BAD,
        BAD,
        BAD,
        HIDDEN,
        NO,
        NO,
    ),
    ("POST", "/cases/<int:case_id>/deadline-outcomes"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
}


def setup(app, session, world) -> dict[str, int | str]:
    legal, counsel = world.users["legal"], world.users["counsel"]
    session.info["actor_id"] = legal.id
    deadline = add_deadline(
        session,
        legal,
        world.case,
        {"title": "一审开庭", "kind": "hearing", "due_on": date(2026, 12, 15)},
    )
    note = Notification(
        user_id=counsel.id,
        kind=NotificationKind.DIGEST,
        day=date(2026, 11, 23),
        counts={"passed": 0, "due": 1, "alerts": 0, "total": 1},
        items=[],
    )
    session.add(note)
    token = issue_feed(session, counsel)
    session.flush()
    return {"case_deadline_id": deadline.id, "notification_id": note.id, "feed_token": token}
