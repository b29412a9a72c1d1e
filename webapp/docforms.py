"""Forms for what a person types into a document (a template's ``…Fields`` model), built from
the model itself so that a new field in a schema appears on the page without a template edit.

Widgets by type: text for ``str``, a date picker for ``date``, an amount box for ``Decimal``,
a select for enums (with the Chinese labels the documents use) and for ``bool`` (yes / no, or
"default" when optional), a textarea of one item per line for ``list[str]`` (lawyers, agents,
paragraphs of facts), and a table of rows for a list of small models (installments, asset
clues): ``name-<row>-<column>``. ``parse`` turns the posted form back into the dict the model
validates; ``error_key`` maps a validation error's location to the widget it belongs to.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from werkzeug.datastructures import MultiDict

from cases.documents import context as doc_context
from cases.documents import schemas
from cases.errors import N_

ROWS = 6  # empty rows offered for a list of models

CHOICE_LABELS: dict[type[Enum], dict[Any, str]] = {
    schemas.AssetKind: schemas.ASSET_LABELS,
    schemas.GuaranteeKind: schemas.GUARANTEE_LABELS,
    schemas.JudgmentKind: schemas.JUDGMENT_LABELS,
    schemas.WriteoffReason: doc_context.WRITEOFF_REASONS,
}

FIELD_LABELS = {
    "letter_no": N_("Letter number (e.g. 〔2026〕沪明律函字第12号)"),
    "notice_no": N_("Notice number"),
    "agreement_no": N_("Agreement number"),
    "pay_by": N_("Pay by"),
    "lawyers": N_("Lawyers signing (one per line)"),
    "lawyer_phone": N_("Lawyer's phone"),
    "bank_account": N_("Account to pay into (if not the creditor's account on file)"),
    "facts": N_("Further facts (one paragraph per line)"),
    "contact_name": N_("Contact person"),
    "contact_phone": N_("Contact phone"),
    "creditor_representative": N_("Creditor's legal representative or person in charge"),
    "creditor_position": N_("Their position"),
    "installments": N_("Installments"),
    "due_on": N_("Due on"),
    "amount": N_("Amount (¥)"),
    "principal": N_("Principal (¥, default: as computed)"),
    "interest": N_("Interest (¥, default: as computed)"),
    "interest_rate": N_("Interest rate on the unpaid balance (percent a year)"),
    "signing_place": N_("Place of signing"),
    "court": N_("Court"),
    "before_suit": N_("Before suit"),
    "case_no": N_("Case number of the suit"),
    "include_guarantors": N_("Include the guarantors"),
    "asset_clues": N_("Asset clues"),
    "kind": N_("Kind"),
    "description": N_("Description (bank and account, address, plate number …)"),
    "guarantee_kind": N_("Guarantee offered"),
    "guarantee_detail": N_("Guarantee details (who gives it, number, amount)"),
    "agents": N_("Agents ad litem (one per line, at most two)"),
    "judgment_court": N_("Court or body that decided"),
    "judgment_no": N_("Number of the judgment or award"),
    "judgment_kind": N_("Kind of enforcement basis"),
    "effective_on": N_("Took effect on"),
    "performance_due": N_("Performance period ended on"),
    "costs": N_("Court costs borne by the respondent (¥)"),
    "reason": N_("Reason for the write-off"),
    "reason_detail": N_("The reason in detail (one paragraph per line)"),
    "recovery_steps": N_("Recovery steps taken (one paragraph per line)"),
    "legal_opinion": N_("Legal opinion (one paragraph per line)"),
    "applicant_dept": N_("Applying department"),
}
YES, NO = N_("Yes"), N_("No")
DEFAULT = N_("— default —")


@dataclass
class Widget:
    name: str
    label: str  # msgid
    kind: str  # text | date | amount | select | lines | rows
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label or msgid)
    blank: str | None = None  # the label of an empty choice
    columns: list[Widget] = field(default_factory=list)
    boolean: bool = False  # a yes / no select: "1" / "0" become True / False


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type inside ``X | None`` / ``Annotated[X, …]``, whether None is allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def _widget(name: str, annotation: Any, required: bool) -> Widget:
    inner, optional = _unwrap(annotation)
    label = FIELD_LABELS.get(name, name)
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner)
        item, _ = _unwrap(item)
        if isinstance(item, type) and issubclass(item, BaseModel):
            columns = [
                _widget(n, f.annotation, f.is_required()) for n, f in item.model_fields.items()
            ]
            return Widget(name, label, "rows", required, columns=columns)
        return Widget(name, label, "lines", required)
    if inner is bool:
        choices = [("1", YES), ("0", NO)]
        blank = DEFAULT if optional else None
        return Widget(name, label, "select", required, choices, blank=blank, boolean=True)
    if isinstance(inner, type) and issubclass(inner, Enum):
        labels = CHOICE_LABELS.get(inner, {})
        choices = [(m.value, labels.get(m, m.value)) for m in inner]
        return Widget(name, label, "select", required, choices, blank=None if required else "—")
    if inner is date:
        return Widget(name, label, "date", required)
    if inner is Decimal:
        return Widget(name, label, "amount", required)
    return Widget(name, label, "text", required)


def widgets(model: type[BaseModel]) -> list[Widget]:
    return [_widget(n, f.annotation, f.is_required()) for n, f in model.model_fields.items()]


def _rows(form: MultiDict, widget: Widget) -> list[dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    prefix = widget.name + "-"
    for key, value in form.items():
        if not key.startswith(prefix) or not value.strip():
            continue
        index, _, column = key[len(prefix) :].partition("-")
        if index.isdigit() and column in {c.name for c in widget.columns}:
            found.setdefault(int(index), {})[column] = value.strip()
    return [found[i] for i in sorted(found)]


def parse(model: type[BaseModel], form: MultiDict) -> dict[str, Any]:
    """The posted form as the dict ``model`` validates (blank entries left out)."""
    data: dict[str, Any] = {}
    for widget in widgets(model):
        if widget.kind == "rows":
            rows = _rows(form, widget)
            if rows:
                data[widget.name] = [{k: v.replace(",", "") for k, v in r.items()} for r in rows]
        elif widget.kind == "lines":
            lines = [line.strip() for line in form.get(widget.name, "").splitlines()]
            if any(lines):
                data[widget.name] = [line for line in lines if line]
        else:
            value = form.get(widget.name, "").strip()
            if widget.kind == "amount":
                value = value.replace(",", "")
            if widget.boolean and value in ("1", "0"):
                data[widget.name] = value == "1"
            elif value and not widget.boolean:
                data[widget.name] = value
    return data


def row_count(form: MultiDict, widget: Widget) -> int:
    """Rows to show: at least ``ROWS``, or one more than the highest row typed."""
    highest = -1
    prefix = widget.name + "-"
    for key in form:
        index = key[len(prefix) :].partition("-")[0] if key.startswith(prefix) else ""
        if index.isdigit():
            highest = max(highest, int(index))
    return max(ROWS, highest + 2)


def error_key(location: str) -> str:
    """``installments.0.amount`` → ``installments-0-amount``; ``pay_by`` stays."""
    return location.replace(".", "-")
