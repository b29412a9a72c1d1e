"""Bulk intake of cases from an .xlsx or .csv file: all or nothing, idempotent by external ref.

``import_cases`` reads the file, validates every row before it writes anything, and reports
each problem with the row number the user sees in Excel, the column and a translatable
message. If any row is bad nothing is created; otherwise every new case is created through
``create_case`` inside a savepoint of the caller's transaction. Rows whose external reference
is already in the database are skipped (they were imported before), never duplicated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cases.errors import N_, Message, ValidationError
from cases.imports.columns import BY_KEY, COLUMNS, REQUIRED, CellError, Column, match_header
from cases.imports.reader import MAX_ROWS, FileRejected, read_file
from cases.parties.models import Creditor
from cases.register import policies
from cases.register.models import Case, CaseCreate
from cases.register.operations import create_case
from cases.users.models import LawFirm, Role, User
from cases.validation import parse

_ORDER = {column.key: n for n, column in enumerate(COLUMNS)}
_SIGNED_IN_FUTURE = N_("The signing date cannot be in the future")
_REQUIRED = N_("This field is required")

# CaseCreate field paths → the column that holds their value.
_CASE_FIELDS = {
    "creditor_id": "creditor",
    "handler_id": "handler",
    "firm_id": "firm",
    "credit_grade": "credit_grade",
    "risk_level": "risk_level",
    "loan_class": "loan_class",
    "external_ref": "external_ref",
    "transferred_on": "transferred_on",
    "summary": "summary",
    "tags": "tags",
}
_DEBTOR_FIELDS = {
    "kind": "debtor_kind",
    "name": "debtor_name",
    "uscc": "debtor_id",
    "id_number": "debtor_id",
    "legal_representative": "debtor_legal_representative",
    "phone": "debtor_phone",
    "address": "debtor_address",
}
_CLAIM_FIELDS = {
    "contract_ref": "contract_ref",
    "contract_title": "contract_title",
    "kind": "claim_kind",
    "principal": "principal",
    "interest_rate": "interest_rate",
    "interest_basis": "interest_basis",
    "penalty_rate": "penalty_rate",
    "signed_on": "signed_on",
    "due_date": "due_date",
}


# ---- the result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int | None  # Excel row number (header = 1); None for the file as a whole
    column: str | None  # the column's header as written in the file (or the template's)
    message: Message


@dataclass(frozen=True)
class CreatedCase:
    number: str
    case_id: int
    external_ref: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class SkippedRef:
    external_ref: str
    rows: tuple[int, ...]


@dataclass
class ImportResult:
    created: list[CreatedCase] = field(default_factory=list)
    skipped: list[SkippedRef] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _rejected(msgid: str, **params: Any) -> ImportResult:
    return ImportResult(errors=[RowError(None, None, Message(msgid, **params))])


# ---- rows and groups -----------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # column key → converted value (absent when blank or unreadable)
    errors: dict[str, Message]  # column key → why the cell could not be read


@dataclass
class _Group:
    """The rows of one case (one external reference; a row without one stands alone)."""

    ref: str | None
    rows: list[_Row]

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(row.number for row in self.rows)


def _map_header(header: list[Any]) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """Column key → (index, header text as written); plus the headers that were not understood."""
    found: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        text = "" if raw is None else str(raw).strip()
        column = match_header(text)
        if column is None:
            if text:
                ignored.append(text)
            continue
        if column.key in found:
            raise FileRejected(N_("The column %(column)s appears more than once."), column=text)
        found[column.key] = (index, text)
    missing = [column.label for column in REQUIRED if column.key not in found]
    if missing:
        raise FileRejected(
            N_(
                "Required columns are missing from the first row: %(columns)s. Use the headers "
                "of the import template."
            ),
            columns="、".join(missing),
        )
    return found, ignored


def _read_row(number: int, cells: list[Any], columns: dict[str, tuple[int, str]]) -> _Row:
    row = _Row(number, {}, {})
    for key, (index, _text) in columns.items():
        raw = cells[index] if index < len(cells) else None
        try:
            value = BY_KEY[key].convert(raw)
        except CellError as exc:
            row.errors[key] = exc.message
        else:
            if value is not None:
                row.values[key] = value
    return row


def _group(rows: Iterable[_Row]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    alone: list[_Group] = []
    for row in rows:
        ref = row.values.get("external_ref")
        if ref is None:
            alone.append(_Group(None, [row]))
        elif ref in groups:
            groups[ref].rows.append(row)
        else:
            groups[ref] = _Group(ref, [row])
    return sorted([*groups.values(), *alone], key=lambda g: g.rows[0].number)


def _existing_refs(session: Session, refs: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        found.update(session.exec(select(Case.external_ref).where(Case.external_ref.in_(chunk))))
    return found


# ---- look-ups by name ------------------------------------------------------------------------


class _Lookups:
    """Creditors, handlers and law firms named in the file, each looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple[str, str], tuple[Any, Message | None]] = {}

    def _cached(self, kind: str, value: str, find) -> tuple[Any, Message | None]:
        if (kind, value) not in self._cache:
            self._cache[kind, value] = find(value)
        return self._cache[kind, value]

    def creditor(self, name: str) -> tuple[Creditor | None, Message | None]:
        def find(name: str) -> tuple[Creditor | None, Message | None]:
            creditor = self.session.exec(select(Creditor).where(Creditor.name == name)).first()
            if creditor is not None:
                return creditor, None
            matches = self.session.exec(
                select(Creditor).where(Creditor.short_name == name).limit(2)
            ).all()
            if len(matches) == 1:
                return matches[0], None
            if matches:
                return None, Message(
                    N_("Several creditors have the short name “%(name)s”. Use the full name."),
                    name=name,
                )
            return None, Message(N_("No creditor is registered as “%(name)s”."), name=name)

        return self._cached("creditor", name, find)

    def handler(self, email: str) -> tuple[User | None, Message | None]:
        def find(email: str) -> tuple[User | None, Message | None]:
            user = self.session.exec(select(User).where(sa.func.lower(User.email) == email)).first()
            if user is None:
                return None, Message(N_("No user has the email %(email)s."), email=email)
            if user.role not in (Role.LEGAL, Role.ADMIN) or not user.is_active:
                return None, Message(N_("The handler must be an active legal staff member"))
            return user, None

        return self._cached("handler", email, find)

    def firm(self, name: str) -> tuple[LawFirm | None, Message | None]:
        def find(name: str) -> tuple[LawFirm | None, Message | None]:
            firm = self.session.exec(select(LawFirm).where(LawFirm.name == name)).first()
            if firm is None:
                return None, Message(N_("No law firm is registered as “%(name)s”."), name=name)
            return firm, None

        return self._cached("firm", name, find)


