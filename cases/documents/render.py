"""Render .docx templates (docxtpl syntax) into documents, fast when rendering many.

Public API:

- ``render_docx(template, context) -> bytes``: one document;
- ``render_many(template, contexts) -> Iterator[bytes]``: one document per context, lazily;
- ``prepare(template) -> PreparedTemplate``: parse a template once (``render_many`` does it).

``template`` is a path, the bytes of a .docx (or a binary file object), a ``PreparedTemplate``,
or a ``docxtpl.DocxTemplate`` (for what must be bound to one: ``tpl.new_subdoc(...)``,
``tpl.build_url_id(...)``, ``replace_pic`` / ``replace_media`` / ``replace_embedded`` /
``replace_zipname``; such a template is always rendered by docxtpl itself). Every path renders
in the sandboxed environment of ``cases.documents.env.make_env``.

The reference is docxtpl: ``DocxTemplate(t).render(context, jinja_env=make_env(),
autoescape=True)`` and ``save``. The fast path gives the same text, and does per document only
what depends on the context:

- once per template (``prepare``): load the package with python-docx; run docxtpl's own
  preprocessing (``get_xml`` / ``get_part_xml`` + ``patch_xml``) on the body and on every
  header and footer and compile each templated part once, as ``render_xml_part`` would for
  every document; render the parts without Jinja tags (static headers and footers, footnotes,
  core properties) once, as docxtpl does; save the package once as docxtpl's ``save`` does and
  deflate every member that does not depend on the context;
- per document: render the compiled body (``_Worker.render_part``: ``render_xml_part``'s
  result, its regex passes done as ``str.replace``) and write it into document.xml. Spliced,
  when ``prepare`` proved that docxtpl's ``fix_tables`` and ``fix_docpr_ids`` can change
  nothing in this template (no pictures, no Jinja that can change a table's rows or cells;
  see ``_splice_blocker``) and expat finds the rendered XML well-formed: then the XML is
  written as it is, between the document element's tags. Otherwise as docxtpl does it: parsed
  (``recover=True``), ``fix_tables`` (skipped when ``_grids_fit`` shows it would change
  nothing), ``fix_docpr_ids``, put in place of the body and serialised — byte for byte
  docxtpl's document.xml. Templated headers and footers alike. Deflate those few parts fast
  (``RENDERED_DEFLATE``) and write the zip container around the precompressed members.

It falls back to docxtpl (``PreparedTemplate.render`` decides per document, silently) when the
template has Jinja tags in its footnotes or core properties (title, author, …), when it is a
``DocxTemplate`` object, or when the context holds docxtpl objects that need a live
``DocxTemplate``: ``RichText`` / ``RichTextParagraph`` (``{{r x}}``, ``{{p x}}``),
``InlineImage`` (rebound to the template being rendered: ``InlineImage(None, path, ...)``
will do) and ``Subdoc`` (one that brings styles or pictures of its own must be rendered with
the ``DocxTemplate`` it was made from, passed as ``template``). Other markup in the context
(``Markup``, ``Listing``: anything with ``__html__``) is rendered on the fast path, never
spliced. Values reached only through method calls in the template are not seen: put them in
the context as values.
"""

from __future__ import annotations

import copy
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from os import PathLike, fspath
from typing import Any
from xml.parsers import expat

from docx.opc.constants import RELATIONSHIP_TYPE as REL_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate, InlineImage, RichText, RichTextParagraph
from jinja2.exceptions import TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from cases.documents.env import make_env

try:  # needs docxcompose, an optional dependency of docxtpl
    from docxtpl import Subdoc
except ImportError:  # pragma: no cover - depends on the installation
    Subdoc = None

__all__ = ["PreparedTemplate", "prepare", "render_docx", "render_many"]

# Deflate settings (level, window bits, memory level). The parts rendered per document are
# small: a fast level, a 16 KB window and smaller tables halve the time zlib spends setting up
# and compressing (measured on 7–25 KB document.xml), for 1–2 % more bytes.
RENDERED_DEFLATE = (1, 14, 6)
STATIC_DEFLATE = (9, 15, 9)  # the unchanging members, deflated once per template
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a template expanding beyond this is refused

