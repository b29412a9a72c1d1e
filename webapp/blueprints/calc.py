"""The legal calculator page: court costs, lawyer fees, interest and deadlines.

A calculation changes nothing, so each tool is a GET form: results can be bookmarked and
shared, and the typed values come back with them (or with their errors).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_login import login_required

from cases import calculator, fees
from cases.errors import DomainError, ValidationError
from cases.interest.lpr import load_series
from cases.validation import parse
from webapp.auth import require_capability
from webapp.db import get_session
from webapp.forms import FormState
from webapp.i18n import tr

bp = Blueprint("calc", __name__)

TOOLS = {
    "court": calculator.CourtCostsInput,
    "fee": calculator.LawyerFeeInput,
    "interest": calculator.InterestInput,
    "deadline": calculator.DeadlineInput,
}


def _values(tool: str) -> dict[str, Any]:
    values: dict[str, Any] = {k: v.strip() for k, v in request.args.items() if k != "tool"}
    if tool == "court":
        values["halved"] = "halved" in request.args
    if tool == "deadline":
        values["interruptions"] = [d for d in request.args.getlist("interruptions") if d.strip()]
    return {k: v for k, v in values.items() if v != ""}


def _compute(tool: str, data: Any) -> Any:
    if tool == "court":
        return calculator.court_costs(data)
    if tool == "fee":
        return calculator.lawyer_fee(data)
    if tool == "interest":
        return calculator.interest(data, load_series(get_session()))
    return calculator.deadline(data)


@bp.route("/")
@login_required
@require_capability("calc.use")
def index():
    tool = request.args.get("tool", "")
    result: Any = None
    errors: dict[str, list[str]] = {}
    if tool in TOOLS:
        try:
            result = _compute(tool, parse(TOOLS[tool], _values(tool)))
        except ValidationError as exc:
            errors = {f: [tr(m) for m in msgs] for f, msgs in exc.errors.items()}
        except DomainError as exc:
            errors = {"__all__": [tr(exc.message)]}
    forms = {name: FormState() for name in TOOLS}
    if tool in TOOLS:
        forms[tool] = FormState(request.args.to_dict(), errors)
    page = render_template(
        "calc/index.html",
        tool=tool,
        forms=forms,
        result=result,
        interruptions=request.args.getlist("interruptions"),
        calculator=calculator,
        MATTER_TYPES=fees.MATTER_TYPES,
    )
    return page, 422 if errors else 200
