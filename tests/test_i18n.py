"""The Chinese catalogue is complete, consistent and compiled.

Every msgid that ``scripts/i18n.py`` extracts from ``cases/`` and ``webapp/`` has a Chinese
translation; every translation keeps its placeholders; the compiled ``.mo`` that Flask-Babel
reads is fresh and says what the ``.po`` says.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
# Names and acronyms that Chinese users read as they are.
SAME_IN_CHINESE = frozenset({"API", "CSV", "Excel", "OpenAPI", "PDF", "Word", "English"})


@pytest.fixture(scope="module")
def i18n() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qs_i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def po_catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="zh")


def _translated(catalog) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


def test_every_extracted_msgid_has_a_chinese_translation(i18n):
    missing = i18n.missing()
    assert missing == [], (
        f"{len(missing)} msgid(s) without Chinese: add them with "
        "`scripts/i18n.py add FILE.json && scripts/i18n.py compile`:\n" + "\n".join(missing)
    )


def test_extraction_finds_the_domain_and_template_strings(i18n):
    """The control for the test above: the extractor really reads N_(), _() and templates."""
    ids = {m.id for m in i18n.extracted() if m.id}
    assert "A case in stage “%(stage)s” cannot “%(action)s”." in ids  # N_() in cases/
    assert "Wrong email or password." in ids  # _() in webapp/
    sources = {loc[0] for m in i18n.extracted() for loc in m.locations}
    assert any(path.endswith(".html") for path in sources)


def test_no_translation_is_fuzzy(po_catalog):
    assert [m.id for m in po_catalog if m.id and m.fuzzy] == []


def test_translations_keep_their_placeholders(po_catalog):
    broken = {
        msgid: text
        for msgid, text in _translated(po_catalog).items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    }
    assert broken == {}


def test_translations_are_chinese(po_catalog):
    """A msgid copied as its own translation would show English to Chinese users."""
    han = re.compile(r"[\u4e00-\u9fff]")
    untranslated = {
        msgid
        for msgid, text in _translated(po_catalog).items()
        if not han.search(text)
        and re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", msgid))
        and text == msgid
        and msgid not in SAME_IN_CHINESE
    }
    assert untranslated == set()


def test_compiled_catalogue_is_not_older_than_the_source():
    assert MO.exists(), "run `scripts/i18n.py compile`"
    assert MO.stat().st_mtime >= PO.stat().st_mtime, "run `scripts/i18n.py compile`"


def test_compiled_catalogue_says_what_the_source_says(po_catalog):
    with MO.open("rb") as fh:
        compiled = _translated(read_mo(fh))
    assert compiled == _translated(po_catalog)
