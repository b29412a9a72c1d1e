"""The rates of seed 004 (《关于客户欠款管理办法》六(一)2–4) against hand-worked periods.

The book (principal; "paid" is confirmed money by date received):

    C1  100,000 signed 2024-10-01 due 2025-01-15; paid 20,000 on 02-10, 30,000 on 03-20;
        10,000 reported 03-25 (pending) and 5,000 (rejected) never count
    C2   50,000 signed 2025-01-01 due 2025-03-10 + 40,000 signed 2025-02-01 due 2025-05-31;
        paid 10,000 on 03-31
    C3   60,000 signed 2024-06-01 due 2024-12-31; paid 6,000 on 02-01 (confirmed then);
        written off on 2025-03-15 for 57,210.50 (54,000 principal left + 3,210.50 interest
        claimed); 1,000 received 03-28 afterwards
    C4   30,000 signed 2025-04-01 due 2025-04-30: not yet a receivable in March
    C5   20,000 signed 2024-01-01 due 2024-06-30; written off on 2025-02-20 for 21,600.00

A write-off is an approved application (``WriteOffApplication``): its ``written_off_on``
business date takes the case off the books, its ``amount`` is what was written off.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from cases.base import BUSINESS_TZ
from cases.ledger.models import Payment, PaymentStatus
from cases.register.models import Case, Claim
from cases.register.operations import move_stage
from cases.register.stages import Action, Stage
from cases.reports import periods, rates
from cases.reports.dimensions import Dimension
from cases.reports.rates import percent
from cases.timeline.models import Event, EventKind
from cases.users.models import Role, User
from cases.writeoffs import operations as ops
from cases.writeoffs.models import Decision, WriteOffApplication, WriteOffStatus
from cases.writeoffs.reasons import Regime, WriteOffReason
from tests.cases.test_writeoffs import draft
from tests.factories import add_payment, claim_in

D = Decimal
MARCH = periods.containing("month", date(2025, 3, 1))
Q1 = periods.containing("quarter", date(2025, 2, 1))
Y2024 = periods.containing("year", date(2024, 5, 1))
NOTHING = periods.between(date(2020, 1, 1), date(2020, 12, 31))


def _application(session, case, status, *, on=None, amount="1000.00"):
    """A write-off application of ``case`` in ``status``; approved: written off ``on``."""
    approved = status == WriteOffStatus.APPROVED
    at = datetime.combine(on or date(2025, 3, 1), time(10), BUSINESS_TZ)
    row = WriteOffApplication(
        case_id=case.id,
        reason=WriteOffReason.ENFORCEMENT_TERMINATED,
        regime=Regime.ENTERPRISE,
        reason_detail="法院已裁定终结本次执行程序",
        status=status,
        amount=D(amount),
        computed_amount=D(amount),
        computed_on=on or date(2025, 3, 1),
        applicant_id=case.created_by_id,
        round_no=1,
        submitted_at=None if status == WriteOffStatus.DRAFT else at,
        decided_at=at if approved else None,
        written_off_on=on if approved else None,
    )
    session.add(row)
    return row


def _write_off(session, case, on, amount, *, approved_on=None):
    """Approved (on ``approved_on``, default ``on``): written off ``on`` for ``amount``, the
    case moved to 已核销 with its timeline entry, as ``decide`` does."""
    _application(session, case, WriteOffStatus.APPROVED, on=on, amount=amount)
    case.stage = Stage.WRITTEN_OFF
    session.add(
        Event(
            case_id=case.id,
            kind=EventKind.STAGE_CHANGE,
            occurred_at=datetime.combine(approved_on or on, time(10), BUSINESS_TZ),
            summary="核销",
            from_stage=Stage.ENFORCEMENT.value,
            to_stage=Stage.WRITTEN_OFF.value,
        )
    )


@pytest.fixture
def book(session, make_case):
    c1 = make_case(claims=[claim_in("100000.00", "2025-01-15", "2024-10-01")])
    add_payment(session, c1, "20000.00", date(2025, 2, 10))
    add_payment(session, c1, "30000.00", date(2025, 3, 20))
    add_payment(session, c1, "10000.00", date(2025, 3, 25), PaymentStatus.PENDING)
    add_payment(session, c1, "5000.00", date(2025, 3, 26), PaymentStatus.REJECTED)
    c2 = make_case(
        claims=[
            claim_in("50000.00", "2025-03-10", "2025-01-01"),
            claim_in("40000.00", "2025-05-31", "2025-02-01"),
        ]
    )
    add_payment(session, c2, "10000.00", date(2025, 3, 31))
    c3 = make_case(claims=[claim_in("60000.00", "2024-12-31", "2024-06-01")])
    add_payment(session, c3, "6000.00", date(2025, 2, 1))
    _write_off(session, c3, date(2025, 3, 15), "57210.50")
    add_payment(session, c3, "1000.00", date(2025, 3, 28))  # recovery of written-off debt
    make_case(claims=[claim_in("30000.00", "2025-04-30", "2025-04-01")])
    c5 = make_case(claims=[claim_in("20000.00", "2024-06-30", "2024-01-01")])
    _write_off(session, c5, date(2025, 2, 20), "21600.00")
    session.flush()


# (period, numerator, denominator, percent): each worked by hand from the book above
RECOVERY = [
    # due: C1 100,000−20,000 + C2 50,000 + C3 60,000−6,000 (C5 gone before 1 March) = 184,000
    # collected in March: C1 30,000 + C2 10,000 + C3 1,000 = 41,000 → 22.2826…%
    pytest.param(MARCH, "41000.00", "184000.00", "22.28", id="seed004-6.1.2-march"),
    # due: C1 100,000 + C2 50,000 + C3 60,000 + C5 20,000 = 230,000 (nothing paid before)
    # collected: 20,000 + 30,000 + 10,000 + 6,000 + 1,000 = 67,000 → 29.1304…%
    pytest.param(Q1, "67000.00", "230000.00", "29.13", id="seed004-6.1.2-q1"),
    # due in 2024: C3 60,000 (due on 31 December itself) + C5 20,000; nothing collected
    pytest.param(Y2024, "0.00", "80000.00", "0.00", id="seed004-6.1.2-2024"),
    pytest.param(NOTHING, "0.00", "0.00", None, id="seed004-6.1.2-nothing-due"),
]
OVERDUE = [
    # receivables at 31 March: C1 100,000−50,000 + C2 90,000−10,000 (C3, C5 written off,
    # C4 signed in April) = 130,000; overdue: C1 50,000 + C2 50,000−10,000 = 90,000 → 69.2307…%
    pytest.param(MARCH, "90000.00", "130000.00", "69.23", id="seed004-6.1.3-march"),
    pytest.param(Q1, "90000.00", "130000.00", "69.23", id="seed004-6.1.3-q1"),
    # at 31 Dec 2024: C1 100,000 (not yet due) + C3 60,000 (due that day) + C5 20,000
    # = 180,000; overdue C3 + C5 = 80,000 → 44.444…%
    pytest.param(Y2024, "80000.00", "180000.00", "44.44", id="seed004-6.1.3-2024"),
]
BAD_DEBT = [
    # written off in March: C3's approved amount 57,210.50 → 57,210.50 / 130,000 = 44.0080…%
    pytest.param(MARCH, "57210.50", "130000.00", "44.01", id="seed004-6.1.4-march"),
    # Q1 adds C5's 21,600.00 (written off in February) = 78,810.50 → 60.6234…%
    pytest.param(Q1, "78810.50", "130000.00", "60.62", id="seed004-6.1.4-q1"),
    pytest.param(Y2024, "0.00", "180000.00", "0.00", id="seed004-6.1.4-2024"),
]


def _check(figure, period, numerator, denominator, expected, rule):
    assert figure.inputs == {
        "start": period.start,
        "end": period.end,
        "numerator": D(numerator),
        "denominator": D(denominator),
    }
    assert figure.value == (None if expected is None else D(expected))
    assert figure.rule == rule
    assert bool(figure.warnings) == (expected is None)
    assert figure.as_dict()["inputs"]["numerator"] == numerator


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("period", "numerator", "denominator", "expected"), RECOVERY)
def test_recovery_rate(session, period, numerator, denominator, expected):
    figure = rates.recovery_rate(session, period)
    _check(figure, period, numerator, denominator, expected, rates.RECOVERY_RULE)


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("period", "numerator", "denominator", "expected"), OVERDUE)
def test_overdue_rate(session, period, numerator, denominator, expected):
    figure = rates.overdue_rate(session, period)
    _check(figure, period, numerator, denominator, expected, rates.OVERDUE_RULE)


@pytest.mark.usefixtures("book")
@pytest.mark.parametrize(("period", "numerator", "denominator", "expected"), BAD_DEBT)
def test_bad_debt_rate(session, period, numerator, denominator, expected):
    figure = rates.bad_debt_rate(session, period)
    _check(figure, period, numerator, denominator, expected, rates.BAD_DEBT_RULE)


@pytest.mark.usefixtures("book")
def test_all_three_rates_of_a_period(session):
    found = rates.rates(session, MARCH)
    assert {k: f.value for k, f in found.items()} == {
        "recovery": D("22.28"),
        "overdue": D("69.23"),
        "bad_debt": D("44.01"),
    }


@pytest.mark.parametrize(
    ("at", "month"),
    [
        # 15:30 UTC on 31 March: still 31 March in Beijing
        pytest.param(datetime(2025, 3, 31, 23, 30, tzinfo=BUSINESS_TZ), 3, id="2330-31-march"),
        # 16:30 UTC on 31 March, but already 1 April in Beijing
        pytest.param(datetime(2025, 4, 1, 0, 30, tzinfo=BUSINESS_TZ), 4, id="0030-1-april"),
    ],
)
def test_an_approval_counts_in_its_beijing_month(session, make_case, make_user, at, month):
    """Through the real approval chain: the write-off date is the business date of the last
    approval, and the amount is the application's."""
    case = make_case(claims=[claim_in("8000.00", "2024-06-30", "2024-01-01")])
    legal = session.get(User, case.created_by_id)
    finance, boss = make_user(Role.FINANCE), make_user(Role.MANAGEMENT)
    session.info["actor_id"] = legal.id
    move_stage(session, legal, case, Action.ACCEPT)
    move_stage(session, legal, case, Action.SUE)
    with time_machine.travel(at, tick=False):
        application = ops.create_application(session, legal, case, draft(session, case))
        ops.submit(session, legal, application)
        session.info["actor_id"] = finance.id
        ops.decide(session, finance, application, Decision.APPROVE)
        session.info["actor_id"] = boss.id
        ops.decide(session, boss, application, Decision.APPROVE)
    assert application.written_off_on == at.date()
    assert application.amount > D("8000.00")  # principal and the interest claimed
    for m in (3, 4):
        period = periods.containing("month", date(2025, m, 1))
        expected = application.amount if m == month else D("0.00")
        assert rates.written_off(session, period) == expected
    # on the books at the end of the month before its write-off only
    end_of_march = rates.receivables_at_end(session, MARCH)
    assert end_of_march == ((D("8000.00"),) * 2 if month == 4 else (D("0.00"),) * 2)


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(s, id=s.value)
        for s in WriteOffStatus
        if s != WriteOffStatus.APPROVED  # draft, submitted, in review, returned, withdrawn
    ],
)
def test_only_an_approved_application_writes_off(session, make_case, status):
    """seed 004 六(一)4: an application not (yet) approved writes nothing off, and its case
    stays receivable; the stage alone (no approved application) does not count either."""
    pending = make_case(claims=[claim_in("10000.00", "2024-06-30", "2024-01-01")])
    _application(session, pending, status, amount="10500.00")
    by_stage = make_case(claims=[claim_in("5000.00", "2024-06-30", "2024-01-01")])
    by_stage.stage = Stage.WRITTEN_OFF  # e.g. moved there outside the approval workflow
    session.flush()
    assert rates.written_off(session, MARCH) == D("0.00")
    assert rates.receivables_at_end(session, MARCH) == (D("15000.00"), D("15000.00"))
    due, _ = rates.due_and_collected(session, MARCH)
    assert due == D("15000.00")


