"""The contract of a .docx template with its context schema, checked with a readable report.

A template may use nothing but what its context model (``cases.documents.schemas``) declares:
every variable, every attribute of nested models, every loop variable, every filter. An
uploaded template is checked before it is accepted, the shipped ones by their contract test
(``tests/cases/documents/test_templates.py``), with the same code:

    report = check_template(docx_bytes, LawyerLetterContext)
    report.ok          # no problem found
    report.problems    # what is wrong, each with a translatable ``message``

Each templated part (the body, every header and footer, the footnotes, core properties that
docxtpl renders) is taken as docxtpl hands it to Jinja (``patch_xml``), one line per
paragraph as ``render_xml_part`` splits it, so that a problem's line and the text shown with it
(tags stripped) are what the author sees in Word. For every part:

1. it is parsed: a Jinja syntax error is reported with its line and Jinja's own words;
2. its syntax tree is walked against the model (``ContractChecker``): an unknown variable or
   field comes with the nearest declared names; an attribute the sandbox refuses
   (``_private``, ``__class__``, ``mro``, …) or a call of a mutating method is refused, and
   so is arithmetic or formatting that could build huge values (``"x" * 10**9``; the
   environment also checks ``*`` and ``**`` when they run, this says so at upload);
   ``{% include %}``, ``{% macro %}`` and the like are refused;
3. it is compiled in the sandboxed environment of ``cases.documents.env``.

Then docxtpl's own view of the top-level names (``get_undeclared_template_variables``) must
agree, the template must ``prepare`` (``cases.documents.render``), and — when sample contexts
are given — render with each of them in the sandbox.

The package itself (size, zip bombs) is checked before by ``cases.documents.versions``.
"""

from __future__ import annotations

import difflib
import html
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.exceptions import TemplateError, TemplateSyntaxError
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_FUNCTION_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    UNSAFE_METHOD_ATTRIBUTES,
    SecurityError,
)
from pydantic import BaseModel

from cases.documents.env import make_env
from cases.documents.render import FOOTNOTES_TYPE, TEMPLATED_PROPERTIES, prepare
from cases.errors import N_, Message

__all__ = ["ContractChecker", "Problem", "Report", "check_template", "template_parts"]

# Problem kinds
PACKAGE, SYNTAX, UNKNOWN, SANDBOX, UNSUPPORTED, COMPILE, RENDER = (
    "package",
    "syntax",
    "unknown",
    "sandbox",
    "unsupported",
    "compile",
    "render",
)

PART_LABELS = {
    "body": N_("document body"),
    "header": N_("header"),
    "footer": N_("footer"),
    "footnotes": N_("footnotes"),
    "properties": N_("document properties"),
}
WHERE = N_("%(part)s, line %(line)s: “%(text)s”")
WHERE_LINE = N_("%(part)s, line %(line)s")

NOT_A_DOCUMENT = N_("The file is not a Word document (.docx) that can be opened")
SYNTAX_ERROR = N_("Template syntax error (%(where)s): %(detail)s")
UNKNOWN_VARIABLE = N_("Unknown variable “%(name)s” (%(where)s)")
UNKNOWN_VARIABLE_NEAR = N_("Unknown variable “%(name)s” (%(where)s); did you mean %(near)s?")
UNKNOWN_FIELD = N_("“%(owner)s” has no field “%(name)s” (%(where)s)")
UNKNOWN_FIELD_NEAR = N_("“%(owner)s” has no field “%(name)s” (%(where)s); did you mean %(near)s?")
UNKNOWN_FILTER = N_("Unknown filter “%(name)s” (%(where)s)")
UNKNOWN_FILTER_NEAR = N_("Unknown filter “%(name)s” (%(where)s); did you mean %(near)s?")
NOT_A_LIST = N_("“%(name)s” is not a list and cannot be looped over (%(where)s)")
NO_ATTRIBUTE = N_("“%(name)s” cannot be read from a value that has no fields (%(where)s)")
NO_SUBSCRIPT = N_("“%(name)s” cannot be indexed here (%(where)s)")
UNPACKING = N_("A loop must take one item at a time (%(where)s)")
UNSUPPORTED_TAG = N_("“%(tag)s” is not supported in document templates (%(where)s)")
FORBIDDEN_ATTRIBUTE = N_("“%(name)s” is forbidden in document templates (%(where)s)")
FORBIDDEN_CALL = N_("Calling “%(name)s” would change data, which the sandbox forbids (%(where)s)")
HUGE_VALUE = N_("Arithmetic or formatting that can build huge values is not allowed (%(where)s)")
COMPILE_ERROR = N_("The template does not compile in the sandbox (%(where)s): %(detail)s")
COMPILE_FAILED = N_("The template does not compile in the sandbox: %(detail)s")
UNDECLARED = N_("Unknown variable “%(name)s”")
SANDBOX_REFUSED = N_("The sandbox refused the template when filled with sample data: %(detail)s")
RENDER_FAILED = N_("The template fails when filled with sample data: %(detail)s")

