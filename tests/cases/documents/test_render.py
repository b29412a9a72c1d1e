"""The document renderer: the fast path gives what docxtpl gives, falls back when it must,
and keeps the sandbox.

The reference for every comparison is docxtpl itself, run here directly:
``DocxTemplate(t).render(context, jinja_env=make_env(), autoescape=True)`` and ``save``. The
contract is the text python-docx reads (paragraphs, table cells, headers, footers); the tests
also check what the fast path is built for: the XML parts (document.xml, headers, footers)
are docxtpl's once canonicalised (C14N) — the same elements, attributes and text — and byte
for byte docxtpl's when the template needs docxtpl's tree fix-ups (pictures, tables whose
cells depend on the context) or the rendered XML is not well-formed. Templates are built here
with python-docx, as Word would save them (tags split over several runs included).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.parser import parse_xml
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, Listing, RichText
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from lxml import etree
from markupsafe import Markup

from cases.documents import render as render_module
from cases.documents.env import make_env
from cases.documents.render import PreparedTemplate, prepare, render_docx, render_many

# ---- templates -------------------------------------------------------------------------


def _png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 0, 0)) -> bytes:
    """A tiny valid PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _save(document: Any) -> bytes:
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def letter_template() -> bytes:
    """A lawyer's letter: heading, split tags, filters, {%p if %}, {%r %}, a {%tr for %}
    table, a header with a variable and a static footer."""
    doc = Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = "{{ creditor.name }} 法务部"
    section.footer.paragraphs[0].text = "本函一式两份"
    doc.add_heading("律师函", level=1)
    p = doc.add_paragraph()
    p.add_run("致：{{ debtor.")  # Word splits tags like this when a run's formatting changes
    p.add_run("name }}").bold = True
    p = doc.add_paragraph("欠款本金人民币 {")
    p.add_run("{ principal|yuan }} 元（大写：{{ principal|upper }}）。")
    doc.add_paragraph("{%p if overdue %}")
    doc.add_paragraph("贵方已逾期 {{ days }} 日，年利率 {{ rate|rate }}%。")
    doc.add_paragraph("{%p endif %}")
    p = doc.add_paragraph("附注：")
    p.add_run("{%r if note %}")
    p.add_run("{{ note }}").italic = True
    p.add_run("{%r endif %}")
    table = doc.add_table(rows=4, cols=3)
    for cell, text in zip(table.rows[0].cells, ("日期", "金额（元）", "说明"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for row in rows %}"
    row = table.rows[2].cells
    row[0].text, row[1].text, row[2].text = (
        "{{ row.date|cn_date }}",
        "{{ row.amount|yuan }}",
        "{{ row.memo }}",
    )
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{{ creditor.name }}")
    doc.add_paragraph("{{ today|cn_date('chinese') }}")
    return _save(doc)


def tables_template(image: Path) -> bytes:
    """Table features docxtpl fixes the grid for: {%tc for %} columns, {% colspan %}, a nested
    table; and a picture inside a paragraph loop (docPr ids renumbered)."""
    doc = Document()
    doc.sections[0].footer.paragraphs[0].text = "{{ footer }}"
    doc.add_paragraph("{{ title }}")
    wide = doc.add_table(rows=2, cols=3)
    wide.rows[0].cells[0].text = "{%tc for col in cols %}"
    wide.rows[0].cells[1].text = "{{ col }}"
    wide.rows[0].cells[2].text = "{%tc endfor %}"
    for cell, text in zip(wide.rows[1].cells, ("甲", "乙", "丙"), strict=True):
        cell.text = text
    spans = doc.add_table(rows=2, cols=3)
    spans.rows[0].cells[0].text = "{% colspan span %}合计"
    spans.rows[0].cells[1].text = "x"
    spans.rows[0].cells[2].text = "{{ total|yuan }}"
    outer = doc.add_table(rows=3, cols=2)
    outer.rows[0].cells[0].text = "{%tr for row in rows %}"
    outer.rows[1].cells[0].text = "{{ row.name }}"
    inner = outer.rows[1].cells[1].add_table(rows=1, cols=2)
    inner.rows[0].cells[0].text = "{{ row.amount|yuan }}"
    inner.rows[0].cells[1].text = "{{ row.amount|upper }}"
    outer.rows[2].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{%p for row in rows %}")
    doc.add_paragraph().add_run().add_picture(str(image), width=Mm(10))
    doc.add_paragraph("{{ loop.index }}. {{ row.name }}")
    doc.add_paragraph("{%p endfor %}")
    return _save(doc)


def letter_context(**overrides: Any) -> dict[str, Any]:
    context = {
        "creditor": {"name": "示范集团上海分公司"},
        "debtor": {"name": "A&B <公司>"},
        "principal": Decimal("1234567.50"),
        "overdue": True,
        "days": 181,
        "rate": Decimal("4.3500"),
        "note": "请于十日内付款 & 回复 <法务部>",
        "today": date(2026, 11, 23),
        "rows": [
            {"date": date(2026, 1, k), "amount": Decimal(k * 1000) + Decimal("0.05"), "memo": m}
            for k, m in ((1, '货款 "第一批"'), (15, "货款 'B&C'"), (31, "<违约金>"))
        ],
    }
    return context | overrides


LETTER_CONTEXTS = {
    "escaping": letter_context(),
    "not overdue, no note, no rows": letter_context(overdue=False, note="", rows=[]),
    "newlines and tabs (docxtpl listing)": letter_context(note="第一行\n第二行\t制表"),
    "None under the filters": letter_context(principal=None, rate=None, days=0),
    "ten rows": letter_context(
        rows=[
            {"date": date(2026, 3, k), "amount": Decimal(k) * 1111, "memo": f"第{k}笔"}
            for k in range(1, 11)
        ]
    ),
}


def tables_context(**overrides: Any) -> dict[str, Any]:
    context = {
        "title": "明细 <附件一>",
        "footer": "第 1 页 & 共 1 页",
        "cols": ["合同", "本金", "利息", "违约金", "合计"],
        "span": 2,
        "total": Decimal("98765.43"),
        "rows": [
            {"name": "甲公司", "amount": Decimal("100.10")},
            {"name": "乙&丙", "amount": Decimal("2000")},
        ],
    }
    return context | overrides


TABLES_CONTEXTS = {
    "wider columns": tables_context(),
    "narrower columns": tables_context(cols=["合同"], span=1),
    "no rows": tables_context(rows=[], cols=[]),
    "three spanned": tables_context(span=3),
}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("img") / "seal.png"
    path.write_bytes(_png())
    return path


@pytest.fixture(scope="module")
def letter() -> bytes:
    return letter_template()


@pytest.fixture(scope="module")
def tables(image: Path) -> bytes:
    return tables_template(image)


# ---- helpers -------------------------------------------------------------------------


def with_docxtpl(template: bytes, context: dict[str, Any]) -> bytes:
    tpl = DocxTemplate(BytesIO(template))
    tpl.render(context, jinja_env=make_env(), autoescape=True)
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


def texts(data: bytes) -> list[tuple[str, Any]]:
    """Everything python-docx reads as text: body paragraphs, table cells (nested tables
    too), and the headers and footers of every section."""
    doc = Document(BytesIO(data))
    out: list[tuple[str, Any]] = [("p", p.text) for p in doc.paragraphs]

    def table_texts(tables: list[Any], where: str) -> None:
        for table in tables:
            for row in table.rows:
                out.append((where, tuple(cell.text for cell in row.cells)))
                for cell in row.cells:
                    table_texts(cell.tables, where + " nested")

    table_texts(doc.tables, "row")
    for number, section in enumerate(doc.sections):
        for kind in ("header", "footer"):
            part = getattr(section, kind)
            if not part.is_linked_to_previous:
                out += [(f"{kind} {number}", p.text) for p in part.paragraphs]
                table_texts(part.tables, f"{kind} {number} row")
    return out


def xml_parts(data: bytes, canonical: bool = False) -> dict[str, bytes]:
    """The XML members under word/, as stored or canonicalised (C14N after python-docx's own
    parser: escaping, empty elements and repeated namespace declarations no longer differ)."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        parts = {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        }
    if canonical:
        return {name: etree.tostring(parse_xml(xml), method="c14n") for name, xml in parts.items()}
    return parts


def assert_same_as_docxtpl(
    template: bytes, context: dict[str, Any], result: bytes, *, exact: bool
) -> None:
    expected = with_docxtpl(template, context)
    assert texts(result) == texts(expected)
    assert xml_parts(result, canonical=True) == xml_parts(expected, canonical=True)
    if exact:
        assert xml_parts(result) == xml_parts(expected)


def spliced(template: bytes) -> bool:
    """Whether the fast path writes this template's rendered body as it is."""
    prepared = prepare(template)
    assert prepared.fast, prepared.reason
    return prepared._parts.body.splice_blocker is None


# ---- the fast path gives docxtpl's documents ---------------------------------------------


@pytest.mark.parametrize("context", LETTER_CONTEXTS.values(), ids=LETTER_CONTEXTS.keys())
def test_letter_same_as_docxtpl(letter: bytes, context: dict[str, Any]) -> None:
    assert spliced(letter)
    assert_same_as_docxtpl(letter, context, render_docx(letter, context), exact=False)


@pytest.mark.parametrize("context", TABLES_CONTEXTS.values(), ids=TABLES_CONTEXTS.keys())
def test_tables_same_as_docxtpl(tables: bytes, context: dict[str, Any]) -> None:
    assert not spliced(tables)  # {%tc %} columns, colspan, pictures: docxtpl's fix-ups
    assert_same_as_docxtpl(tables, context, render_docx(tables, context), exact=True)


def test_markup_in_the_context_is_not_spliced(letter: bytes) -> None:
    context = letter_context(note=Markup("<w:br/>") + "下一行", debtor={"name": Listing("甲\n乙")})
    assert_same_as_docxtpl(letter, context, render_docx(letter, context), exact=True)


def test_invalid_characters_go_through_docxtpl_parsing(letter: bytes) -> None:
    context = letter_context(note="控制字符\x0b在此")  # not allowed in XML 1.0
    assert_same_as_docxtpl(letter, context, render_docx(letter, context), exact=True)


def test_unbalanced_rendering_is_repaired_as_docxtpl_does() -> None:
    """An {% if %} opened in a table cell and closed after the table cuts the XML when false;
    docxtpl's recovering parser repairs it, and so does the fast path, identically."""
    doc = Document()
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "甲{% if show %}乙"
    table.rows[0].cells[1].text = "丙"
    doc.add_paragraph("丁{% endif %}戊")
    template = _save(doc)
    for show in (True, False):
        context = {"show": show}
        assert_same_as_docxtpl(template, context, render_docx(template, context), exact=True)


def table_template(rows: list[list[str]], after: str = "") -> bytes:
    doc = Document()
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for row, texts_ in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, texts_, strict=True):
            cell.text = text
    doc.add_paragraph(after)
    return _save(doc)