def test_the_write_off_day_follows_the_application_not_the_timeline(session, make_case):
    """Approved on 2 April for a write-off dated 31 March (``decide(on=...)``): March's
    write-off, off the books at the end of March, although the timeline's stage change is in
    April; a case approved on 31 March with a write-off dated 1 April is April's."""
    march = make_case(claims=[claim_in("7000.00", "2024-06-30", "2024-01-01")])
    april = make_case(claims=[claim_in("3000.00", "2024-06-30", "2024-01-01")])
    _write_off(session, march, date(2025, 3, 31), "7350.00", approved_on=date(2025, 4, 2))
    _write_off(session, april, date(2025, 4, 1), "3100.00", approved_on=date(2025, 3, 31))
    session.flush()
    assert rates.written_off(session, MARCH) == D("7350.00")
    assert rates.written_off(session, periods.containing("month", date(2025, 4, 1))) == D("3100.00")
    # at the end of March only the case written off in April is still receivable
    assert rates.receivables_at_end(session, MARCH) == (D("3000.00"), D("3000.00"))
    # due in April: written off before 1 April is gone, on 1 April itself still there
    due, _ = rates.due_and_collected(session, periods.containing("month", date(2025, 4, 1)))
    assert due == D("3000.00")


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        # 1 / 160 = 0.625%: half-up 0.63 (the banker's rounding gives 0.62)
        pytest.param("1", "160", "0.63", id="tie-rounds-up"),
        pytest.param("1", "3", "33.33", id="third"),
        pytest.param("2", "3", "66.67", id="two-thirds"),
        pytest.param("150", "100", "150.00", id="more-than-due"),
        pytest.param("5", "0", None, id="no-denominator"),
    ],
)
def test_percent_is_rounded_once_half_up(part, whole, expected):
    assert percent(D(part), D(whole)) == (None if expected is None else D(expected))


