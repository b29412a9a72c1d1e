"""The demo data: realistic, deterministic, legal histories in the past, consistent totals.

The plan (pure values) is checked at the default size; the loaded data, which goes through
the domain operations, at 40 cases on each database, loaded once per module inside a
transaction that is rolled back afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from stdnum.cn import ric, uscc
from werkzeug.security import check_password_hash

from cases import ids
from cases.audit.models import AuditAction, AuditEntry
from cases.base import business_time, today, utcnow
from cases.demo import (
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    STAGE_WEIGHTS,
    load_demo,
    plan_cases,
    stage_quota,
)
from cases.errors import NotFound
from cases.ledger.models import Payment, PaymentStatus
from cases.parties.models import Creditor, Party, PartyKind
from cases.register import policies
from cases.register.aging import AgingBucket, bucket_for
from cases.register.models import Case, CaseGuarantor, Claim, Evidence
from cases.register.stages import TRANSITIONS, Stage
from cases.timeline.models import Event, EventKind
from cases.users.models import LawFirm, Role, User
from cases.writeoffs.models import WriteOffApplication, WriteOffStatus

DEMO_CASES = 40
ROOT = Path(__file__).resolve().parents[2]
PRE_ENGAGEMENT = (Stage.INTAKE, Stage.COLLECTION)
_APPROVED = WriteOffApplication.status == WriteOffStatus.APPROVED


# ---- the plan -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [9, 40, 240, 1000])
def test_stage_quota_gives_every_stage_its_share(count):
    quota = stage_quota(count)
    assert sum(quota.values()) == count
    assert set(quota) == set(Stage)
    assert min(quota.values()) >= 1
    total = sum(STAGE_WEIGHTS.values())
    if count >= 240:
        for stage, weight in STAGE_WEIGHTS.items():
            assert abs(quota[stage] - count * weight / total) < 1


def test_stage_quota_below_nine_cases_still_adds_up():
    assert sum(stage_quota(4).values()) == 4


def test_same_seed_same_plan_other_seed_other_plan():
    first, again, other = plan_cases(30, seed=7), plan_cases(30, seed=7), plan_cases(30, seed=8)
    assert first == again
    assert [p.payload["debtor"] for p in first] != [p.payload["debtor"] for p in other]


def test_plan_does_not_depend_on_the_interpreters_hash_seed():
    """No set or dict order leaks into the draws: other processes, other hash seeds, same plan."""
    script = (
        "import hashlib; from datetime import date; from cases.demo import plan_cases; "
        "print(hashlib.sha256(repr(plan_cases(60, last_day=date(2026, 6, 30)))"
        ".encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


@pytest.fixture(scope="module")
def default_plan():
    return plan_cases(240)


def _oldest_due(plan) -> date:
    return min(claim["due_date"] for claim in plan.payload["claims"])


def test_default_plan_fills_every_aging_bucket_within_five_years(default_plan):
    on = today()
    buckets = Counter(bucket_for(_oldest_due(p), on) for p in default_plan)
    assert set(buckets) == set(AgingBucket)
    assert min(_oldest_due(p) for p in default_plan) >= on - timedelta(days=5 * 365)


def test_default_plan_mixes_debtors_amounts_and_guarantees(default_plan):
    debtors = [p.payload["debtor"] for p in default_plan]
    kinds = Counter(d["kind"] for d in debtors)
    assert kinds["company"] > kinds["person"] >= 0.1 * len(debtors)
    shared = Counter(d.get("uscc") for d in debtors if d["kind"] == "company")
    assert max(shared.values()) >= 2, "some debtors owe on several cases"
    principals = [c["principal"] for p in default_plan for c in p.payload["claims"]]
    assert min(principals) >= 8_000
    assert max(principals) <= 30_000_000
    assert sum(x < 100_000 for x in principals) > 20
    assert sum(x > 5_000_000 for x in principals) > 10
    claims_per_case = Counter(len(p.payload["claims"]) for p in default_plan)
    assert set(claims_per_case) == {1, 2, 3}
    guaranteed = sum(bool(p.payload["guarantors"]) for p in default_plan) / len(default_plan)
    assert 0.2 <= guaranteed <= 0.4
    bank_claims = {
        c["kind"]
        for p in default_plan
        if p.creditor.startswith("bank")
        for c in p.payload["claims"]
    }
    assert bank_claims == {"loan"}


# ---- the loaded data ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(engine) -> Iterator[Session]:
    """40 demo cases loaded once per database, rolled back when the module is done."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        load_demo(session, cases=DEMO_CASES)
        yield session
        session.close()
        outer.rollback()


def _all(session: Session, model):
    return list(session.exec(select(model)))


