"""Key dates and the deadlines of a case (``cases.register.keydates``, ``.schedule``).

Which deadlines a case has, and what restarts them: limitation (民法典 第一百八十八条, interrupted
by demands, acknowledgements, part payments and promises: 第一百九十五条; 诉讼时效规定 第八、
九、十一条), the guarantee period (第六百九十二条), and court deadlines from key dates
(民事诉讼法 第一百零四、一百七十一、二百二十七、二百五十条; 查封扣押冻结规定 第十八条).
The date arithmetic itself is tested in ``test_deadlines.py``.
"""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cases.base import today
from cases.errors import NotFound, PermissionDenied, ValidationError
from cases.figures import Figure
from cases.ledger.operations import record_payment
from cases.register import schedule
from cases.register.keydates import KeyDateKind, add_key_date, key_dates, remove_key_date
from cases.register.operations import move_stage
from cases.register.stages import Stage
from cases.timeline.operations import log_event
from cases.users.models import Role
from tests.factories import valid_ric

pytestmark = pytest.mark.filterwarnings("ignore::cases.deadlines.HolidayDataMissing")

LIMITATION = "Limitation period ends"


def _deadlines(session, case) -> dict[str, list]:
    found: dict[str, list] = {}
    for d in schedule.case_deadlines(session, case):
        found.setdefault(d.label, []).append(d)
    return found


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL)


@pytest.fixture
def case(make_case, legal):
    person = {"kind": "person", "name": "张保证", "id_number": valid_ric(7)}
    guarantor = {"party": person, "kind": "joint"}
    return make_case(actor=legal, guarantors=[guarantor])


def test_limitation_and_guarantee_period_from_the_due_date(session, case):
    """Due 2025-06-30: three years (第一百八十八条) → 2028-06-30; six months (第六百九十二条)."""
    found = _deadlines(session, case)
    assert [d.due for d in found[LIMITATION]] == [date(2028, 6, 30)]
    assert found[LIMITATION][0].subject.startswith("HT-")
    assert [d.due for d in found["Guarantee period ends"]] == [date(2025, 12, 30)]
    assert found["Guarantee period ends"][0].subject == "张保证"


@pytest.mark.parametrize(
    ("kind", "on", "expected"),
    [
        # 诉讼时效规定 第八条: a demand that reached the debtor restarts the three years
        (KeyDateKind.DEMAND_DELIVERED, date(2026, 1, 5), date(2029, 1, 5)),
        # 第十六条 (acknowledgement) restarts it too
        (KeyDateKind.DEBTOR_ACKNOWLEDGED, date(2025, 9, 1), date(2028, 9, 1)),
    ],
)
def test_interruptions_restart_the_limitation(session, case, legal, kind, on, expected):
    add_key_date(session, legal, case, {"kind": kind, "on": on})
    assert [d.due for d in _deadlines(session, case)[LIMITATION]] == [expected]


def test_part_payment_and_promise_interrupt(session, case, legal, make_user):
    """A part payment (第十四条: the debtor agrees to pay) and a promise logged on the timeline.
    Money interrupts once confirmed: reported money waits for finance."""
    paid = {"received_on": date(2025, 9, 1), "amount": "10", "payer": "债务人"}
    record_payment(session, legal, case, paid)  # reported, pending
    assert [d.due for d in _deadlines(session, case)[LIMITATION]] == [date(2028, 6, 30)]
    record_payment(session, make_user(Role.FINANCE), case, {**paid, "amount": "11"})
    assert [d.due for d in _deadlines(session, case)[LIMITATION]] == [date(2028, 9, 1)]


def test_suit_filed_ends_the_limitation_line(session, case, legal):
    add_key_date(session, legal, case, {"kind": KeyDateKind.SUIT_FILED, "on": date(2025, 8, 1)})
    found = _deadlines(session, case)
    assert LIMITATION not in found
    assert "Guarantee period ends" not in found


