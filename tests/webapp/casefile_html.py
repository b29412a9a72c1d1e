"""Reading the case file pages in tests: form values, messages per field, flashes, row counts."""

from __future__ import annotations

from html.parser import HTMLParser

import sqlalchemy as sa
from sqlmodel import Session


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.errors: dict[str, list[str]] = {}
        self.flashes: list[str] = []
        self._select: str | None = None
        self._text: tuple[str, str] | None = None  # (kind, key) while inside an element
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "input" and "name" in a:
            if a.get("type") == "checkbox":
                self.values[a["name"]] = "y" if "checked" in a else ""
            elif a.get("type") != "file":
                self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            self.options[a["name"]] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a["value"])
            if "selected" in a:
                self.values[self._select] = a["value"]
        elif tag == "textarea":
            self._start("value", a["name"])
        elif tag == "p" and "data-for" in a:
            self._start("error", a["data-for"])
        elif tag == "div" and a.get("role") == "status":  # base.html's flashed messages
            self._start("flash", "")

    def _start(self, kind: str, key: str) -> None:
        self._text, self._buffer = (kind, key), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            # Like a browser: the first option unless one is marked selected.
            shown = self.options[self._select]
            self.values.setdefault(self._select, shown[0] if shown else "")
            self._select = None
        if self._text and tag in ("textarea", "p", "div"):
            kind, key = self._text
            text = "".join(self._buffer).strip()
            if kind == "value" and tag == "textarea":
                self.values[key] = text
            elif kind == "error" and tag == "p":
                self.errors.setdefault(key, []).append(text)
            elif kind == "flash":
                self.flashes.append(" ".join(text.split()))
            else:
                return
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text:
            self._buffer.append(data)


def section(page: str, element_id: str) -> str:
    """The HTML of ``<section ... id="element_id">`` up to its end (sections do not nest)."""
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def parse(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    parser.close()
    return parser


def values(html: str) -> dict[str, str]:
    """What each field of the form(s) shows: input values, selected options, textarea text."""
    return parse(html).values


def errors(html: str) -> dict[str, list[str]]:
    """The messages shown, by the field they belong to (``__all__`` for the whole form)."""
    return parse(html).errors


def options(html: str, name: str) -> list[str]:
    return parse(html).options[name]


def flashes(html: str) -> list[str]:
    return parse(html).flashes


def count(session: Session, model, *where) -> int:
    """Rows of ``model`` (matching ``where``) as the database has them now."""
    stmt = sa.select(sa.func.count()).select_from(model)
    for clause in where:
        stmt = stmt.where(clause)
    return session.execute(stmt).scalar_one()