def test_every_stage_and_every_role_is_present(demo):
    cases = _all(demo, Case)
    assert len(cases) == DEMO_CASES
    # the plan's stages, before the write-offs approved by the demo's approval workflow
    approved = set(demo.exec(select(WriteOffApplication.case_id).where(_APPROVED)))
    moves = demo.exec(select(Event).where(Event.kind == EventKind.STAGE_CHANGE)).all()
    before = {e.case_id: e.from_stage for e in moves if e.to_stage == Stage.WRITTEN_OFF}
    planned = [Stage(before[c.id]) if c.id in approved else c.stage for c in cases]
    assert Counter(planned) == stage_quota(DEMO_CASES)
    users = _all(demo, User)
    assert {u.role for u in users} == set(Role)
    assert Counter(u.role for u in users)[Role.LEGAL] == 3
    assert all(u.email.endswith("@" + EMAIL_DOMAIN) for u in users)
    assert all("\u4e00" <= u.name[0] <= "\u9fff" for u in users), "names are Chinese"


def test_demo_users_share_the_demo_password(demo):
    users = {u.email.split("@")[0]: u for u in _all(demo, User)}
    # (authenticate() would write last_login_at; the demo fixture is read only)
    for key in ("admin", "legal1", "counsel6"):
        assert check_password_hash(users[key].password_hash, DEMO_PASSWORD), key
    assert not check_password_hash(users["legal1"].password_hash, "wrong-password")


def test_creditors_form_a_bank_and_a_group_and_firms_have_two_lawyers(demo):
    creditors = {c.id: c for c in _all(demo, Creditor)}
    banks = [c for c in creditors.values() if c.is_bank]
    bank_hq = [c for c in banks if c.parent_id is None]
    assert len(bank_hq) == 1
    assert len([c for c in banks if c.parent_id == bank_hq[0].id]) == 2
    groups = [c for c in creditors.values() if not c.is_bank and c.parent_id is None]
    assert len(groups) == 1
    assert any(c.parent_id == groups[0].id for c in creditors.values())
    firms = _all(demo, LawFirm)
    assert len(firms) == 3
    counsel = Counter(u.firm_id for u in _all(demo, User) if u.role == Role.COUNSEL)
    assert counsel == {firm.id: 2 for firm in firms}


def test_every_identifier_passes_its_check_digit(demo):
    parties = _all(demo, Party)
    companies = [p for p in parties if p.kind == PartyKind.COMPANY]
    people = [p for p in parties if p.kind == PartyKind.PERSON]
    assert companies
    assert people
    codes = (
        [p.uscc for p in companies]
        + [c.uscc for c in _all(demo, Creditor)]
        + [f.uscc for f in _all(demo, LawFirm)]
    )
    for code in codes:
        assert ids.is_valid_uscc(code), code
        assert uscc.is_valid(code), code
    for person in people:
        number = person.id_number
        assert ids.is_valid_ric(number), number
        ric.get_birth_place(number)  # a real county code for the birth year
        assert 1960 <= ric.get_birth_date(number).year <= 2000, number


def test_nothing_is_dated_in_the_future_and_history_reaches_back(demo):
    """Every record of something that happened is in the past. Deadlines are not records:
    a promised payment date, or the due date of a debt transferred early, may lie ahead."""
    now, on = utcnow(), today()
    cases = _all(demo, Case)
    for case in cases:
        assert max(case.created_at, case.updated_at, case.last_activity_at) <= now
        assert case.transferred_on <= on
        assert case.closed_on is None or case.closed_on <= on
        assert business_time(case.created_at).date() == case.transferred_on
    for event in _all(demo, Event):
        assert event.occurred_at <= event.recorded_at <= now
    for payment in _all(demo, Payment):
        assert payment.received_on <= on
        assert payment.recorded_at <= now
    for claim in _all(demo, Claim):
        assert claim.signed_on <= on
        assert claim.created_at <= now
    assert all(e.received_on <= on for e in _all(demo, Evidence))
    assert all(u.created_at <= now for u in _all(demo, User))
    assert all(p.created_at <= now for p in _all(demo, Party))
    # Back-dated: the cases were transferred over years, not just now.
    years = {c.transferred_on.year for c in cases}
    assert len(years) >= 3
    assert sum(c.transferred_on < on - timedelta(days=365) for c in cases) >= DEMO_CASES // 4


def test_each_timeline_is_a_legal_history_in_order(demo):
    events = defaultdict(list)
    for event in demo.exec(select(Event).order_by(Event.occurred_at, Event.id)):
        events[event.case_id].append(event)
    for case in _all(demo, Case):
        timeline = events[case.id]
        assert timeline[0].occurred_at == case.created_at
        assert all(e.occurred_at >= case.created_at for e in timeline)
        assert case.last_activity_at >= timeline[-1].occurred_at
        moves = [e for e in timeline if e.kind == EventKind.STAGE_CHANGE]
        assert (moves[0].from_stage, moves[0].to_stage) == (None, Stage.INTAKE.value)
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.from_stage == before.to_stage
            assert Stage(after.to_stage) in {
                new for (old, _action), new in TRANSITIONS.items() if old == before.to_stage
            }, (case.number, before.to_stage, after.to_stage)
        assert moves[-1].to_stage == case.stage.value
        if case.stage == Stage.CLOSED:
            assert case.closed_on == business_time(moves[-1].occurred_at).date()
        assert case.number.startswith(f"QS-{case.transferred_on.year}-")


