"""Reads of the case register: the filtered, sorted, paginated case list (案件台账).

The list page and ``GET /api/v1/cases`` share these functions::

    query, ignored = parse_query(request.args, page_size=50)
    page = search_cases(session, actor, query, on=today())

``search_cases`` never shows a case outside ``policies.visible_filter(actor)``: a counsel
asking for another firm (``firm_id=<id>``) simply gets nothing. It runs three statements
whatever the page size: the count, the page with its joined names, and the page's tags
(four with a search: the matching debtors are looked up first).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pydantic
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from cases.base import StrEnum
from cases.parties.models import Creditor, Party, PartyKind
from cases.register import policies
from cases.register.aging import AgingBucket, bucket_for, due_range, overdue_days
from cases.register.models import Case, CaseStatus, CaseTag, CreditGrade, RiskLevel, Tag
from cases.register.stages import Stage
from cases.users.models import LawFirm, Role, User

MAX_ID = 2**31 - 1  # larger ids cannot exist; refusing them keeps PostgreSQL's INTEGER happy
MAX_PAGE_SIZE = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CaseSort(StrEnum):
    NUMBER = "number"
    DEBTOR = "debtor"
    PRINCIPAL = "principal"
    OUTSTANDING = "outstanding"
    OVERDUE = "overdue"
    STAGE = "stage"
    LAST_ACTIVITY = "last_activity"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class CaseQuery(BaseModel):
    """What the list asks for. Every field is optional; ids are database ids.

    ``q`` matches, ignoring case: any part of the debtor's name; the debtor's whole USCC or
    resident ID number; and, when it holds a letter or digit, a case number or external
    reference (any part of it from three characters on, the whole below that). Text shaped
    like a USCC or ID number (15–18 letters and digits) is not looked for in names.
    ``sort=overdue`` with ``order=desc`` puts the most overdue cases first.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: str | None = Field(default=None, max_length=100)
    stage: Stage | None = None
    status: CaseStatus | None = None
    handler_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    firm_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    creditor_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    aging: AgingBucket | None = None
    tag: str | None = Field(default=None, max_length=40)
    credit_grade: CreditGrade | None = None
    risk_level: RiskLevel | None = None
    sort: CaseSort = CaseSort.NUMBER
    order: SortOrder = SortOrder.DESC
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("q", "tag", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = _CONTROL.sub(" ", value).strip()
            return value or None
        return value

    def filters(self) -> dict[str, Any]:
        """The filter and search values that are set (not sort or paging)."""
        skip = {"sort", "order", "page", "page_size"}
        return {k: v for k, v in self.model_dump().items() if k not in skip and v is not None}


def parse_query(params: Mapping[str, Any], **overrides: Any) -> tuple[CaseQuery, list[str]]:
    """A ``CaseQuery`` from request parameters, leaving out the invalid ones.

    Returns the query and the sorted names of the parameters that were ignored (unknown
    stage, ``page=abc``, ``sort=evil`` …). Empty values count as absent. ``overrides``
    (trusted values such as the configured page size) win over ``params``.
    """
    data = {name: params.get(name) for name in CaseQuery.model_fields}
    data = {name: value for name, value in data.items() if value not in (None, "")}
    data.update(overrides)
    try:
        return CaseQuery.model_validate(data), []
    except pydantic.ValidationError as exc:
        bad = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
    return CaseQuery.model_validate({k: v for k, v in data.items() if k not in bad}), bad


class CaseListItem(BaseModel):
    """One row of the list: the case with the names it is shown with."""

    id: int
    number: str
    external_ref: str | None
    debtor_id: int
    debtor_name: str
    debtor_kind: PartyKind
    debtor_identifier: str
    creditor_id: int
    creditor_name: str
    handler_id: int | None
    handler_name: str | None
    firm_id: int | None
    firm_name: str | None
    stage: Stage
    status: CaseStatus
    principal: Decimal
    recovered: Decimal
    outstanding: Decimal
    due_date: date | None
    overdue_days: int
    aging: AgingBucket | None
    risk_level: RiskLevel | None
    credit_grade: CreditGrade | None
    last_activity_at: datetime | None
    tags: list[str]


class CasePage(BaseModel):
    items: list[CaseListItem]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


# ---- the query ----------------------------------------------------------------------------

MIN_FRAGMENT = 3  # shorter texts match case numbers and external references only whole
INLINE_DEBTORS = 5000  # a search matching more debtors keeps the subquery
_REFERENCE_CHAR = re.compile(r"[0-9A-Za-z]")  # case numbers and external references have some
_IDENTIFIER = re.compile(r"[0-9A-Z]{15,18}")  # USCC (18), resident ID (18; 15 for old cards)


class _ILikeContains(FunctionElement[bool]):
    """``column`` contains ``pattern``'s text ignoring case: ILIKE on PostgreSQL, and plain
    LIKE on SQLite, whose LIKE already ignores (ASCII) case; SQLAlchemy's ``icontains``
    would wrap both sides in ``lower()`` there, which makes every scan twice as slow."""

    type = sa.Boolean()
    inherit_cache = True
    name = "ilike_contains"


@compiles(_ILikeContains)
def _ilike_default(element: _ILikeContains, compiler: Any, **kw: Any) -> str:
    column, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"lower({column}) LIKE lower({pattern}) ESCAPE '/'"


@compiles(_ILikeContains, "postgresql")
def _ilike_postgresql(element: _ILikeContains, compiler: Any, **kw: Any) -> str:
    column, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} ILIKE {pattern} ESCAPE '/'"