@pytest.mark.parametrize(
    ("rows", "can_splice"),
    [
        ([["日期", "金额"], ["{%tr for r in rows %}", ""], ["{{ r.d }}", "{{ r.a }}"],
          ["{%tr endfor %}", ""]], True),
        ([["{%tr for r in rows %}", ""], ["{{ r.d }}", "{{ r.a }}"], ["{%tr endfor %}", ""]],
         False),  # no row is always there: docxtpl drops the grid of an empty table
        ([["{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"]], False),
        ([["{% colspan n %}合计", "x"]], False),
        ([["{% cellbg color %}x", "y"]], False),
        ([["{% if a %}甲", "乙{% endif %}"]], False),  # a block across two cells
        ([["{%p if a %}", "乙"], ["{%p endif %}", "丁"]], False),
        ([["{%p if a %}", "乙"], ["丙", "{%p endif %}"]], False),  # across two rows
        ([["甲{% if a %}乙{% else %}丙{% endif %}", "{% for x in xs %}{{ x }}{% endfor %}"]],
         True),
        ([["{% raw %}{{{% endraw %}", "乙"]], False),  # tags it does not know
    ],
)  # fmt: skip
def test_splice_only_when_tables_cannot_change(rows: list[list[str]], can_splice: bool) -> None:
    assert spliced(table_template(rows)) is can_splice


