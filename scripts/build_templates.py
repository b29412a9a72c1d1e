"""Write the shipped .docx templates from the wording below: ``python scripts/build_templates.py``.

The wording of every letter and filing lives here, as text, so that a change to it is a
reviewable diff; the generated ``templates/letters/*.docx`` and ``templates/filings/*.docx``
are committed beside it (and their sidecar ``.toml`` metadata, written by hand — bump its
``version`` when the wording changes). The output is byte-for-byte reproducible: fixed
document properties and fixed timestamps inside the zip.

Layout (GB/T 9704 proportions): A4, margins 3.7 / 3.5 / 2.8 / 2.6 cm; titles 黑体 二号; headings
黑体 四号; body 仿宋 四号 at 1.5 lines with a two-character first-line indent; tables 宋体
五号 with single borders and a repeated header row; page numbers "第 X 页 共 Y 页" in the footer.

Jinja runs in ``cases.documents.env.make_env()`` (sandboxed, autoescaping, StrictUndefined)
against the context models in ``cases/documents/schemas.py``; docxtpl's ``{%p … %}`` tags take
a paragraph, ``{%tr … %}`` tags a table row. Run with ``--check`` to fail when a committed
template differs from what this script writes.
"""

from __future__ import annotations

import argparse
import io
import sys
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

BODY_FONT, TITLE_FONT, TABLE_FONT, LATIN_FONT = "仿宋", "黑体", "宋体", "Times New Roman"
BODY_SIZE, TABLE_SIZE = Pt(14), Pt(10)
RED = RGBColor(0xC0, 0x00, 0x00)
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6
BLANK = "_" * 16  # a line to fill in by hand
DATE_BLANK = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"

# ---- Jinja snippets shared by several templates ---------------------------------------------

# A debtor, guarantor or respondent as courts want them named (民事诉讼法 第一百二十四条):
# companies by domicile, code and legal representative; individuals by sex, birth, address and
# ID number. "@" stands for the variable.
PARTY = (
    "{{ @.name }}"
    "{% if @.kind == 'company' %}"
    "{% if @.address %}，住所地：{{ @.address }}{% endif %}"
    "，统一社会信用代码：{{ @.uscc }}"
    "{% if @.legal_representative %}，法定代表人：{{ @.legal_representative }}{% endif %}"
    "{% else %}"
    "{% if @.gender %}，{{ @.gender }}{% endif %}"
    "{% if @.birth_date %}，{{ @.birth_date|cn_date }}出生{% endif %}"
    "{% if @.address %}，住{{ @.address }}{% endif %}"
    "，公民身份号码：{{ @.id_number }}"
    "{% endif %}"
    "{% if @.phone %}，联系电话：{{ @.phone }}{% endif %}。"
)
CREDITOR = (
    "{{ creditor.name }}"
    "{% if creditor.address %}，住所地：{{ creditor.address }}{% endif %}"
    "{% if creditor.uscc %}，统一社会信用代码：{{ creditor.uscc }}{% endif %}。"
)
REPRESENTATIVE = (
    "{{ creditor.representative_title }}：{{ creditor.representative }}"
    "{% if creditor.position %}，{{ creditor.position }}{% endif %}。"
)
IDENT = (
    "{% if @.kind == 'company' %}统一社会信用代码：{{ @.uscc }}"
    "{% else %}公民身份号码：{{ @.id_number }}{% endif %}"
)


# The contracts of the case, in a sentence: all of them, or the first and how many when many.
CONTRACTS = (
    "{% if claims|length > 3 %}"
    "《{{ claims[0].contract_title }}》（编号：{{ claims[0].contract_ref }}）"
    "等{{ claims|length }}份"
    "{% else %}{% for c in claims %}《{{ c.contract_title }}》（编号：{{ c.contract_ref }}）"
    "{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}"
)


def party(var: str, template: str = PARTY) -> str:
    return template.replace("@", var)


def names(seq: str, attr: str = "name", sep: str = "、") -> str:
    return (
        f"{{% for x in {seq} %}}{{{{ x.{attr} }}}}{{% if not loop.last %}}{sep}{{% endif %}}"
        "{% endfor %}"
    )


def join(seq: str, sep: str = "、") -> str:
    return (
        f"{{% for x in {seq} %}}{{{{ x }}}}{{% if not loop.last %}}{sep}{{% endif %}}{{% endfor %}}"
    )


def amount(expr: str) -> str:
    """An amount in figures and capitals."""
    return f"人民币{{{{ {expr}|yuan }}}}元（大写：人民币{{{{ {expr}|upper }}}}）"


# ---- a small document builder -----------------------------------------------------------------

Part = str | tuple[str, dict]


@dataclass
class Cell:
    text: str | Sequence[str] = ""
    bold: bool = False
    align: str = "left"  # left | center | right
    span: int = 1
    shade: bool = False


@dataclass
class Tag:
    """A table row holding only a ``{%tr … %}`` tag."""

    tag: str


@dataclass
class Table:
    widths: Sequence[float]  # cm
    rows: list[list[Cell] | Tag] = field(default_factory=list)
    header_rows: int = 1
    size: float | None = None  # points, when smaller than the other tables'


ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _fonts(element, east_asia: str, latin: str = LATIN_FONT) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(key), None)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


# Elements that follow, in the schema's order (WordprocessingML requires it; Word refuses a
# document whose properties are out of order).
_AFTER_IND = (
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    *_AFTER_IND,
)
_AFTER_TBLCELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_AFTER_TBLHEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")


def _indent_chars(style_or_paragraph, chars: int, size: Pt) -> None:
    ppr = style_or_paragraph.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = ppr.insert_element_before(OxmlElement("w:ind"), *_AFTER_IND)
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(int(size.pt * chars * 20)))


def _border(paragraph, side: str, val: str = "single", size: int = 8, color: str = "000000"):
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = ppr.insert_element_before(OxmlElement("w:pBdr"), *_AFTER_PBDR)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", val), ("sz", str(size)), ("space", "1"), ("color", color)):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)


def _field(paragraph, instruction: str) -> None:
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _shade(cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "E7E6E6")
    tcpr.append(shading)


