"""The portal's demo data: typed steps by the engaged firm's counsel, with their key dates, and
message threads with something unread on each side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from cases.base import business_time, today, utcnow
from cases.demo.load import load_demo
from cases.engagements.models import Engagement
from cases.portal.models import CaseMessage, Side
from cases.portal.progress import STEP_NOTE
from cases.portal.scorecard import scorecards
from cases.register.keydates import KeyDate
from cases.register.models import Case
from cases.timeline.models import Event, EventKind
from cases.users.models import User


@pytest.fixture(scope="module")
def demo(engine) -> Iterator[Session]:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        load_demo(session, cases=120)
        yield session
        session.close()
        outer.rollback()


def test_steps_are_logged_by_the_engaged_firms_counsel_within_the_engagement(demo):
    steps = demo.exec(
        select(Event, User, Case)
        .join(User, User.id == Event.actor_id)
        .join(Case, Case.id == Event.case_id)
        .where(Event.kind == EventKind.PROGRESS, Event.court_case_no.is_not(None))
    ).all()
    assert {e.step for e, _, _ in steps} >= {"filing", "hearing", "enforcement_applied"}
    now = utcnow()
    for event, user, case in steps:
        engagement = demo.exec(
            select(Engagement).where(
                Engagement.case_id == case.id, Engagement.firm_id == case.firm_id
            )
        ).one()
        assert user.firm_id == case.firm_id
        assert engagement.starts_on <= business_time(event.occurred_at).date() < today()
        assert event.occurred_at == event.recorded_at <= now


def test_court_steps_recorded_their_key_dates(demo):
    filings = demo.exec(select(Event).where(Event.step == "filing")).all()
    assert filings
    for event in filings:
        day = business_time(event.occurred_at).date()
        key_date = demo.exec(
            select(KeyDate).where(
                KeyDate.case_id == event.case_id,
                KeyDate.kind == "suit_filed",
                KeyDate.on == day,
                KeyDate.note.startswith(STEP_NOTE),
            )
        ).one()
        assert key_date.created_at == event.occurred_at


def test_threads_have_something_unread_on_each_side(demo):
    messages = demo.exec(select(CaseMessage)).all()
    assert any(m.side == Side.LEGAL and m.read_by_firm_at is None for m in messages)
    assert any(m.side == Side.FIRM and m.read_by_legal_at is None for m in messages)
    assert any(m.read_by_firm_at and m.read_by_legal_at for m in messages)
    for m in messages:
        assert demo.get(Case, m.case_id).firm_id == m.firm_id
        assert m.created_at <= utcnow()


def test_every_firm_has_a_scorecard(demo):
    cards = scorecards(demo, on=today(), silent_days=30)
    assert len(cards) == 3
    assert sum(c.open_cases for c in cards) > 0
    assert any(c.recovered > 0 for c in cards)
