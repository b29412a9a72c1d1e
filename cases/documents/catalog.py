"""The shipped document templates and what each is for.

Each template is a ``.docx`` under ``templates/letters/`` or ``templates/filings/`` with a
sidecar ``<name>.toml`` beside it::

    title = "律师函"
    kind = "letter"                    # letter | filing | writeoff
    version = "1"                      # bump when the wording changes
    stages = ["collection", "demand_letter", "negotiation"]   # values of Stage
    creditors = ["bank", "enterprise"] # whose documents these are
    schema = "LawyerLetterContext"     # its context class in cases.documents.schemas
    offers_pdf = true                  # whether a PDF is offered beside the .docx

The metadata is checked when it is loaded: an unknown key, stage, kind, creditor type or
schema, or a missing ``.docx``, raises ``TemplateMetadataError`` naming the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cases.documents import schemas
from cases.errors import N_, NotFound
from cases.register.stages import Stage

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
FOLDERS = ("letters", "filings")
KINDS = ("letter", "filing", "writeoff")
CREDITOR_TYPES = ("bank", "enterprise")
_KEYS = {"title", "kind", "version", "stages", "creditors", "schema", "offers_pdf"}

UNKNOWN_TEMPLATE = N_("No such document template")


class TemplateMetadataError(ValueError):
    """A template's sidecar metadata is wrong: a mistake in the repository, not in input."""


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # file name without extension, unique across folders
    path: Path  # the .docx
    title: str
    kind: str
    version: str
    stages: tuple[Stage, ...]
    creditors: frozenset[str]
    schema: str
    offers_pdf: bool

    @property
    def context_class(self) -> type[schemas.DocumentContext]:
        return schemas.CONTEXTS[self.schema]

    def suits(self, stage: Stage | str, is_bank: bool) -> bool:
        kind = "bank" if is_bank else "enterprise"
        return Stage(stage) in self.stages and kind in self.creditors


def _fail(source: Path, problem: str) -> TemplateMetadataError:
    try:
        shown = source.relative_to(TEMPLATES_DIR.parent)
    except ValueError:
        shown = source
    return TemplateMetadataError(f"{shown}: {problem}")


def _strings(source: Path, data: dict[str, Any], key: str) -> list[str]:
    value = data[key]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _fail(source, f"{key} must be a non-empty list of strings")
    return value


def load(source: Path) -> TemplateInfo:
    """Read and check one sidecar ``.toml``."""
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, f"not valid TOML: {exc}") from None
    if missing := sorted(_KEYS - data.keys()):
        raise _fail(source, f"missing {', '.join(missing)}")
    if unknown := sorted(data.keys() - _KEYS):
        raise _fail(source, f"unknown key {', '.join(unknown)}")
    for key in ("title", "version", "schema"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise _fail(source, f"{key} must be a non-empty string")
    if data["kind"] not in KINDS:
        raise _fail(source, f"unknown kind {data['kind']!r}; one of {', '.join(KINDS)}")
    stages = []
    for value in _strings(source, data, "stages"):
        try:
            stages.append(Stage(value))
        except ValueError:
            known = ", ".join(s.value for s in Stage)
            raise _fail(source, f"unknown stage {value!r}; known stages: {known}") from None
    creditors = _strings(source, data, "creditors")
    if bad := [c for c in creditors if c not in CREDITOR_TYPES]:
        raise _fail(source, f"unknown creditor type {bad[0]!r}; bank or enterprise")
    if data["schema"] not in schemas.CONTEXTS:
        known = ", ".join(schemas.CONTEXTS)
        raise _fail(source, f"unknown schema {data['schema']!r}; one of {known}")
    if not isinstance(data["offers_pdf"], bool):
        raise _fail(source, "offers_pdf must be true or false")
    docx = source.with_suffix(".docx")
    if not docx.is_file():
        raise _fail(source, f"no template {docx.name} beside it")
    return TemplateInfo(
        name=source.stem,
        path=docx,
        title=data["title"].strip(),
        kind=data["kind"],
        version=data["version"].strip(),
        stages=tuple(dict.fromkeys(stages)),
        creditors=frozenset(creditors),
        schema=data["schema"],
        offers_pdf=data["offers_pdf"],
    )


def load_dir(root: Path) -> tuple[TemplateInfo, ...]:
    """Every template under ``root/letters`` and ``root/filings``, letters first, by name."""
    found: dict[str, TemplateInfo] = {}
    for folder in FOLDERS:
        for source in sorted((root / folder).glob("*.toml")):
            info = load(source)
            if info.name in found:
                raise _fail(source, f"a template named {info.name!r} exists already")
            found[info.name] = info
    return tuple(found.values())


@cache
def shipped() -> tuple[TemplateInfo, ...]:
    """All templates shipped with the product."""
    return load_dir(TEMPLATES_DIR)


def get(name: str) -> TemplateInfo:
    for info in shipped():
        if info.name == name:
            return info
    raise NotFound(UNKNOWN_TEMPLATE)


def for_case(stage: Stage | str, is_bank: bool) -> list[TemplateInfo]:
    """Every template, those that suit a case at ``stage`` of this creditor type first."""
    stage = Stage(stage)
    templates = shipped()
    return [t for t in templates if t.suits(stage, is_bank)] + [
        t for t in templates if not t.suits(stage, is_bank)
    ]
