"""Locale choice, translation of domain messages, and money/date formatting via Babel."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import numbers
from flask import Flask, current_app, request, session
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_login import current_user

from cases.base import business_time
from cases.errors import Message
from cases.figures import Step, Unit
from cases.money import FEN, to_fen
from webapp.extensions import babel

LOCALES = {"zh": "中文", "en": "English"}


def select_locale() -> str:
    """Pages: the language chosen in this session, else the user's saved one, else Chinese.

    API clients say what they want with ``Accept-Language`` (Chinese unless they ask).
    """
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(list(LOCALES), default=default) or default
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LOCALES:
        return current_user.locale
    return default


def tr(message: Message | str | None) -> str:
    """Translate a domain ``Message`` (or a bare msgid) into the request's language."""
    if message is None:
        return ""
    if isinstance(message, Message):
        return message.render(gettext)
    return gettext(message)


def money(amount: Decimal | int | str | None, *, symbol: bool = True) -> str:
    if amount is None:
        return ""
    amount = to_fen(amount)  # the product's one rounding policy (half-up), not Babel's
    locale = str(get_locale() or "zh")
    if symbol:
        return numbers.format_currency(amount, "CNY", locale=locale, currency_digits=True)
    return numbers.format_decimal(amount, format="#,##0.00", locale=locale)


def fmt_date(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def fmt_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    if value is None:
        return ""
    return (
        business_time(value).strftime("%Y-%m-%d %H:%M")
        if fmt == "iso"
        else format_datetime(value, fmt)
    )


def step_text(step: Step) -> str:
    """One line of a computation in the request's language, its amounts and dates formatted."""
    params = {key: _param(value) for key, value in step.params.items()}
    text = gettext(step.label)
    return text % params if params else text


def value_text(value: object) -> str:
    """A computed value for display: money to the fen, dates in the user's format."""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return fmt_date(value)
    return "" if value is None else str(value)


def step_value(step: Step) -> str:
    """A step's value for display: a percentage as one (12.35%), never as money; anything else
    as ``value_text`` shows it."""
    if step.unit == Unit.PERCENT and isinstance(step.value, Decimal | int):
        return f"{Decimal(step.value):f}%"
    return value_text(step.value)


def _param(value: object) -> object:
    if isinstance(value, Decimal):
        return money(value, symbol=False) if value == value.quantize(FEN) else str(value)
    if isinstance(value, date):
        return fmt_date(value)
    return value


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        tr=tr,
        money=money,
        date=fmt_date,
        datetime=fmt_datetime,
        step_text=step_text,
        step_value=step_value,
        value_text=value_text,
    )
    app.jinja_env.globals.update(LOCALES=LOCALES, tr=tr, get_locale=get_locale)
