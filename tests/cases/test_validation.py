"""``cases.validation.parse``: pydantic errors become our msgids, keyed by field path."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pydantic
import pytest
from babel.support import Translations
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ErrorType
from sqlmodel import SQLModel

from cases.errors import Message, ValidationError
from cases.ledger.models import PaymentCreate
from cases.register.models import CaseCreate, CaseUpdate, ClaimCreate
from cases.timeline.models import EventCreate
from cases.users.models import UserCreate
from cases.validation import FORM_ERROR, field_error, parse
from tests.factories import case_payload

ROOT = Path(__file__).resolve().parents[2]
CLAIM = {
    "contract_ref": "HT-2025-001",
    "contract_title": "购销合同",
    "principal": "100.00",
    "due_date": "2025-06-30",
}


def errors_of(model: type[SQLModel], data: Any) -> dict[str, list[tuple[str, dict]]]:
    with pytest.raises(ValidationError) as exc:
        parse(model, data)
    return {field: [(m.msgid, m.params) for m in msgs] for field, msgs in exc.value.errors.items()}


def msgids(model: type[SQLModel], data: Any) -> dict[str, list[str]]:
    return {field: [m for m, _ in msgs] for field, msgs in errors_of(model, data).items()}


# (id, model, data, field, msgid, params that must be present)
CASES = [
    (
        "missing",
        ClaimCreate,
        {k: v for k, v in CLAIM.items() if k != "principal"},
        "principal",
        "This field is required",
        {},
    ),
    (
        "empty-string-is-missing",
        ClaimCreate,
        {**CLAIM, "contract_ref": ""},
        "contract_ref",
        "This field is required",
        {},
    ),
    (
        "too-long",
        ClaimCreate,
        {**CLAIM, "contract_ref": "x" * 65},
        "contract_ref",
        "At most %(max_length)s characters",
        {"max_length": "64"},
    ),
    (
        "negative-amount",
        ClaimCreate,
        {**CLAIM, "principal": "-5"},
        "principal",
        "Must be greater than %(gt)s",
        {"gt": "0"},
    ),
    (
        "zero-amount",
        PaymentCreate,
        {"received_on": "2025-01-01", "amount": "0", "payer": "某公司", "method": "cash"},
        "amount",
        "Must be greater than %(gt)s",
        {"gt": "0"},
    ),
    (
        "rate-above-100",
        ClaimCreate,
        {**CLAIM, "interest_rate": "100.5"},
        "interest_rate",
        "Must be at most %(le)s",
        {"le": "100"},
    ),
    (
        "too-many-decimals",
        ClaimCreate,
        {**CLAIM, "principal": "1.005"},
        "principal",
        "At most %(decimal_places)s decimal places",
        {"decimal_places": "2"},
    ),
    (
        "too-many-digits",
        ClaimCreate,
        {**CLAIM, "principal": "123456789012345"},
        "principal",
        "The number is too large",
        {},
    ),
    (
        "not-an-amount",
        ClaimCreate,
        {**CLAIM, "principal": "十万"},
        "principal",
        "Not a valid amount",
        {},
    ),
    (
        "bad-date-month-13",
        ClaimCreate,
        {**CLAIM, "due_date": "2025-13-01"},
        "due_date",
        "Not a valid date (YYYY-MM-DD)",
        {},
    ),
    (
        "bad-date-format",
        ClaimCreate,
        {**CLAIM, "due_date": "30/06/2025"},
        "due_date",
        "Not a valid date (YYYY-MM-DD)",
        {},
    ),
    (
        "bad-datetime",
        EventCreate,
        {"kind": "contact", "occurred_at": "昨天", "summary": "电话"},
        "occurred_at",
        "Not a valid date and time",
        {},
    ),
    (
        "bad-enum",
        ClaimCreate,
        {**CLAIM, "kind": "gift"},
        "kind",
        "Not one of the allowed values",
        {},
    ),
    (
        "bad-enum-role",
        UserCreate,
        {"email": "a@example.cn", "name": "甲", "role": "boss", "password": "x" * 12},
        "role",
        "Not one of the allowed values",
        {},
    ),
    (
        "not-a-whole-number",
        CaseUpdate,
        {"handler_id": "abc"},
        "handler_id",
        "Not a whole number",
        {},
    ),
    (
        "bad-email",
        UserCreate,
        {"email": "not-an-email", "name": "甲", "role": "legal", "password": "x" * 12},
        "email",
        "Not a valid email address",
        {},
    ),
    (
        "short-password",
        UserCreate,
        {"email": "a@example.cn", "name": "甲", "role": "legal", "password": "short"},
        "password",
        "At least %(min_length)s characters",
        {"min_length": "10"},
    ),
    (
        "custom-field-validator",
        ClaimCreate,
        {**CLAIM, "interest_basis": 366},
        "interest_basis",
        "Day-count basis must be 360 or 365",
        {},
    ),
    (
        "custom-future-date",
        CaseCreate,
        {**case_payload(1), "transferred_on": "2999-01-01"},
        "transferred_on",
        "This date cannot be in the future",
        {},
    ),
    (
        "custom-in-list",
        CaseCreate,
        {**case_payload(1), "tags": ["标" * 41]},
        "tags",
        "A tag is at most 40 characters",
        {},
    ),
    (
        "empty-list",
        CaseCreate,
        {**case_payload(1), "claims": []},
        "claims",
        "Add at least %(min_length)s",
        {"min_length": "1"},
    ),
    (
        "not-a-list",
        CaseCreate,
        {**case_payload(1), "claims": "none"},
        "claims",
        "A list is expected",
        {},
    ),
    ("not-an-object", CaseCreate, "just text", FORM_ERROR, "An object is expected", {}),
    (
        "nested-path",
        CaseCreate,
        {**case_payload(1), "claims": [{**CLAIM, "principal": "-1"}]},
        "claims.0.principal",
        "Must be greater than %(gt)s",
        {"gt": "0"},
    ),
    (
        "nested-party-path",
        CaseCreate,
        {
            **case_payload(1),
            "debtor": {"kind": "company", "name": "某某有限公司", "uscc": "91110000600037341M"},
        },
        "debtor.uscc",
        "Not a valid unified social credit code (check digit)",
        {},
    ),
]


@pytest.mark.parametrize(
    ("model", "data", "field", "msgid", "params"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_pydantic_error_becomes_our_msgid(model, data, field, msgid, params):
    errors = errors_of(model, data)
    assert field in errors, errors
    [(got_msgid, got_params)] = errors[field]
    assert got_msgid == msgid
    assert params.items() <= got_params.items()


class Installment(SQLModel):
    amount: Decimal
    due: date

    @pydantic.model_validator(mode="after")
    def _rule(self) -> Installment:
        if self.amount > 100:
            raise PydanticCustomError("too_big", "An installment is at most %(limit)s")
        return self


class Plan(SQLModel):
    installments: list[Installment]

    @pydantic.model_validator(mode="after")
    def _rule(self) -> Plan:
        if len(self.installments) > 2:
            raise PydanticCustomError("too_many", "At most two installments")
        return self


def test_model_level_rules_are_form_errors():
    row = {"amount": "1", "due": "2025-01-01"}
    assert msgids(Plan, {"installments": [row] * 3}) == {FORM_ERROR: ["At most two installments"]}


def test_nested_model_level_rules_carry_the_item_path():
    rows = [{"amount": "1", "due": "2025-01-01"}, {"amount": "101", "due": "2025-02-01"}]
    assert msgids(Plan, {"installments": rows}) == {
        "installments.1": ["An installment is at most %(limit)s"]
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**CLAIM, "signed_on": "2025-07-01"}, "due_date"),
        (
            {**case_payload(1), "claims": [CLAIM, {**CLAIM, "signed_on": "2025-07-01"}]},
            "claims.1.due_date",
        ),
    ],
    ids=["claim", "nested-claim"],
)
def test_due_before_signing_is_refused_beside_the_due_date(data, field):
    model = CaseCreate if "claims" in data else ClaimCreate
    assert msgids(model, data) == {field: ["The due date cannot be before the signing date"]}


class Window(SQLModel):
    start: date
    end: date

    @pydantic.model_validator(mode="after")
    def _order(self) -> Window:
        if self.end < self.start:
            raise field_error("end", "The end comes before the start")
        return self


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"start": "2025-02-01", "end": "2025-01-01"}, {"end": ["The end comes before the start"]}),
        (
            {
                "windows": [
                    {"start": "2025-01-01", "end": "2025-01-02"},
                    {"start": "2025-02-01", "end": "2025-01-01"},
                ]
            },
            {"windows.1.end": ["The end comes before the start"]},
        ),
    ],
    ids=["top-level", "nested"],
)
def test_a_model_rule_can_point_at_one_field(data, expected):
    class Windows(SQLModel):
        windows: list[Window]

    assert msgids(Windows if "windows" in data else Window, data) == expected


def test_every_field_error_is_reported_at_once():
    errors = msgids(
        CaseUpdate, {"risk_level": "extreme", "handler_id": "abc", "summary": "x" * 4001}
    )
    assert errors == {
        "risk_level": ["Not one of the allowed values"],
        "handler_id": ["Not a whole number"],
        "summary": ["At most %(max_length)s characters"],
    }


def test_the_exception_message_is_the_first_error():
    with pytest.raises(ValidationError) as exc:
        parse(ClaimCreate, {**CLAIM, "principal": "-1"})
    assert exc.value.message == Message("Must be greater than %(gt)s", gt="0")


def test_a_valid_payload_comes_back_typed():
    claim = parse(ClaimCreate, CLAIM)
    assert claim.principal == Decimal("100.00")
    assert claim.due_date.isoformat() == "2025-06-30"


def test_an_instance_is_validated_again():
    claim = ClaimCreate.model_construct(
        **{**CLAIM, "principal": Decimal("-1"), "due_date": date(2025, 6, 30)}
    )
    assert msgids(ClaimCreate, claim) == {"principal": ["Must be greater than %(gt)s"]}


def test_other_pydantic_errors_say_invalid_value_not_pydantic_english():
    class Probe(SQLModel):
        site: pydantic.HttpUrl

    assert msgids(Probe, {"site": "not a url"}) == {"site": ["Invalid value"]}


def test_plain_value_error_in_a_validator_says_invalid_value():
    class Probe(SQLModel):
        code: str

        @pydantic.field_validator("code")
        @classmethod
        def _check(cls, v: str) -> str:
            raise ValueError("some English text")

    assert msgids(Probe, {"code": "x"}) == {"code": ["Invalid value"]}


def test_custom_error_types_do_not_shadow_pydantic_ones():
    """A ``PydanticCustomError("missing", …)`` would be shown as "This field is required"."""
    builtin = set(get_args(ErrorType))
    pattern = re.compile(r"PydanticCustomError\(\s*\"([a-z_]+)\"")
    custom = {
        (str(path.relative_to(ROOT)), kind)
        for path in (ROOT / "cases").rglob("*.py")
        for kind in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert custom, "the scan found no custom errors: the pattern is stale"
    assert {(path, kind) for path, kind in custom if kind in builtin} == set()


@pytest.mark.parametrize(
    ("data", "chinese"),
    [
        ({**CLAIM, "principal": "-5"}, "须大于 0"),
        ({**CLAIM, "principal": "1.005"}, "最多 2 位小数"),
        ({**CLAIM, "due_date": "2025-13-01"}, "日期格式不正确（YYYY-MM-DD）"),
        ({k: v for k, v in CLAIM.items() if k != "principal"}, "此项必填"),
    ],
    ids=["greater-than", "decimals", "date", "required"],
)
def test_messages_render_in_chinese(data, chinese):
    zh = Translations.load(str(ROOT / "webapp" / "translations"), ["zh"])
    with pytest.raises(ValidationError) as exc:
        parse(ClaimCreate, data)
    assert exc.value.message.render(zh.gettext) == chinese