# ---- validating one case ---------------------------------------------------------------------


class _CaseCheck:
    """Merge the rows of one group into a ``CaseCreate`` payload, collecting every problem."""

    def __init__(self, group: _Group, lookups: _Lookups) -> None:
        self.group = group
        self.lookups = lookups
        self.errors: dict[tuple[int, str | None], list[Message]] = {}
        self.source: dict[str, int] = {}  # case-level column key → row its value came from
        self.case: dict[str, Any] = {}

    def error(self, row: int, key: str | None, message: Message) -> None:
        if key is not None and (row, key) in self.errors:
            return  # one reason per cell: the first (the cell itself) explains the rest
        self.errors.setdefault((row, key), []).append(message)

    def run(self) -> dict[str, Any] | None:
        for row in self.group.rows:
            if "external_ref" not in row.values and "external_ref" not in row.errors:
                self.error(row.number, "external_ref", Message(_REQUIRED))
            for key, message in row.errors.items():
                self.error(row.number, key, message)
        self._merge_case_level()
        payload = self._payload()
        try:
            parse(CaseCreate, payload)
        except ValidationError as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    self.error(*self._locate(name, message), message)
        return None if self.errors else payload

    def _merge_case_level(self) -> None:
        for column in COLUMNS:
            if not column.case_level:
                continue
            for row in self.group.rows:
                if column.key not in row.values:
                    continue
                value = row.values[column.key]
                if column.key not in self.source:
                    self.source[column.key] = row.number
                    self.case[column.key] = value
                elif value != self.case[column.key]:
                    self.error(
                        row.number,
                        column.key,
                        Message(
                            N_("Differs from row %(row)s, which has the same external reference."),
                            row=self.source[column.key],
                        ),
                    )

    def _resolve(self, key: str, find) -> int | None:
        if key not in self.case:
            return None
        found, problem = find(self.case[key])
        if problem is not None:
            self.error(self.source[key], key, problem)
            return None
        return found.id

    def _payload(self) -> dict[str, Any]:
        case = self.case
        payload: dict[str, Any] = {
            "creditor_id": self._resolve("creditor", self.lookups.creditor),
            "handler_id": self._resolve("handler", self.lookups.handler),
            "firm_id": self._resolve("firm", self.lookups.firm),
            "debtor": self._debtor(),
            "claims": [self._claim(row) for row in self.group.rows],
        }
        if payload["creditor_id"] is None:
            del payload["creditor_id"]  # "required", unless the creditor cell explains why
        elif "loan_class" in case and not self.lookups.creditor(case["creditor"])[0].is_bank:
            self.error(
                self.source["loan_class"],
                "loan_class",
                Message(N_("The five-category class applies only to bank creditors")),
            )
        for name in (
            "external_ref",
            "credit_grade",
            "risk_level",
            "loan_class",
            "transferred_on",
            "summary",
            "tags",
        ):
            if name in case:
                payload[name] = case[name]
        return payload

    def _debtor(self) -> dict[str, Any]:
        case = self.case
        debtor: dict[str, Any] = {
            "kind": case.get("debtor_kind"),
            "name": case.get("debtor_name"),
            "legal_representative": case.get("debtor_legal_representative"),
            "phone": case.get("debtor_phone"),
            "address": case.get("debtor_address"),
        }
        identifier = case.get("debtor_id")
        debtor["id_number" if debtor["kind"] == "person" else "uscc"] = identifier
        return {k: v for k, v in debtor.items() if v is not None}

    @staticmethod
    def _claim(row: _Row) -> dict[str, Any]:
        return {name: row.values[key] for name, key in _CLAIM_FIELDS.items() if key in row.values}

    def _locate(self, name: str, message: Message) -> tuple[int, str | None]:
        """The (row, column) of a ``CaseCreate`` error path such as ``claims.1.principal``."""
        parts = name.split(".")
        first_row = self.group.rows[0].number
        if parts[0] == "claims" and len(parts) > 1 and parts[1].isdigit():
            row = self.group.rows[int(parts[1])].number
            if len(parts) > 2:
                return row, _CLAIM_FIELDS.get(parts[2])
            # A rule across the claim's dates.
            return row, "signed_on" if message.msgid == _SIGNED_IN_FUTURE else "due_date"
        if parts[0] == "debtor":
            key = _DEBTOR_FIELDS.get(parts[1], "debtor_id") if len(parts) > 1 else "debtor_id"
        else:
            key = _CASE_FIELDS.get(parts[0])
        return (self.source.get(key, first_row) if key else first_row), key


