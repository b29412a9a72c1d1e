"""Turn pydantic validation errors into translatable field messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar, get_args

import pydantic
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import ErrorType
from sqlmodel import SQLModel

from cases.errors import N_, Message, ValidationError

M = TypeVar("M", bound=SQLModel)

FORM_ERROR = "__all__"
_AT = "at."  # error-type prefix naming the field a model-level rule points at

_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required"),
    "string_too_short": N_("At least %(min_length)s characters"),
    "string_too_long": N_("At most %(max_length)s characters"),
    "greater_than": N_("Must be greater than %(gt)s"),
    "greater_than_equal": N_("Must be at least %(ge)s"),
    "less_than": N_("Must be less than %(lt)s"),
    "less_than_equal": N_("Must be at most %(le)s"),
    "decimal_parsing": N_("Not a valid amount"),
    "decimal_type": N_("Not a valid amount"),
    "decimal_max_places": N_("At most %(decimal_places)s decimal places"),
    "decimal_max_digits": N_("The number is too large"),
    "decimal_whole_digits": N_("The number is too large"),
    "finite_number": N_("Not a valid amount"),
    "date_parsing": N_("Not a valid date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": N_("Not a valid date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": N_("Not a valid date (YYYY-MM-DD)"),
    "date_type": N_("Not a valid date (YYYY-MM-DD)"),
    "datetime_parsing": N_("Not a valid date and time"),
    "datetime_from_date_parsing": N_("Not a valid date and time"),
    "datetime_type": N_("Not a valid date and time"),
    "enum": N_("Not one of the allowed values"),
    "literal_error": N_("Not one of the allowed values"),
    "int_parsing": N_("Not a whole number"),
    "int_type": N_("Not a whole number"),
    "int_from_float": N_("Not a whole number"),
    "bool_parsing": N_("Not a yes/no value"),
    "too_short": N_("Add at least %(min_length)s"),
    "too_long": N_("At most %(max_length)s items"),
    "string_type": N_("Not valid text"),
    "list_type": N_("A list is expected"),
    "model_type": N_("An object is expected"),
    "dict_type": N_("An object is expected"),
    "model_attributes_type": N_("An object is expected"),
    "json_invalid": N_("The request body is not valid JSON"),
}
_EMAIL = N_("Not a valid email address")
_INVALID = N_("Invalid value")
# pydantic's own error types; any other type is a PydanticCustomError whose message is our msgid.
_PYDANTIC_TYPES = frozenset(get_args(ErrorType))


def _message(error: dict[str, Any]) -> Message:
    kind = error["type"]
    ctx = {
        k: str(v)
        for k, v in (error.get("ctx") or {}).items()
        if isinstance(v, (int, str, float, Decimal))
    }
    if kind == "string_too_short" and ctx.get("min_length") == "1":
        return Message(_MESSAGES["missing"])
    if kind in _MESSAGES:
        return Message(_MESSAGES[kind], **ctx)
    if kind == "value_error" and "email" in error.get("msg", "").lower():
        return Message(_EMAIL)
    if kind not in _PYDANTIC_TYPES and error.get("msg"):
        # PydanticCustomError: our own msgid is the message template.
        return Message(error["msg"])
    return Message(_INVALID)


def field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or FORM_ERROR


def day_count_basis(value: int) -> int:
    """A field validator for interest's day-count basis: 360 or 365 days a year."""
    if value not in (360, 365):
        raise PydanticCustomError("basis", N_("Day-count basis must be 360 or 365"))
    return value


def field_error(field: str, msgid: str) -> PydanticCustomError:
    """An error raised by a whole-model rule that belongs next to one of the model's fields."""
    return PydanticCustomError(f"{_AT}{field}", msgid)


def from_pydantic(exc: pydantic.ValidationError) -> ValidationError:
    errors: dict[str, list[Message]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"].startswith(_AT):
            loc += (error["type"][len(_AT) :],)
        errors.setdefault(field_name(loc), []).append(_message(error))
    return ValidationError(errors)


def parse(model: type[M], data: Any) -> M:
    """Validate ``data`` into ``model`` or raise ``ValidationError`` with field messages."""
    if isinstance(data, model):
        data = data.model_dump()
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_pydantic(exc) from None
