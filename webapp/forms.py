"""HTML forms of the case file ⇄ the dicts that the domain operations validate.

Inputs are named after the domain's error keys where possible (``claims.0.principal``), so a
``ValidationError`` is shown next to the input that caused it; an error for a key the form
does not show lands in ``__all__`` at the top of the form. Blank inputs are left out of the
payload so that the domain's defaults and "required" messages apply, and repeated rows left
blank are ignored. No rule is checked here: the operations do that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from cases.errors import ValidationError
from cases.validation import FORM_ERROR
from webapp.i18n import tr

KeyMap = Callable[[str], str]


@dataclass
class FormState:
    """What a form shows: the values as typed and the translated messages per field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def checked(self, name: str) -> bool:
        return bool(self.values.get(name))

    def errors_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def rows(self, prefix: str, minimum: int) -> range:
        """Row numbers to show for a repeated group: at least ``minimum``, or as many as typed."""
        return range(max(minimum, _row_count(self.values, prefix)))


def submitted(formdata: MultiDict[str, str]) -> dict[str, str]:
    """The posted fields (first value of each), trimmed; the CSRF token left out."""
    return {key: value.strip() for key, value in formdata.items() if key != "csrf_token"}


def errors(
    exc: ValidationError, fields: Iterable[str], rename: KeyMap = str
) -> dict[str, list[str]]:
    """Translated messages keyed by the form's field names (``__all__`` for the rest)."""
    shown = set(fields)
    out: dict[str, list[str]] = {}
    for key, messages in exc.errors.items():
        name = rename(key)
        out.setdefault(name if name in shown else FORM_ERROR, []).extend(tr(m) for m in messages)
    return out


def _present(values: Mapping[str, str], names: Iterable[str], prefix: str = "") -> dict[str, str]:
    return {name: values[prefix + name] for name in names if values.get(prefix + name)}


def _row_count(values: Mapping[str, str], prefix: str) -> int:
    numbers = [
        int(key.split(".")[1])
        for key in values
        if key.startswith(prefix + ".") and key.split(".")[1].isdigit()
    ]
    return max(numbers) + 1 if numbers else 0


def _rows(
    values: Mapping[str, str], prefix: str, names: Iterable[str], significant: Iterable[str]
) -> tuple[list[dict[str, str]], list[int]]:
    """Non-blank rows of a repeated group, and the form row number of each."""
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for n in range(_row_count(values, prefix)):
        row = _present(values, names, f"{prefix}.{n}.")
        if any(row.get(name) for name in significant):
            rows.append(row)
            numbers.append(n)
    return rows, numbers


_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")


def amount(text: str) -> str:
    """Accept thousands separators as typed from a statement (``1,234,567.89``)."""
    return text.replace(",", "") if _GROUPED_AMOUNT.match(text) else text


def tags(text: str) -> list[str]:
    return [tag for tag in re.split(r"[,，、;；]", text) if tag.strip()]