@pytest.mark.parametrize(
    "rows",
    [[["{% if a %}甲", "乙{% endif %}"]], [["{%p if a %}", "乙"], ["丙", "{%p endif %}"]]],
    ids=["across cells", "across rows"],
)
@pytest.mark.parametrize("a", [True, False])
def test_blocks_across_cells_render_as_docxtpl(rows: list[list[str]], a: bool) -> None:
    template = table_template(rows)
    assert_same_as_docxtpl(template, {"a": a}, render_docx(template, {"a": a}), exact=True)


def test_header_with_a_picture_is_rendered_as_docxtpl(image: Path) -> None:
    doc = Document()
    header = doc.sections[0].header.paragraphs[0]
    header.add_run("{{ firm }} ")
    header.add_run().add_picture(str(image), width=Mm(8))
    doc.add_paragraph("{{ firm }}")
    template, context = _save(doc), {"firm": "申正律师事务所 & <合伙>"}
    result = render_docx(template, context)
    assert_same_as_docxtpl(template, context, result, exact=False)
    expected = xml_parts(with_docxtpl(template, context))
    assert xml_parts(result)["word/header1.xml"] == expected["word/header1.xml"]


def test_pictures_are_not_spliced(image: Path) -> None:
    doc = Document()
    doc.add_paragraph("{{ name }}")
    doc.add_paragraph().add_run().add_picture(str(image), width=Mm(10))
    template = _save(doc)
    assert not spliced(template)
    assert_same_as_docxtpl(
        template, {"name": "甲"}, render_docx(template, {"name": "甲"}), exact=True
    )