# ---- the operation ---------------------------------------------------------------------------


def import_cases(
    session: Session, actor: User, filename: str, content: bytes, *, max_rows: int = MAX_ROWS
) -> ImportResult:
    """Validate the whole file, then create every new case or none. Flushes; never commits."""
    policies.require(actor, "case.import")
    try:
        sheet = read_file(filename, content, max_rows=max_rows)
        columns, ignored = _map_header(sheet.header)
    except FileRejected as exc:
        return ImportResult(errors=[RowError(None, None, exc.message)])
    if not sheet.rows:
        return _rejected(N_("The file has no data rows below the header."))

    labels = {key: text for key, (_index, text) in columns.items()}
    groups = _group(_read_row(number, cells, columns) for number, cells in sheet.rows)
    existing = _existing_refs(session, [g.ref for g in groups if g.ref is not None])
    result = ImportResult(ignored_columns=ignored)
    lookups = _Lookups(session)
    plans: list[tuple[_Group, dict[str, Any]]] = []
    for group in groups:
        if group.ref in existing:
            result.skipped.append(SkippedRef(group.ref, group.numbers))
            continue
        check = _CaseCheck(group, lookups)
        payload = check.run()
        if payload is None:
            result.errors.extend(
                RowError(row, labels.get(key, BY_KEY[key].label) if key else None, message)
                for (row, key), messages in sorted(
                    check.errors.items(), key=lambda e: (e[0][0], _ORDER.get(e[0][1], -1))
                )
                for message in messages
            )
        else:
            plans.append((group, payload))
    if result.errors:
        return result
    return _create_all(session, actor, plans, result, labels)


def _create_all(
    session: Session,
    actor: User,
    plans: list[tuple[_Group, dict[str, Any]]],
    result: ImportResult,
    labels: dict[str, str],
) -> ImportResult:
    current: _Group | None = None
    created: list[CreatedCase] = []
    try:
        with session.begin_nested():  # all or nothing, even if the caller went on to commit
            for current, payload in plans:
                case = create_case(session, actor, payload)
                created.append(CreatedCase(case.number, case.id, current.ref, current.numbers))
    except ValidationError as exc:
        # A rule only the database can settle, e.g. another import saving the same reference.
        assert current is not None
        result.errors = [
            RowError(current.rows[0].number, _label(labels, name), message)
            for name, messages in exc.errors.items()
            for message in messages
        ]
        return result
    except sa.exc.IntegrityError:
        return _rejected(
            N_(
                "Another import saved some of these cases at the same time. Nothing was imported; "
                "upload the file again and those cases will be skipped."
            )
        )
    result.created = created
    return result


def _label(labels: dict[str, str], field_path: str) -> str | None:
    key = _CASE_FIELDS.get(field_path.split(".")[0])
    return labels.get(key) if key else None


__all__ = [
    "MAX_ROWS",
    "Column",
    "CreatedCase",
    "ImportResult",
    "RowError",
    "SkippedRef",
    "import_cases",
]