W_NS = nsmap["w"]
JINJA_MARKERS = ("{{", "{%", "{#")
LISTING_CHARS = ("\n", "\t", "\a", "\f")
# docxtpl's render_properties renders these core properties through Jinja.
TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
BOUND_TYPES: tuple[type, ...] = (RichText, RichTextParagraph, InlineImage) + (
    (Subdoc,) if Subdoc is not None else ()
)
XML_DECLARATION = serialize_part_xml(etree.Element("x"))[: -len(b"<x/>")]  # python-docx's

# A path, the bytes of a .docx, a binary file object, a PreparedTemplate or a DocxTemplate.
TemplateSource = Any


def _is_templated(text: str | None) -> bool:
    return bool(text) and any(marker in text for marker in JINJA_MARKERS)


# ---- public API ------------------------------------------------------------------------


def render_docx(template: TemplateSource, context: Mapping[str, Any]) -> bytes:
    """One document from ``template`` (path, bytes, ``PreparedTemplate`` or ``DocxTemplate``).

    Paths and bytes are prepared once per distinct content (a small cache keyed by the bytes),
    so rendering the same letter again only pays for the per-document work.
    """
    if isinstance(template, PreparedTemplate | DocxTemplate):
        return prepare(template).render(context)
    return _prepare_cached(_read(template)).render(context)


