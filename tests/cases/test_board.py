"""The deadlines board (``cases.board``): who owns which deadline, the order, holiday rollover
shown, deadlines added by hand, and outcomes — a passed deadline stays flagged until someone
records what happened.

The rules the deadlines follow are tested in ``test_deadlines.py`` and ``test_schedule.py``;
here, what the board makes of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.board import operations, queries
from cases.board.models import CUSTOM, CaseDeadline, DeadlineOutcome, Outcome
from cases.board.queries import BoardFilter, board, open_rows
from cases.engagements.models import Engagement, EngagementStatus, FeeKind
from cases.errors import NotFound, PermissionDenied, ValidationError
from cases.register.keydates import KeyDateKind, add_key_date
from cases.users.models import Role

ON = date(2026, 11, 23)
LIMITATION = date(2028, 6, 30)  # the factory's claims fall due on 2025-06-30 (3 years)


def engage(session, case, firm, lead=None) -> Engagement:
    """A live engagement, as the engagements area makes them (``case.firm_id`` follows it)."""
    row = Engagement(
        case_id=case.id,
        firm_id=firm.id,
        lead_lawyer_id=lead.id if lead else None,
        scope_litigation=True,
        starts_on=date(2026, 1, 5),
        claim_amount=Decimal("120000.00"),
        fee_kind=FeeKind.FIXED,
        fee_terms={"amount": "30000"},
        status=EngagementStatus.ACTIVE,
    )
    case.firm_id = firm.id
    session.add(row)
    session.flush()
    return row


@pytest.fixture(name="cheap_passwords", autouse=True)
def cheap_passwords_fixture(monkeypatch):
    """Ten users per test: a fast hash instead of scrypt (nothing here checks passwords)."""
    monkeypatch.setattr("cases.users.operations.PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture(name="people")
def people_fixture(make_user, make_firm):
    firm, other_firm = make_firm(), make_firm()
    return {
        "firm": firm,
        "other_firm": other_firm,
        "legal": make_user(Role.LEGAL),
        "other_legal": make_user(Role.LEGAL),
        "lead": make_user(Role.COUNSEL, firm=firm),
        "colleague": make_user(Role.COUNSEL, firm=firm),
        "foreign": make_user(Role.COUNSEL, firm=other_firm),
        "admin": make_user(Role.ADMIN),
        "management": make_user(Role.MANAGEMENT),
        "finance": make_user(Role.FINANCE),
    }


@pytest.fixture(name="cases")
def cases_fixture(session, people, make_case):
    """A: handled by ``legal``, engaged to the firm with ``lead`` as lead lawyer.
    B: handled by ``other_legal``, the firm's, no lead lawyer named (and no engagement row).
    C: handled by ``other_legal``, engaged to the other firm without a lead lawyer."""
    p = people
    a = make_case(actor=p["legal"], handler_id=p["legal"].id)
    engage(session, a, p["firm"], p["lead"])
    b = make_case(actor=p["legal"], handler_id=p["other_legal"].id, firm=p["firm"])
    c = make_case(actor=p["legal"], handler_id=p["other_legal"].id)
    engage(session, c, p["other_firm"])
    session.commit()
    return {"A": a, "B": b, "C": c}


def seen(session, user, cases, filt=None) -> set[str]:
    names = {case.number: name for name, case in cases.items()}
    return {names[row.case.number] for row in open_rows(session, user, filt)}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("legal", {"A"}),  # the cases they handle
        ("other_legal", {"B", "C"}),
        ("lead", {"A", "B"}),  # lead lawyer of A; B names no lead lawyer
        ("colleague", {"B"}),  # A is the lead's
        ("foreign", {"C"}),  # only their own firm's, never A or B
        ("admin", {"A", "B", "C"}),
        ("management", {"A", "B", "C"}),
        ("finance", set()),  # none by default
    ],
)
def test_each_role_owns_its_deadlines(session, people, cases, who, expected):
    assert seen(session, people[who], cases) == expected


@pytest.mark.parametrize(
    ("who", "filt", "expected"),
    [
        ("finance", BoardFilter(handler="all"), {"A", "B", "C"}),
        ("finance", BoardFilter(firm_id=-1), {"A", "B"}),  # -1: the firm (set in the test)
        ("management", BoardFilter(handler=-2), {"B", "C"}),  # -2: other_legal
        ("legal", BoardFilter(handler="all"), {"A", "B", "C"}),
        # counsel cannot widen their view with a filter
        ("colleague", BoardFilter(handler="all"), {"B"}),
        ("foreign", BoardFilter(firm_id=-1), {"C"}),
    ],
)
def test_filters_by_handler_and_firm(session, people, cases, who, filt, expected):
    ids = {-1: people["firm"].id, -2: people["other_legal"].id}
    filt = BoardFilter(
        handler=ids.get(filt.handler, filt.handler) if filt.handler != "all" else "all",
        firm_id=ids.get(filt.firm_id, filt.firm_id),
    )
    assert seen(session, people[who], cases, filt) == expected


def test_a_lead_lawyer_who_left_leaves_the_case_to_the_whole_firm(session, people, cases):
    assert "A" not in seen(session, people["colleague"], cases)
    people["lead"].is_active = False
    session.flush()
    assert "A" in seen(session, people["colleague"], cases)


def test_the_owner_of_a_deadline_added_by_hand_sees_it(session, people, cases):
    """``legal`` does not handle C, but owns a hearing on it: only that row is theirs."""
    session.info["actor_id"] = people["other_legal"].id
    operations.add_deadline(
        session,
        people["other_legal"],
        cases["C"],
        {
            "title": "证据交换",
            "kind": "hearing",
            "due_on": "2026-12-01",
            "owner_id": people["legal"].id,
        },
    )
    rows = [r for r in open_rows(session, people["legal"]) if r.case.id == cases["C"].id]
    assert [(r.kind, r.title) for r in rows] == [(CUSTOM, "证据交换")]


def test_counsel_cannot_own_a_deadline_of_another_firms_case(session, people, cases):
    with pytest.raises(ValidationError) as exc:
        operations.add_deadline(
            session,
            people["legal"],
            cases["A"],
            {
                "title": "开庭",
                "kind": "hearing",
                "due_on": "2026-12-01",
                "owner_id": people["foreign"].id,
            },
        )
    assert "owner_id" in exc.value.errors


def test_only_deadline_managers_add_deadlines(session, people, cases):
    for role in ("finance", "management"):
        with pytest.raises(PermissionDenied):
            operations.add_deadline(
                session, people[role], cases["A"], {"title": "x", "due_on": "2026-12-01"}
            )


def test_a_deadline_of_another_case_is_not_found(session, people, cases):
    row = operations.add_deadline(
        session, people["legal"], cases["A"], {"title": "开庭", "due_on": "2026-12-01"}
    )
    with pytest.raises(NotFound):
        operations.update_deadline(
            session, people["legal"], cases["B"], row.id, {"title": "x", "due_on": "2026-12-02"}
        )


# ---- order ------------------------------------------------------------------------------------


def test_passed_first_then_by_days_left(session, people, cases):
    legal, case = people["legal"], cases["A"]
    for title, due in [
        ("举证期限届满", "2026-12-21"),  # a Monday
        ("开庭", "2026-11-25"),
        ("答辩期届满", "2026-10-20"),  # passed
        ("旧开庭", "2026-06-02"),  # passed longer ago
    ]:
        operations.add_deadline(
            session, legal, case, {"title": title, "kind": "other", "due_on": due}
        )
    result = board(session, legal, BoardFilter(horizon=None), ON, page_size=3)
    assert [r.title for r in result.rows] == ["旧开庭", "答辩期届满", "开庭"]
    assert [r.urgency(ON) for r in result.rows] == ["passed", "passed", "urgent"]
    assert result.counts == {"passed": 2, "urgent": 1, "soon": 1, "ok": 1}  # + the limitation
    assert (result.total, result.pages) == (5, 2)
    nxt = board(session, legal, BoardFilter(horizon=None, page=2), ON, page_size=3)
    assert [(r.title, r.due) for r in nxt.rows] == [
        ("举证期限届满", date(2026, 12, 21)),
        (None, LIMITATION),
    ]
    # within 30 days: the limitation (2028) is left for later, counted
    near = board(session, legal, BoardFilter(horizon=30), ON)
    assert (near.total, near.beyond) == (4, 1)


# ---- holiday rollover, shown ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "due", "original", "holiday"),
    [
        # 民事诉讼法 第85条: a period's last day on a holiday moves to the next working day
        ("evidence_period", date(2026, 10, 3), date(2026, 10, 8), date(2026, 10, 3), "国庆节"),
        ("defence_period", date(2026, 11, 28), date(2026, 11, 30), date(2026, 11, 28), None),
        ("court_set", date(2026, 10, 9), date(2026, 10, 9), None, None),  # a working day
        ("hearing", date(2026, 10, 3), date(2026, 10, 3), None, None),  # the date set
    ],
    ids=["evidence-national-day", "defence-weekend", "working-day", "hearing-not-moved"],
)
def test_deadlines_added_by_hand_roll_over_holidays(
    session, people, cases, kind, typed, due, original, holiday
):
    operations.add_deadline(
        session, people["legal"], cases["A"], {"title": "期限", "kind": kind, "due_on": typed}
    )
    (row,) = [r for r in queries.case_rows(session, cases["A"]) if r.custom]
    assert row.due == due
    found = (row.moved.original, row.moved.holiday) if row.moved else (None, None)
    assert found == (original, holiday)


@pytest.mark.parametrize(
    ("kind", "on", "label", "due", "original", "holiday", "earlier"),
    [
        # 民事诉讼法 第171条: 15 days from 2025-09-23 is 10-08, in the National Day holiday
        (
            KeyDateKind.JUDGMENT_SERVED,
            date(2025, 9, 23),
            "judgment",
            date(2025, 10, 9),
            date(2025, 10, 8),
            "国庆节",
            False,
        ),
        # 第104条: 30 days from 2025-09-01 is 10-01
        (
            KeyDateKind.PRESUIT_PRESERVATION,
            date(2025, 9, 1),
            "presuit_preservation",
            date(2025, 10, 9),
            date(2025, 10, 1),
            "国庆节",
            False,
        ),
        # 财产保全规定 第18条: apply 7 days before a deposit freeze lapses (2026-05-10 → 05-03,
        # 劳动节), moved *earlier* to the working day before
        (
            KeyDateKind.FREEZE_DEPOSIT,
            date(2025, 5, 10),
            "freeze_renewal",
            date(2026, 4, 30),
            date(2026, 5, 3),
            "劳动节",
            True,
        ),
    ],
    ids=["appeal", "presuit-preservation", "freeze-renewal"],
)
def test_computed_deadlines_show_the_original_date_and_the_holiday(
    session, people, cases, kind, on, label, due, original, holiday, earlier
):
    add_key_date(session, people["legal"], cases["A"], {"kind": kind, "on": on})
    rows = {r.kind: r for r in queries.case_rows(session, cases["A"])}
    row = rows[label]
    assert row.due == due
    assert (row.moved.original, row.moved.holiday, row.moved.earlier) == (
        original,
        holiday,
        earlier,
    )
    if label == "freeze_renewal":
        assert row.expires_on == date(2026, 5, 10)  # the measure lapses (not moved)


def test_a_restarted_limitation_rolled_into_an_unpublished_year_says_so(session, people, cases):
    """Demand delivered 2025-10-01: three years end on Sunday 2028-10-01 → Monday 10-02; 2028's
    holiday schedule is not published yet, so only the weekend is known."""
    add_key_date(
        session,
        people["legal"],
        cases["A"],
        {"kind": KeyDateKind.DEMAND_DELIVERED, "on": date(2025, 10, 1)},
    )
    (row,) = [r for r in queries.case_rows(session, cases["A"]) if r.kind == "limitation"]
    assert row.due == date(2028, 10, 2)
    assert (row.moved.original, row.moved.holiday, row.moved.unpublished) == (
        date(2028, 10, 1),
        None,
        True,
    )


# ---- a deadline cannot silently pass -----------------------------------------------------------


def test_a_passed_deadline_stays_flagged_until_an_outcome_is_recorded(session, people, cases):
    legal, case = people["legal"], cases["A"]
    add_key_date(
        session, legal, case, {"kind": KeyDateKind.JUDGMENT_SERVED, "on": date(2025, 9, 23)}
    )
    appeal = next(r for r in open_rows(session, legal) if r.kind == "judgment")
    assert appeal.flagged(ON)
    # a year later it is still there, still flagged
    later = next(r for r in open_rows(session, legal) if r.kind == "judgment")
    assert later.flagged(date(2027, 11, 23))
    outcome = operations.record_outcome(
        session,
        legal,
        case,
        {
            "deadline_kind": "judgment",
            "due_on": "2025-10-09",
            "outcome": "acted",
            "note": "2025-10-08 已提交上诉状",
        },
    )
    assert (outcome.recorded_by_id, outcome.case_deadline_id, outcome.subject) == (
        legal.id,
        None,
        "",
    )
    assert "judgment" not in {r.kind for r in open_rows(session, legal)}
    row = next(r for r in queries.case_rows(session, case) if r.kind == "judgment")
    assert row.resolved
    assert not row.flagged(ON)
    assert row.outcome.outcome == Outcome.ACTED


def test_an_outcome_for_a_deadline_added_by_hand_marks_it_done(session, people, cases):
    legal, case = people["legal"], cases["A"]
    hearing = operations.add_deadline(
        session, legal, case, {"title": "开庭", "kind": "hearing", "due_on": "2026-11-02"}
    )
    assert any(r.custom is hearing and r.flagged(ON) for r in open_rows(session, legal))
    operations.record_outcome(
        session,
        legal,
        case,
        {
            "deadline_kind": CUSTOM,
            "due_on": "2026-11-02",
            "case_deadline_id": hearing.id,
            "outcome": "not_needed",
            "note": "法院通知延期开庭",
        },
    )
    assert hearing.done
    assert not any(r.custom is hearing for r in open_rows(session, legal))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        # not a deadline of the case (the appeal is due 2025-10-09, not 10-08)
        ({"deadline_kind": "judgment", "due_on": "2025-10-08"}, "__all__"),
        ({"deadline_kind": "limitation", "due_on": "2028-06-30"}, "__all__"),  # wrong subject
        ({"deadline_kind": "judgment", "due_on": "2025-10-09", "note": "x"}, "note"),
        ({"deadline_kind": "judgment", "due_on": "2025-10-09", "outcome": "forgot"}, "outcome"),
    ],
    ids=["wrong-date", "wrong-subject", "note-too-short", "unknown-outcome"],
)
def test_a_bad_outcome_is_refused(session, people, cases, data, field):
    legal, case = people["legal"], cases["A"]
    add_key_date(
        session, legal, case, {"kind": KeyDateKind.JUDGMENT_SERVED, "on": date(2025, 9, 23)}
    )
    payload = {"outcome": "missed", "note": "未上诉", **data}
    with pytest.raises(ValidationError) as exc:
        operations.record_outcome(session, legal, case, payload)
    assert field in exc.value.errors
    assert session.exec(select(DeadlineOutcome)).all() == []


def test_an_outcome_is_recorded_once(session, people, cases):
    legal, case = people["legal"], cases["A"]
    subject = next(r.subject for r in queries.case_rows(session, case) if r.kind == "limitation")
    data = {"deadline_kind": "limitation", "due_on": LIMITATION, "subject": subject}
    data |= {"outcome": "acted", "note": "已起诉"}
    operations.record_outcome(session, legal, case, data)
    with pytest.raises(ValidationError):
        operations.record_outcome(session, legal, case, data)


def test_finance_and_management_do_not_record_outcomes(session, people, cases):
    for role in ("finance", "management"):
        with pytest.raises(PermissionDenied):
            operations.record_outcome(session, people[role], cases["A"], {})


def test_editing_a_deadline_added_by_hand(session, people, cases):
    legal, case = people["legal"], cases["A"]
    row = operations.add_deadline(session, legal, case, {"title": "开庭", "due_on": "2026-12-01"})
    assert (row.owner_id, row.kind.value, row.done) == (legal.id, "other", False)
    operations.update_deadline(
        session,
        legal,
        case,
        row.id,
        {
            "title": "二次开庭",
            "kind": "hearing",
            "due_on": "2026-12-08",
            "done": True,
            "owner_id": None,
        },
    )
    stored = session.get(CaseDeadline, row.id)
    assert (stored.title, stored.due_on, stored.done, stored.owner_id) == (
        "二次开庭",
        date(2026, 12, 8),
        True,
        None,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "due_on": "2026-12-01"}, "title"),
        ({"title": "开庭", "due_on": "1999-12-31"}, "due_on"),
        ({"title": "开庭", "due_on": "2026-13-01"}, "due_on"),
        ({"title": "开庭", "due_on": "2026-12-01", "kind": "party"}, "kind"),
    ],
)
def test_a_bad_deadline_is_refused(session, people, cases, data, field):
    with pytest.raises(ValidationError) as exc:
        operations.add_deadline(session, people["legal"], cases["A"], data)
    assert field in exc.value.errors