@compiles(_ILikeContains, "sqlite")
def _ilike_sqlite(element: _ILikeContains, compiler: Any, **kw: Any) -> str:
    column, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} LIKE {pattern} ESCAPE '/'"


def _contains(column: Any, text: str) -> sa.ColumnElement[bool]:
    """Substring match, case-insensitive when ``text`` has letters with a case.

    Chinese has none, and a plain LIKE is several times cheaper than ILIKE on PostgreSQL.
    Either way a trigram index (``ix_party_name_trgm``, ``ix_case_search_trgm``) serves it
    from three characters on.
    """
    if text.lower() == text.upper():
        return column.contains(text, autoescape=True)
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return _ILikeContains(column, sa.bindparam(None, f"%{escaped}%", type_=sa.String()))


def _identifier(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _is_identifier(text: str) -> bool:
    """Shaped like a USCC or resident ID number: compared whole, never as a name part."""
    return bool(_IDENTIFIER.fullmatch(_identifier(text).replace("-", "")))


def _debtor_matches(text: str) -> sa.Select[tuple[int]]:
    identifier = _identifier(text).replace("-", "")  # typed in groups, as ids.py accepts
    by_id = [Party.uscc == identifier, Party.id_number == identifier]
    by_name = [] if _is_identifier(text) else [_contains(Party.name, text)]
    return sa.select(Party.id).where(sa.or_(*by_name, *by_id)).correlate(None)


def _search_condition(
    text: str, debtors: sa.ColumnElement[bool] | None = None
) -> sa.ColumnElement[bool]:
    """Cases whose debtor or own references match ``text`` (see ``CaseQuery``).

    ``debtors``, when given, is a condition on ``Case.debtor_id`` built from the debtors
    matching ``text``, looked up beforehand: with it PostgreSQL ORs three index scans.
    Without it the condition is ``id IN (… UNION …)`` rather than one OR over two tables,
    so that each branch still gets its own index.
    """
    identifier = _identifier(text)
    if not _REFERENCE_CHAR.search(text):  # all Chinese: cannot be part of a number or reference
        own: list[sa.ColumnElement[bool]] = []
    elif len(text) < MIN_FRAGMENT:
        own = [
            Case.number == identifier,  # as typed, in capitals or in lower case:
            Case.external_ref.in_(sorted({text, text.upper(), text.lower()})),
        ]
    else:
        own = [
            Case.number.contains(identifier, autoescape=True),  # numbers are in capitals
            _contains(Case.external_ref, text),
        ]
    if debtors is not None:
        return sa.or_(debtors, *own)
    by_debtor = sa.select(Case.id).where(Case.debtor_id.in_(_debtor_matches(text)))
    if not own:
        return Case.id.in_(by_debtor.correlate(None))
    return Case.id.in_(
        sa.union(by_debtor.correlate(None), sa.select(Case.id).where(sa.or_(*own)).correlate(None))
    )


def conditions(
    actor: User, params: CaseQuery, *, on: date, debtors: sa.ColumnElement[bool] | None = None
) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses of the list: visibility first, then each filter that is set.

    ``debtors`` optionally replaces the debtor subquery of the search (``q``) by a condition
    on ``Case.debtor_id`` (see ``search_cases``), so that the count and the page do not
    both scan the debtors.
    """
    where: list[sa.ColumnElement[bool]] = [policies.visible_filter(actor)]
    for column, value in (
        (Case.stage, params.stage),
        (Case.status, params.status),
        (Case.handler_id, params.handler_id),
        (Case.firm_id, params.firm_id),
        (Case.creditor_id, params.creditor_id),
        (Case.credit_grade, params.credit_grade),
        (Case.risk_level, params.risk_level),
    ):
        if value is not None:
            where.append(column == value)
    if params.aging is not None:
        earliest, latest = due_range(params.aging, on)
        if earliest is not None:
            where.append(Case.overdue_since >= earliest)
        if latest is not None:
            where.append(Case.overdue_since <= latest)
    if params.tag is not None:
        where.append(
            Case.id.in_(
                sa.select(CaseTag.case_id)
                .join(Tag, Tag.id == CaseTag.tag_id)
                .where(Tag.name == params.tag)
                .correlate(None)
            )
        )
    if params.q is not None:
        where.append(_search_condition(params.q, debtors))
    return where


_STAGE_POSITION = sa.case(
    {stage: position for position, stage in enumerate(Stage)}, value=Case.stage
)


def _order_by(params: CaseQuery) -> list[sa.ColumnElement[Any]]:
    descending = params.order == SortOrder.DESC
    if params.sort == CaseSort.NUMBER:  # unique: no tie-break needed
        return [Case.number.desc() if descending else Case.number.asc()]
    key: sa.ColumnElement[Any] = {
        CaseSort.DEBTOR: Party.name,
        CaseSort.PRINCIPAL: Case.claimed_principal,
        CaseSort.OUTSTANDING: Case.claimed_principal - Case.recovered_amount,
        CaseSort.OVERDUE: Case.overdue_since,
        CaseSort.STAGE: _STAGE_POSITION,
        CaseSort.LAST_ACTIVITY: Case.last_activity_at,
    }[params.sort]
    if params.sort == CaseSort.OVERDUE:  # most overdue = earliest due date
        descending = not descending
    # Empty values sort as the largest (PostgreSQL's default), so plain indexes serve both ways.
    if descending:
        return [key.desc().nulls_first(), Case.id.desc()]
    return [key.asc().nulls_last(), Case.id.asc()]


# The columns of a row, named as in ``CaseListItem``.
_ROW_COLUMNS = (
    Case.id,
    Case.number,
    Case.external_ref,
    Case.debtor_id,
    Party.name.label("debtor_name"),
    Party.kind.label("debtor_kind"),
    sa.func.coalesce(Party.uscc, Party.id_number, "").label("debtor_identifier"),
    Case.creditor_id,
    Creditor.name.label("creditor_name"),
    Case.handler_id,
    User.name.label("handler_name"),
    Case.firm_id,
    LawFirm.name.label("firm_name"),
    Case.stage,
    Case.status,
    Case.claimed_principal.label("principal"),
    Case.recovered_amount.label("recovered"),
    Case.oldest_due_date.label("due_date"),
    Case.overdue_since,
    Case.risk_level,
    Case.credit_grade,
    Case.last_activity_at,
)


def _among(column: Any, ids: Sequence[int], dialect: str) -> sa.ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL as one array parameter rather than one per id."""
    if dialect == "postgresql":
        array = sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.Integer()))
        return column == sa.any_(array)
    return column.in_(ids)