def render_many(template: TemplateSource, contexts: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """One document per context, lazily; the template is prepared once, now (so that a bad
    template fails here, not at the first document)."""
    prepared = prepare(template)
    return (prepared.render(context) for context in contexts)


def prepare(template: TemplateSource) -> PreparedTemplate:
    """Parse ``template`` once for many renderings; ``ValueError`` if it is not a .docx."""
    if isinstance(template, PreparedTemplate):
        return template
    if isinstance(template, DocxTemplate):
        return PreparedTemplate(
            fast=False, reason="a DocxTemplate object is rendered by docxtpl", bound=template
        )
    return _prepare_bytes(_read(template))


# ---- the prepared template -------------------------------------------------------------


class PreparedTemplate:
    """A template parsed once. ``fast`` says whether the fast path applies to it (``reason``
    says why not); a context holding docxtpl objects is rendered by docxtpl either way."""

    def __init__(
        self,
        *,
        fast: bool,
        reason: str = "",
        data: bytes | None = None,
        bound: DocxTemplate | None = None,
        fast_parts: _FastParts | None = None,
    ) -> None:
        self.fast = fast
        self.reason = reason
        self._data = data
        self._bound = bound
        self._parts = fast_parts

    def __repr__(self) -> str:
        state = "fast" if self.fast else f"docxtpl ({self.reason})"
        return f"<PreparedTemplate {state}>"

    def render(self, context: Mapping[str, Any]) -> bytes:
        bound, markup = _scan_context(context)
        if self.fast and not bound:
            assert self._parts is not None
            return self._parts.render(context, splice=not markup)
        return self._render_docxtpl(context, bound)

    def _render_docxtpl(self, context: Mapping[str, Any], bound: list[Any]) -> bytes:
        tpl = self._bound or DocxTemplate(BytesIO(self._data or b""))
        for value in bound:
            if isinstance(value, InlineImage):
                value.tpl = tpl  # the image is added to the part being rendered
        tpl.render(dict(context), jinja_env=make_env(), autoescape=True)
        out = BytesIO()
        tpl.save(out)
        return out.getvalue()


def _prepare_bytes(data: bytes) -> PreparedTemplate:
    _check_package(data)
    try:
        tpl = DocxTemplate(BytesIO(data))
        tpl.init_docx()
        document = tpl.docx
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors, …
        raise ValueError(f"the template is not a Word document (.docx): {exc}") from exc

    env = make_env()
    templated_props = [
        name
        for name in TEMPLATED_PROPERTIES
        if _is_templated(getattr(document.core_properties, name))
    ]
    if templated_props:
        reason = "Jinja tags in core properties: " + ", ".join(templated_props)
        return PreparedTemplate(fast=False, reason=reason, data=data)
    footnotes = [p for p in document.part.package.parts if p.content_type == FOOTNOTES_TYPE]
    if any(_is_templated(tpl.patch_xml(p.blob.decode("utf-8"))) for p in footnotes):
        return PreparedTemplate(fast=False, reason="Jinja tags in footnotes", data=data)

    # What docxtpl does to the static parts of every document, done once. With no Jinja tag
    # in them the context plays no role: the empty one gives what any context would.
    tpl.render_properties({}, env)
    tpl.render_footnotes({}, env)

    headers_footers: dict[str, _Part] = {}  # member name → its compiled part
    static: dict[str, bytes] = {}
    for uri in (REL_TYPE.HEADER, REL_TYPE.FOOTER):
        for _rel_id, part in tpl.get_headers_footers(uri):
            name = part.partname.lstrip("/")
            source = tpl.patch_xml(tpl.get_part_xml(part))
            if _is_templated(source):
                headers_footers[name] = _Part(env, source, body=False)
            else:
                static[name] = _render_header_footer(_Worker(), _Part(env, source), {}, False)

    skeleton = copy.deepcopy(document.element)
    body = skeleton.find(qn("w:body"))
    for child in list(body):
        body.remove(child)
    saved = BytesIO()
    document.save(saved)
    fast_parts = _FastParts(
        body=_Part(env, tpl.patch_xml(tpl.get_xml()), body=True),
        skeleton=skeleton,
        document_name=document.part.partname.lstrip("/"),
        headers_footers=headers_footers,
        package=saved.getvalue(),
        static=static,
    )
    return PreparedTemplate(fast=True, data=data, fast_parts=fast_parts)


_prepare_cached = lru_cache(maxsize=16)(_prepare_bytes)  # for render_docx


class _Part:
    """A templated XML part as docxtpl's ``patch_xml`` leaves it, compiled once the way
    ``DocxTemplate.render_xml_part`` compiles it for every document. ``splice_blocker`` says
    why its rendered XML cannot be written as it is (``None`` when it can)."""

    def __init__(self, env: ImmutableSandboxedEnvironment, source: str, body: bool = False):
        self.env = env
        self.source = source
        try:
            self.template = env.from_string(_PARAGRAPH_OPEN.sub(r"\n<w:p\1", source))
        except TemplateSyntaxError:
            # docxtpl compiles it again and raises the error with its docx_context
            try:
                _Worker().render_xml_part(source, None, {}, env)
            except TemplateSyntaxError as annotated:
                raise annotated from None
            raise
        self.splice_blocker = _splice_blocker(source, body=body)


_PARAGRAPH_OPEN = re.compile(r"<w:p([ >])")  # render_xml_part's first step


class _Worker(DocxTemplate):
    """docxtpl's methods with per-document state (``docx_ids_index``), no package loaded."""

    def __init__(self) -> None:
        super().__init__(None)
        self.docx_ids_index = 1000  # as render_init sets it

    def render_part(self, part: _Part, context: Mapping[str, Any]) -> str:
        """``render_xml_part(part.source, …)``, the same string, without its per-document
        costs: the template is compiled already, and its passes after rendering are plain
        ``str.replace`` (its ``re.sub(r"\\n<w:p([ >])", r"<w:p\\1")`` is two of them) and are
        skipped when there is nothing to replace."""
        try:
            xml = part.template.render(context)
        except TemplateError:
            # docxtpl renders it again and raises the error with its docx_context
            return self.render_xml_part(part.source, None, context, part.env)
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "{_" in xml or "_}" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}")
            xml = xml.replace("{_%", "{%").replace("%_}", "%}")
        return self.resolve_listing(xml)

    def resolve_listing(self, xml: str) -> str:
        # docxtpl's resolve_listing only rewrites \t \a \n \f inside <w:t>: without any of
        # them it returns its input, after a regex pass over every run of every paragraph.
        if any(char in xml for char in LISTING_CHARS):
            return super().resolve_listing(xml)
        return xml


def _well_formed(xml: str) -> bytes | None:
    """``xml`` in UTF-8 if expat finds it well-formed (half of lxml's parse time, and no tree
    to serialise afterwards)."""
    data = xml.encode("utf-8")
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError:
        return None
    return data


