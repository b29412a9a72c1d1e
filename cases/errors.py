"""Domain errors. Messages are English msgids translated by the caller (see ``N_``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - gettext convention for "mark, translate later"
    """Mark a message for extraction without translating it here (the domain has no locale)."""
    return message


class Message:
    """A translatable message: an English msgid and the values to interpolate into it."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, gettext=None) -> str:
        text = gettext(self.msgid) if gettext else self.msgid
        if not self.params:
            return text
        params = {
            key: value.render(gettext) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return text % params

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.params) == (
            other.msgid,
            other.params,
        )

    def __hash__(self) -> int:
        return hash(self.msgid)


class DomainError(Exception):
    """A refused operation. Nothing was changed; the caller rolls back."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.message = Message(msgid, **params)
        super().__init__(str(self.message))


class ValidationError(DomainError):
    """Input that breaks a rule, with one or more messages per field."""

    def __init__(self, errors: Mapping[str, Message | list[Message]]) -> None:
        self.errors: dict[str, list[Message]] = {
            field: list(msgs) if isinstance(msgs, list) else [msgs]
            for field, msgs in errors.items()
        }
        first = next(iter(self.errors.values()))[0]
        super().__init__(first.msgid, **first.params)

    @classmethod
    def single(cls, field: str, msgid: str, **params: Any) -> ValidationError:
        return cls({field: Message(msgid, **params)})


class NotFound(DomainError):
    """The object does not exist or the actor may not know that it exists."""


class PermissionDenied(DomainError):
    """The actor may see the object but not do this to it."""
