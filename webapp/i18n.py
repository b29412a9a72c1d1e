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
    amount = Decimal(amount)
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


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(tr=tr, money=money, date=fmt_date, datetime=fmt_datetime)
    app.jinja_env.globals.update(LOCALES=LOCALES, tr=tr, get_locale=get_locale)
