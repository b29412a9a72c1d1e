"""Money reported, confirmed and rejected; fee requests from request to payment.

Only confirmed money counts: in the case's totals, the statement, the limitation schedule and
fees. Bank references are unique among payments not rejected, across cases.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus, FeeKind
from cases.errors import DomainError, NotFound, PermissionDenied, ValidationError
from cases.interest.lpr import load_series
from cases.ledger.models import Payment, PaymentStatus
from cases.ledger.operations import confirm_payment, record_payment, reject_payment
from cases.register import schedule, statement
from cases.register.models import Claim
from cases.register.operations import move_stage
from cases.settlement.models import FeeExpense, FeeRequestStatus
from cases.settlement.operations import (
    approve_fee_request,
    pay_fee_request,
    preview,
    reject_fee_request,
    request_fee,
)
from cases.settlement.queries import firm_fee_totals, queue, recoveries
from cases.timeline.models import Attachment, Event, EventKind
from cases.timeline.storage import FileStore
from cases.users.models import Role

D = Decimal
PDF = b"%PDF-1.4 receipt"


pytestmark = pytest.mark.usefixtures("cheap_passwords")  # several users per test


@pytest.fixture
def people(make_user, make_firm):
    firm = make_firm("金诚律师事务所")
    return {
        "legal": make_user(Role.LEGAL),
        "legal2": make_user(Role.LEGAL),
        "admin": make_user(Role.ADMIN),
        "finance": make_user(Role.FINANCE),
        "management": make_user(Role.MANAGEMENT),
        "counsel": make_user(Role.COUNSEL, firm=firm),
        "other_counsel": make_user(Role.COUNSEL, firm=make_firm()),
        "firm": firm,
    }


@pytest.fixture
def case(make_case, people):
    return make_case(actor=people["legal"], firm=people["firm"])  # principal 120,000


def money(days_ago: int = 5, amount: str = "10000", **kw):
    return {
        "received_on": today() - timedelta(days=days_ago),
        "amount": amount,
        "payer": "测试债务人",
        **kw,
    }


def act(session, user, op, *args, **kw):
    session.info["actor_id"] = user.id
    result = op(session, user, *args, **kw)
    session.flush()
    return result


# ---- who records what -----------------------------------------------------------------------


def test_finance_records_money_confirmed_at_once(session, people, case):
    payment = act(session, people["finance"], record_payment, case, money(bank_ref="B-1"))
    assert payment.status == PaymentStatus.CONFIRMED
    assert payment.confirmed_by_id == people["finance"].id
    assert payment.confirmed_at is not None
    assert case.recovered_amount == D("10000.00")
    event = session.exec(select(Event).where(Event.payment_id == payment.id)).one()
    assert (event.kind, event.summary) == (EventKind.PAYMENT, "recorded")


@pytest.mark.parametrize("who", ["legal", "admin", "counsel"])
def test_others_report_money_that_stays_pending(session, people, case, who):
    payment = act(session, people[who], record_payment, case, money())
    assert payment.status == PaymentStatus.PENDING
    assert payment.confirmed_at is None
    assert case.recovered_amount == D("0.00")
    event = session.exec(select(Event).where(Event.payment_id == payment.id)).one()
    assert event.summary == "reported"


def test_management_neither_records_nor_reports(session, people, case):
    with pytest.raises(PermissionDenied):
        act(session, people["management"], record_payment, case, money())


def test_finance_confirms_and_the_money_counts_everywhere(session, people, case):
    """Pending money is left out of the totals, the statement and the limitation schedule."""
    pending = act(session, people["counsel"], record_payment, case, money(days_ago=30))
    lpr = load_series(session)
    owed_before = statement.case_statement(session, case, today(), lpr)
    assert owed_before.payments == ()
    limitation_before = limitation(session, case)

    act(session, people["finance"], confirm_payment, case, pending.id)

    assert pending.status == PaymentStatus.CONFIRMED
    assert pending.confirmed_by_id == people["finance"].id
    assert case.recovered_amount == D("10000.00")
    owed = statement.case_statement(session, case, today(), lpr)
    assert [p.payment_id for p in owed.payments] == [pending.id]
    # the part payment restarts the three years (民法典 第一百九十五条) once confirmed
    assert limitation(session, case) > limitation_before
    assert limitation(session, case) >= today() - timedelta(days=30) + timedelta(days=3 * 365)
    summaries = session.exec(
        select(Event.summary).where(Event.payment_id == pending.id).order_by(Event.id)
    ).all()
    assert summaries == ["reported", "confirmed"]


def test_the_statement_ignores_pending_money_even_when_given_it(session, people, case):
    pending = act(session, people["legal"], record_payment, case, money())
    claims = case_claims(session, case)
    owed = statement.compute(claims, [pending], today(), load_series(session))
    assert owed.payments == ()


def limitation(session, case) -> date:
    found = [d for d in schedule.case_deadlines(session, case) if d.kind == "limitation"]
    return found[0].due


def case_claims(session, case):
    return list(session.exec(select(Claim).where(Claim.case_id == case.id)))


def test_finance_rejects_with_a_reason(session, people, case):
    pending = act(session, people["counsel"], record_payment, case, money(bank_ref="B-9"))
    with pytest.raises(ValidationError) as refused:
        act(session, people["finance"], reject_payment, case, pending.id, "  ")
    assert set(refused.value.errors) == {"reason"}
    act(session, people["finance"], reject_payment, case, pending.id, "银行流水无此笔")
    assert (pending.status, pending.rejected_reason) == (PaymentStatus.REJECTED, "银行流水无此笔")
    assert case.recovered_amount == D("0.00")
    # a rejected reference may be used again
    again = act(session, people["finance"], record_payment, case, money(bank_ref="B-9"))
    assert again.status == PaymentStatus.CONFIRMED


@pytest.mark.parametrize("decide", ["confirm", "reject"])
def test_only_pending_money_is_decided(session, people, case, decide):
    done = act(session, people["finance"], record_payment, case, money())
    args = (confirm_payment, done.id) if decide == "confirm" else (reject_payment, done.id, "重复")
    with pytest.raises(DomainError, match="awaiting confirmation"):
        act(session, people["finance"], args[0], case, *args[1:])


@pytest.mark.parametrize("who", ["legal", "admin", "counsel"])
def test_only_finance_confirms(session, people, case, who):
    pending = act(session, people["counsel"], record_payment, case, money())
    with pytest.raises(PermissionDenied):
        act(session, people[who], confirm_payment, case, pending.id)


def test_a_payment_is_decided_only_through_its_own_case(session, people, case, make_case):
    other = make_case(actor=people["legal"])
    pending = act(session, people["legal"], record_payment, other, money())
    with pytest.raises(NotFound):
        act(session, people["finance"], confirm_payment, case, pending.id)


# ---- duplicates, assets in kind ---------------------------------------------------------------


def test_a_bank_reference_is_refused_twice_naming_the_case(session, people, case, make_case):
    act(session, people["finance"], record_payment, case, money(bank_ref="ICBC-77"))
    other = make_case(actor=people["legal"])
    with pytest.raises(ValidationError) as refused:
        act(session, people["legal"], record_payment, other, money(bank_ref=" ICBC-77 "))
    (message,) = refused.value.errors["bank_ref"]
    assert message.params == {"ref": "ICBC-77", "number": case.number}


def test_counsel_is_not_told_which_hidden_case_holds_the_reference(
    session, people, case, make_case, make_firm
):
    hidden = make_case(actor=people["legal"], firm=make_firm())
    act(session, people["finance"], record_payment, hidden, money(bank_ref="ABC-1"))
    with pytest.raises(ValidationError) as refused:
        act(session, people["counsel"], record_payment, case, money(bank_ref="ABC-1"))
    (message,) = refused.value.errors["bank_ref"]
    assert message.params == {"ref": "ABC-1"}
    assert "another case" in message.msgid


def test_the_database_refuses_a_duplicate_live_reference(session, people, case):
    act(session, people["finance"], record_payment, case, money(bank_ref="DUP-1"))
    row = Payment(
        case_id=case.id,
        received_on=today(),
        amount=D("1"),
        payer="x",
        bank_ref="DUP-1",
        status=PaymentStatus.PENDING,
    )
    nested = session.begin_nested()
    session.add(row)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    nested.rollback()


def test_an_asset_taken_in_settlement_is_described_at_its_agreed_value(session, people, case):
    with pytest.raises(ValidationError) as refused:
        act(session, people["counsel"], record_payment, case, money(method="in_kind"))
    assert set(refused.value.errors) == {"asset_description"}
    with pytest.raises(ValidationError):
        act(session, people["counsel"], record_payment, case, money(asset_description="一辆车"))
    asset = "沪A12345 奔驰轿车一辆，双方协议作价"
    payment = act(
        session,
        people["finance"],
        record_payment,
        case,
        money(amount="80000", method="in_kind", asset_description=asset),
    )
    assert (payment.asset_description, payment.amount) == (asset, D("80000"))
    assert case.recovered_amount == D("80000.00")


# ---- fee requests -----------------------------------------------------------------------------


@pytest.fixture
def engaged(session, people, case):
    """The case's engagement (made when the case named the firm): contingency 10% on a
    120,000 claim, from a year ago."""
    engagement = session.exec(select(Engagement).where(Engagement.case_id == case.id)).one()
    engagement.starts_on = today() - timedelta(days=365)
    engagement.claim_amount = D("120000")
    engagement.fee_kind = FeeKind.CONTINGENCY
    engagement.fee_terms = {"rate": "0.1"}
    engagement.status = EngagementStatus.ACTIVE
    session.add(engagement)
    session.flush()
    return engagement


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


def ask(session, user, case, store, data=None, receipts=()):
    return act(
        session,
        user,
        request_fee,
        case,
        data or {},
        receipts=receipts,
        store=store,
        max_bytes=10**6,
    )


def test_recoveries_counted_are_confirmed_and_within_the_engagement(session, people, case, engaged):
    engaged.ends_on = today() - timedelta(days=10)
    finance = people["finance"]
    act(session, finance, record_payment, case, money(days_ago=400, amount="1000"))  # before
    act(session, finance, record_payment, case, money(days_ago=10, amount="2000"))  # last day
    act(session, finance, record_payment, case, money(days_ago=9, amount="4000"))  # after
    act(session, people["counsel"], record_payment, case, money(days_ago=20, amount="8000"))
    counted = recoveries(session, engaged)
    assert [r.amount for r in counted] == [D("2000")]


def test_stage_of_each_recovery_comes_from_the_stage_changes(session, people, case, engaged):
    engaged.fee_terms = {"stage_rates": {"non_litigation": "0.1", "litigation": "0.2"}}
    finance = people["finance"]
    act(session, finance, record_payment, case, money(days_ago=3, amount="1000"))
    act(session, people["legal"], move_stage, case, "accept")
    act(session, people["legal"], move_stage, case, "sue")
    act(session, finance, record_payment, case, money(days_ago=0, amount="3000"))
    counted = recoveries(session, engaged)
    # moves are made today: money received today counts at the litigation stage
    assert [(r.amount, r.fee_stage) for r in counted] == [
        (D("1000"), "non_litigation"),
        (D("3000"), "litigation"),
    ]
    assert preview(session, people["counsel"], case).payable == D("700.00")


def test_request_approve_pay(session, people, case, engaged, store):
    act(session, people["finance"], record_payment, case, money(amount="50000"))
    act(session, people["counsel"], record_payment, case, money(amount="9999"))  # pending
    expense = {"description": "差旅费（北京—上海）", "amount": "1250.50", "spent_on": today()}
    row = ask(
        session,
        people["counsel"],
        case,
        store,
        {"expenses": [expense], "note": "一审胜诉回款"},
        [("高铁票.pdf", PDF)],
    )
    assert (row.status, row.fee_amount, row.expenses_amount) == (
        FeeRequestStatus.REQUESTED,
        D("5000.00"),
        D("1250.50"),
    )
    assert row.firm_id == people["firm"].id
    assert row.computation["recovered"] == "50000.00"
    item = session.exec(select(FeeExpense).where(FeeExpense.fee_request_id == row.id)).one()
    receipt = session.get(Attachment, item.receipt_id)
    assert (receipt.case_id, receipt.original_name) == (case.id, "高铁票.pdf")
    assert store.path(receipt.stored_name).read_bytes() == PDF

    with pytest.raises(PermissionDenied):
        act(session, people["counsel"], approve_fee_request, case, row.id)
    with pytest.raises(PermissionDenied):
        act(session, people["finance"], approve_fee_request, case, row.id)
    with pytest.raises(DomainError, match="approved"):
        act(session, people["finance"], pay_fee_request, case, row.id, {})
    act(session, people["legal"], approve_fee_request, case, row.id)
    assert row.status == FeeRequestStatus.APPROVED
    assert row.approved_by_id == people["legal"].id

    with pytest.raises(PermissionDenied):
        act(session, people["legal"], pay_fee_request, case, row.id, {})
    with pytest.raises(ValidationError) as refused:
        act(session, people["finance"], pay_fee_request, case, row.id, {"paid_on": today()})
    assert set(refused.value.errors) == {"paid_reference"}
    paid = {"paid_on": today(), "paid_reference": "CMB-20260101-01"}
    act(session, people["finance"], pay_fee_request, case, row.id, paid)
    assert (row.status, row.paid_reference, row.paid_by_id) == (
        FeeRequestStatus.PAID,
        "CMB-20260101-01",
        people["finance"].id,
    )

    # the next request deducts what was asked and paid
    act(session, people["finance"], record_payment, case, money(amount="20000"))
    due = preview(session, people["counsel"], case)
    assert (due.payable, due.already_requested, due.already_paid, due.now_due) == (
        D("7000.00"),
        D("5000.00"),
        D("5000.00"),
        D("2000.00"),
    )
    totals = firm_fee_totals(session, [people["firm"].id, people["other_counsel"].firm_id])
    assert totals[people["firm"].id].paid == D("5000.00")
    assert totals[people["other_counsel"].firm_id].requested == D("0.00")


def test_a_requester_does_not_approve_their_own_request(session, people, case, engaged, store):
    act(session, people["finance"], record_payment, case, money(amount="50000"))
    row = ask(session, people["legal"], case, store)
    with pytest.raises(DomainError, match="someone other"):
        act(session, people["legal"], approve_fee_request, case, row.id)
    act(session, people["legal2"], approve_fee_request, case, row.id)
    assert row.status == FeeRequestStatus.APPROVED


def test_a_rejected_request_no_longer_counts(session, people, case, engaged, store):
    act(session, people["finance"], record_payment, case, money(amount="50000"))
    first = ask(session, people["counsel"], case, store)
    with pytest.raises(DomainError, match="Nothing is due"):
        ask(session, people["counsel"], case, store)
    with pytest.raises(ValidationError):
        act(session, people["legal"], reject_fee_request, case, first.id, "")
    act(session, people["legal"], reject_fee_request, case, first.id, "回款尚未全部到账")
    assert (first.status, first.rejection_reason) == (FeeRequestStatus.REJECTED, "回款尚未全部到账")
    with pytest.raises(DomainError):
        act(session, people["legal"], approve_fee_request, case, first.id)
    second = ask(session, people["counsel"], case, store)
    assert second.fee_amount == D("5000.00")
    totals = firm_fee_totals(session, [people["firm"].id])[people["firm"].id]
    assert (totals.requested, totals.approved, totals.paid) == (D("5000.00"), 0, 0)


def test_every_expense_needs_an_acceptable_receipt(session, people, case, engaged, store):
    expense = {"description": "复印费", "amount": "80", "spent_on": today()}
    with pytest.raises(ValidationError) as refused:
        ask(session, people["counsel"], case, store, {"expenses": [expense, expense]}, [None])
    assert set(refused.value.errors) == {"expenses.0.receipt", "expenses.1.receipt"}
    with pytest.raises(ValidationError) as refused:
        ask(session, people["counsel"], case, store, {"expenses": [expense]}, [("a.exe", b"MZ")])
    assert set(refused.value.errors) == {"expenses.0.receipt"}
    # expenses alone may be claimed (no fee earned yet), kept apart from the fee
    row = ask(session, people["counsel"], case, store, {"expenses": [expense]}, [("r.pdf", PDF)])
    assert (row.fee_amount, row.expenses_amount) == (D("0.00"), D("80.00"))


def test_counsel_request_only_under_their_firms_engagement(session, people, case, engaged, store):
    with pytest.raises(ValidationError):
        ask(session, people["counsel"], case, store, {"engagement_id": engaged.id + 1000})
    with pytest.raises(PermissionDenied):
        ask(session, people["finance"], case, store)


def test_no_engagement_no_fee_request(session, people, make_case, store):
    bare = make_case(actor=people["legal"])
    with pytest.raises(DomainError, match="No engagement"):
        ask(session, people["legal"], bare, store)


def test_an_ended_engagement_is_paid_for_what_it_recovered(session, people, case, engaged, store):
    act(session, people["finance"], record_payment, case, money(days_ago=100, amount="30000"))
    engaged.status = EngagementStatus.ENDED
    engaged.ends_on = today() - timedelta(days=50)
    row = ask(session, people["legal"], case, store, {"engagement_id": engaged.id})
    assert row.fee_amount == D("3000.00")


def test_the_queue(session, people, case, engaged, store, make_case):
    pending = act(session, people["counsel"], record_payment, case, money(amount="100"))
    act(session, people["finance"], record_payment, case, money(amount="50000"))
    row = ask(session, people["counsel"], case, store)
    seen = queue(session, people["finance"])
    assert [p.id for p, _ in seen.pending_payments] == [pending.id]
    assert [r.id for r, _ in seen.to_approve] == [row.id]
    assert seen.to_pay == []
    assert seen.pending_payments[0][1].number == case.number
    # counsel of another firm would see nothing of this case
    assert queue(session, people["other_counsel"]).pending_payments == []


def test_dates_paid_cannot_precede_the_request(session, people, case, engaged, store):
    act(session, people["finance"], record_payment, case, money(amount="50000"))
    row = ask(session, people["counsel"], case, store)
    act(session, people["legal"], approve_fee_request, case, row.id)
    early = {"paid_on": date(2000, 1, 1), "paid_reference": "X"}
    with pytest.raises(ValidationError) as refused:
        act(session, people["finance"], pay_fee_request, case, row.id, early)
    assert set(refused.value.errors) == {"paid_on"}
