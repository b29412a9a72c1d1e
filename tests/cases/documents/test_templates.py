"""The shipped .docx templates: contract with their context schemas, rendered text, escaping,
reproducible build, and conversion to PDF by LibreOffice.

Snapshots of the rendered text live in ``snapshots/<name>.txt``; after a deliberate change to
a template's wording, refresh them with ``QS_UPDATE_SNAPSHOTS=1`` and review the diff.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import meta

from cases.documents import catalog
from cases.documents.contract import ContractChecker, check_template, preprocessed
from cases.documents.env import make_env, upper, yuan
from cases.documents.samples import sample_context

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("QS_UPDATE_SNAPSHOTS") == "1"
TEMPLATES = catalog.shipped()
NAMES = [t.name for t in TEMPLATES]


def render(name: str, context: dict[str, Any]) -> bytes:
    tpl = DocxTemplate(catalog.get(name).path)
    tpl.render(context, jinja_env=make_env(), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def text_of(data: bytes) -> str:
    """Paragraphs and table rows (cells joined by " | ") as python-docx reads them."""
    document = docx.Document(io.BytesIO(data))
    lines = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(element, document).text)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                seen: set[int] = set()
                cells = []
                for cell in row.cells:  # a merged cell comes back once per grid column
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text.replace("\n", " / "))
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines).rstrip() + "\n"


# ---- the contract: a template uses only what its schema declares ------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_template_uses_only_declared_fields(name: str) -> None:
    info = catalog.get(name)
    env = make_env()
    model = info.context_class
    declared = set(model.model_fields)
    # docxtpl's own view of the top-level names…
    undeclared = DocxTemplate(info.path).get_undeclared_template_variables(jinja_env=env)
    assert undeclared <= declared, f"{name}: not in {model.__name__}: {undeclared - declared}"
    # …and every attribute of every nested part, loop variables included.
    ast = env.parse(preprocessed(info.path))
    assert meta.find_undeclared_variables(ast) == undeclared
    checker = ContractChecker(model, set(env.filters))
    assert checker.check(ast) == []
    assert checker.used == undeclared
    # …and the whole check an uploaded version goes through (cases.documents.contract).
    report = check_template(info.path.read_bytes(), model)
    assert [str(p) for p in report.problems] == []
    assert report.used == undeclared


@pytest.mark.parametrize("name", NAMES)
def test_sample_is_a_valid_context(name: str) -> None:
    """The sample validates against the schema the catalogue names (no extra keys)."""
    model = catalog.get(name).context_class
    for context in (sample_context(name), sample_context(name, rows=1, minimal=True)):
        assert model.model_validate(context).model_dump(mode="python") == context


def test_lawyer_letter_sample_has_ten_claim_rows() -> None:
    context = sample_context("lawyer_letter")
    assert len(context["claims"]) == 10
    assert context["totals"]["total_due"] == sum(c["total_due"] for c in context["claims"])
    text = text_of(render("lawyer_letter", context))
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 10 + 1  # header, claims, total


# ---- rendered text ----------------------------------------------------------------------------


def _clean(text: str) -> None:
    for leftover in ("{{", "}}", "{%", "%}", "None", "Undefined"):
        assert leftover not in text


@pytest.mark.parametrize("name", NAMES)
def test_rendered_text_matches_snapshot(name: str) -> None:
    text = text_of(render(name, sample_context(name, rows=3)))
    _clean(text)
    snapshot = SNAPSHOTS / f"{name}.txt"
    if UPDATE:
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot.name}: run with QS_UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text(encoding="utf-8"), (
        f"{name} renders differently from snapshots/{snapshot.name}; if the change is meant, "
        "refresh with QS_UPDATE_SNAPSHOTS=1 and review the diff"
    )


@pytest.mark.parametrize("name", NAMES)
def test_sparsest_context_renders(name: str) -> None:
    """An individual debtor, no guarantors, no evidence, no optional field: still whole."""
    context = sample_context(name, rows=1, minimal=True)
    text = text_of(render(name, context))
    _clean(text)
    assert "刘晓梅" in text
    for absent in ("孙德明", "恒信控股", "保证人", "抄送"):
        assert absent not in text


@pytest.mark.parametrize("name", NAMES)
def test_amounts_in_figures_and_capitals(name: str) -> None:
    context = sample_context(name, rows=2)
    text = text_of(render(name, context))
    total = {
        "repayment_agreement": ("debt", "total"),
        "preservation_application": ("amount",),
        "enforcement_application": ("total",),
        "writeoff_application": ("amount",),
    }.get(name, ("totals", "total_due"))
    value: Any = context
    for key in total:
        value = value[key]
    assert f"人民币{yuan(value)}元（大写：人民币{upper(value)}）" in text


# ---- escaping ---------------------------------------------------------------------------------

NASTY = "A&B <公司> {{ 7*7 }}"


def _rename(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, old, new) for v in value]
    return new if value == old else value


@pytest.mark.parametrize("name", NAMES)
def test_party_names_are_escaped_not_interpreted(name: str) -> None:
    context = sample_context(name, rows=1)
    context = _rename(context, context["debtor"]["name"], NASTY)
    context = _rename(context, context["creditor"]["name"], "甲&乙 <银行>")
    text = text_of(render(name, context))
    assert NASTY in text
    assert "甲&乙 <银行>" in text
    assert "49" not in text.replace(NASTY, "")  # the name is data, never template code


# ---- the generated files are what the script writes ------------------------------------------


def test_committed_templates_match_the_build_script() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_templates.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---- PDF with LibreOffice ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice (soffice) is required to convert documents to PDF and is not installed: "
            "run scripts/bootstrap.sh --system",
            pytrace=False,
        )
    work = tmp_path_factory.mktemp("pdf")
    sources = []
    for name in NAMES:
        source = work / f"{name}.docx"
        source.write_bytes(render(name, sample_context(name)))
        sources.append(str(source))
    profile = (work / "profile").as_uri()
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {name: work / f"{name}.pdf" for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_converts_to_pdf(pdfs: dict[str, Path], name: str) -> None:
    pdf = pdfs[name]
    assert pdf.is_file(), f"LibreOffice wrote no PDF for {name}"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-1024:]
    assert len(data) > 10_000


def test_sample_dates_are_fixed() -> None:
    context = sample_context("collection_notice")
    assert context["on"] == date(2026, 11, 23)
    assert isinstance(context["totals"]["total_due"], Decimal)
