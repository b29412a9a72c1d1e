"""A user's deadlines as an iCalendar feed (RFC 5545), with the ``icalendar`` library.

Each unresolved deadline is an all-day event on its last day (after any holiday rollover),
with the case number and debtor in the title, the rule and what it concerns in the
description, an alarm at 09:00 the day before, and a UID that stays the same from one fetch
to the next (calendar apps update the event instead of adding another).

Labels are English msgids: the caller passes ``translate`` for the user's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from icalendar import Alarm, Calendar, Event

from cases.base import utcnow
from cases.board.queries import BoardRow
from cases.errors import N_

ALARM_BEFORE = timedelta(hours=-15)  # 09:00 the day before an all-day event
PRODID = "-//Qingshou//Deadlines board//ZH"

_CASE = N_("Case %(number)s, debtor %(debtor)s")
_CONCERNS = N_("Concerns: %(subject)s")
_RULE = N_("Rule: %(rule)s")
_MOVED = N_("Moved from %(date)s (%(why)s)")
_REST_DAY = N_("rest day")
_EXPIRES = N_("The freeze or seizure lapses on %(date)s")
_PASSED = N_("Passed: record what happened on the case page")
_NOTE = N_("Note: %(note)s")


def _title(row: BoardRow, translate: Callable[[str], str]) -> str:
    label = translate(row.label)
    return f"{label}: {row.title}" if row.title else label


def build_calendar(
    rows: Iterable[BoardRow],
    on: date,
    *,
    name: str,
    translate: Callable[[str], str],
    case_url: Callable[[int], str] | None = None,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = utcnow()
    for row in rows:
        title = _title(row, translate)
        summary = f"{title} · {row.case.number} {row.case.debtor}"
        lines = [translate(_CASE) % {"number": row.case.number, "debtor": row.case.debtor}]
        lines.append(title)
        if row.subject:
            lines.append(translate(_CONCERNS) % {"subject": row.subject})
        if row.rule:
            lines.append(translate(_RULE) % {"rule": row.rule})
        if row.moved is not None:
            why = row.moved.holiday or translate(_REST_DAY)
            original = row.moved.original.isoformat()
            lines.append(translate(_MOVED) % {"date": original, "why": why})
        if row.expires_on is not None:
            lines.append(translate(_EXPIRES) % {"date": row.expires_on.isoformat()})
        if row.custom is not None and row.custom.note:
            lines.append(translate(_NOTE) % {"note": row.custom.note})
        if row.due < on:
            lines.append(translate(_PASSED))
        url = case_url(row.case.id) if case_url else None
        if url:
            lines.append(url)
        event = Event()
        event.add("uid", row.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", row.due)
        event.add("dtend", row.due + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        if url:
            event.add("url", url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", ALARM_BEFORE)
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