# ---- the fast reading against a case-by-case one ----------------------------------------------


def _reference(session, period, key=None):
    """The module docstring's amounts read case by case in Python from the rows themselves:
    {key: (due, collected, receivable, overdue)}; ``key(case)`` groups (None: one group)."""
    s, e = period.start, period.end
    gone_before, gone_by = set(), set()
    for app in session.exec(sa.select(WriteOffApplication)).scalars():
        if app.status == WriteOffStatus.APPROVED:
            if app.written_off_on < s:
                gone_before.add(app.case_id)
            if app.written_off_on <= e:
                gone_by.add(app.case_id)
    claims: dict[int, list[Claim]] = {}
    for claim in session.exec(sa.select(Claim)).scalars():
        claims.setdefault(claim.case_id, []).append(claim)
    paid: dict[int, list[Payment]] = {}
    for payment in session.exec(sa.select(Payment)).scalars():
        if payment.status == PaymentStatus.CONFIRMED:
            paid.setdefault(payment.case_id, []).append(payment)
    out: dict = {}
    for case in session.exec(sa.select(Case)).scalars():
        row = out.setdefault(None if key is None else key(case), [D("0.00")] * 4)
        mine, money_in = claims.get(case.id, []), paid.get(case.id, [])
        due_e = sum((c.principal for c in mine if c.due_date <= e), D(0))
        if case.id not in gone_before and any(c.due_date <= e for c in mine):
            before = sum((p.amount for p in money_in if p.received_on < s), D(0))
            row[0] += max(due_e - before, D(0))
            row[1] += sum((p.amount for p in money_in if s <= p.received_on <= e), D(0))
        if case.id not in gone_by and mine:
            arisen = sum(
                (
                    c.principal
                    for c in mine
                    if (c.signed_on is not None and c.signed_on <= e)
                    or (c.signed_on is None and c.due_date <= e)
                ),
                D(0),
            )
            by_end = sum((p.amount for p in money_in if p.received_on <= e), D(0))
            row[2] += max(arisen - by_end, D(0))
            row[3] += max(due_e - by_end, D(0))
    return {k: tuple(v) for k, v in out.items()}