def _render_header_footer(
    worker: _Worker, part: _Part, context: Mapping[str, Any], splice: bool
) -> bytes:
    """A header or footer as docxtpl renders it (``build_headers_footers_xml``: the XML it gets
    has no declaration, so the encoding is UTF-8) and python-docx saves it (``XmlPart``), or
    the same XML written as it is when it can be spliced."""
    xml = worker.render_part(part, context)
    if splice and part.splice_blocker is None and (data := _well_formed(xml)) is not None:
        return XML_DECLARATION + data
    return serialize_part_xml(parse_xml(xml.encode("utf-8")))


class _FastParts:
    """Per document: the body and templated headers/footers rendered, the rest copied."""

    def __init__(
        self,
        *,
        body: _Part,
        skeleton: Any,
        document_name: str,
        headers_footers: dict[str, _Part],
        package: bytes,
        static: dict[str, bytes],
    ) -> None:
        self.body = body
        self.skeleton = skeleton
        self.body_index = list(skeleton).index(skeleton.find(qn("w:body")))
        around = etree.tostring(skeleton, encoding="unicode").split("<w:body/>")
        if len(around) != 2:  # pragma: no cover - python-docx always writes w:body
            body.splice_blocker = "no single w:body in the document element"
            around = ["", ""]
        self.before_body, self.after_body = (side.encode("utf-8") for side in around)
        self.document_name = document_name
        self.headers_footers = headers_footers
        rendered = {document_name, *headers_footers}
        with zipfile.ZipFile(BytesIO(package)) as saved:
            members = [
                (info.filename, None if info.filename in rendered else saved.read(info.filename))
                for info in saved.infolist()
            ]
        self.zip = _ZipTemplate([(n, static.get(n, data)) for n, data in members])

    def render(self, context: Mapping[str, Any], splice: bool = True) -> bytes:
        worker = _Worker()
        xml = worker.render_part(self.body, context)
        if splice and self.body.splice_blocker is None and (data := _well_formed(xml)):
            document = b"".join((XML_DECLARATION, self.before_body, data, self.after_body))
        else:
            document = self._as_docxtpl(worker, xml)
        parts = {self.document_name: document}
        for name, part in self.headers_footers.items():
            parts[name] = _render_header_footer(worker, part, context, splice)
        return self.zip.build(parts)

    def _as_docxtpl(self, worker: _Worker, xml: str) -> bytes:
        """document.xml as docxtpl's render and save write it, from the rendered body."""
        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))  # as fix_tables
        if not _grids_fit(tree):
            tree = worker.fix_tables(xml)
        worker.fix_docpr_ids(tree)
        root = copy.deepcopy(self.skeleton)
        root.replace(root[self.body_index], tree)  # as DocxTemplate.map_tree
        return serialize_part_xml(root)


# ---- when the rendered XML can be written as it is ---------------------------------------

_BLOCK_TAG = re.compile(r"\{%[-+]?\s*(\w+)")
_XMLNS = re.compile(r"\sxmlns(:\w+)?=")
_TBL, _TBL_GRID, _GRID_COL = qn("w:tbl"), qn("w:tblGrid"), qn("w:gridCol")
_TR, _TC, _TC_PR, _GRID_SPAN = qn("w:tr"), qn("w:tc"), qn("w:tcPr"), qn("w:gridSpan")


def _splice_blocker(source: str, *, body: bool) -> str | None:
    """Why the rendered ``source`` must be parsed and serialised rather than written as it is
    once well-formed, or ``None``.

    Spliced XML is the rendered string; parsed and serialised it is docxtpl's: the same
    elements, attributes and text, however escaped. That holds when nothing docxtpl does to
    the parsed tree can change it: no ``wp:docPr`` for ``fix_docpr_ids`` to renumber, no table
    ``fix_tables`` could resize (``_table_fixed``), and — so that no Jinja branch can leave a
    prefix undeclared — every namespace declared on the part's first tag.
    """
    first_tag_end = source.find(">")
    if _XMLNS.search(source, first_tag_end):
        return "namespaces declared inside the part"
    if not body:
        return None
    if "docPr" in source:
        return "pictures (docxtpl renumbers their ids)"
    if "<w:tbl" not in source:
        return None
    try:
        root = etree.fromstring(source)
    except etree.XMLSyntaxError:
        return "the template's XML is not well-formed before rendering"
    for table in root.iter(_TBL):
        if not _table_fixed(table):
            return "a table whose rows or cells depend on the context"
    return None


