"""The plans area's demo data (``cases/demo/extra_plans.py``): a plan of every kind and
promises kept, broken and open, all agreeing with the confirmed money on their cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from cases.base import today
from cases.demo import load_demo
from cases.ledger.models import CONFIRMED, Payment
from cases.plans.models import PlanStatus, Promise, PromiseStatus, RepaymentPlan
from cases.plans.queries import (
    INSTALLMENT_MISSED,
    PROMISE_BROKEN,
    open_alerts,
    plan_views,
    promise_views,
)

DEMO_CASES = 40


@pytest.fixture(scope="module")
def demo(engine) -> Iterator[Session]:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        load_demo(session, cases=DEMO_CASES)
        yield session
        session.close()
        outer.rollback()


def test_a_plan_of_every_kind(demo):
    plans = demo.exec(select(RepaymentPlan)).all()
    views = plan_views(demo, [p.case_id for p in plans], today())
    statuses = Counter(v.status for vs in views.values() for v in vs)
    assert statuses == {
        PlanStatus.ACTIVE: 1,
        PlanStatus.IN_DEFAULT: 1,
        PlanStatus.ACCELERATED: 1,
        PlanStatus.COMPLETED: 1,
    }
    for vs in views.values():
        for view in vs:
            paid = demo.exec(
                select(Payment.amount).where(
                    Payment.case_id == view.plan.case_id,
                    CONFIRMED,
                    Payment.received_on >= view.plan.signed_on,
                )
            ).all()
            assert view.standing.paid + view.standing.excess == sum(paid)
            if view.status == PlanStatus.COMPLETED:
                assert view.plan.waiver_approved_by_id is not None


def test_promises_kept_broken_and_open(demo):
    case_ids = set(demo.exec(select(Promise.case_id)).all())
    views = promise_views(demo, case_ids, today())
    statuses = Counter(v.status for vs in views.values() for v in vs)
    for status in (PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.OPEN):
        assert statuses[status] >= 1, status
    repeating = demo.exec(select(Promise).where(Promise.times == 4).order_by(Promise.seq)).all()
    assert [p.seq for p in repeating] == [1, 2, 3, 4]


def test_the_alerts_of_the_demo(demo):
    kinds = Counter(a.kind for a in open_alerts(demo))
    assert kinds[INSTALLMENT_MISSED] >= 2  # the plan in default and the accelerated one
    assert kinds[PROMISE_BROKEN] >= 1
