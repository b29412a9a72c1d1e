"""Translation catalogue chores: ``python scripts/i18n.py extract|check|compile``.

- extract: refresh ``webapp/translations/zh/LC_MESSAGES/messages.po`` from the sources
  (keeps existing translations, adds new msgids untranslated, drops obsolete ones);
- check: exit 1 listing every msgid without a Chinese translation;
- add FILE.json: merge ``{"English msgid": "中文"}`` pairs into the catalogue (file-locked, so
  several people can add at once);
- compile: build the ``.mo`` files Flask-Babel reads (run by the set-up script).
"""

from __future__ import annotations

import fcntl
import json
import sys
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "_l": None,
    "lazy_gettext": None,
}
METHODS = [
    ("cases/**.py", "python"),
    ("webapp/**.py", "python"),
    ("webapp/templates/**.html", "jinja2"),
]


def extracted() -> Catalog:
    template = Catalog(locale=None, project="qingshou")
    for dirname in ("cases", "webapp"):
        methods = [(p.split("/", 1)[1], m) for p, m in METHODS if p.startswith(dirname)]
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / dirname,
            methods,
            keywords=KEYWORDS,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        ):
            template.add(message, locations=[(f"{dirname}/{filename}", 0)])
    return template


def load() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh")


@contextmanager
def locked():
    lock = PO.with_suffix(".lock")
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def save(catalog: Catalog) -> None:
    with PO.open("wb") as fh:
        write_po(
            fh,
            catalog,
            omit_header=False,
            no_location=True,
            sort_output=True,
            ignore_obsolete=True,
            width=100,
        )


def add(pairs: dict[str, str]) -> None:
    with locked():
        catalog = load()
        for msgid, msgstr in pairs.items():
            message = catalog.get(msgid)
            if message is None:
                catalog.add(msgid, msgstr)
            else:
                message.string = msgstr
                message.flags.discard("fuzzy")
        save(catalog)


def extract() -> None:
    template = extracted()
    catalog = load() if PO.exists() else Catalog(locale="zh", project="qingshou")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    PO.parent.mkdir(parents=True, exist_ok=True)
    save(catalog)


def missing() -> list[str]:
    catalog = load()
    wanted = {m.id for m in extracted() if m.id}
    have = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    return sorted(str(w) if isinstance(w, str) else str(w[0]) for w in wanted - have)


def compile_catalogs() -> None:
    for po in (ROOT / "webapp" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        buf = BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        po.with_suffix(".mo").write_bytes(buf.getvalue())


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else "check"
    if verb == "extract":
        with locked():
            extract()
    elif verb == "add":
        add(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    elif verb == "compile":
        compile_catalogs()
    elif verb == "check":
        gaps = missing()
        for msgid in gaps:
            print(f"untranslated: {msgid}")
        sys.exit(1 if gaps else 0)
    else:
        sys.exit(f"unknown verb {verb}")
