"""The one Jinja environment every document template runs in.

Sandboxed (``ImmutableSandboxedEnvironment``: no attribute starting with ``_``, no mutation of
lists or dicts, no access to Python internals) with autoescape on, so that a debtor called
``A&B <公司>`` becomes ``A&amp;B &lt;公司&gt;`` in the document's XML and reads correctly in
Word. The docxtpl path and the fast path of ``cases.documents.render`` use the same
environment, so both produce the same text.

Filters for legal documents (all take ``Decimal`` / ``date`` / ``None``):

- ``yuan``: an amount in figures, grouped, to the fen: ``1234567.5`` → ``1,234,567.50``;
- ``upper``: 人民币大写 (``cases.money.rmb_upper``): ``1010.05`` → ``壹仟零壹拾元零伍分``;
- ``cn_date``: ``2026-11-23`` → ``2026年11月23日`` (``style="chinese"``: 二〇二六年十一月二十三日);
- ``rate``: a percentage without trailing zeros: ``Decimal("4.3500")`` → ``4.35``.

``None`` renders as an empty string under every filter, never as ``None``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from cases.money import cn_date as _cn_date
from cases.money import rmb_upper, to_fen


def yuan(amount: Decimal | int | str | None) -> str:
    if amount is None or amount == "":
        return ""
    return f"{to_fen(amount):,.2f}"


def upper(amount: Decimal | int | str | None) -> str:
    if amount is None or amount == "":
        return ""
    return rmb_upper(to_fen(amount))


def cn_date(value: date | None, style: str = "digits") -> str:
    if value is None:
        return ""
    return _cn_date(value, style=style)


def rate(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


FILTERS: dict[str, Any] = {"yuan": yuan, "upper": upper, "cn_date": cn_date, "rate": rate}


MAX_REPEAT = 10_000  # "x" * n and [..] * n: longer than any document needs
MAX_EXPONENT = 64


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, plus arithmetic that cannot exhaust memory: ``*`` and ``**`` are not folded
    at compile time (where the sandbox does not look) but checked when they run."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is too large for a document template")
            return left**right
        for seq, count in ((left, right), (right, left)):
            repeats = isinstance(seq, str | list | tuple) and isinstance(count, int)
            if repeats and (count > MAX_REPEAT or len(seq) * count > MAX_REPEAT * 10):
                raise SecurityError("a repetition this long is refused in a document template")
        return left * right


def make_env() -> ImmutableSandboxedEnvironment:
    """A fresh sandboxed, autoescaping environment with the document filters.

    Undefined variables raise (``StrictUndefined``): a template that names a field its schema
    lacks fails loudly instead of printing nothing in a legal document.
    """
    env = DocumentEnvironment(autoescape=True, undefined=StrictUndefined)
    env.filters.update(FILTERS)
    return env