def _amounts(data: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        if name in data:
            data[name] = amount(data[name])
    return data


# ---- intake ---------------------------------------------------------------------------------

CASE_FIELDS = (
    "creditor_id",
    "handler_id",
    "firm_id",
    "credit_grade",
    "risk_level",
    "loan_class",
    "external_ref",
    "transferred_on",
    "summary",
)
PARTY_FIELDS = ("legal_representative", "phone", "email", "address")
INTAKE_FIELDS = (
    *CASE_FIELDS,
    "tags",
    "debtor.kind",
    "debtor.name",
    "debtor.identifier",
    *(f"debtor.{name}" for name in PARTY_FIELDS),
)
CLAIM_FIELDS = (
    "contract_ref",
    "contract_title",
    "kind",
    "principal",
    "interest_rate",
    "interest_basis",
    "penalty_rate",
    "penalty_terms",
    "signed_on",
    "due_date",
)
GUARANTOR_FIELDS = ("name", "party_kind", "identifier", "kind")
EVIDENCE_FIELDS = ("kind", "title", "is_original", "received_on")
INTAKE_ROWS = {
    "claims": (CLAIM_FIELDS, 3),
    "guarantors": (GUARANTOR_FIELDS, 2),
    "evidence": (EVIDENCE_FIELDS, 3),
}
# Inputs whose content makes a row count (selects always carry a value).
_SIGNIFICANT = {
    "claims": tuple(n for n in CLAIM_FIELDS if n not in ("kind", "interest_basis")),
    "guarantors": ("name", "identifier"),
    "evidence": ("title", "is_original", "received_on"),
}


def intake_fields(form: FormState) -> list[str]:
    """Every name the intake form shows messages for."""
    names = list(INTAKE_FIELDS)
    for prefix, (row_fields, minimum) in INTAKE_ROWS.items():
        names.append(prefix)
        for n in form.rows(prefix, minimum):
            names += [f"{prefix}.{n}", *(f"{prefix}.{n}.{name}" for name in row_fields)]
    return names


def _party(
    kind: str | None, name: str | None, identifier: str | None, extra: Mapping[str, str]
) -> dict[str, Any]:
    party: dict[str, Any] = {"kind": kind, "name": name, **extra}
    party["id_number" if kind == "person" else "uscc"] = identifier
    return {key: value for key, value in party.items() if value}


def _party_key(rest: list[str], kind_name: str) -> str:
    """The form field of a party's error: its identifier for the code fields and model rules."""
    if not rest or rest[0] in ("uscc", "id_number"):
        return "identifier"
    return kind_name if rest[0] == "kind" else rest[0]


def intake_payload(values: Mapping[str, str]) -> tuple[dict[str, Any], KeyMap]:
    """The ``CaseCreate`` dict for the intake form, and the map from its error keys to fields."""
    data: dict[str, Any] = _present(values, CASE_FIELDS)
    if "tags" in values:
        data["tags"] = tags(values["tags"])
    data["debtor"] = _party(
        values.get("debtor.kind"),
        values.get("debtor.name"),
        values.get("debtor.identifier"),
        _present(values, PARTY_FIELDS, "debtor."),
    )
    claims, claim_rows = _rows(values, "claims", CLAIM_FIELDS, _SIGNIFICANT["claims"])
    data["claims"] = [_amounts(claim, "principal") for claim in claims]
    guarantors, guarantor_rows = _rows(
        values, "guarantors", GUARANTOR_FIELDS, _SIGNIFICANT["guarantors"]
    )
    data["guarantors"] = [
        {
            "party": _party(g.get("party_kind"), g.get("name"), g.get("identifier"), {}),
            **_present(g, ["kind"]),
        }
        for g in guarantors
    ]
    evidence, evidence_rows = _rows(values, "evidence", EVIDENCE_FIELDS, _SIGNIFICANT["evidence"])
    data["evidence"] = [{**item, "is_original": bool(item.get("is_original"))} for item in evidence]
    numbers = {"claims": claim_rows, "guarantors": guarantor_rows, "evidence": evidence_rows}

    def rename(key: str) -> str:
        parts = key.split(".")
        if parts[0] == "debtor":
            return f"debtor.{_party_key(parts[1:], 'kind')}"
        if parts[0] in numbers and len(parts) > 1 and parts[1].isdigit():
            parts[1] = str(numbers[parts[0]][int(parts[1])])
            if parts[0] == "guarantors" and parts[2:3] == ["party"]:
                parts[2:] = [_party_key(parts[3:], "party_kind")]
        return ".".join(parts)

    return data, rename


# ---- edit, timeline, payments ---------------------------------------------------------------

EDIT_FIELDS = (
    "handler_id",
    "firm_id",
    "status",
    "credit_grade",
    "risk_level",
    "loan_class",
    "summary",
    "tags",
)


def edit_payload(values: Mapping[str, str]) -> dict[str, Any]:
    """The ``CaseUpdate`` dict: a posted blank clears the field (the status cannot be blank)."""
    data: dict[str, Any] = {name: values[name] or None for name in EDIT_FIELDS if name in values}
    if not data.get("status"):
        data.pop("status", None)
    if "tags" in data:
        data["tags"] = tags(data["tags"] or "")
    return data


EVENT_FIELDS = (
    "kind",
    "occurred_on",
    "occurred_time",
    "channel",
    "summary",
    "debtor_response",
    "promised_amount",
    "promised_date",
    "file",
)
PROMISE_FIELDS = ("promise_repeat", "promise_times")  # a repeating promise (cases.plans)
EVENT_FIELDS += PROMISE_FIELDS


def event_payload(values: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = _present(
        values,
        ("kind", "channel", "summary", "debtor_response", "promised_amount", "promised_date"),
    )
    if values.get("occurred_on"):
        data["occurred_at"] = f"{values['occurred_on']}T{values.get('occurred_time') or '00:00'}"
    data.update(_present(values, PROMISE_FIELDS))
    return _amounts(data, "promised_amount")


def event_key(key: str) -> str:
    return "occurred_on" if key == "occurred_at" else key


PAYMENT_FIELDS = (
    "received_on",
    "amount",
    "payer",
    "method",
    "bank_ref",
    "claim_id",
    "asset_description",
    "note",
)


def payment_payload(values: Mapping[str, str]) -> dict[str, Any]:
    return _amounts(_present(values, PAYMENT_FIELDS), "amount")