@pytest.mark.parametrize(
    ("kind", "on", "label", "expected"),
    [
        # 民事诉讼法 第一百零四条: sue within 30 days of pre-suit preservation
        (
            KeyDateKind.PRESUIT_PRESERVATION,
            date(2026, 11, 2),
            "Last day to sue after pre-suit preservation",
            date(2026, 12, 2),
        ),
        # 第一百七十一条: 15 days to appeal a judgment
        (
            KeyDateKind.JUDGMENT_SERVED,
            date(2026, 11, 10),
            "Last day to appeal the judgment",
            date(2026, 11, 25),
        ),
        # 第二百五十条: two years to apply for enforcement
        (
            KeyDateKind.PERFORMANCE_DUE,
            date(2026, 3, 1),
            "Last day to apply for enforcement",
            date(2028, 3, 1),
        ),
        # 查封扣押冻结规定: deposits one year; renew seven days before (2027-01-10 → 01-01)
        (
            KeyDateKind.FREEZE_DEPOSIT,
            date(2026, 1, 10),
            "Apply to renew the freeze or seizure by",
            date(2027, 1, 1),
        ),
    ],
)
def test_court_deadlines_from_key_dates(session, case, legal, kind, on, label, expected):
    add_key_date(session, legal, case, {"kind": kind, "on": on, "note": "工行账户"})
    found = _deadlines(session, case)
    assert [d.due for d in found[label]] == [expected]
    assert isinstance(found[label][0].figure, Figure)
    assert found[label][0].figure.rule


@pytest.mark.parametrize(
    ("first", "answer"),
    [
        (KeyDateKind.PRESUIT_PRESERVATION, KeyDateKind.SUIT_FILED),
        (KeyDateKind.PERFORMANCE_DUE, KeyDateKind.ENFORCEMENT_APPLIED),
    ],
)
def test_an_answered_deadline_is_not_listed(session, case, legal, first, answer):
    add_key_date(session, legal, case, {"kind": first, "on": date(2026, 3, 1)})
    before = len(schedule.case_deadlines(session, case))
    add_key_date(session, legal, case, {"kind": answer, "on": date(2026, 3, 20)})
    labels = {d.label for d in schedule.case_deadlines(session, case)}
    assert "Last day to sue after pre-suit preservation" not in labels
    assert "Last day to apply for enforcement" not in labels
    assert before >= 1


def test_closed_case_has_no_deadlines(session, case, legal):
    move_stage(session, legal, case, "close", note="结案")
    assert case.stage == Stage.CLOSED
    assert schedule.case_deadlines(session, case) == []


def test_deadlines_are_sorted_soonest_first(session, case, legal):
    add_key_date(
        session, legal, case, {"kind": KeyDateKind.JUDGMENT_SERVED, "on": date(2026, 11, 10)}
    )
    dues = [d.due for d in schedule.case_deadlines(session, case)]
    assert dues == sorted(dues)


@pytest.mark.parametrize(
    ("days", "urgency"),
    [(-1, "passed"), (0, "urgent"), (7, "urgent"), (8, "soon"), (30, "soon"), (31, "ok")],
)
def test_urgency_thresholds(days, urgency):
    on = date(2026, 11, 23)
    d = schedule.Deadline("x", on + timedelta(days=days), Figure(None, ""))
    assert d.days_left(on) == days
    assert d.urgency(on) == urgency


def test_key_date_rules(session, case, legal, make_user, make_case):
    with pytest.raises(ValidationError) as exc:
        add_key_date(
            session,
            legal,
            case,
            {"kind": KeyDateKind.JUDGMENT_SERVED, "on": today() + timedelta(days=1)},
        )
    assert "on" in exc.value.errors
    with pytest.raises(PermissionDenied):
        add_key_date(
            session,
            make_user(Role.FINANCE),
            case,
            {"kind": KeyDateKind.JUDGMENT_SERVED, "on": date(2026, 1, 1)},
        )
    row = add_key_date(
        session, legal, case, {"kind": KeyDateKind.RULING_SERVED, "on": date(2026, 1, 1)}
    )
    other = make_case(actor=legal)
    with pytest.raises(NotFound):
        remove_key_date(session, legal, other, row.id)
    remove_key_date(session, legal, case, row.id)
    assert key_dates(session, case.id) == []


def test_promise_logged_interrupts(session, case, legal):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log_event(
            session,
            legal,
            case,
            {
                "kind": "contact",
                "occurred_at": "2025-11-15T10:00",
                "channel": "phone",
                "summary": "债务人承诺月底还款",
                "promised_amount": Decimal("5000"),
                "promised_date": "2025-11-30",
            },
        )
    assert [d.due for d in _deadlines(session, case)[LIMITATION]] == [date(2028, 11, 15)]


def test_litigation_stage_hides_limitation(session, case, legal):
    for action in ("accept", "send_letter"):
        move_stage(session, legal, case, action)
    assert LIMITATION in _deadlines(session, case)  # the letter stage still counts
    move_stage(session, legal, case, "sue")
    assert case.stage == Stage.LITIGATION
    assert LIMITATION not in _deadlines(session, case)
