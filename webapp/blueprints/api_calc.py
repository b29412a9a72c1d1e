"""The calculator in the JSON API: the same inputs and figures as the calculator page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext

from cases import calculator
from cases.figures import Figure, Step
from cases.money import to_fen
from cases.register import policies
from cases.validation import parse
from webapp.api_schemas import CourtCostsOut, FeeBreakdownOut, FigureOut, StepOut
from webapp.auth import actor
from webapp.blueprints.api import api
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
