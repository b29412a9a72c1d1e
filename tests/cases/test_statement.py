"""The statement of a debt on a day (``cases.register.statement``), against hand-worked figures.

Interest: 民法典 第六百七十四条 (within the term), 第五百八十五条、第六百七十六条 (agreed penalty
rate), 民间借贷规定 第二十八条 (loan: the term rate continues), 买卖合同解释 第十八条第四款 (sale:
one-year LPR at the breach plus 50%), 第五百八十四条 (otherwise the LPR). Payments: 第五百六十条
(which debt), 第五百六十一条 (interest before principal).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.interest import PAST_LAST_LPR, LprSeries
from cases.ledger.models import Payment
from cases.register import statement
from cases.register.models import Claim, ClaimKind
from cases.users.models import Role

D = Decimal
LPR = LprSeries.bundled()


def claim(
    id: int = 1,
    *,
    principal: str = "1000000",
    kind: ClaimKind = ClaimKind.LOAN,
    rate: str | None = "3.65",
    penalty: str | None = None,
    signed: date | None = date(2024, 1, 1),
    due: date = date(2024, 12, 31),
    basis: int = 365,
) -> Claim:
    return Claim(
        id=id,
        case_id=1,
        contract_ref=f"C-{id}",
        contract_title="合同",
        kind=kind,
        principal=D(principal),
        interest_rate=None if rate is None else D(rate),
        penalty_rate=None if penalty is None else D(penalty),
        interest_basis=basis,
        signed_on=signed,
        due_date=due,
    )


def paid(on: date, amount: str, *, id: int = 1, claim_id: int | None = None) -> Payment:
    return Payment(
        id=id, case_id=1, received_on=on, amount=D(amount), payer="债务人", claim_id=claim_id
    )


AS_OF = date(2025, 1, 30)  # 30 days after the 2024-12-31 due date

# (id, claim, payments, as_of, principal due, interest accrued, interest due)
SINGLE = [
    # 第六百七十四条: 1,000,000 at 3.65% / 365 is 100 a day; 2024-01-01 → 12-31 is 365 days
    # (36,500); 民间借贷规定 第二十八条: after the due date the term rate continues, 30 days
    ("loan-term-then-term-rate", claim(), [], AS_OF, "1000000", "39500.00", "39500.00"),
    # 第五百八十五条: an agreed penalty rate of 5.475% is 150 a day after the due date
    ("agreed-penalty-rate", claim(penalty="5.475"), [], AS_OF, "1000000", "41000.00", "41000.00"),
    # before the due date only term interest: 2024-01-01 → 03-01 is 60 days
    ("before-due", claim(), [], date(2024, 3, 1), "1000000", "6000.00", "6000.00"),
    # on the signing day nothing has accrued (the first day is not counted)
    ("signing-day", claim(), [], date(2024, 1, 1), "1000000", "0.00", "0.00"),
    # 第五百六十一条: 10,000 on 2025-01-10 pays interest only (37,500 due then)
    (
        "payment-short-of-interest",
        claim(),
        [paid(date(2025, 1, 10), "10000")],
        AS_OF,
        "1000000",
        "39500.00",
        "29500.00",
    ),
    # 50,000 on 2025-01-10: 37,500 interest, 12,500 principal; then 20 days on 987,500 at
    # 98.75 a day = 1,975
    (
        "payment-into-principal",
        claim(),
        [paid(date(2025, 1, 10), "50000")],
        AS_OF,
        "987500",
        "39475.00",
        "1975.00",
    ),
    # 买卖合同解释 第十八条第四款: a sale with no agreed rate, due 2024-06-30; the one-year LPR
    # on 2024-07-01 is 3.45%, × 1.5 = 5.175%; 30 days on 100,000 = 425.342… → 425.34 (the July
    # 2024 LPR cut does not apply: the rate of the day of breach is kept)
    (
        "sale-lpr-plus-half",
        claim(
            principal="100000", kind=ClaimKind.SALE, rate=None, signed=None, due=date(2024, 6, 30)
        ),
        [],
        date(2024, 7, 30),
        "100000",
        "425.34",
        "425.34",
    ),
    # 第五百八十四条: a service fee with no rate follows the LPR: 21 days at 3.45% (198.49…)
    # then from 2024-07-22 10 days at 3.35% (91.78…) = 290.2739… → 290.27
    (
        "service-plain-lpr-following-changes",
        claim(
            principal="100000",
            kind=ClaimKind.SERVICE,
            rate=None,
            signed=None,
            due=date(2024, 6, 30),
        ),
        [],
        date(2024, 7, 31),
        "100000",
        "290.27",
        "290.27",
    ),
    # a service fee with an agreed rate keeps it after the due date: 73,000 at 5% / 365 = 10 a day
    (
        "service-agreed-rate",
        claim(principal="73000", kind=ClaimKind.SERVICE, rate="5", signed=None),
        [],
        date(2025, 1, 10),
        "73000",
        "100.00",
        "100.00",
    ),
    # 360-day basis: 360,000 at 3.6% / 360 = 36 a day, 10 days after the due date
    (
        "basis-360",
        claim(principal="360000", rate="3.6", signed=None, basis=360),
        [],
        date(2025, 1, 10),
        "360000",
        "360.00",
        "360.00",
    ),
    # paid off in full on the due date: nothing accrues afterwards
    (
        "paid-in-full",
        claim(principal="100000", rate=None, signed=None),
        [paid(date(2024, 12, 31), "100000")],
        AS_OF,
        "0",
        "0.00",
        "0.00",
    ),
]


@pytest.mark.parametrize(
    ("one", "payments", "as_of", "principal_due", "accrued", "interest_due"),
    [row[1:] for row in SINGLE],
    ids=[row[0] for row in SINGLE],
)
def test_single_claim(one, payments, as_of, principal_due, accrued, interest_due):
    result = statement.compute([one], payments, as_of, LPR)
    (line,) = result.claims
    assert line.principal_due == D(principal_due)
    assert line.interest_accrued == D(accrued)
    assert line.interest_due == D(interest_due)
    assert result.total_due == D(principal_due) + D(interest_due)
    assert line.interest.value == D(accrued)


def test_interest_figure_names_rules_and_periods():
    line = statement.compute([claim()], [], AS_OF, LPR).claims[0]
    figure = line.interest
    assert "第六百七十四条" in figure.rule
    assert "第二十八条" in figure.rule
    assert [(s.label, s.value, s.params["days"]) for s in figure.steps] == [
        (statement.TERM_STEP, D("36500.00"), 365),
        (statement.DEFAULT_STEP, D("3000.00"), 30),
    ]


def test_lpr_interest_lists_its_lpr_periods():
    service = claim(principal="100000", kind=ClaimKind.SERVICE, rate=None, signed=None)
    line = statement.compute([service], [], date(2025, 6, 9), LPR).claims[0]
    header, *periods = line.interest.steps
    assert (header.label, header.value) == (statement.LPR_STEP, line.interest_accrued)
    # 2025-01-01 … 05-19 at 3.10%, then 05-20 … 06-09 at 3.00%
    assert [(p.params["from"], p.params["rate"]) for p in periods] == [
        (date(2025, 1, 1), D("3.10")),
        (date(2025, 5, 20), D("3.00")),
    ]


def test_payment_is_allocated_interest_then_principal():
    result = statement.compute([claim()], [paid(date(2025, 1, 10), "50000")], AS_OF, LPR)
    (applied,) = result.payments
    assert (applied.to_costs, applied.to_interest, applied.to_principal) == (
        D(0),
        D("37500.00"),
        D("12500.00"),
    )
    assert applied.unapplied == 0
    assert applied.parts[0][1].rule == "民法典 第五百六十一条"


def test_unassigned_payment_goes_to_the_matured_claim_first():
    """第五百六十条: matured debts first. Claim 2 is not due yet on the payment day."""
    early = claim(1, principal="10000", rate=None, signed=None, due=date(2024, 12, 31))
    later = claim(2, principal="10000", rate=None, signed=None, due=date(2025, 6, 30))
    result = statement.compute([later, early], [paid(date(2024, 12, 31), "4000")], AS_OF, LPR)
    by_ref = {line.contract_ref: line for line in result.claims}
    assert by_ref["C-1"].principal_paid == D("4000")
    assert by_ref["C-2"].principal_paid == 0


def test_more_burdensome_claim_first_among_matured():
    """第五百六十条: among matured debts the more burdensome (higher agreed rate) first."""
    light = claim(1, principal="10000", rate="3", signed=None, due=date(2024, 6, 30))
    heavy = claim(2, principal="10000", rate="8", signed=None, due=date(2024, 12, 31))
    result = statement.compute([light, heavy], [paid(date(2024, 12, 31), "5000")], AS_OF, LPR)
    by_ref = {line.contract_ref: line for line in result.claims}
    assert by_ref["C-2"].principal_paid == D("5000")
    assert by_ref["C-1"].principal_paid == 0
    assert by_ref["C-1"].interest_paid == 0


def test_equal_claims_share_pro_rata():
    """第五百六十条: same maturity, same burden: pro rata to what each is owed."""
    a = claim(1, principal="30000", rate=None, signed=None)
    b = claim(2, principal="10000", rate=None, signed=None)
    result = statement.compute([a, b], [paid(date(2024, 12, 31), "4000")], AS_OF, LPR)
    assert [line.principal_paid for line in result.claims] == [D("3000.00"), D("1000.00")]


def test_designated_claim_then_the_rest_by_the_order():
    """The debtor's designation (the payment's claim) first; the rest by 第五百六十条."""
    a = claim(1, principal="1000", rate=None, signed=None)
    b = claim(2, principal="5000", rate=None, signed=None)
    result = statement.compute([a, b], [paid(date(2024, 12, 31), "3000", claim_id=2)], AS_OF, LPR)
    by_ref = {line.contract_ref: line for line in result.claims}
    assert by_ref["C-2"].principal_paid == D("3000")
    assert by_ref["C-1"].principal_paid == 0
    result = statement.compute([a, b], [paid(date(2024, 12, 31), "5500", claim_id=2)], AS_OF, LPR)
    by_ref = {line.contract_ref: line for line in result.claims}
    assert (by_ref["C-2"].principal_paid, by_ref["C-1"].principal_paid) == (D("5000"), D("500"))


def test_overpayment_is_unapplied():
    one = claim(principal="1000", rate=None, signed=None)
    result = statement.compute([one], [paid(date(2024, 12, 31), "1200")], AS_OF, LPR)
    assert result.unapplied == D("200")
    assert result.total_due == 0
    assert result.costs == {}


def test_payments_after_the_statement_date_are_left_out():
    result = statement.compute([claim()], [paid(date(2025, 2, 10), "50000")], AS_OF, LPR)
    assert result.payments == ()
    assert statement.PAYMENTS_AFTER in result.warnings
    assert result.claims[0].principal_due == D("1000000")


def test_no_lpr_before_august_2019_is_flagged():
    old = claim(
        principal="100000", kind=ClaimKind.SERVICE, rate=None, signed=None, due=date(2019, 1, 31)
    )
    result = statement.compute([old], [], date(2019, 8, 30), LPR)
    assert statement.BEFORE_LPR in result.warnings
    # only 2019-08-20 … 08-30 (11 days) at 4.25%: 100,000 × 4.25% × 11 / 365 = 128.08
    assert result.claims[0].interest_accrued == D("128.08")


def test_past_the_last_lpr_is_flagged():
    late = claim(principal="100000", kind=ClaimKind.SERVICE, rate=None, signed=None)
    result = statement.compute([late], [], LPR.known_until.replace(day=28), LPR)
    assert PAST_LAST_LPR in result.warnings


def test_costs_claimable_on_the_total_due():
    """《诉讼费用交纳办法》第十三条: acceptance fee on 1,039,500 = 13,800 + (1,039,500 − 1,000,000)
    × 0.9% = 14,155.50; preservation fee 5,000 (capped)."""
    result = statement.compute([claim()], [], AS_OF, LPR)
    assert result.total_due == D("1039500.00")
    assert result.costs["acceptance"].value == D("14155.50")
    assert result.costs["preservation"].value == D("5000")


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=200_000), min_size=1, max_size=5),
    offsets=st.lists(st.integers(min_value=0, max_value=400), min_size=5, max_size=5),
)
def test_money_is_conserved(amounts, offsets):
    """Every payment is accounted for: interest paid + principal paid + unapplied = received;
    and what is due never goes below zero."""
    claims = [
        claim(1, principal="300000", rate="4.35", signed=date(2024, 1, 1)),
        claim(
            2,
            principal="150000",
            kind=ClaimKind.SALE,
            rate=None,
            signed=None,
            due=date(2024, 9, 30),
        ),
    ]
    payments = [
        paid(date(2024, 6, 1).fromordinal(date(2024, 6, 1).toordinal() + off), str(amt), id=i)
        for i, (amt, off) in enumerate(zip(amounts, offsets, strict=False), start=1)
    ]
    result = statement.compute(claims, payments, date(2025, 8, 1), LPR)
    received = sum((p.amount for p in payments), D(0))
    applied = sum((line.interest_paid + line.principal_paid for line in result.claims), D(0))
    assert applied + result.unapplied == received
    for line in result.claims:
        assert line.principal_due >= 0
        assert line.interest_due >= 0


def test_case_statement_reads_the_case(session, make_case, make_user):
    from cases.ledger.operations import record_payment

    case = make_case()
    user = make_user(Role.FINANCE)  # finance records confirmed money
    record_payment(
        session,
        user,
        case,
        {"received_on": date(2025, 1, 10), "amount": "100", "payer": "债务人"},
    )
    result = statement.case_statement(session, case, date(2025, 1, 10), LPR)
    assert len(result.claims) >= 1
    assert [p.amount for p in result.payments] == [D("100")]


def test_without_lpr_rates_lpr_interest_is_flagged_not_guessed():
    sale = claim(principal="100000", kind=ClaimKind.SALE, rate=None, signed=None)
    result = statement.compute([sale], [], AS_OF, LprSeries.from_rows([]))
    assert statement.NO_LPR in result.warnings
    assert result.claims[0].interest_accrued == 0