def _table_fixed(table: Any) -> bool:
    """True if every rendering of ``table`` has rows that are copies of its rows, the first
    of them always there, so that ``fix_tables`` never changes it: Jinja only between whole
    rows (blocks balanced there, none before the first row) and inside cells (blocks balanced
    within each cell), none in attributes, properties or between cells; no row wider than the
    grid, and a first row that spans it all."""
    grid = table.find(_TBL_GRID)
    columns = 0 if grid is None else len(grid.findall(_GRID_COL))
    rows = table.findall(_TR)
    if columns == 0 or not rows:
        return False
    for element in table.iter():
        if any(_is_templated(value) for value in element.attrib.values()):
            return False
        if _is_templated(element.text) and not _may_hold_jinja(element):
            return False
        tail_templated = element is not table and _is_templated(element.tail)
        if tail_templated and not _may_hold_jinja(element.getparent()):
            return False
    before_first_row = [table.text]
    for child in table:
        if child is rows[0]:
            break
        before_first_row.append(child.tail)
    if any(_is_templated(text) for text in before_first_row):
        return False
    if not _balanced([table.text] + [child.tail for child in table]):
        return False
    if not all(_balanced(cell.itertext()) for cell in table.iter(_TC)):
        return False
    if any(len(row.findall(_TC)) > columns for row in table.iter(_TR)):
        return False
    try:
        return _span(rows[0]) >= columns
    except (TypeError, ValueError):  # a w:gridSpan fix_tables cannot read either
        return False


def _may_hold_jinja(element: Any) -> bool:
    """Jinja text there cannot change the cells of a row: not directly in a row, nor in
    any properties or the grid."""
    name = etree.QName(element).localname
    return not (name.endswith("Pr") or name in ("tr", "tblGrid", "gridCol", "tblPrEx"))


def _balanced(texts: Iterable[str | None]) -> bool:
    """Every {% for %} / {% if %} opened in ``texts`` closes there too (and nothing else)."""
    depth = 0
    for text in texts:
        for name in _BLOCK_TAG.findall(text or ""):
            if name in ("for", "if"):
                depth += 1
            elif name in ("endfor", "endif"):
                depth -= 1
                if depth < 0:
                    return False
            elif name in ("else", "elif"):
                if depth == 0:
                    return False
            elif name != "set":
                return False
    return depth == 0


def _span(row: Any) -> int:
    """The grid columns a row spans, read as ``fix_tables`` reads them."""
    total = 0
    for cell in row.findall(_TC):
        properties = cell.find(_TC_PR)
        span = None if properties is None else properties.find(_GRID_SPAN)
        total += 1 if span is None else int(span.get(qn("w:val")))
    return total


# docxtpl's fix_tables walks every row and cell of every table in Python to fix the grid of
# tables whose rows {%tc %} loops made wider or narrower. This XPath test (in C) tells when it
# would change nothing; otherwise it runs. Like fix_tables it reads the first w:gridSpan of
# the first w:tcPr of a cell and counts the rows of nested tables too; it gives up (and
# fix_tables runs) on a w:val that int() might read differently.
_SPAN = "w:tc/w:tcPr[1]/w:gridSpan[1]"
_TABLE_FITS = etree.XPath(
    f"""not(.//w:tr[count(w:tc) > $columns])
    and not(.//{_SPAN}[not(@w:val) or @w:val = '' or translate(@w:val, '0123456789', '') != ''])
    and boolean(.//w:tr[count(w:tc) - count({_SPAN}) + sum({_SPAN}/@w:val) >= $columns])""",
    namespaces={"w": W_NS},
)


def _grids_fit(tree: Any) -> bool:
    """True if ``DocxTemplate.fix_tables`` would leave ``tree`` as it is: in every table no
    row has more cells than the grid has columns, and a row spans them all."""
    if tree.nsmap.get("w") != W_NS:
        return False
    for table in tree.iter(_TBL):
        grid = table.find(_TBL_GRID)
        columns = 0 if grid is None else len(grid.findall(_GRID_COL))
        if columns == 0 or not _TABLE_FITS(table, columns=columns):
            return False
    return True