def search_cases(session: Session, actor: User, params: CaseQuery, *, on: date) -> CasePage:
    """The page of cases ``actor`` may see that match ``params``, as of business day ``on``.

    ``on`` (normally ``cases.base.today()``) fixes overdue days and aging buckets. A page
    past the end is clamped to the last page; ``CasePage.page`` says which page came back.
    """
    debtors = None
    if params.q is not None:  # one look at the debtors, shared by the count and the page
        found = session.scalars(_debtor_matches(params.q).limit(INLINE_DEBTORS + 1)).all()
        if len(found) <= INLINE_DEBTORS:
            debtors = _among(Case.debtor_id, found, session.get_bind().dialect.name)
    where = conditions(actor, params, on=on, debtors=debtors)
    total = session.execute(sa.select(sa.func.count()).select_from(Case).where(*where)).scalar_one()
    pages = max(1, math.ceil(total / params.page_size))
    page = min(params.page, pages)
    order = _order_by(params)
    # Find the page's ids on the case table alone, then join the names for those rows only:
    # a deep page or a sort over every row does not drag four joins along.
    ids = sa.select(Case.id).where(*where).order_by(*order)
    if params.sort == CaseSort.DEBTOR:
        ids = ids.join(Party, Party.id == Case.debtor_id)
    ids = ids.limit(params.page_size).offset((page - 1) * params.page_size).correlate(None)
    stmt = (
        sa.select(*_ROW_COLUMNS)
        .join(Party, Party.id == Case.debtor_id)
        .join(Creditor, Creditor.id == Case.creditor_id)
        .outerjoin(User, User.id == Case.handler_id)
        .outerjoin(LawFirm, LawFirm.id == Case.firm_id)
        .where(Case.id.in_(ids))
        .order_by(*order)
    )
    rows = session.execute(stmt).mappings().all() if total else []
    tags = _tags_of(session, [row["id"] for row in rows])
    items = [_item(row, tags=tags.get(row["id"], []), on=on) for row in rows]
    return CasePage(items=items, total=total, page=page, page_size=params.page_size)