def _some_day(rng):
    """A day from 2023 to 2026; four times in ten the first or last day of a month, where
    the periods begin and end."""
    if rng.random() < 0.4:
        first = date(rng.randrange(2023, 2027), rng.randrange(1, 13), 1)
        return first if rng.random() < 0.5 else first - timedelta(days=1)
    return date(2023, 1, 1) + timedelta(days=rng.randrange(1400))


@pytest.fixture
def random_book(session, make_case, make_user, make_creditor):
    """40 cases drawn at random (the same every run): 1–3 claims signed or not, due from 2023
    to 2026; 0–6 payments of every status, some cases paid beyond their principal; write-offs
    approved on various days and applications still in the works — many of these days on
    the first or last day of a month; three creditor entities in two trees and two
    handlers."""
    rng = random.Random(2026)
    bank = make_creditor()
    branch = make_creditor(parent_id=bank.id)
    group = make_creditor()
    handlers = [make_user(Role.LEGAL), make_user(Role.LEGAL)]
    for _ in range(40):
        claims = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            due = _some_day(rng)
            signed = due - timedelta(days=rng.randrange(400)) if rng.random() < 0.7 else None
            if signed is not None and signed > date(2026, 6, 1):
                signed = None  # not in the future
            amount = D(rng.randrange(100, 10_000_000)) / 100
            claims.append(claim_in(amount, due, signed))
        handler = rng.choice([*handlers, None])
        case = make_case(
            claims=claims,
            creditor=rng.choice((bank, branch, group)),
            handler_id=handler.id if handler else None,
        )
        principal = sum(D(c["principal"]) for c in claims)
        total = principal * D(rng.choice(("0.3", "0.9", "1", "1.4", "1.6")))  # some beyond it
        count = rng.randrange(7)
        for _ in range(count):
            on = min(_some_day(rng), date(2026, 11, 1))
            amount = max((total / count).quantize(D("0.01")), D("0.01"))
            status = rng.choices(list(PaymentStatus), weights=(1, 8, 1))[0]
            add_payment(session, case, amount, on, status)
        roll = rng.random()
        if roll < 0.25:
            _write_off(session, case, _some_day(rng), "1234.56")
        elif roll < 0.35:
            status = rng.choice((WriteOffStatus.SUBMITTED, WriteOffStatus.REJECTED))
            _application(session, case, status)
    session.flush()
    return {"bank": bank, "branch": branch, "group": group}


