"""Firm scorecards on a hand-built world: known engagements, payments and dates → exact figures."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from cases.base import BUSINESS_TZ
from cases.engagements.models import Engagement, EngagementStatus, FeeKind
from cases.ledger.models import Payment, PaymentStatus
from cases.portal import scorecard as sc
from cases.portal.models import CaseMessage, Side
from cases.register.keydates import KeyDate, KeyDateKind
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import Role

ON = date(2026, 6, 30)
N = 30  # QS_FIRM_SILENT_DAYS


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), BUSINESS_TZ)


class World:
    def __init__(self, session, make_case, make_firm, make_user):
        self.session, self.make_case = session, make_case
        self.legal = make_user(Role.LEGAL)
        self.firm_a, self.firm_b, self.firm_c = (
            make_firm("甲律师事务所"),
            make_firm("乙律师事务所"),
            make_firm("丙律师事务所"),
        )
        self.counsel_a = make_user(Role.COUNSEL, firm=self.firm_a)
        self.counsel_b = make_user(Role.COUNSEL, firm=self.firm_b)
        session.info["actor_id"] = self.legal.id

    def engaged(self, firm, starts_on, claim, *, ends_on=None, status=None):
        case = self.make_case(actor=self.legal)
        status = status or (EngagementStatus.ENDED if ends_on else EngagementStatus.ACTIVE)
        engagement = Engagement(
            case_id=case.id,
            firm_id=firm.id,
            scope_litigation=True,
            starts_on=starts_on,
            ends_on=ends_on,
            claim_amount=Decimal(claim),
            fee_kind=FeeKind.FIXED,
            fee_terms={"amount": "0"},
            status=status,
        )
        self.session.add(engagement)
        if status == EngagementStatus.ACTIVE:
            case.firm_id = firm.id
        self.session.flush()
        return case

    def paid(self, case, on, amount, status=PaymentStatus.CONFIRMED):
        self.session.add(
            Payment(
                case_id=case.id,
                received_on=on,
                amount=Decimal(amount),
                payer="债务人",
                status=status,
                confirmed_at=at(on) if status == PaymentStatus.CONFIRMED else None,
            )
        )

    def key_date(self, case, kind, on, by=None):
        self.session.add(
            KeyDate(case_id=case.id, kind=kind, on=on, created_by_id=(by or self.legal).id)
        )

    def step(self, case, step, on, by=None, recorded=None):
        self.session.add(
            Event(
                case_id=case.id,
                kind=EventKind.PROGRESS,
                step=step,
                occurred_at=at(on),
                summary=step,
                actor_id=(by or self.legal).id,
                recorded_at=recorded or at(on),
            )
        )


@pytest.fixture
def world(session, make_case, make_firm, make_user):
    w = World(session, make_case, make_firm, make_user)
    a, b = w.firm_a, w.firm_b
    # 甲 E1: open; money before the engagement does not count, nor pending money
    w.c1 = w.engaged(a, date(2026, 1, 1), "100000")
    w.paid(w.c1, date(2025, 12, 20), "10000")
    w.paid(w.c1, date(2026, 3, 1), "20000")
    w.paid(w.c1, date(2026, 4, 1), "5000", PaymentStatus.PENDING)
    w.key_date(w.c1, KeyDateKind.JUDGMENT_SERVED, date(2026, 2, 15))  # 45 days
    w.key_date(w.c1, KeyDateKind.ENFORCEMENT_APPLIED, date(2026, 3, 20))
    w.paid(w.c1, date(2026, 4, 9), "30000")  # 20 days after the application
    # 甲 E2: ended on 31 March; steps instead of key dates; money after the end is not 甲's
    w.c2 = w.engaged(a, date(2026, 1, 10), "300000", ends_on=date(2026, 3, 31))
    w.step(w.c2, "judgment_served", date(2026, 3, 1))  # 50 days
    w.step(w.c2, "enforcement_applied", date(2026, 3, 5))
    w.paid(w.c2, date(2026, 3, 29), "60000")  # 24 days
    w.paid(w.c2, date(2026, 4, 15), "40000")
    # 甲 E3: open; a judgment before the engagement is not 甲's; enforcement without money yet
    w.c3 = w.engaged(a, date(2026, 2, 1), "100000")
    w.key_date(w.c3, KeyDateKind.JUDGMENT_SERVED, date(2026, 1, 15))
    w.key_date(w.c3, KeyDateKind.JUDGMENT_SERVED, date(2026, 4, 2))  # 60 days
    w.step(w.c3, "judgment_served", date(2026, 4, 20))  # later than the key date: ignored
    w.key_date(w.c3, KeyDateKind.ENFORCEMENT_APPLIED, date(2026, 5, 1))
    # 甲 E4: waiting for a cap override: never started, counts nowhere
    w.c4 = w.engaged(a, date(2026, 1, 1), "999999", status=EngagementStatus.AWAITING_OVERRIDE)
    w.paid(w.c4, date(2026, 2, 1), "99999")
    # 乙 E5: open, nothing happened
    w.c5 = w.engaged(b, date(2026, 5, 1), "200000")
    w.session.flush()
    return w


def cards(session, **kw):
    return {c.firm.name: c for c in sc.scorecards(session, on=ON, silent_days=N, **kw)}


def test_the_figures_of_each_firm(session, world):
    a, b, c = (cards(session)[name] for name in ("甲律师事务所", "乙律师事务所", "丙律师事务所"))

    assert a.open_cases == 2
    assert a.claim_engaged == Decimal("500000.00")
    assert a.recovered == Decimal("110000.00")  # 20,000 + 30,000 (E1) + 60,000 (E2)
    assert a.recovery_rate == Decimal("0.2200")
    assert (a.median_days_to_judgment, a.judgments) == (Decimal("50"), 3)  # 45, 50, 60
    assert (a.median_days_to_enforcement_money, a.enforcement_moneys) == (Decimal("22"), 2)

    assert (b.open_cases, b.recovered, b.recovery_rate) == (1, Decimal("0.00"), Decimal("0"))
    assert b.median_days_to_judgment is None
    assert b.median_days_to_enforcement_money is None
    assert (c.open_cases, c.claim_engaged, c.recovery_rate) == (0, Decimal("0.00"), None)
    assert (c.silent, c.silent_days) == (False, None)  # nothing engaged: nothing to report


def test_the_cases_of_a_firm(session, world):
    card = sc.scorecard(session, world.firm_a.id, on=ON, silent_days=N)
    by_case = {c.case_id: c for c in card.cases}

    assert set(by_case) == {world.c1.id, world.c2.id, world.c3.id}
    e1, e2, e3 = by_case[world.c1.id], by_case[world.c2.id], by_case[world.c3.id]
    assert (e1.recovered, e1.judgment_on, e1.enforcement_applied_on) == (
        Decimal("50000.00"),
        date(2026, 2, 15),
        date(2026, 3, 20),
    )
    assert (e1.first_money_after_enforcement, e1.days_to_enforcement_money) == (
        date(2026, 4, 9),
        20,
    )
    assert (e2.recovered, e2.judgment_on, e2.days_to_judgment, e2.is_open) == (
        Decimal("60000.00"),
        date(2026, 3, 1),
        50,
        False,
    )
    assert (e2.silent_days, e2.silent) == (None, False)  # ended: nothing to report
    assert (e3.judgment_on, e3.days_to_judgment, e3.days_to_enforcement_money) == (
        date(2026, 4, 2),
        60,
        None,
    )


def test_an_odd_count_takes_the_middle_value(session, world):
    world.paid(world.c3, date(2026, 5, 8), "1000")  # E3: 7 days after its application
    session.flush()
    a = cards(session)["甲律师事务所"]
    assert (a.median_days_to_enforcement_money, a.enforcement_moneys) == (Decimal("20"), 3)
    world.paid(world.c5, date(2026, 5, 2), "1")  # 乙 has no application: no change
    session.flush()
    assert cards(session)["乙律师事务所"].median_days_to_enforcement_money is None


def test_a_half_day_median(session, world):
    """Two values: the median is their mean, which can fall on half a day."""
    d = world.engaged(world.firm_b, date(2026, 1, 1), "100")
    world.key_date(d, KeyDateKind.JUDGMENT_SERVED, date(2026, 1, 11))  # 10
    world.key_date(world.c5, KeyDateKind.JUDGMENT_SERVED, date(2026, 5, 6))  # 5
    session.flush()
    assert cards(session)["乙律师事务所"].median_days_to_judgment == Decimal("7.5")


# ---- last update and silence ----------------------------------------------------------------


def test_silence_is_counted_from_the_later_of_last_update_and_oldest_open_start(session, world):
    a = cards(session)["甲律师事务所"]
    assert a.last_update is None  # only legal staff acted on 甲's cases
    assert a.last_update_days is None
    assert (a.silent_days, a.silent) == ((ON - date(2026, 1, 1)).days, True)
    b = cards(session)["乙律师事务所"]
    assert (b.silent_days, b.silent) == ((ON - date(2026, 5, 1)).days, True)


@pytest.mark.parametrize(
    ("days_ago", "silent"),
    [(N - 1, False), (N, True), (N + 1, True)],
    ids=["N-1-not-silent", "N-silent", "N+1-silent"],
)
def test_the_silent_flag_at_the_boundary(session, world, days_ago, silent):
    world.step(world.c5, "hearing", ON - timedelta(days=days_ago), by=world.counsel_b)
    session.flush()

    b = cards(session)["乙律师事务所"]
    assert (b.last_update_days, b.silent_days, b.silent) == (days_ago, days_ago, silent)
    (case,) = b.cases
    assert (case.silent_days, case.silent) == (days_ago, silent)


@pytest.mark.parametrize(
    ("days_engaged", "silent"),
    [(N - 1, False), (N, True)],
    ids=["engaged-N-1-days-ago", "engaged-N-days-ago"],
)
def test_a_new_engagement_has_time_to_report(session, world, days_engaged, silent):
    fresh = world.engaged(world.firm_c, ON - timedelta(days=days_engaged), "1000")
    session.flush()
    c = cards(session)["丙律师事务所"]
    assert (c.silent_days, c.silent) == (days_engaged, silent)
    assert c.cases[0].case_id == fresh.id


@pytest.mark.parametrize(
    ("stage", "status"),
    [("closed", "closed"), ("written_off", "closed"), ("litigation", "closed")],
    ids=["closed", "written-off", "status-closed"],
)
def test_a_closed_case_is_not_open_work(session, world, stage, status):
    """A live engagement on a closed case has nothing left to report: not open, never silent;
    its money still counts."""
    world.c5.stage, world.c5.status = stage, status
    world.paid(world.c5, date(2026, 5, 20), "50000")
    session.flush()
    b = cards(session)["乙律师事务所"]
    assert (b.open_cases, b.silent_days, b.silent) == (0, None, False)
    assert b.recovered == Decimal("50000.00")
    (case,) = b.cases
    assert (case.is_open, case.silent) == (False, False)


def _activity(world, source: str, case, who, when: datetime) -> None:
    s = world.session
    if source == "event":
        world.step(case, "hearing", when.date(), by=who, recorded=when)
    elif source == "file":
        s.add(
            Attachment(
                case_id=case.id,
                original_name="回执.pdf",
                stored_name=f"x-{when.timestamp()}-{who.id}",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by_id=who.id,
                uploaded_at=when,
            )
        )
    elif source == "key_date":
        s.add(
            KeyDate(
                case_id=case.id,
                kind=KeyDateKind.SUIT_FILED,
                on=when.date(),
                created_by_id=who.id,
                created_at=when,
            )
        )
    else:
        side = Side.FIRM if who.role == Role.COUNSEL else Side.LEGAL
        s.add(
            CaseMessage(
                case_id=case.id,
                firm_id=case.firm_id,
                author_id=who.id,
                side=side,
                body="进展",
                created_at=when,
                read_by_firm_at=when if side == Side.FIRM else None,
                read_by_legal_at=when if side == Side.LEGAL else None,
            )
        )
    s.flush()


@pytest.mark.parametrize("source", ["event", "file", "key_date", "message"])
def test_anything_the_firms_counsel_log_is_an_update(session, world, source):
    when = at(ON - timedelta(days=3))
    _activity(world, source, world.c3, world.legal, at(ON - timedelta(days=1)))  # not the firm
    _activity(world, source, world.c3, world.counsel_a, when)

    a = cards(session)["甲律师事务所"]
    assert (a.last_update, a.last_update_days, a.silent) == (when, 3, False)
    e3 = next(c for c in a.cases if c.case_id == world.c3.id)
    e1 = next(c for c in a.cases if c.case_id == world.c1.id)
    assert (e3.last_update, e3.silent) == (when, False)
    assert (e1.last_update, e1.silent) == (None, True)  # the other open case stays silent


# ---- fees -----------------------------------------------------------------------------------


def test_fee_per_yuan_recovered(session, world, monkeypatch):
    fees = {
        world.firm_a.id: sc.FeeFigures(Decimal("30000"), Decimal("25000"), Decimal("22000")),
    }
    monkeypatch.setattr(sc, "_fees", lambda _session, _ids: fees)
    found = cards(session)
    a, b = found["甲律师事务所"], found["乙律师事务所"]
    assert a.fees.paid == Decimal("22000")
    assert a.fee_per_yuan == Decimal("0.2000")  # 22,000 ÷ 110,000
    assert b.fees == sc.FeeFigures(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert b.fee_per_yuan is None  # nothing recovered


def test_without_fee_settlement_the_fees_are_unknown(session, world, monkeypatch):
    monkeypatch.setitem(sys.modules, "cases.settlement.queries", None)  # import fails
    a = cards(session)["甲律师事务所"]
    assert (a.fees, a.fee_per_yuan) == (None, None)


def test_one_firm_only(session, world):
    only = sc.scorecards(session, on=ON, silent_days=N, firm_ids=[world.firm_b.id])
    assert [c.firm.name for c in only] == ["乙律师事务所"]
    assert sc.scorecard(session, 10**9, on=ON, silent_days=N) is None