def test_totals_match_claims_and_payments(demo):
    claims = defaultdict(Decimal)
    for claim in _all(demo, Claim):
        claims[claim.case_id] += claim.principal
    paid = defaultdict(Decimal)
    for payment in _all(demo, Payment):
        if payment.status == PaymentStatus.CONFIRMED:  # reported money waits for finance
            paid[payment.case_id] += payment.amount
    cases = _all(demo, Case)
    for case in cases:
        assert case.claimed_principal == claims[case.id]
        assert case.recovered_amount == paid[case.id]
        assert case.recovered_amount <= case.claimed_principal
        assert case.oldest_due_date == min(
            c.due_date for c in _all(demo, Claim) if c.case_id == case.id
        )
        if case.stage == Stage.CLOSED:
            assert case.recovered_amount >= case.claimed_principal * Decimal("0.8")
        if case.stage == Stage.INTAKE:
            assert case.recovered_amount == 0
    assert sum(1 for c in cases if c.recovered_amount and c.stage != Stage.CLOSED) >= 5


def test_timeline_holds_contacts_with_promises_and_payments(demo):
    events = _all(demo, Event)
    contacts = [e for e in events if e.kind == EventKind.CONTACT]
    assert contacts
    assert all(e.channel is not None for e in contacts)
    promises = [e for e in events if e.promised_amount is not None]
    assert promises
    assert all(e.promised_date > business_time(e.occurred_at).date() for e in promises)
    payments = [e for e in events if e.kind == EventKind.PAYMENT]
    # one entry per payment recorded or reported, one more per decision on a report
    decided = [p for p in _all(demo, Payment) if p.recorded_by_id != p.confirmed_by_id]
    decided = [p for p in decided if p.status != PaymentStatus.PENDING]
    assert len(payments) == len(_all(demo, Payment)) + len(decided)
    assert len(_all(demo, CaseGuarantor)) >= 4
    assert len(_all(demo, Evidence)) >= 2 * DEMO_CASES


def test_counsel_see_only_their_own_firms_cases(demo):
    cases = _all(demo, Case)
    counsel = [u for u in _all(demo, User) if u.role == Role.COUNSEL]
    seen = set()
    for lawyer in counsel:
        visible = list(demo.exec(select(Case).where(policies.visible_filter(lawyer))))
        assert visible, f"{lawyer.email} has no cases"
        assert {c.firm_id for c in visible} == {lawyer.firm_id}
        seen.update(c.id for c in visible)
        other = next(c for c in cases if c.firm_id != lawyer.firm_id)
        with pytest.raises(NotFound):
            policies.get_visible_case(demo, lawyer, other.id)
    assert seen == {c.id for c in cases if c.firm_id is not None}
    # Whatever a lawyer logged is on a case of the lawyer's firm.
    firm_of = {u.id: u.firm_id for u in counsel}
    case_firm = {c.id: c.firm_id for c in cases}
    logged = [e for e in _all(demo, Event) if e.actor_id in firm_of]
    assert logged
    assert all(case_firm[e.case_id] == firm_of[e.actor_id] for e in logged)


def test_firms_are_engaged_mostly_from_the_lawyers_letter_on(demo):
    cases = _all(demo, Case)
    engaged = [c for c in cases if c.firm_id is not None]
    assert not any(c.firm_id for c in cases if c.stage == Stage.INTAKE)
    assert sum(c.stage not in PRE_ENGAGEMENT for c in engaged) >= 0.8 * len(engaged)
    later = [c for c in cases if c.stage in (Stage.LITIGATION, Stage.ENFORCEMENT)]
    assert sum(c.firm_id is not None for c in later) >= 0.7 * len(later)


def test_audit_trail_is_real_and_names_the_actor(demo):
    entries = _all(demo, AuditEntry)
    created = {(e.entity, e.entity_id): e for e in entries if e.action == AuditAction.CREATE}
    for case in _all(demo, Case):
        assert created[("case", case.id)].actor_id == case.created_by_id == case.handler_id
    for payment in _all(demo, Payment):
        assert created[("payment", payment.id)].actor_id == payment.recorded_by_id
    anonymous = {(e.entity, e.entity_id) for e in entries if e.actor_id is None}
    admin = demo.exec(select(User).where(User.role == Role.ADMIN)).one()
    assert anonymous == {("app_user", admin.id)}, "only the bootstrap administrator"
    firm_changes = [
        e
        for e in entries
        if e.entity == "case" and "firm_id" in e.changes and e.action == AuditAction.UPDATE
    ]
    assert firm_changes
    assert demo.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) > 20 * DEMO_CASES