# What ImmutableSandboxedEnvironment refuses whatever the object: every name starting with
# "_" (is_safe_attribute), the internals of functions, methods, generators and coroutines.
_UNSAFE_NAMES = frozenset(
    {"mro"}
    | UNSAFE_FUNCTION_ATTRIBUTES
    | UNSAFE_METHOD_ATTRIBUTES
    | UNSAFE_GENERATOR_ATTRIBUTES
    | UNSAFE_COROUTINE_ATTRIBUTES
    | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
)
# Methods of lists, dicts and sets that change them (the immutable sandbox refuses them).
_MUTATING = frozenset(
    {
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
        "setdefault", "popitem", "add", "discard", "difference_update", "intersection_update",
        "symmetric_difference_update",
    }
)  # fmt: skip
# "x" * 10**9 or "%999999999s"|format(1) would build huge values on the server: refused at
# upload with a readable reason (``DocumentEnvironment`` also stops * and ** when they run).
BIG_NUMBER = 1000
_WIDE_FORMAT = re.compile(r"%[-+ #0]*\d{4,}")
_PARAGRAPH_OPEN = re.compile(r"<w:p([ >])")  # docxtpl's render_xml_part: one line a paragraph
_TAG = re.compile(r"<[^>]+>")
TEXT_WIDTH = 60  # characters of a line shown with a problem


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template: its kind, a translatable message, and where."""

    kind: str
    message: Message
    part: str = ""
    line: int | None = None
    text: str = ""  # the line as Word shows it, tags stripped
    name: str | None = None  # the unknown variable, field or filter
    near: tuple[str, ...] = ()  # the nearest declared names

    def __str__(self) -> str:
        return self.message.render()


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # the model's top-level fields the template uses

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[Message]:
        return [p.message for p in self.problems]

    def names(self) -> set[str]:
        """The unknown variables, fields and filters."""
        return {p.name for p in self.problems if p.kind == UNKNOWN and p.name}


# ---- where a problem is ------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A templated part as Jinja sees it."""

    kind: str  # a key of PART_LABELS
    label: str  # e.g. word/header1.xml
    text: str

    def line_text(self, line: int | None) -> str:
        lines = self.text.splitlines()
        if line is None or not 1 <= line <= len(lines):
            return ""
        shown = " ".join(html.unescape(_TAG.sub("", lines[line - 1])).split())
        return shown if len(shown) <= TEXT_WIDTH else shown[: TEXT_WIDTH - 1] + "…"

    def where(self, line: int | None) -> Message:
        part = Message(PART_LABELS[self.kind])
        if line is None:
            return part
        text = self.line_text(line)
        if text:
            return Message(WHERE, part=part, line=line, text=text)
        return Message(WHERE_LINE, part=part, line=line)

    def problem(self, kind: str, msgid: str, line: int | None, **params: Any) -> Problem:
        near = tuple(params.pop("near", ()))
        if near:
            params["near"] = ", ".join(f"“{n}”" for n in near)
        return Problem(
            kind=kind,
            message=Message(msgid, where=self.where(line), **params),
            part=self.label,
            line=line,
            text=self.line_text(line),
            name=params.get("name"),
            near=near,
        )


def _nearest(name: str, candidates: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.6)


# ---- the walk over the syntax tree --------------------------------------------------------------


class _Loop:
    """The type of Jinja's ``loop`` variable."""

    attrs = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})


ANY = object()  # a value whose type is not known (no checks on it)