# ---- zip container -----------------------------------------------------------------------

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00: reproducible output
_UTF8_FLAG = 0x800


@dataclass(frozen=True, slots=True)
class _Member:
    name: bytes
    flags: int
    local: bytes | None  # local header + deflated data, for a member that never changes
    central: bytes | None  # its central-directory entry up to the offset field


class _ZipTemplate:
    """A zip container whose unchanging members are deflated once; the others are filled in
    per document. Members keep their order; every member is deflated (method 8)."""

    def __init__(self, members: list[tuple[str, bytes | None]]) -> None:
        self.members = []
        for name, data in members:
            encoded = name.encode("utf-8")
            flags = 0 if name.isascii() else _UTF8_FLAG
            if data is None:
                self.members.append(_Member(encoded, flags, None, None))
                continue
            local, central = self._headers(encoded, flags, data, STATIC_DEFLATE)
            self.members.append(_Member(encoded, flags, local, central))

    @staticmethod
    def _headers(
        name: bytes, flags: int, data: bytes, deflate: tuple[int, int, int]
    ) -> tuple[bytes, bytes]:
        level, window_bits, mem_level = deflate
        compressor = zlib.compressobj(level, zlib.DEFLATED, -window_bits, mem_level)
        deflated = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        sizes = (crc, len(deflated), len(data), len(name))
        local = _LOCAL.pack(0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE, *sizes, 0)
        central = _CENTRAL.pack(
            0x02014B50, 0x0314, 20, flags, 8, _DOS_TIME, _DOS_DATE, *sizes, 0, 0, 0, 0,
            0o100644 << 16, 0,
        )[:-4]  # fmt: skip
        return local + name + deflated, central

    def build(self, parts: Mapping[str, bytes]) -> bytes:
        chunks: list[bytes] = []
        directory: list[bytes] = []
        offset = 0
        for member in self.members:
            local, central = member.local, member.central
            if local is None or central is None:
                data = parts[member.name.decode("utf-8")]
                local, central = self._headers(member.name, member.flags, data, RENDERED_DEFLATE)
            chunks.append(local)
            directory.append(central + struct.pack("<I", offset) + member.name)
            offset += len(local)
        size = sum(map(len, directory))
        count = len(self.members)
        end = _END.pack(0x06054B50, 0, 0, count, count, size, offset, 0)
        return b"".join(chunks + directory) + end


# ---- helpers -----------------------------------------------------------------------------


def _read(template: Any) -> bytes:
    if isinstance(template, bytes | bytearray | memoryview):
        return bytes(template)
    if hasattr(template, "read"):
        return template.read()
    if isinstance(template, str | PathLike):
        with open(fspath(template), "rb") as fh:
            return fh.read()
    raise TypeError(f"a template is a path, bytes or PreparedTemplate, not {type(template)}")


def _check_package(data: bytes) -> None:
    """A zip archive that expands to a sane size and whose members are intact."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise ValueError("the template expands to more than 200 MB: refused")
            broken = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"the template is not a .docx file (not a valid zip): {exc}") from exc
    if broken is not None:
        raise ValueError(f"the template .docx is corrupt (member {broken})")


_ATOMS = frozenset({str, bytes, int, float, bool, type(None), Decimal, date, datetime})


def _scan_context(context: Mapping[str, Any]) -> tuple[list[Any], bool]:
    """The docxtpl objects (RichText, InlineImage, …) in the context's values, nested in
    mappings, sequences and plain objects (dataclasses, pydantic models, namespaces); and
    whether any other value is markup (``__html__``: its XML is not escaped)."""
    found: list[Any] = []
    markup = False
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(value, 0) for value in context.values()]
    while stack:
        value, depth = stack.pop()
        if type(value) in _ATOMS or id(value) in seen or depth > 12:
            continue
        seen.add(id(value))
        if isinstance(value, BOUND_TYPES):
            found.append(value)
        elif hasattr(value, "__html__"):
            markup = True
        elif isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend((v, depth + 1) for v in value)
        elif hasattr(value, "__dict__") and not isinstance(value, type) and not callable(value):
            stack.extend((v, depth + 1) for v in vars(value).values())
    return found, markup
