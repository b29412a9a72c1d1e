"""Computed figures in the JSON API: the calculator (the same inputs and figures as the
calculator page) and a case's statement of debt and deadlines (as on the case page)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext

from cases import calculator
from cases.base import today
from cases.figures import Figure, Step
from cases.interest.lpr import load_series
from cases.money import to_fen
from cases.register import policies, schedule, statement
from cases.validation import parse
from webapp.api_schemas import (
    AppliedPaymentOut,
    ClaimStatementOut,
    CourtCostsOut,
    DeadlineOut,
    DeadlinesOut,
    FeeBreakdownOut,
    FigureOut,
    StatementOut,
    StatementQuery,
    StepOut,
)
from webapp.auth import actor
from webapp.blueprints.api import api
from webapp.db import get_session
from webapp.i18n import step_text, value_text


def _step(step: Step) -> StepOut:
    data = Figure(None, "", {}, (step,)).as_dict()["steps"][0]
    return StepOut(text=step_text(step), **data)


def _figure(figure: Figure) -> FigureOut:
    data = figure.as_dict()
    value = figure.value
    display = str(to_fen(value)) if isinstance(value, Decimal) else value_text(value)
    return FigureOut(
        value=data["value"],
        display=display,
        rule=figure.rule,
        inputs=data["inputs"],
        steps=[_step(s) for s in figure.steps],
        warnings=[gettext(w) for w in figure.warnings],
    )


def _allowed() -> None:
    policies.require(actor(), "calc.use")


@api.route(
    "POST",
    "/calc/court-costs",
    summary="Court costs: acceptance, payment-order, preservation and enforcement fees",
    body=calculator.CourtCostsInput,
    response=CourtCostsOut,
    tag="calculator",
    errors=(403,),
)
def court_costs(body: dict[str, Any]):
    _allowed()
    figures = calculator.court_costs(parse(calculator.CourtCostsInput, body))
    return CourtCostsOut(**{key: _figure(f) for key, f in figures.items()})


@api.route(
    "POST",
    "/calc/lawyer-fee",
    summary="A lawyer-fee arrangement beside the statutory contingency cap",
    body=calculator.LawyerFeeInput,
    response=FeeBreakdownOut,
    tag="calculator",
    errors=(403,),
)
def lawyer_fee(body: dict[str, Any]):
    _allowed()
    breakdown = calculator.lawyer_fee(parse(calculator.LawyerFeeInput, body))
    data = breakdown.as_dict()
    data["components"] = [_step(s) for s in breakdown.components]
    return FeeBreakdownOut(**data)


@api.route(
    "POST",
    "/calc/interest",
    summary="Interest: contract, LPR-linked, private-lending cap or late performance",
    body=calculator.InterestInput,
    response=FigureOut,
    tag="calculator",
    errors=(403,),
)
def interest(body: dict[str, Any]):
    _allowed()
    data = parse(calculator.InterestInput, body)
    return _figure(calculator.interest(data, load_series(get_session())))


@api.route(
    "POST",
    "/calc/deadline",
    summary="A statutory deadline, counted and rolled over holidays",
    body=calculator.DeadlineInput,
    response=FigureOut,
    tag="calculator",
    errors=(403,),
)
def deadline(body: dict[str, Any]):
    _allowed()
    return _figure(calculator.deadline(parse(calculator.DeadlineInput, body)))


# ---- a case's figures -------------------------------------------------------------------------


@api.route(
    "GET",
    "/cases/<int:case_id>/statement",
    summary="What the debtor owes on a day: principal, interest, payments as applied, costs",
    query=StatementQuery,
    response=StatementOut,
    tag="cases",
)
def case_statement(case_id: int, query: StatementQuery):
    session = get_session()
    case = policies.get_visible_case(session, actor(), case_id)
    owed = statement.case_statement(session, case, query.as_of or today(), load_series(session))
    claims = [
        ClaimStatementOut(
            claim_id=c.claim_id,
            contract_ref=c.contract_ref,
            due_date=c.due_date,
            principal=c.principal,
            principal_paid=c.principal_paid,
            principal_due=c.principal_due,
            interest_accrued=c.interest_accrued,
            interest_paid=c.interest_paid,
            interest_due=c.interest_due,
            total_due=c.total_due,
            interest=_figure(c.interest),
        )
        for c in owed.claims
    ]
    payments = [
        AppliedPaymentOut(
            payment_id=p.payment_id,
            received_on=p.received_on,
            amount=p.amount,
            to_costs=p.to_costs,
            to_interest=p.to_interest,
            to_principal=p.to_principal,
            unapplied=p.unapplied,
        )
        for p in owed.payments
    ]
    return StatementOut(
        as_of=owed.as_of,
        principal_due=owed.principal_due,
        interest_due=owed.interest_due,
        total_due=owed.total_due,
        unapplied=owed.unapplied,
        rule=owed.rule,
        claims=claims,
        payments=payments,
        costs={key: _figure(f) for key, f in owed.costs.items()},
        total=_figure(owed.total),
        warnings=[gettext(w) for w in owed.warnings],
    )


@api.route(
    "GET",
    "/cases/<int:case_id>/deadlines",
    summary="Every deadline of a case, soonest first, with days left",
    response=DeadlinesOut,
    tag="cases",
)
def case_deadlines(case_id: int):
    session = get_session()
    case = policies.get_visible_case(session, actor(), case_id)
    on = today()
    items = [
        DeadlineOut(
            label=d.label,
            text=gettext(d.label),
            due=d.due,
            days_left=d.days_left(on),
            urgency=d.urgency(on),
            subject=d.subject,
            figure=_figure(d.figure),
        )
        for d in schedule.case_deadlines(session, case)
    ]
    return DeadlinesOut(on=on, items=items)