PERIODS = [
    periods.containing("week", date(2025, 3, 12)),
    *(periods.containing("month", date(2025, m, 1)) for m in (1, 2, 6, 12)),
    periods.containing("month", date(2026, 11, 1)),
    *(periods.containing("quarter", date(y, 5, 1)) for y in (2024, 2026)),
    *(periods.containing("year", date(y, 1, 1)) for y in (2022, 2023, 2024, 2025, 2026, 2027)),
    periods.between(date(2023, 7, 15), date(2026, 2, 14)),
]


@pytest.mark.usefixtures("random_book")
@pytest.mark.parametrize("recent", [None, True, False], ids=["chosen", "from-S-on", "up-to-E"])
def test_the_fast_reading_equals_a_case_by_case_one(session, recent):
    """Every period, reading the payments from S on or up to E (or as ``amounts`` chooses):
    the same four amounts as reading each case's claims and payments, with the cases written
    off, overpaid and with claims still to fall due in the mix."""
    for period in PERIODS:
        due, collected, receivable, overdue = _reference(session, period)[None]
        found = rates.amounts_by(session, period, recent=recent)[None]
        assert found == rates.Amounts(due, collected, receivable, overdue), period
        if recent is None:
            assert rates.due_and_collected(session, period) == (due, collected)
            assert rates.receivables_at_end(session, period) == (receivable, overdue)