class Builder:
    def __init__(self, title: str) -> None:
        self.doc = Document()
        self._setup(title)

    # -- set-up --

    def _setup(self, title: str) -> None:
        doc = self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.header_distance, section.footer_distance = Cm(1.5), Cm(2.0)
        styles = doc.styles
        normal = styles["Normal"]
        normal.font.size = BODY_SIZE
        _fonts(normal.element, BODY_FONT)
        fmt = normal.paragraph_format
        fmt.line_spacing, fmt.space_before, fmt.space_after = 1.5, Pt(0), Pt(0)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body = styles.add_style("QS Body", WD_STYLE_TYPE.PARAGRAPH)
        body.base_style = normal
        _indent_chars(body, 2, BODY_SIZE)
        plain = styles.add_style("QS Plain", WD_STYLE_TYPE.PARAGRAPH)
        plain.base_style = normal
        plain.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        heading = styles.add_style("QS Heading", WD_STYLE_TYPE.PARAGRAPH)
        heading.base_style = normal
        _fonts(heading.element, TITLE_FONT)
        heading.paragraph_format.space_before = Pt(6)
        heading.paragraph_format.keep_with_next = True
        _indent_chars(heading, 2, BODY_SIZE)
        head = styles.add_style("QS Title", WD_STYLE_TYPE.PARAGRAPH)
        head.base_style = normal
        _fonts(head.element, TITLE_FONT)
        head.font.size = Pt(22)
        head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head.paragraph_format.space_before = Pt(6)
        head.paragraph_format.space_after = Pt(18)
        head.paragraph_format.line_spacing = 1.0
        table = styles.add_style("QS Table", WD_STYLE_TYPE.PARAGRAPH)
        table.base_style = normal
        _fonts(table.element, TABLE_FONT)
        table.font.size = TABLE_SIZE
        table.paragraph_format.line_spacing = 1.15
        table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        note = styles.add_style("QS Note", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = normal
        note.font.size = Pt(10.5)
        note.paragraph_format.line_spacing = 1.2
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.style = table
        footer.add_run("第 ")
        _field(footer, "PAGE")
        footer.add_run(" 页  共 ")
        _field(footer, "NUMPAGES")
        footer.add_run(" 页")
        props = doc.core_properties
        props.title, props.author, props.last_modified_by = title, "清收 Qingshou", "清收 Qingshou"
        props.subject = props.comments = props.keywords = props.category = ""
        props.created = props.modified = FIXED_TIME
        props.revision = 1
        # The default document's first (empty) paragraph.
        for paragraph in list(doc.paragraphs):
            paragraph._p.getparent().remove(paragraph._p)

    # -- paragraphs --

    def _runs(self, paragraph, parts: Sequence[Part]) -> None:
        for part in parts:
            text, opts = (part, {}) if isinstance(part, str) else part
            run = paragraph.add_run(text)
            run.bold = opts.get("bold")
            run.underline = opts.get("underline")
            if "size" in opts:
                run.font.size = Pt(opts["size"])
            if "color" in opts:
                run.font.color.rgb = opts["color"]
            if "font" in opts:
                _fonts(run._r, opts["font"])

    def para(self, *parts: Part, style: str = "QS Body", align: str | None = None, **fmt):
        paragraph = self.doc.add_paragraph(style=style)
        if align:
            paragraph.alignment = ALIGN[align]
        for key, value in fmt.items():
            setattr(paragraph.paragraph_format, key, value)
        self._runs(paragraph, parts)
        return paragraph

    def plain(self, *parts: Part, **kw):
        return self.para(*parts, style="QS Plain", **kw)

    def tag(self, tag: str) -> None:
        """A paragraph holding only a ``{%p … %}`` tag (docxtpl removes the paragraph)."""
        self.doc.add_paragraph(f"{{%p {tag} %}}", style="QS Plain")

    def title(self, text: str) -> None:
        self.para(text, style="QS Title")

    def heading(self, text: str) -> None:
        self.para(text, style="QS Heading")

    def sign(self, *lines: str, space_before: int = 12, more: bool = False) -> None:
        """Right-aligned lines kept on one page (``more``: more lines follow)."""
        for index, line in enumerate(lines):
            self.para(
                line,
                style="QS Plain",
                align="right",
                space_before=Pt(space_before if index == 0 else 0),
                keep_with_next=more or index < len(lines) - 1,
            )

    def blank(self) -> None:
        self.doc.add_paragraph(style="QS Plain")

    def page_break(self) -> None:
        paragraph = self.doc.add_paragraph(style="QS Plain")
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def note(self, *parts: Part) -> None:
        self.para(*parts, style="QS Note", space_before=Pt(12))

    # -- tables --

    def table(self, spec: Table) -> None:
        columns = len(spec.widths)
        table = self.doc.add_table(rows=0, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # <w:tblLayout w:type="fixed"/>: the widths below hold
        tblpr = table._tbl.tblPr
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:w"), "57")  # 0.1 cm
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        tblpr.insert_element_before(margins, *_AFTER_TBLCELLMAR)
        for column, width in zip(table.columns, spec.widths, strict=True):
            column.width = Cm(width)
        for index, row_spec in enumerate(spec.rows):
            row = table.add_row()
            trpr = row._tr.get_or_add_trPr()
            trpr.insert_element_before(
                OxmlElement("w:cantSplit"), "w:trHeight", "w:tblHeader", *_AFTER_TBLHEADER
            )
            if index < spec.header_rows:
                trpr.insert_element_before(OxmlElement("w:tblHeader"), *_AFTER_TBLHEADER)
            if isinstance(row_spec, Tag):
                self._cell(row.cells[0], Cell(f"{{%tr {row_spec.tag} %}}"), spec.widths[0])
                for cell, width in zip(row.cells[1:], spec.widths[1:], strict=True):
                    cell.width = Cm(width)
                continue
            position = 0
            for cell_spec in row_spec:
                cell = row.cells[position]
                width = sum(spec.widths[position : position + cell_spec.span])
                if cell_spec.span > 1:
                    cell = cell.merge(row.cells[position + cell_spec.span - 1])
                self._cell(cell, cell_spec, width, spec.size)
                position += cell_spec.span
            if position != columns:
                raise ValueError(f"row {index} has {position} columns, not {columns}")
        self.doc.add_paragraph(style="QS Plain").paragraph_format.space_after = Pt(0)

    def _cell(self, cell, spec: Cell, width: float, size: float | None = None) -> None:
        cell.width = Cm(width)
        lines = [spec.text] if isinstance(spec.text, str) else list(spec.text)
        first = cell.paragraphs[0]
        for index, line in enumerate(lines):
            paragraph = first if index == 0 else cell.add_paragraph()
            paragraph.style = self.doc.styles["QS Table"]
            paragraph.alignment = ALIGN[spec.align]
            if line:
                run = paragraph.add_run(line)
                run.bold = spec.bold or None
                if size:
                    run.font.size = Pt(size)
        if spec.shade:
            _shade(cell)

    # -- output --

    def save(self, path: Path) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _normalise(buffer.getvalue())


def _normalise(data: bytes) -> bytes:
    """The same bytes on every run: fixed timestamps and order inside the zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---- the templates ------------------------------------------------------------------------------

B = {"bold": True}


def claims_table(interest_head: str) -> Table:
    """One row per claim (``{%tr for c in claims %}``) and a total row."""
    widths = [1.0, 3.6, 3.0, 2.7, 2.5, 2.8]
    head = ["序号", "合同名称及编号", "约定付款日", "欠付本金（元）", interest_head, "小计（元）"]
    row = [
        Cell("{{ c.no }}", align="center"),
        Cell(["《{{ c.contract_title }}》", "{{ c.contract_ref }}"]),
        Cell("{{ c.due_date|cn_date }}", align="center"),
        Cell("{{ c.principal_due|yuan }}", align="right"),
        Cell("{{ c.interest_due|yuan }}", align="right"),
        Cell("{{ c.total_due|yuan }}", align="right"),
    ]
    total = [
        Cell("合计", bold=True, align="center", span=3),
        Cell("{{ totals.principal_due|yuan }}", bold=True, align="right"),
        Cell("{{ totals.interest_due|yuan }}", bold=True, align="right"),
        Cell("{{ totals.total_due|yuan }}", bold=True, align="right"),
    ]
    return Table(
        widths,
        [
            [Cell(h, bold=True, align="center", shade=True) for h in head],
            Tag("for c in claims"),
            row,
            Tag("endfor"),
            total,
        ],
        size=9,
    )


def collection_notice(b: Builder) -> None:
    b.title("催 收 通 知 书")
    b.tag("if notice_no")
    b.plain("编号：{{ notice_no }}", align="right")
    b.tag("endif")
    b.plain(("{{ debtor.name }}：", B))
    b.para(
        "根据{{ debtor.you }}与{{ creditor.we }}签订的下列合同，{{ creditor.we }}已依约履行了合同"
        "义务，{{ debtor.you }}应当按照约定的期限和数额向{{ creditor.we }}付款，但至今未能足额"
        "履行。截至{{ on|cn_date }}，{{ debtor.you }}尚欠{{ creditor.we }}款项明细如下："
    )
    b.table(claims_table("利息（元）"))
    b.para(
        "以上合计" + amount("totals.total_due") + "，其中本金人民币{{ totals.principal_due|yuan }}"
        "元，利息（逾期付款损失）人民币{{ totals.interest_due|yuan }}元。利息暂计至"
        "{{ on|cn_date }}，此后按合同约定及法律规定继续计算至实际清偿之日止。"
    )
    b.para(
        "现{{ creditor.we }}正式通知{{ debtor.you }}：请于",
        ("{{ pay_by|cn_date }}", B),
        "前将上述款项足额支付至{{ creditor.we }}以下账户：",
    )
    b.para("户名：{{ creditor.name }}")
    b.para("账户：{{ account }}")
    b.tag("if guarantors")
    b.para(
        "担保人" + names("guarantors") + "应当按照担保合同的约定对上述债务承担担保责任，"
        "本通知同时送达担保人。"
    )
    b.tag("endif")
    b.para(
        "依据《中华人民共和国民法典》第一百九十五条第（一）项的规定，本通知到达"
        "{{ debtor.you }}之日起，上述债权的诉讼时效中断，诉讼时效期间重新计算。"
    )
    b.para(
        "如{{ debtor.you }}逾期仍未履行付款义务，{{ creditor.we }}将依法提起诉讼并申请财产保全，"
        "由此产生的诉讼费、保全费、律师费等实现债权的费用及逾期付款损失，将依照合同约定及法律"
        "规定由{{ debtor.you }}承担。如对上述欠款数额有异议，请于收到本通知之日起七日内与"
        "{{ creditor.we }}联系核对。"
    )
    b.para(
        "请{{ debtor.you }}在本通知所附签收回执上签章后，寄回{{ creditor.we }}。",
        keep_with_next=True,
    )
    b.tag("if contact_name or contact_phone")
    b.para(
        "联系人：{{ contact_name or '' }}{% if contact_phone %}\u3000联系电话："
        "{{ contact_phone }}{% endif %}",
        keep_with_next=True,
    )
    b.tag("endif")
    b.sign("{{ creditor.name }}（盖章）", "{{ on|cn_date }}", space_before=24)
    b.page_break()
    b.title("签 收 回 执")
    b.plain(("{{ creditor.name }}：", B))
    b.para(
        "我方已收到贵方于{{ on|cn_date }}发出的《催收通知书》"
        "{% if notice_no %}（编号：{{ notice_no }}）{% endif %}，确认截至{{ on|cn_date }}尚欠贵方"
        "本金人民币{{ totals.principal_due|yuan }}元、利息人民币{{ totals.interest_due|yuan }}元，"
        "合计" + amount("totals.total_due") + "。"
    )
    b.para("□ 对上述欠款无异议，将于" + DATE_BLANK + "前清偿。", align="left")
    b.para("□ 对上述欠款有异议，异议内容及理由：", align="left")
    b.para(BLANK * 2, align="left")
    b.plain("债务人（签章）：{{ debtor.name }}", space_before=Pt(18))
    b.tag("if debtor.kind == 'company'")
    b.plain("法定代表人或授权代表（签字）：", BLANK)
    b.tag("endif")
    b.plain("签收日期：" + DATE_BLANK)
    b.tag("for g in guarantors")
    b.plain("担保人（签章）：{{ g.name }}", space_before=Pt(18))
    b.plain("签收日期：" + DATE_BLANK)
    b.tag("endfor")
    b.note(
        "注：本回执由债务人{% if guarantors %}及担保人{% endif %}签章后寄回{{ creditor.name }}"
        "{% if creditor.address %}（地址：{{ creditor.address }}）{% endif %}。"
    )


def lawyer_letter(b: Builder) -> None:
    b.plain(
        ("{{ firm.name }}", {"bold": True, "size": 22, "color": RED, "font": TITLE_FONT}),
        align="center",
        line_spacing=1.0,
    )
    contact = b.para(
        "{% if firm.address %}地址：{{ firm.address }}{% endif %}"
        "{% if firm.address and firm.phone %}\u3000{% endif %}"
        "{% if firm.phone %}电话：{{ firm.phone }}{% endif %}",
        align="center",
        style="QS Note",
        space_after=Pt(6),
    )
    _border(contact, "bottom", "thickThinSmallGap", 24, "C00000")
    b.title("律 师 函")
    b.plain("{{ letter_no }}", align="right")
    b.plain(("致：{{ debtor.name }}", B))
    b.tag("if guarantors")
    b.plain("抄送：" + names("guarantors") + "（担保人）")
    b.tag("endif")
    b.para(
        "{{ firm.name }}（以下简称“本所”）接受{{ creditor.name }}（以下简称“委托人”）的委托，指派"
        "本所" + join("lawyers") + "律师，就{{ debtor.you }}拖欠委托人款项一事，依据委托人提供的"
        "合同、对账单等材料及有关法律规定，郑重致函如下："
    )
    b.heading("一、基本事实")
    b.para(
        "{{ debtor.you }}与委托人签订了下表所列合同。委托人已依约全面履行了合同义务，"
        "{{ debtor.you }}理应按照约定的期限足额付款，但至今仍未履行付款义务，已构成违约。截至"
        "{{ on|cn_date }}，{{ debtor.you }}尚欠委托人款项明细如下："
    )
    b.table(claims_table("利息（元）"))
    b.para(
        "上述款项合计" + amount("totals.total_due") + "，其中本金人民币"
        "{{ totals.principal_due|yuan }}元，利息（逾期付款损失）人民币"
        "{{ totals.interest_due|yuan }}元。利息暂计至{{ on|cn_date }}，此后按合同约定及法律规定"
        "继续计算至实际清偿之日止。"
    )
    b.tag("for f in facts")
    b.para("{{ f }}")
    b.tag("endfor")
    b.tag("if guarantors")
    b.para(
        "{% for g in guarantors %}{{ g.name }}为上述债务提供{{ g.guarantee }}"
        "{% if g.limit_amount %}（最高限额人民币{{ g.limit_amount|yuan }}元）{% endif %}"
        "{% if not loop.last %}；{% endif %}{% endfor %}，"
        "依照担保合同的约定应当承担相应的担保责任（《中华人民共和国民法典》第三百八十六条、"
        "第六百八十一条）。"
    )
    b.tag("endif")
    b.heading("二、法律分析")
    b.para(
        "依法成立的合同，对当事人具有法律约束力，当事人应当按照约定全面履行自己的义务"
        "（《中华人民共和国民法典》第四百六十五条、第五百零九条）。当事人一方不履行合同义务的，"
        "应当承担继续履行、赔偿损失等违约责任；当事人一方未支付价款、报酬、租金、利息，或者不"
        "履行其他金钱债务的，对方可以请求其支付（第五百七十七条、第五百七十九条）。"
        "{{ debtor.you }}逾期不付款的行为已构成违约，依法应当清偿上述欠款，并赔偿委托人因此"
        "遭受的逾期付款损失（第五百八十四条）。"
    )
    b.heading("三、律师意见")
    b.para(
        "为维护委托人的合法权益，本所律师受托特此函告：请{{ debtor.you }}于",
        ("{{ pay_by|cn_date }}", B),
        "前，将上述欠款" + amount("totals.total_due") + "足额支付至委托人"
        "{% if account %}以下账户（户名：{{ creditor.name }}；账户：{{ account }}）"
        "{% else %}指定账户{% endif %}，或在上述期限内与委托人或本所律师联系，协商解决还款事宜。",
    )
    b.para(
        "如{{ debtor.you }}逾期仍不履行付款义务，本所将根据委托人的授权，依法提起诉讼，并申请"
        "对{{ debtor.you }}名下的银行存款、不动产及其他财产采取保全措施。届时{{ debtor.you }}除须"
        "清偿上述欠款及逾期付款损失外，还将承担案件受理费"
        "{% if costs.acceptance_fee %}（按现欠金额计约人民币{{ costs.acceptance_fee|yuan }}元）"
        "{% endif %}、财产保全费"
        "{% if costs.preservation_fee %}（约人民币{{ costs.preservation_fee|yuan }}元）{% endif %}"
        "以及依约应由{{ debtor.you }}负担的律师费等实现债权的费用；生效法律文书确定的义务逾期不"
        "履行的，还将依法加倍支付迟延履行期间的债务利息，并可能被纳入失信被执行人名单、被限制"
        "高消费。"
    )
    b.para(
        "本函同时构成委托人向{{ debtor.you }}主张权利的通知。依据《中华人民共和国民法典》第一百"
        "九十五条第（一）项的规定，上述债权的诉讼时效自本函到达{{ debtor.you }}之日起中断，"
        "诉讼时效期间重新计算。"
    )
    b.para("特此函告。", keep_with_next=True)
    b.sign(
        "{{ firm.name }}（盖章）",
        "经办律师：" + join("lawyers"),
        space_before=24,
        more=True,
    )
    b.tag("if lawyer_phone")
    b.sign("联系电话：{{ lawyer_phone }}", space_before=0, more=True)
    b.tag("endif")
    b.sign("{{ on|cn_date }}", space_before=0)
    b.note(
        "注：本函系本所律师根据委托人提供的事实材料，依据现行法律规定出具的律师意见。"
        "如{{ debtor.you }}在收到本函前已付清上述款项，请向本所提供付款凭证以便核对。"
    )


def repayment_agreement(b: Builder) -> None:
    b.title("还 款 协 议")
    b.tag("if agreement_no")
    b.plain("协议编号：{{ agreement_no }}", align="right")
    b.tag("endif")
    b.plain(("甲方（债权人）：{{ creditor.name }}", B))
    b.tag("if creditor.uscc")
    b.plain("统一社会信用代码：{{ creditor.uscc }}")
    b.tag("endif")
    b.tag("if creditor.address")
    b.plain("住所地：{{ creditor.address }}")
    b.tag("endif")
    b.plain(
        "{{ creditor.representative_title }}：{{ creditor.representative or '' }}"
        "{% if creditor.position %}（{{ creditor.position }}）{% endif %}"
    )
    b.plain(("乙方（债务人）：{{ debtor.name }}", B), space_before=Pt(6))
    b.plain(party("debtor", IDENT))
    b.tag("if debtor.address")
    b.plain(
        "{% if debtor.kind == 'company' %}住所地{% else %}住址{% endif %}：{{ debtor.address }}"
    )
    b.tag("endif")
    b.tag("if debtor.legal_representative")
    b.plain("法定代表人：{{ debtor.legal_representative }}")
    b.tag("endif")
    b.tag("for g in guarantors")
    b.plain(
        (
            "丙方{% if guarantors|length > 1 %}{{ loop.index }}{% endif %}（保证人）：{{ g.name }}",
            B,
        ),
        space_before=Pt(6),
    )
    b.plain(
        party("g", IDENT) + "{% if g.address %}，"
        "{% if g.kind == 'company' %}住所地{% else %}住址{% endif %}：{{ g.address }}{% endif %}"
    )
    b.tag("endfor")
    b.para(
        "乙方因履行与甲方签订的下列合同项下的付款义务逾期，尚欠甲方款项。为妥善解决上述债务，"
        "各方根据《中华人民共和国民法典》等法律法规的规定，在平等、自愿的基础上经协商一致，达成"
        "如下协议，以资共同遵守：",
        space_before=Pt(6),
    )
    b.table(
        Table(
            [1.0, 4.2, 3.8, 3.0, 3.6],
            [
                [
                    Cell(h, bold=True, align="center", shade=True)
                    for h in ("序号", "合同名称", "合同编号", "约定付款日", "合同金额（元）")
                ],
                Tag("for c in claims"),
                [
                    Cell("{{ c.no }}", align="center"),
                    Cell("《{{ c.contract_title }}》"),
                    Cell("{{ c.contract_ref }}"),
                    Cell("{{ c.due_date|cn_date }}", align="center"),
                    Cell("{{ c.principal|yuan }}", align="right"),
                ],
                Tag("endfor"),
            ],
        )
    )
    b.heading("第一条\u3000债务确认")
    b.para(
        "1.1 截至{{ on|cn_date }}，乙方确认尚欠甲方本金人民币{{ debt.principal|yuan }}元、利息"
        "（含逾期付款损失）人民币{{ debt.interest|yuan }}元，合计" + amount("debt.total") + "。"
    )
    b.para(
        "1.2 乙方对上述债务的真实性、合法性及数额均无异议。乙方签署本协议，构成对上述债务的承认"
        "和同意履行（《中华人民共和国民法典》第一百九十五条第（二）项）。"
    )
    b.heading("第二条\u3000还款安排")
    b.para("2.1 乙方应当按照下表所列期限和数额，分{{ installments|length }}期向甲方清偿上述债务：")
    b.table(
        Table(
            [2.0, 4.5, 4.5, 4.6],
            [
                [
                    Cell(h, bold=True, align="center", shade=True)
                    for h in (
                        "期次",
                        "还款期限（当日或之前）",
                        "还款金额（元）",
                        "本期还款后剩余欠款（元）",
                    )
                ],
                Tag("for i in installments"),
                [
                    Cell("第{{ i.no }}期", align="center"),
                    Cell("{{ i.due_on|cn_date }}", align="center"),
                    Cell("{{ i.amount|yuan }}", align="right"),
                    Cell("{{ i.balance_after|yuan }}", align="right"),
                ],
                Tag("endfor"),
                [
                    Cell("合计", bold=True, align="center", span=2),
                    Cell("{{ debt.total|yuan }}", bold=True, align="right"),
                    Cell("—", align="center"),
                ],
            ],
        )
    )
    b.para(
        "2.2 乙方应当将款项支付至甲方"
        "{% if account %}以下账户：户名：{{ creditor.name }}；账户：{{ account }}。"
        "{% else %}书面指定的银行账户。{% endif %}以款项到达甲方账户之日为还款日。"
    )
    b.para(
        "2.3 乙方支付的款项不足以清偿全部到期债务的，依次抵充甲方实现债权的有关费用、利息、"
        "本金（《中华人民共和国民法典》第五百六十一条）。乙方可以提前清偿全部或者部分欠款。"
    )
    b.heading("第三条\u3000利息")
    b.tag("if interest_rate")
    b.para(
        "3.1 乙方按期足额履行本协议的，分期还款期间，乙方以尚未清偿的欠款为基数，按年利率"
        "{{ interest_rate|rate }}%向甲方支付利息，利息随每期还款一并支付。"
    )
    b.tag("else")
    b.para("3.1 乙方按期足额履行本协议的，甲方同意分期还款期间不再另行计收利息。")
    b.tag("endif")
    b.para(
        "3.2 乙方未按期足额履行任何一期还款义务的，甲方依前款给予的利息优惠自动失效，甲方有权"
        "按照原合同约定的标准，计收自原合同约定的付款期限届满之日起至实际清偿之日止的利息及"
        "逾期付款损失，已付款项按本协议第2.3条抵充。"
    )
    b.heading("第四条\u3000加速到期")
    b.para(
        "乙方有下列情形之一的，本协议项下尚未清偿的全部欠款视为立即到期，甲方有权要求乙方立即"
        "一次性清偿全部剩余欠款及按第三条计算的利息{% if guarantors %}，并有权要求保证人承担保证"
        "责任{% endif %}："
        "（一）未按本协议约定的期限足额支付任何一期款项的；（二）转移、隐匿财产，抽逃资金，"
        "或者以其他方式逃避债务的；（三）停业、歇业、被吊销营业执照、被申请破产或者发生其他可能"
        "丧失履行能力的情形的。"
    )
    b.tag("if guarantors")
    b.heading("第五条\u3000保证担保")
    b.para(
        "5.1 丙方自愿为乙方在本协议项下的全部债务提供连带责任保证，保证范围包括本金、利息、逾期"
        "付款损失、违约金、损害赔偿金以及甲方实现债权的费用（包括但不限于诉讼费、保全费、保全"
        "担保费、律师费、差旅费、公告费）。"
    )
    b.tag("for g in guarantors")
    b.tag("if g.limit_amount")
    b.para("丙方{{ g.name }}的保证责任以人民币{{ g.limit_amount|yuan }}元为限。")
    b.tag("endif")
    b.tag("endfor")
    b.para(
        "5.2 保证期间为自本协议约定的最后一期还款期限（{{ final_due|cn_date }}）届满之日起三年；"
        "债务依第四条提前到期的，自甲方通知的到期之日起三年。"
    )
    b.para(
        "5.3 丙方确认已知悉并同意本协议的全部内容，包括对原合同履行期限的变更"
        "（《中华人民共和国民法典》第六百九十五条）。丙方原已签署的担保合同继续有效，与本条保证"
        "并存，甲方有权选择行使。"
    )
    b.tag("endif")
    b.heading("第{{ '六' if guarantors else '五' }}条\u3000违约责任")
    b.para(
        "任何一方违反本协议约定的，应当承担违约责任。乙方{% if guarantors %}、丙方{% endif %}违约"
        "的，还应当承担甲方为实现债权"
        "而支出的诉讼费、保全费、保全担保费、律师费、差旅费、公告费等全部费用。"
    )
    b.heading("第{{ '七' if guarantors else '六' }}条\u3000争议解决")
    b.para(
        "因本协议引起的或者与本协议有关的争议，各方应当协商解决；协商不成的，任何一方均有权向"
        "甲方住所地{% if creditor.address %}（{{ creditor.address }}）{% endif %}有管辖权的人民"
        "法院提起诉讼（《中华人民共和国民事诉讼法》第三十五条）。"
    )
    b.heading("第{{ '八' if guarantors else '七' }}条\u3000其他")
    b.para(
        "1. 各方确认本协议首部载明的地址为各自的送达地址，适用于协议履行及争议解决（包括诉讼"
        "程序）中各类通知、文书的送达；地址变更的，应当及时书面通知其他各方。"
    )
    b.para(
        "2. 本协议未约定的事项，仍按原合同的约定履行。本协议自各方签字或者盖章之日起生效，"
        "一式{{ 2 + guarantors|length }}份，各方各执一份，具有同等法律效力。"
    )
    b.plain("（以下无正文）", align="center", space_before=Pt(6))
    b.plain(("甲方（盖章）：{{ creditor.name }}", B), space_before=Pt(18))
    b.plain("{{ creditor.representative_title }}或授权代表（签字）：", BLANK)
    b.plain(("乙方（签章）：{{ debtor.name }}", B), space_before=Pt(18))
    b.tag("if debtor.kind == 'company'")
    b.plain("法定代表人或授权代表（签字）：", BLANK)
    b.tag("endif")
    b.tag("for g in guarantors")
    b.plain(
        ("丙方{% if guarantors|length > 1 %}{{ loop.index }}{% endif %}（签章）：{{ g.name }}", B),
        space_before=Pt(18),
    )
    b.tag("if g.kind == 'company'")
    b.plain("法定代表人或授权代表（签字）：", BLANK)
    b.tag("endif")
    b.tag("endfor")
    b.tag("if signing_place")
    b.plain("签订地点：{{ signing_place }}", space_before=Pt(18))
    b.tag("endif")
    b.plain("签订日期：{{ on|cn_date }}")


def clues_table() -> Table:
    return Table(
        [1.4, 2.8, 11.4],
        [
            [
                Cell(h, bold=True, align="center", shade=True)
                for h in ("序号", "财产类型", "财产线索")
            ],
            Tag("for a in asset_clues"),
            [
                Cell("{{ a.no }}", align="center"),
                Cell("{{ a.label }}", align="center"),
                Cell("{{ a.description }}"),
            ],
            Tag("endfor"),
        ],
    )


def applicant(b: Builder, role: str) -> None:
    b.plain((f"{role}：", B), CREDITOR)
    b.tag("if creditor.representative")
    b.plain(REPRESENTATIVE)
    b.tag("endif")


def preservation_application(b: Builder) -> None:
    b.title("财产保全申请书")
    b.plain(
        "（{% if before_suit %}诉前财产保全{% else %}诉讼财产保全{% endif %}）",
        align="center",
        space_after=Pt(12),
    )
    applicant(b, "申请人")
    b.tag("for r in respondents")
    b.plain(("被申请人{% if respondents|length > 1 %}{{ loop.index }}{% endif %}：", B), party("r"))
    b.tag("endfor")
    b.heading("请求事项")
    b.para(
        "请求{% if before_suit %}在申请人起诉前{% endif %}依法冻结被申请人"
        + names("respondents")
        + "名下银行存款"
        + amount("amount")
        + "，或者查封、扣押、冻结其名下价值相当的其他财产。"
    )
    b.heading("事实与理由")
    b.para(
        "申请人与被申请人{{ debtor.name }}之间存在"
        + CONTRACTS
        + "合同关系。申请人已依约履行合同义务，被申请人{{ debtor.name }}未按约定付款。截至"
        "{{ on|cn_date }}，被申请人{{ debtor.name }}尚欠申请人本金人民币"
        "{{ totals.principal_due|yuan }}元、利息人民币{{ totals.interest_due|yuan }}元，合计人民币"
        "{{ totals.total_due|yuan }}元，经申请人多次催收，至今未予清偿。"
        "{% for g in guarantors %}被申请人{{ g.name }}为上述债务提供{{ g.guarantee }}"
        "{% if g.limit_amount %}（最高限额人民币{{ g.limit_amount|yuan }}元）{% endif %}"
        "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
    )
    b.tag("if before_suit")
    b.para(
        "鉴于被申请人存在转移、隐匿财产的可能，情况紧急，不立即申请保全将会使申请人的合法权益"
        "受到难以弥补的损害。申请人将在人民法院采取保全措施后三十日内依法提起诉讼。"
    )
    b.tag("else")
    b.para(
        "申请人已就上述纠纷向贵院提起诉讼{% if case_no %}（案号：{{ case_no }}）{% endif %}。"
        "为防止被申请人转移、隐匿财产，致使将来生效判决难以执行或者造成申请人其他损害，"
        "申请人特申请对被申请人的财产采取保全措施。"
    )
    b.tag("endif")
    b.para(
        "为此，根据《中华人民共和国民事诉讼法》"
        "{% if before_suit %}第一百零四条{% else %}第一百零三条{% endif %}"
        "及《最高人民法院关于人民法院办理财产保全案件若干问题的规定》的规定，特向贵院提出申请，"
        "请依法裁定准许。"
    )
    b.heading("担保情况")
    b.tag("if guarantee_kind == 'bank_credit'")
    b.para(
        "申请人系经金融监管部门批准设立的金融机构，具有独立偿付债务的能力。依据《最高人民法院"
        "关于人民法院办理财产保全案件若干问题的规定》第九条第一款第（六）项，请求贵院不要求"
        "申请人提供担保。"
    )
    b.tag("else")
    b.para("申请人以{{ guarantee_label }}的方式提供担保：{{ guarantee_detail }}。")
    b.tag("endif")
    b.para(
        "如因申请错误给被申请人造成损失，申请人愿依法承担赔偿责任（《中华人民共和国民事诉讼法》"
        "第一百零八条）。"
    )
    b.heading("被申请人财产线索")
    b.table(clues_table())
    b.plain("此致", space_before=Pt(12))
    b.plain("{{ court }}")
    b.sign("申请人：{{ creditor.name }}（盖章）", "{{ on|cn_date }}", space_before=24)
    b.note(
        "附：1. 申请人主体资格证明；2. 被申请人主体信息；3. 证明债权的合同、对账单等证据材料；"
        "4. 担保材料；5. 财产线索材料。"
    )


def complaint(b: Builder) -> None:
    b.title("民 事 起 诉 状")
    applicant(b, "原告")
    b.tag("for a in agents")
    b.plain(("委托诉讼代理人：", B), "{{ a }}{% if firm %}，{{ firm.name }}律师{% endif %}。")
    b.tag("endfor")
    b.plain(("被告：", B), party("debtor"))
    b.tag("for g in guarantors")
    b.plain(("被告：", B), party("g"))
    b.tag("endfor")
    b.heading("诉讼请求")
    b.para(
        "1. 判令被告{{ debtor.name }}向原告支付欠款本金人民币{{ totals.principal_due|yuan }}元；"
    )
    b.para(
        "2. 判令被告{{ debtor.name }}向原告支付利息（逾期付款损失），暂计至{{ on|cn_date }}为人民币"
        "{{ totals.interest_due|yuan }}元；此后的利息按以下方式计算至实际清偿之日止："
    )
    b.tag("for c in claims")
    b.para(
        "{% if claims|length > 1 %}（{{ c.no }}）{% endif %}以合同{{ c.contract_ref }}项下未付本金"
        "{{ c.principal_due|yuan }}元为基数，自{{ c.onward_from|cn_date }}起{{ c.onward }}；"
    )
    b.tag("endfor")
    b.tag("for g in guarantors")
    b.para(
        "{{ loop.index + 2 }}. "
        "{% if g.guarantee_kind == 'joint' %}判令被告{{ g.name }}对上述第1、2项债务"
        "{% if g.limit_amount %}在人民币{{ g.limit_amount|yuan }}元范围内{% endif %}承担连带清偿"
        "责任；"
        "{% elif g.guarantee_kind == 'general' %}判令被告{{ g.name }}对上述第1、2项债务，在被告"
        "{{ debtor.name }}的财产依法强制执行后仍不能履行的部分"
        "{% if g.limit_amount %}，在人民币{{ g.limit_amount|yuan }}元范围内{% endif %}承担清偿"
        "责任；"
        "{% else %}判令原告对被告{{ g.name }}提供的"
        "{% if g.guarantee_kind == 'mortgage' %}抵押{% else %}质押{% endif %}财产折价或者拍卖、"
        "变卖所得的价款，在上述第1、2项债务"
        "{% if g.limit_amount %}及人民币{{ g.limit_amount|yuan }}元{% endif %}范围内优先受偿；"
        "{% endif %}"
    )
    b.tag("endfor")
    b.para(
        "{{ guarantors|length + 3 }}. 判令本案案件受理费、保全费等诉讼费用由"
        "{% if guarantors %}各{% endif %}被告承担。"
    )
    b.para("以上诉讼请求金额暂计" + amount("totals.total_due") + "。")
    b.heading("事实与理由")
    b.tag("for c in claims")
    b.para(
        "{% if c.signed_on %}{{ c.signed_on|cn_date }}，{% endif %}原告与被告{{ debtor.name }}签订"
        "《{{ c.contract_title }}》（编号：{{ c.contract_ref }}），约定被告应于"
        "{{ c.due_date|cn_date }}前向原告支付款项人民币{{ c.principal|yuan }}元"
        "{% if c.interest_rate %}，年利率{{ c.interest_rate|rate }}%{% endif %}"
        "{% if c.penalty_rate %}，逾期付款的按年利率{{ c.penalty_rate|rate }}%计付逾期利息"
        "{% endif %}。原告依约履行了合同义务，被告"
        "{% if c.principal_paid %}仅支付本金{{ c.principal_paid|yuan }}元，{% endif %}"
        "尚欠本金{{ c.principal_due|yuan }}元至今未付。"
    )
    b.tag("endfor")
    b.tag("for f in facts")
    b.para("{{ f }}")
    b.tag("endfor")
    b.tag("if guarantors")
    b.para(
        "{% for g in guarantors %}被告{{ g.name }}为上述债务提供{{ g.guarantee }}"
        "{% if g.limit_amount %}，担保最高限额为人民币{{ g.limit_amount|yuan }}元{% endif %}"
        "{% if loop.last %}。{% else %}；{% endif %}{% endfor %}"
    )
    b.tag("endif")
    b.para(
        "经原告多次催收，被告至今未履行付款义务。原告认为，原、被告之间的合同系双方真实意思"
        "表示，合法有效，双方均应按照约定全面履行自己的义务（《中华人民共和国民法典》第四百六十五"
        "条、第五百零九条）。被告未按约定付款，已构成违约，应当承担继续履行、赔偿逾期付款损失等"
        "违约责任（第五百七十七条、第五百七十九条、第五百八十四条）。"
        "{% if guarantors %}担保人应当依照担保合同的约定承担担保责任（第三百八十六条、第六百八十一"
        "条、第六百八十八条）。{% endif %}"
        "为维护原告的合法权益，根据《中华人民共和国民事诉讼法》第一百二十二条、第一百二十四条的"
        "规定，特向贵院提起诉讼，请依法判如所请。"
    )
    b.plain("此致", space_before=Pt(12))
    b.plain("{{ court }}")
    b.sign("具状人：{{ creditor.name }}（盖章）", "{{ on|cn_date }}", space_before=24)
    b.note(
        "附：1. 本起诉状副本{{ copies }}份；2. 原告主体资格证明；"
        "3. 证据材料{% if evidence %}{{ evidence|length }}份（目录附后）{% else %}（另行提交）"
        "{% endif %}。"
    )
    b.tag("if evidence")
    b.page_break()
    b.title("证 据 目 录")
    b.plain("提交人：{{ creditor.name }}", space_after=Pt(6))
    b.table(
        Table(
            [1.3, 4.6, 6.9, 2.8],
            [
                [
                    Cell(h, bold=True, align="center", shade=True)
                    for h in ("序号", "证据名称", "证明目的", "原件/复印件")
                ],
                Tag("for e in evidence"),
                [
                    Cell("{{ e.no }}", align="center"),
                    Cell("{{ e.title }}"),
                    Cell("{{ e.purpose }}"),
                    Cell("{% if e.original %}原件{% else %}复印件{% endif %}", align="center"),
                ],
                Tag("endfor"),
            ],
        )
    )
    b.sign("提交日期：{{ on|cn_date }}")
    b.tag("endif")


def enforcement_application(b: Builder) -> None:
    b.title("强制执行申请书")
    applicant(b, "申请执行人")
    b.tag("for r in respondents")
    b.plain(("被执行人{% if respondents|length > 1 %}{{ loop.index }}{% endif %}：", B), party("r"))
    b.tag("endfor")
    b.plain(
        ("执行依据：", B),
        "{{ judgment_court }}{{ judgment_no }}{{ judgment_label }}"
        "{% if effective_on %}（{{ effective_on|cn_date }}发生法律效力）{% endif %}。",
    )
    b.heading("执行请求")
    b.para(
        "1. 强制被执行人履行{{ judgment_no }}{{ judgment_label }}确定的给付义务，向申请执行人支付"
        "本金人民币{{ principal|yuan }}元、利息人民币{{ interest|yuan }}元"
        "{% if costs %}、由被执行人负担的诉讼费用人民币{{ costs|yuan }}元{% endif %}，合计"
        + amount("adjudged_total")
        + "（利息按生效法律文书确定的标准计算至实际清偿之日止）；"
    )
    b.para(
        "2. 强制被执行人加倍支付迟延履行期间的债务利息：以生效法律文书确定的除一般债务利息以外的"
        "金钱债务人民币{{ late_base|yuan }}元为基数，按日万分之一点七五，自"
        "{{ late_from|cn_date }}起计算至实际履行之日止，暂计至{{ on|cn_date }}为人民币"
        "{{ late_interest|yuan }}元；"
    )
    b.para("3. 本案执行费用由被执行人负担。")
    b.para("以上申请执行金额暂计" + amount("total") + "。")
    b.heading("事实与理由")
    b.para(
        "申请执行人与被执行人" + names("respondents") + "合同纠纷一案，{{ judgment_court }}作出"
        "{{ judgment_no }}{{ judgment_label }}"
        "{% if effective_on %}，该法律文书已于{{ effective_on|cn_date }}发生法律效力{% endif %}。"
        "生效法律文书确定的履行期限已于{{ performance_due|cn_date }}届满，但被执行人至今未履行"
        "（或者未全部履行）生效法律文书确定的给付义务。"
    )
    b.para(
        "依据《中华人民共和国民事诉讼法》第二百四十七条，发生法律效力的法律文书，一方拒绝履行的，"
        "对方当事人可以向人民法院申请执行；依据第二百六十四条及《最高人民法院关于执行程序中计算"
        "迟延履行期间的债务利息适用法律若干问题的解释》第一条，被执行人未按期履行给付金钱义务的，"
        "应当加倍支付迟延履行期间的债务利息。"
        "{% if within_deadline %}依据第二百五十条，申请执行的期间为二年，自法律文书规定的履行期间"
        "的最后一日起计算，本案申请执行期间至{{ deadline|cn_date }}届满，本申请在法定期间内提出。"
        "{% endif %}"
        "为此，依据《中华人民共和国民事诉讼法》第二百三十五条、第二百四十七条的规定，特向贵院申请"
        "强制执行，请依法立案执行。"
    )
    b.tag("if asset_clues")
    b.heading("被执行人财产线索")
    b.table(clues_table())
    b.tag("endif")
    b.plain("此致", space_before=Pt(12))
    b.plain("{{ court }}")
    b.sign("申请执行人：{{ creditor.name }}（盖章）", "{{ on|cn_date }}", space_before=24)
    b.note(
        "附：1. 生效法律文书副本及生效证明；2. 申请执行人主体资格证明；3. 被执行人主体信息；"
        "4. 财产线索材料。"
    )


def writeoff_application(b: Builder) -> None:
    b.title("{{ '呆账' if creditor.is_bank else '坏账' }}核销申请表")
    b.para(
        "申请单位：{{ applicant_dept or creditor.name }}",
        style="QS Note",
        space_after=Pt(4),
    )
    w = [3.2, 4.6, 3.2, 4.6]
    label = {"bold": True, "align": "center", "shade": True}
    b.table(
        Table(
            w,
            [
                [
                    Cell("案件编号", **label),
                    Cell("{{ case_number }}"),
                    Cell("填表日期", **label),
                    Cell("{{ on|cn_date }}"),
                ],
                [Cell("债权人", **label), Cell("{{ creditor.name }}", span=3)],
                [
                    Cell("债务人", **label),
                    Cell("{{ debtor.name }}"),
                    Cell("证件号码", **label),
                    Cell("{{ debtor.uscc or debtor.id_number or '' }}"),
                ],
                [
                    Cell("担保人及担保方式", **label),
                    Cell(
                        "{% for g in guarantors %}{{ g.name }}（{{ g.guarantee }}）"
                        "{% if not loop.last %}；{% endif %}{% else %}无{% endfor %}",
                        span=3,
                    ),
                ],
                [
                    Cell("债权形成", **label),
                    Cell(
                        "{% for c in claims %}《{{ c.contract_title }}》（{{ c.contract_ref }}）"
                        "{% if not loop.last %}、{% endif %}{% endfor %}",
                        span=3,
                    ),
                ],
                [
                    Cell("最早到期日", **label),
                    Cell("{{ oldest_due|cn_date }}"),
                    Cell("逾期天数", **label),
                    Cell("{{ overdue_days }}天"),
                ],
                [
                    Cell("合同本金（元）", **label),
                    Cell("{{ totals.principal|yuan }}", align="right"),
                    Cell("已收回金额（元）", **label),
                    Cell("{{ recovered|yuan }}", align="right"),
                ],
                [
                    Cell("未收回本金（元）", **label),
                    Cell("{{ totals.principal_due|yuan }}", align="right"),
                    Cell("应收利息（元）", **label),
                    Cell("{{ totals.interest_due|yuan }}", align="right"),
                ],
                [
                    Cell("申请核销金额", **label),
                    Cell(
                        "人民币{{ amount|yuan }}元（大写：人民币{{ amount|upper }}）",
                        bold=True,
                        span=3,
                    ),
                ],
                [Cell("核销事由", **label), Cell("{{ reason_label }}", span=3)],
                [
                    Cell("核销原因说明", **label),
                    Cell(["{%p for x in reason_detail %}", "{{ x }}", "{%p endfor %}"], span=3),
                ],
                [
                    Cell("已采取的清收措施", **label),
                    Cell(["{%p for x in recovery_steps %}", "{{ x }}", "{%p endfor %}"], span=3),
                ],
                [
                    Cell("承办人", **label),
                    Cell("{{ handler or '' }}"),
                    Cell("委托律师事务所", **label),
                    Cell("{{ firm.name if firm else '无' }}"),
                ],
                [
                    Cell("核销依据", **label),
                    Cell(
                        "{% if creditor.is_bank %}财政部《金融企业呆账核销管理办法（2017年版）》"
                        "（财金〔2017〕90号）{% else %}《企业资产损失所得税税前扣除管理办法》"
                        "（国家税务总局公告2011年第25号）第二十二条至第二十四条{% endif %}",
                        span=3,
                    ),
                ],
            ],
            header_rows=0,
        )
    )
    b.plain(("证据材料清单", B), align="center", space_before=Pt(6), space_after=Pt(4))
    b.table(
        Table(
            [1.4, 11.4, 2.8],
            [
                [
                    Cell(h, bold=True, align="center", shade=True)
                    for h in ("序号", "材料名称", "是否具备")
                ],
                Tag("for item in checklist"),
                [
                    Cell("{{ item.no }}", align="center"),
                    Cell("{{ item.name }}"),
                    Cell("{% if item.attached %}☑ 已附{% else %}☐ 已附{% endif %}", align="center"),
                ],
                Tag("endfor"),
            ],
        )
    )
    sign = "签字：" + BLANK + "\u3000\u3000日期：" + DATE_BLANK
    opinion = [
        Cell("{{ '核销审批委员会' if creditor.is_bank else '总经理（董事会）' }}审批意见", **label)
    ]
    b.table(
        Table(
            [3.2, 12.4],
            [
                [
                    Cell("法律意见", **label),
                    Cell(
                        [
                            "{%p for x in legal_opinion %}",
                            "{{ x }}",
                            "{%p endfor %}",
                            "出具人（签章）：{{ firm.name if firm else '法律事务部门' }}",
                        ]
                    ),
                ],
                [Cell("承办部门意见", **label), Cell(["", "", sign], align="right")],
                [Cell("法律事务部门意见", **label), Cell(["", "", sign], align="right")],
                [Cell("财务部门审核意见", **label), Cell(["", "", sign], align="right")],
                [Cell("分管领导意见", **label), Cell(["", "", sign], align="right")],
                [*opinion, Cell(["", "", sign], align="right")],
            ],
            header_rows=0,
        )
    )
    b.note("说明：核销后债权仍予保留，实行“账销案存”，继续追索；收回已核销债权的，应当及时入账。")


# ---- 委托代理合同 and 授权委托书 (cases/documents/engagement.py) --------------------------------

# "乙方律师" and the agents' firm: the engaged firm's name and contact, in one sentence.
FIRM = (
    "{{ firm.name }}"
    "{% if firm.address %}，住所地：{{ firm.address }}{% endif %}"
    "{% if firm.uscc %}，统一社会信用代码：{{ firm.uscc }}{% endif %}"
    "{% if firm.phone %}，联系电话：{{ firm.phone }}{% endif %}。"
)
OPPONENTS = "{{ debtor.name }}{% if guarantors %}及其保证人" + names("guarantors") + "{% endif %}"


def engagement_letter(b: Builder) -> None:
    e = "engagement"
    b.title("委 托 代 理 合 同")
    b.tag("if agreement_no")
    b.plain("合同编号：{{ agreement_no }}", align="right")
    b.tag("endif")
    b.plain(("甲方（委托人）：", B), CREDITOR)
    b.tag("if creditor.representative")
    b.plain(REPRESENTATIVE)
    b.tag("endif")
    b.plain(("乙方（受托人）：", B), FIRM, space_before=Pt(6))
    b.para(
        "甲方因与" + OPPONENTS + "之间的{{ engagement.cause }}，委托乙方提供法律服务。双方依据"
        "《中华人民共和国民法典》《中华人民共和国律师法》及《律师服务收费管理办法》等规定，经平等"
        "协商，订立本合同。"
        "{% if engagement.agreement %}本合同系双方《法律服务框架协议》（编号："
        "{{ engagement.agreement }}）项下的单案委托合同，本合同未约定的事项，按该框架协议执行。"
        "{% endif %}",
        space_before=Pt(6),
    )
    b.heading("第一条 委托事项")
    b.para(
        "甲方委托乙方代理甲方与" + OPPONENTS + "之间的{{ engagement.cause }}一案（甲方案件编号："
        "{{ case_number }}），代理阶段为：{{ " + e + ".scope }}。所涉合同为" + CONTRACTS + "。"
    )
    b.para(
        "截至{{ on|cn_date }}，债务人尚欠甲方款项合计" + amount("totals.total_due") + "，其中本金"
        "人民币{{ totals.principal_due|yuan }}元，利息（逾期付款损失）人民币"
        "{{ totals.interest_due|yuan }}元。本合同所称标的额为人民币"
        "{{ engagement.claim_amount|yuan }}元。"
    )
    b.heading("第二条 承办律师及代理权限")
    b.para(
        "乙方指派{% if engagement.lead_lawyer %}{{ engagement.lead_lawyer }}律师{% else %}本所律师"
        "{% endif %}担任本案主办律师。未经甲方书面同意，乙方不得更换主办律师或将委托事项转委托"
        "他人。"
    )
    b.para(
        "甲方授予乙方律师{{ engagement.authority }}，代理权限为：{{ engagement.powers }}。"
        "{% if engagement.litigation %}甲方应就诉讼、执行事项另行出具授权委托书"
        "（《中华人民共和国民事诉讼法》第六十二条）。{% endif %}"
    )
    b.heading("第三条 委托期限")
    b.para(
        "委托期限自{{ engagement.starts_on|cn_date }}起"
        "{% if engagement.ends_on %}至{{ engagement.ends_on|cn_date }}止{% else %}"
        "至本合同约定的委托事项办理完毕之日止{% endif %}。"
    )
    b.heading("第四条 律师服务费")
    b.para("双方约定的收费方式为：{{ engagement.fee_kind }}。")
    b.tag("for t in engagement.fee_terms")
    b.para("{{ t }}")
    b.tag("endfor")
    b.para(
        "按上述约定，如标的额全部收回，乙方可收取的律师服务费合计为人民币"
        "{{ engagement.fee_at_full|yuan }}元。"
        "{% if engagement.contingency %}乙方在各个环节收取的律师服务费合计，以甲方实际收回的"
        "金额为计算基础（司发通〔2021〕87号）。{% endif %}"
        "甲方支付律师服务费前，乙方应当开具合法有效的增值税发票。"
    )
    b.heading("第五条 办案费用")
    b.para(
        "{{ engagement.expenses }}。办案费用不属于律师服务费，乙方应当在支出前告知甲方并取得同意，"
        "凭合法票据据实结算；案件受理费、保全费、执行费等由甲方直接向人民法院缴纳。"
    )
    b.heading("第六条 双方的权利和义务")
    b.para(
        "（一）甲方应当如实陈述案件事实，及时提供与委托事项有关的证据材料，并按约定支付律师服务费"
        "和办案费用。"
    )
    b.para(
        "（二）乙方律师应当勤勉尽责，依法维护甲方的合法权益；每月向甲方书面报告案件进展，立案、"
        "开庭、裁判、保全、执行到款等重要节点自发生之日起三个工作日内报告，并在清收系统中如实"
        "登记。"
    )
    b.para(
        "（三）债务人支付的款项、交付的财产，均应当直接支付或者交付至甲方；乙方及其律师不得代收、"
        "截留、挪用。"
    )
    b.para(
        "（四）乙方对在代理过程中知悉的甲方商业秘密和债务人个人信息负有保密义务，本合同终止后"
        "仍然有效。"
    )
    b.heading("第七条 合同的解除")
    b.para(
        "甲方可以随时书面通知乙方解除委托，乙方应当在收到通知之日起五日内移交全部案件材料。"
        "合同解除前乙方已完成的工作，按本合同的约定结算；风险代理部分按解除前甲方实际收回的"
        "金额结算。"
    )
    b.heading("第八条 争议解决")
    b.para(
        "因本合同发生的争议，双方应当协商解决；协商不成的，任何一方均可向甲方住所地有管辖权的"
        "人民法院提起诉讼。"
    )
    b.heading("第九条 其他")
    b.para("本合同一式肆份，甲乙双方各执贰份，自双方签字盖章之日起生效。", keep_with_next=True)
    b.plain("甲方（盖章）：{{ creditor.name }}", space_before=Pt(24), keep_with_next=True)
    b.plain(
        "{{ creditor.representative_title }}或授权代表（签字）："
        "{{ creditor.representative or '' }}",
        keep_with_next=True,
    )
    b.plain("乙方（盖章）：{{ firm.name }}", space_before=Pt(18), keep_with_next=True)
    b.plain("负责人或授权代表（签字）：", BLANK, keep_with_next=True)
    b.plain("签订日期：{{ on|cn_date }}", space_before=Pt(18), keep_with_next=True)
    b.tag("if signing_place")
    b.plain("签订地点：{{ signing_place }}")
    b.tag("endif")


def power_of_attorney(b: Builder) -> None:
    b.title("授 权 委 托 书")
    b.plain(("委托人：", B), CREDITOR)
    b.plain(
        "{{ creditor.representative_title }}：{{ creditor.representative or '' }}"
        "{% if creditor.position %}，{{ creditor.position }}{% endif %}"
    )
    b.tag("for a in agents")
    b.plain(
        ("受托人{% if agents|length > 1 %}{{ loop.index }}{% endif %}：", B),
        "{{ a }}，{{ firm.name }}律师。",
        space_before=Pt(6),
    )
    b.tag("endfor")
    b.plain("{% if agents|length > 1 %}受托人{% endif %}工作单位：", FIRM)
    b.para(
        "现委托上列受托人{% if court %}在{{ court }}审理的{% else %}在{% endif %}委托人与"
        + OPPONENTS
        + "{{ engagement.cause }}一案{% if case_no %}（案号：{{ case_no }}）{% endif %}中，"
        "作为委托人的{% if engagement.litigation %}诉讼{% endif %}代理人。本案所涉欠款暂计"
        + amount("totals.total_due")
        + "。",
        space_before=Pt(12),
    )
    b.para("受托人的代理权限为：{{ engagement.authority }}，即{{ engagement.powers }}。")
    b.para(
        "代理期限：自本授权委托书签署之日起至本案{{ engagement.scope }}程序终结之日止"
        "{% if engagement.ends_on %}，最迟至{{ engagement.ends_on|cn_date }}{% endif %}。"
    )
    b.sign(
        "委托人（盖章）：{{ creditor.name }}",
        "{{ creditor.representative_title }}（签字）：{{ creditor.representative or '' }}",
        "{{ on|cn_date }}",
        space_before=36,
    )
    b.note(
        "注：依照《中华人民共和国民事诉讼法》第六十二条，授权委托书应当记明委托事项和权限；"
        "诉讼代理人代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉，必须有委托人的"
        "特别授权。受托人另应提交律师执业证、律师事务所所函。"
    )


@dataclass(frozen=True)
class Spec:
    folder: str
    name: str
    write: Callable[[Builder], None]


SPECS = (
    Spec("letters", "collection_notice", collection_notice),
    Spec("letters", "lawyer_letter", lawyer_letter),
    Spec("letters", "repayment_agreement", repayment_agreement),
    Spec("letters", "engagement_letter", engagement_letter),
    Spec("letters", "power_of_attorney", power_of_attorney),
    Spec("filings", "preservation_application", preservation_application),
    Spec("filings", "complaint", complaint),
    Spec("filings", "enforcement_application", enforcement_application),
    Spec("filings", "writeoff_application", writeoff_application),
)


def build(spec: Spec) -> bytes:
    meta = tomllib.loads((TEMPLATES / spec.folder / f"{spec.name}.toml").read_text("utf-8"))
    builder = Builder(meta["title"])
    spec.write(builder)
    return builder.save(TEMPLATES / spec.folder / f"{spec.name}.docx")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a template is out of date")
    args = parser.parse_args(argv)
    stale = []
    for spec in SPECS:
        path = TEMPLATES / spec.folder / f"{spec.name}.docx"
        data = build(spec)
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(path)
            continue
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)}")
    for path in stale:
        print(f"out of date: {path.relative_to(ROOT)} (run scripts/build_templates.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