def matching_ids(
    session: Session, actor: User, params: CaseQuery, *, on: date, limit: int
) -> list[int]:
    """The ids of every case the list would show for ``params`` (all pages, in its order), at
    most ``limit`` of them — for acting on a filtered list as a whole (bulk runs)."""
    stmt = sa.select(Case.id).where(*conditions(actor, params, on=on)).order_by(*_order_by(params))
    if params.sort == CaseSort.DEBTOR:
        stmt = stmt.join(Party, Party.id == Case.debtor_id)
    return list(session.scalars(stmt.limit(limit)).all())


def _tags_of(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    if not case_ids:
        return {}
    stmt = (
        sa.select(CaseTag.case_id, Tag.name)
        .join(Tag, Tag.id == CaseTag.tag_id)
        .where(CaseTag.case_id.in_(case_ids))
        .order_by(Tag.name)
    )
    tags: dict[int, list[str]] = {}
    for case_id, name in session.execute(stmt):
        tags.setdefault(case_id, []).append(name)
    return tags


def _item(row: Mapping[str, Any], *, tags: list[str], on: date) -> CaseListItem:
    values = dict(row)
    since = values.pop("overdue_since")
    return CaseListItem(
        **values,
        outstanding=max(row["principal"] - row["recovered"], Decimal("0.00")),
        overdue_days=overdue_days(since, on),
        aging=bucket_for(since, on),
        tags=tags,
    )


# ---- choices for the filter form ----------------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """What the filter selects offer: ``(id, name)`` pairs and tag names."""

    handlers: list[tuple[int, str]]
    firms: list[tuple[int, str]]
    creditors: list[tuple[int, str]]
    tags: list[str]


def filter_options(session: Session, actor: User) -> FilterOptions:
    """Choices for the filters. Counsel only get those used on cases they may see."""
    if actor.role == Role.COUNSEL:
        visible = sa.select(Case).where(policies.visible_filter(actor)).subquery()
        handlers = sa.select(User.id, User.name).where(User.id.in_(sa.select(visible.c.handler_id)))
        firms = sa.select(LawFirm.id, LawFirm.name).where(LawFirm.id == actor.firm_id)
        creditors = sa.select(Creditor.id, Creditor.name).where(
            Creditor.id.in_(sa.select(visible.c.creditor_id))
        )
        tags = sa.select(Tag.name).where(
            Tag.id.in_(
                sa.select(CaseTag.tag_id).where(CaseTag.case_id.in_(sa.select(visible.c.id)))
            )
        )
    else:
        handlers = sa.select(User.id, User.name).where(
            User.role.in_([Role.LEGAL, Role.ADMIN]), User.is_active
        )
        firms = sa.select(LawFirm.id, LawFirm.name)
        creditors = sa.select(Creditor.id, Creditor.name)
        tags = sa.select(Tag.name)
    return FilterOptions(
        handlers=[tuple(r) for r in session.execute(handlers.order_by(User.name, User.id))],
        firms=[tuple(r) for r in session.execute(firms.order_by(LawFirm.name))],
        creditors=[tuple(r) for r in session.execute(creditors.order_by(Creditor.name))],
        tags=list(session.execute(tags.order_by(Tag.name)).scalars()),
    )