def test_letter_reads_as_expected(letter: bytes) -> None:
    """Independent of docxtpl: what a reader of the letter sees."""
    result = texts(render_docx(letter, LETTER_CONTEXTS["escaping"]))
    paragraphs = [text for kind, text in result if kind == "p"]
    assert paragraphs == [
        "律师函",
        "致：A&B <公司>",
        "欠款本金人民币 1,234,567.50 元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元伍角）。",
        "贵方已逾期 181 日，年利率 4.35%。",
        "附注：请于十日内付款 & 回复 <法务部>",
        "示范集团上海分公司",
        "二〇二六年十一月二十三日",
    ]
    rows = [cells for kind, cells in result if kind == "row"]
    assert rows == [
        ("日期", "金额（元）", "说明"),
        ("2026年1月1日", "1,000.05", '货款 "第一批"'),
        ("2026年1月15日", "15,000.05", "货款 'B&C'"),
        ("2026年1月31日", "31,000.05", "<违约金>"),
    ]
    assert ("header 0", "示范集团上海分公司 法务部") in result
    assert ("footer 0", "本函一式两份") in result


def test_fast_path_does_not_call_docxtpl_render(
    letter: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = prepare(letter)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("DocxTemplate.render called on the fast path")

    monkeypatch.setattr(DocxTemplate, "render", refuse)
    documents = list(render_many(prepared, LETTER_CONTEXTS.values()))
    assert len(documents) == len(LETTER_CONTEXTS)


def test_documents_are_valid_packages(letter: bytes, tables: bytes) -> None:
    for template, context in ((letter, letter_context()), (tables, tables_context())):
        data = render_docx(template, context)
        with zipfile.ZipFile(BytesIO(data)) as archive:
            assert archive.testzip() is None
            names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        assert len(names) == len(set(names))
        Document(BytesIO(data))  # python-docx opens it


def test_same_context_same_bytes(letter: bytes) -> None:
    prepared = prepare(letter)
    assert prepared.render(letter_context()) == prepared.render(letter_context())


def test_render_many_is_lazy(letter: bytes) -> None:
    consumed: list[int] = []

    def contexts() -> Iterator[dict[str, Any]]:
        for index in range(3):
            consumed.append(index)
            yield letter_context(days=index)

    documents = render_many(letter, contexts())
    assert consumed == []
    first = next(documents)
    assert consumed == [0]
    assert "贵方已逾期 0 日，年利率 4.35%。" in [text for _, text in texts(first)]
    assert len(list(documents)) == 2


def test_template_forms(letter: bytes, tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(letter)
    context = letter_context()
    expected = texts(render_docx(letter, context))
    assert texts(render_docx(path, context)) == expected
    assert texts(render_docx(str(path), context)) == expected
    assert texts(render_docx(prepare(path), context)) == expected
    assert texts(render_docx(BytesIO(letter), context)) == expected
    assert prepare(prepare(letter)) is not None


def test_syntax_error_is_reported_as_docxtpl_does() -> None:
    template = one_paragraph_template("甲{% if a %}乙")
    with pytest.raises(TemplateSyntaxError) as raised:
        prepare(template)
    assert any("甲" in line for line in raised.value.docx_context)


def test_undefined_variable_fails_in_both_paths(letter: bytes) -> None:
    context = letter_context()
    del context["debtor"]
    with pytest.raises(UndefinedError):
        render_docx(letter, context)
    with pytest.raises(UndefinedError):
        render_docx(letter, context | {"flag": RichText("x")})


# ---- fallbacks ---------------------------------------------------------------------------


@pytest.fixture
def no_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("the fast path was used")

    monkeypatch.setattr(render_module._FastParts, "render", refuse)


def one_paragraph_template(text: str, **core_properties: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    for name, value in core_properties.items():
        setattr(doc.core_properties, name, value)
    return _save(doc)


@pytest.mark.usefixtures("no_fast_path")
def test_richtext_falls_back(letter: bytes) -> None:
    template = one_paragraph_template("债务人：{{r debtor }}，{{ plain }}")
    context = {"debtor": RichText("A&B <公司>", bold=True, color="C00000"), "plain": "x<y"}
    result = render_docx(template, context)
    assert texts(result) == texts(with_docxtpl(template, context))
    assert texts(result)[0] == ("p", "债务人：A&B <公司>，x<y")
    nested = letter_context(debtor={"name": RichText("甲")})  # found nested in the context
    assert texts(render_docx(letter, nested)) == texts(with_docxtpl(letter, nested))


@pytest.mark.usefixtures("no_fast_path")
def test_inline_image_falls_back(image: Path) -> None:
    template = one_paragraph_template("印章：{{ seal }}")
    seal = InlineImage(None, str(image), width=Mm(20))  # rebound to the template rendered
    result = render_docx(template, {"seal": seal})
    assert len(Document(BytesIO(result)).inline_shapes) == 1
    with zipfile.ZipFile(BytesIO(result)) as archive:
        assert any(name.startswith("word/media/") for name in archive.namelist())


@pytest.mark.usefixtures("no_fast_path")
def test_docxtpl_template_with_replacements_falls_back(tmp_path: Path, image: Path) -> None:
    doc = Document()
    doc.add_paragraph("{{ name }}")
    doc.add_paragraph().add_run().add_picture(str(image), width=Mm(10))
    path = tmp_path / "logo.docx"
    doc.save(str(path))
    replacement = tmp_path / "other.png"
    replacement.write_bytes(_png(rgb=(0, 0, 200)))

    tpl = DocxTemplate(str(path))
    tpl.replace_pic(image.name, str(replacement))
    prepared = prepare(tpl)
    assert not prepared.fast
    result = prepared.render({"name": "甲公司"})
    assert texts(result)[0] == ("p", "甲公司")
    with zipfile.ZipFile(BytesIO(result)) as archive:
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
        assert [archive.read(name) for name in media] == [replacement.read_bytes()]


@pytest.mark.usefixtures("no_fast_path")
def test_templated_core_properties_fall_back() -> None:
    template = one_paragraph_template("{{ name }}", title="致{{ name }}的律师函")
    prepared = prepare(template)
    assert not prepared.fast
    assert "core properties" in prepared.reason
    result = prepared.render({"name": "A&B"})
    assert Document(BytesIO(result)).core_properties.title == "致A&amp;B的律师函"
    assert texts(result) == [("p", "A&B")]


# ---- security and bad templates ----------------------------------------------------------

ESCAPES = ["{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__ }}"]


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_holds_on_the_fast_path(expression: str) -> None:
    template = one_paragraph_template(f"名称：{expression}")
    assert prepare(template).fast
    with pytest.raises(SecurityError):
        render_docx(template, {})


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_holds_in_headers(expression: str) -> None:
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = expression
    with pytest.raises(SecurityError):
        render_docx(_save(doc), {})


@pytest.mark.parametrize("expression", ESCAPES)
def test_sandbox_holds_on_the_docxtpl_path(expression: str) -> None:
    template = one_paragraph_template(f"{{{{r rich }}}} {expression}")
    with pytest.raises(SecurityError):
        render_docx(template, {"rich": RichText("x")})
    with pytest.raises(SecurityError):
        render_docx(DocxTemplate(BytesIO(template)), {"rich": "x"})


def _zip(members: dict[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


BAD_TEMPLATES = {
    "not a zip": b"This is not a Word document at all.",
    "empty": b"",
    "zip without a document": _zip({"readme.txt": b"hello"}),
    "spreadsheet": _zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/content-types"><Override PartName="/xl/w.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
            b'.main+xml"/></Types>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            b'officeDocument" Target="xl/w.xml"/></Relationships>',
            "xl/w.xml": b"<workbook/>",
        }
    ),
}


@pytest.mark.parametrize("data", BAD_TEMPLATES.values(), ids=BAD_TEMPLATES.keys())
def test_bad_template_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError, match="template"):
        prepare(data)
    with pytest.raises(ValueError, match="template"):
        render_docx(data, {})


def test_truncated_docx_is_refused(letter: bytes) -> None:
    with pytest.raises(ValueError, match="template"):
        prepare(letter[: len(letter) // 2])


def test_corrupt_member_is_refused(letter: bytes) -> None:
    with zipfile.ZipFile(BytesIO(letter)) as archive:
        info = archive.getinfo("word/document.xml")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(letter)
    damaged[start + 10 : start + 20] = b"\x00" * 10
    with pytest.raises(ValueError, match="template"):
        prepare(bytes(damaged))


def test_prepared_template_repr(letter: bytes) -> None:
    assert repr(prepare(letter)) == "<PreparedTemplate fast>"
    assert isinstance(prepare(letter), PreparedTemplate)