def _unwrap(tp: Any) -> Any:
    origin = get_origin(tp)
    if origin is Annotated:
        return _unwrap(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else ANY
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


class ContractChecker:
    """Walks a template's AST: every name, attribute and loop variable must resolve in the
    context model — nested models, lists of models, ``loop``, ``{% set %}`` — every filter
    must exist, and nothing may reach what the sandbox forbids."""

    def __init__(
        self, model: type[BaseModel], filters: Iterable[str], source: Source | None = None
    ) -> None:
        self.model = model
        self.filters = set(filters)
        self.source = source or Source("body", "word/document.xml", "")
        self.problems: list[Problem] = []
        self.used: set[str] = set()

    def fields(self, model: type[BaseModel]) -> dict[str, Any]:
        return {name: _unwrap(f.annotation) for name, f in model.model_fields.items()}

    def check(self, template: nodes.Template) -> list[Problem]:
        self.statements(template.body, self.fields(self.model))
        return self.problems

    def report(self, kind: str, msgid: str, node: nodes.Node, **params: Any) -> None:
        self.problems.append(self.source.problem(kind, msgid, node.lineno, **params))

    def statements(self, body: list[nodes.Node], scope: dict[str, Any]) -> None:
        for node in body:
            self.statement(node, scope)

    def statement(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            iterable = self.expr(node.iter, scope)
            item = ANY
            if iterable is not ANY:
                if get_origin(iterable) is list:
                    item = _unwrap(get_args(iterable)[0])
                else:
                    name = getattr(node.iter, "name", None) or getattr(node.iter, "attr", "?")
                    self.report(UNKNOWN, NOT_A_LIST, node, name=name)
            inner = dict(scope, loop=_Loop)
            if not isinstance(node.target, nodes.Name):
                self.report(UNSUPPORTED, UNPACKING, node)
            else:
                inner[node.target.name] = item
            if node.test is not None:
                self.expr(node.test, inner)
            self.statements(node.body, inner)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.statements(node.body, scope)
            for branch in node.elif_:
                self.statement(branch, scope)
            self.statements(node.else_, scope)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                self.expr(child, scope)
        elif isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            scope[node.target.name] = self.expr(node.node, scope)  # {% set x = … %}
        else:
            tag = type(node).__name__.lower()
            self.report(UNSUPPORTED, UNSUPPORTED_TAG, node, tag=tag)

    def expr(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        if isinstance(node, nodes.Name):
            if node.name not in scope:
                near = _nearest(node.name, scope)
                msgid = UNKNOWN_VARIABLE_NEAR if near else UNKNOWN_VARIABLE
                self.report(UNKNOWN, msgid, node, name=node.name, near=near)
                return ANY
            if node.name in self.model.model_fields:
                self.used.add(node.name)
            return scope[node.name]
        if isinstance(node, nodes.Getattr):
            base = self.expr(node.node, scope)
            if self.forbidden(node.attr, node):
                return ANY
            return self.member(base, node.attr, node)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            self.expr(node.arg, scope)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                if self.forbidden(node.arg.value, node):
                    return ANY
                return self.member(base, node.arg.value, node)
            if get_origin(base) is list and isinstance(node.arg, nodes.Const):
                return _unwrap(get_args(base)[0])
            if base is not ANY:
                self.report(UNKNOWN, NO_SUBSCRIPT, node, name=_describe(node.node))
            return ANY
        if isinstance(node, nodes.Pow) or (
            isinstance(node, nodes.Mul) and (_big(node.left) or _big(node.right))
        ):
            self.report(SANDBOX, HUGE_VALUE, node)
            return ANY
        if isinstance(node, nodes.Filter):
            wide = isinstance(node.node, nodes.Const) and _WIDE_FORMAT.search(str(node.node.value))
            if any(_big(arg, strings=False) for arg in node.args) or wide:
                self.report(SANDBOX, HUGE_VALUE, node)
                return ANY
            if node.name not in self.filters:
                near = _nearest(node.name, self.filters)
                msgid = UNKNOWN_FILTER_NEAR if near else UNKNOWN_FILTER
                self.report(UNKNOWN, msgid, node, name=node.name, near=near)
            base = self.expr(node.node, scope) if node.node is not None else ANY
            for child in [*node.args, *(kw.value for kw in node.kwargs)]:
                self.expr(child, scope)
            return int if node.name == "length" else (base if node.name == "first" else ANY)
        called = node.node if isinstance(node, nodes.Call) else None
        if isinstance(called, nodes.Getattr) and called.attr in _MUTATING:
            self.report(SANDBOX, FORBIDDEN_CALL, node, name=called.attr)
            return ANY
        for child in node.iter_child_nodes():
            self.expr(child, scope)
        return ANY

    def forbidden(self, name: str, node: nodes.Node) -> bool:
        if name.startswith("_") or name in _UNSAFE_NAMES:
            self.report(SANDBOX, FORBIDDEN_ATTRIBUTE, node, name=name)
            return True
        return False

    def member(self, base: Any, name: str, node: nodes.Node) -> Any:
        if base is _Loop:
            if name not in _Loop.attrs:
                near = _nearest(name, _Loop.attrs)
                msgid = UNKNOWN_FIELD_NEAR if near else UNKNOWN_FIELD
                self.report(UNKNOWN, msgid, node, owner="loop", name=name, near=near)
            return ANY
        if _is_model(base):
            fields = self.fields(base)
            if name not in fields:
                near = _nearest(name, fields)
                msgid = UNKNOWN_FIELD_NEAR if near else UNKNOWN_FIELD
                owner = _describe(node.node)
                self.report(UNKNOWN, msgid, node, owner=owner, name=name, near=near)
                return ANY
            return fields[name]
        if base is not ANY:
            self.report(UNKNOWN, NO_ATTRIBUTE, node, name=f"{_describe(node.node)}.{name}")
        return ANY


def _big(node: nodes.Node, *, strings: bool = True) -> bool:
    """A literal that could multiply into a huge value: a string or list, or a large number."""
    if isinstance(node, nodes.List | nodes.Tuple | nodes.Dict):
        return strings
    if not isinstance(node, nodes.Const):
        return False
    if isinstance(node.value, str | list | tuple):
        return strings
    return isinstance(node.value, int | float) and abs(node.value) > BIG_NUMBER


def _describe(node: nodes.Node) -> str:
    """``debtor.address`` for the expression node that names it (best effort)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_describe(node.node)}[{node.arg.value!r}]"
    return "…"


# ---- the parts of a template --------------------------------------------------------------------


def _open(data: bytes) -> DocxTemplate:
    tpl = DocxTemplate(BytesIO(data))
    tpl.init_docx()
    return tpl


def template_parts(tpl: DocxTemplate) -> list[Source]:
    """Every part docxtpl renders through Jinja, as ``render_xml_part`` hands it over."""

    def lines(xml: str) -> str:
        return _PARAGRAPH_OPEN.sub(r"\n<w:p\1", tpl.patch_xml(xml))

    parts = [Source("body", tpl.docx.part.partname.lstrip("/"), lines(tpl.get_xml()))]
    for kind, uri in (("header", tpl.HEADER_URI), ("footer", tpl.FOOTER_URI)):
        for _rel_id, part in tpl.get_headers_footers(uri):
            parts.append(Source(kind, part.partname.lstrip("/"), lines(tpl.get_part_xml(part))))
    for part in tpl.docx.part.package.parts:
        if part.content_type == FOOTNOTES_TYPE:
            source = lines(part.blob.decode("utf-8"))
            parts.append(Source("footnotes", part.partname.lstrip("/"), source))
    for name in TEMPLATED_PROPERTIES:
        value = getattr(tpl.docx.core_properties, name)
        if value and any(marker in value for marker in ("{{", "{%", "{#")):
            parts.append(Source("properties", name, value))
    return parts


def preprocessed(template: str | Path | bytes) -> str:
    """The template's Jinja source as docxtpl's ``get_undeclared_template_variables`` sees it
    (body, headers and footers, one after the other)."""
    data = template if isinstance(template, bytes) else Path(template).read_bytes()
    parts = template_parts(_open(data))
    return "".join(p.text for p in parts if p.kind in ("body", "header", "footer"))


# ---- the check ----------------------------------------------------------------------------------


def check_template(
    docx: bytes,
    context_class: type[BaseModel],
    *,
    samples: Iterable[Mapping[str, Any]] = (),
) -> Report:
    """Check the .docx ``docx`` against ``context_class``; render it with each of ``samples``
    (contexts as the template gets them) once the static checks pass."""
    report = Report()
    try:
        tpl = _open(docx)
        parts = template_parts(tpl)
    except Exception:  # python-docx raises KeyError, ValueError, lxml and zip errors, …
        report.problems.append(Problem(PACKAGE, Message(NOT_A_DOCUMENT)))
        return report

    env = make_env()
    for source in parts:
        try:
            ast = env.parse(source.text)
        except TemplateSyntaxError as exc:
            detail = exc.message or str(exc)
            report.problems.append(source.problem(SYNTAX, SYNTAX_ERROR, exc.lineno, detail=detail))
            continue
        checker = ContractChecker(context_class, env.filters, source)
        found = checker.check(ast)
        report.problems.extend(found)
        report.used |= checker.used
        if found:
            continue
        try:
            env.from_string(source.text)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            report.problems.append(
                source.problem(COMPILE, COMPILE_ERROR, line, detail=exc.message or str(exc))
            )
    if not report.ok:
        return report

    # docxtpl's own view of the top-level names must agree.
    declared = set(context_class.model_fields)
    undeclared = DocxTemplate(BytesIO(docx)).get_undeclared_template_variables(jinja_env=env)
    for name in sorted(undeclared - declared):
        report.problems.append(Problem(UNKNOWN, Message(UNDECLARED, name=name), name=name))
    if not report.ok:
        return report

    try:
        prepared = prepare(docx)
    except TemplateError as exc:
        detail = exc.message or str(exc)
        report.problems.append(Problem(COMPILE, Message(COMPILE_FAILED, detail=detail)))
        return report
    except ValueError:
        report.problems.append(Problem(PACKAGE, Message(NOT_A_DOCUMENT)))
        return report
    for sample in samples:
        try:
            prepared.render(sample)
        except SecurityError as exc:
            report.problems.append(Problem(SANDBOX, Message(SANDBOX_REFUSED, detail=str(exc))))
            break
        except Exception as exc:  # noqa: BLE001 - any failure refuses the template, with its words
            detail = f"{type(exc).__name__}: {exc}"[:300]
            report.problems.append(Problem(RENDER, Message(RENDER_FAILED, detail=detail)))
            break
    return report