@pytest.mark.parametrize("dimension", list(Dimension))
def test_due_and_collected_per_group(session, random_book, dimension):
    """Per creditor (the top of the tree), branch, handler and firm: the case-by-case amounts
    of each group; the groups add up to the whole book."""
    top = {c.id: (c.parent_id or c.id) for c in random_book.values()}
    key = {
        Dimension.CREDITOR: lambda case: top[case.creditor_id],
        Dimension.BRANCH: lambda case: case.creditor_id,
        Dimension.HANDLER: lambda case: case.handler_id,
        Dimension.FIRM: lambda case: case.firm_id,
    }[dimension]
    for period in PERIODS[1:8]:
        expected = _reference(session, period, key)
        found = rates.due_and_collected_by(session, period, dimension)
        nonzero = {k: v[:2] for k, v in expected.items() if v[:2] != (D("0.00"), D("0.00"))}
        assert {k: v for k, v in found.items() if v != (D("0.00"), D("0.00"))} == nonzero
        total = rates.due_and_collected(session, period)
        assert tuple(sum(v[i] for v in found.values()) for i in (0, 1)) == total
        for recent in (True, False):  # all four amounts, per group, either reading
            both = rates.amounts_by(session, period, dimension, recent=recent)
            shown = {k: tuple(vars(a).values()) for k, a in both.items() if any(vars(a).values())}
            assert shown == {k: v for k, v in expected.items() if any(v)}


def test_the_reading_follows_where_the_payments_are(session, make_case):
    """From S on for a period near the last payment, up to E for one near the first."""
    case = make_case(claims=[claim_in("5000.00", "2020-06-30", "2020-01-01")])
    add_payment(session, case, "100.00", date(2021, 1, 5))
    add_payment(session, case, "100.00", date(2025, 12, 20))
    session.flush()
    assert rates._recent(session, periods.containing("month", date(2025, 11, 1)))
    assert not rates._recent(session, periods.containing("month", date(2021, 2, 1)))


@pytest.mark.parametrize("recent", [True, False], ids=["from-S-on", "up-to-E"])
def test_a_case_written_off_during_the_period_with_money_after_it(session, make_case, recent):
    """10,000 due 2024-06-30; 1,000 received 2025-03-10, written off 2025-03-20, 2,000
    received 2025-05-10 (recovery of written-off debt). March: due at the start 10,000 (no
    money before it), collected 1,000; off the books at the end of March: 0 and 0."""
    case = make_case(claims=[claim_in("10000.00", "2024-06-30", "2024-01-01")])
    add_payment(session, case, "1000.00", date(2025, 3, 10))
    _write_off(session, case, date(2025, 3, 20), "9500.00")
    add_payment(session, case, "2000.00", date(2025, 5, 10))
    session.flush()
    found = rates.amounts_by(session, MARCH, recent=recent)[None]
    assert found == rates.Amounts(D("10000.00"), D("1000.00"), D("0.00"), D("0.00"))
    april = periods.containing("month", date(2025, 4, 1))  # written off before April
    assert rates.amounts_by(session, april, recent=recent)[None] == rates.Amounts()
