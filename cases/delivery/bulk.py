"""Deliveries of a bulk run of letters: register the sendings and import a courier's outcomes
from a CSV or XLSX file, all or nothing.

Like the case import (``cases.imports.intake``), each file is read and **every row checked
before anything is written**; each problem is reported with the row number the user sees in
Excel, the column and a translatable message, and if any row is bad nothing changes. Uploading
the same file again is harmless: rows already recorded the same way are skipped, rows recorded
differently are errors. A row that reports a parcel still in transit is skipped.

Only the run's creator (or an admin) reaches its deliveries, and only while every case of the
run is visible to them (``run_for_deliveries``); rows can only name the run's cases and the
sendings of the run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from cases.delivery import operations
from cases.delivery.columns import (
    IN_TRANSIT,
    OUTCOME_COLUMNS,
    SENDING_COLUMNS,
    SENDING_INFO,
    Column,
    match,
)
from cases.delivery.models import (
    STATUS_LABELS,
    Carrier,
    Delivery,
    DeliveryStatus,
    OutcomeCreate,
    SendingCreate,
)
from cases.delivery.rules import LimitationChange
from cases.documents.archive import GeneratedDocument
from cases.documents.bulk import BulkRun, BulkRunItem, ItemStatus, get_run
from cases.errors import N_, Message, NotFound, ValidationError
from cases.imports.columns import CellError, normalise_header
from cases.imports.intake import RowError
from cases.imports.reader import FileRejected, read_file
from cases.parties.models import Party
from cases.register import policies
from cases.register.models import Case
from cases.users.models import User
from cases.validation import parse

MAX_ROWS = 20_000


def run_for_deliveries(session: Session, actor: User, run_id: int) -> BulkRun:
    """A run the actor may see (its creator or an admin) whose every case they may still see;
    anything else is ``NotFound``."""
    run = get_run(session, actor, run_id)
    hidden = session.exec(
        select(BulkRunItem.id)
        .join(Case, Case.id == BulkRunItem.case_id)
        .where(BulkRunItem.run_id == run.id, ~policies.visible_filter(actor))
        .limit(1)
    ).first()
    if hidden is not None:
        raise NotFound(N_("No such run."))
    return run


@dataclass(frozen=True)
class RunLetter:
    """One case of the run and the letter generated for it (None if its item failed)."""

    case_id: int
    number: str
    debtor: str
    document: GeneratedDocument | None


def run_letters(session: Session, run: BulkRun) -> list[RunLetter]:
    rows = session.exec(
        select(BulkRunItem, Case.number, Party.name, GeneratedDocument)
        .join(Case, Case.id == BulkRunItem.case_id)
        .join(Party, Party.id == Case.debtor_id)
        .outerjoin(GeneratedDocument, GeneratedDocument.id == BulkRunItem.document_id)
        .where(BulkRunItem.run_id == run.id)
        .order_by(Case.number)
    ).all()
    return [
        RunLetter(item.case_id, number, debtor, doc if item.status == ItemStatus.DONE else None)
        for item, number, debtor, doc in rows
    ]


def run_deliveries(session: Session, run: BulkRun) -> list[tuple[Delivery, str]]:
    """The run's deliveries with their case numbers, by case number then sending."""
    stmt = (
        select(Delivery, Case.number)
        .join(Case, Case.id == Delivery.case_id)
        .where(Delivery.run_id == run.id)
        .order_by(Case.number, Delivery.sent_on, Delivery.id)
    )
    return [(row, number) for row, number in session.exec(stmt).all()]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """A cell Excel shows as text: a leading ``=``, ``+``, ``-``, ``@``, tab or CR (a debtor's
    name as typed or imported) would make it a formula (CSV injection), so it gets a ``'``."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def sendings_template(session: Session, run: BulkRun) -> bytes:
    """A CSV (UTF-8 with BOM, for Excel) listing the run's letters, to fill in and upload."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["案件编号", "债务人", "文书", "运单号", "快递公司", "寄出日期"])
    for letter in run_letters(session, run):
        if letter.document is not None:
            cells = (letter.number, letter.debtor, letter.document.title)
            writer.writerow([*(text_cell(c) for c in cells), "", "", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---- reading a file ------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: dict[str, Message]


@dataclass
class _File:
    rows: list[_Row]
    labels: dict[str, str]  # column key → header as written
    ignored: list[str]


def _read(
    filename: str,
    content: bytes,
    columns: tuple[Column, ...],
    info: frozenset[str] = frozenset(),
) -> _File:
    sheet = read_file(filename, content, max_rows=MAX_ROWS)
    found: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    for index, raw in enumerate(sheet.header):
        header = "" if raw is None else str(raw).strip()
        column = match(columns, header)
        if column is None or column.key in found:
            if header and normalise_header(header) not in info:
                ignored.append(header)
            continue
        found[column.key] = (index, header)
    missing = [c.label for c in columns if c.required and c.key not in found]
    if missing:
        raise FileRejected(
            N_(
                "Required columns are missing from the first row: %(columns)s. Use the headers "
                "of the import template."
            ),
            columns="、".join(missing),
        )
    if not sheet.rows:
        raise FileRejected(N_("The file has no data rows below the header."))
    by_key = {c.key: c for c in columns}
    rows = []
    for number, cells in sheet.rows:
        row = _Row(number, {}, {})
        for key, (index, _header) in found.items():
            raw = cells[index] if index < len(cells) else None
            try:
                value = by_key[key].convert(raw)
            except CellError as exc:
                row.errors[key] = exc.message
            else:
                if value is not None:
                    row.values[key] = value
        rows.append(row)
    labels = {key: header for key, (_index, header) in found.items()}
    return _File(rows, labels, ignored)


class _Problems:
    def __init__(self, labels: dict[str, str], columns: tuple[Column, ...]) -> None:
        self.labels = labels
        self.defaults = {c.key: c.label for c in columns}
        self.errors: list[RowError] = []

    def add(self, row: int, key: str | None, message: Message) -> None:
        column = self.labels.get(key, self.defaults.get(key)) if key else None
        self.errors.append(RowError(row, column, message))

    def cells(self, row: _Row) -> bool:
        """Report the cells that could not be read; True when there were some."""
        for key, message in row.errors.items():
            self.add(row.number, key, message)
        return bool(row.errors)

    def required(self, row: _Row, *keys: str) -> bool:
        missing = [k for k in keys if k not in row.values and k not in row.errors]
        for key in missing:
            self.add(row.number, key, Message(N_("This field is required")))
        return bool(missing)

    def validation(self, row: int, exc: ValidationError, keys: dict[str, str]) -> None:
        for name, messages in exc.errors.items():
            for message in messages:
                self.add(row, keys.get(name.split(".")[0]), message)


def _rejected(result, exc: FileRejected):
    result.errors = [RowError(None, None, exc.message)]
    return result


# ---- sendings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendingRow:
    row: int
    case_id: int
    case_number: str
    carrier: Carrier
    tracking_no: str


@dataclass
class SendingsResult:
    registered: list[SendingRow] = field(default_factory=list)
    skipped: list[SendingRow] = field(default_factory=list)  # registered before, the same
    unsent: list[int] = field(default_factory=list)  # rows left without a tracking number
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


_SENDING_KEYS = {"carrier": "carrier", "tracking_no": "tracking_no", "sent_on": "sent_on"}


def import_sendings(
    session: Session,
    actor: User,
    run: BulkRun,
    filename: str,
    content: bytes,
    *,
    carrier: Carrier | str | None = None,
    sent_on: date | None = None,
) -> SendingsResult:
    """Register the sendings of the run's letters listed in the file (case number + tracking
    number; ``carrier`` and ``sent_on`` stand in for blank or missing columns)."""
    policies.require(actor, "delivery.record")
    result = SendingsResult()
    try:
        file = _read(filename, content, SENDING_COLUMNS, SENDING_INFO)
    except FileRejected as exc:
        return _rejected(result, exc)
    result.ignored_columns = file.ignored
    problems = _Problems(file.labels, SENDING_COLUMNS)
    letters = {letter.number: letter for letter in run_letters(session, run)}
    numbers = [row.values["tracking_no"] for row in file.rows if "tracking_no" in row.values]
    taken = {
        (row.carrier, row.tracking_no): row
        for c in Carrier
        for row in operations.tracking_taken(session, c, numbers).values()
    }
    seen_case: dict[str, int] = {}
    seen_tracking: dict[tuple[str, str], int] = {}
    plans: list[tuple[SendingRow, SendingCreate, RunLetter]] = []
    for row in file.rows:
        if set(row.values) == {"case_number"} and not row.errors:
            result.unsent.append(row.number)  # a letter of the list not posted (yet)
            continue
        bad = problems.cells(row)
        bad |= problems.required(row, "case_number", "tracking_no")
        number = row.values.get("case_number")
        letter = letters.get(number) if number else None
        if number and letter is None:
            problems.add(row.number, "case_number", Message(N_("This case is not in this run")))
            bad = True
        elif letter is not None and letter.document is None:
            problems.add(
                row.number,
                "case_number",
                Message(N_("No letter was generated for this case in this run")),
            )
            bad = True
        elif number in seen_case:
            problems.add(
                row.number,
                "case_number",
                Message(N_("The same case is on row %(row)s"), row=seen_case[number]),
            )
            bad = True
        if number:
            seen_case.setdefault(number, row.number)
        payload = {
            "document_id": letter.document.id if letter and letter.document else None,
            "title": letter.document.title if letter and letter.document else None,
            "carrier": row.values.get("carrier", carrier),
            "tracking_no": row.values.get("tracking_no"),
            "sent_on": row.values.get("sent_on", sent_on),
        }
        if payload["carrier"] is None and "carrier" not in row.errors:
            problems.add(row.number, "carrier", Message(N_("This field is required")))
            bad = True
        if payload["sent_on"] is None and "sent_on" not in row.errors:
            problems.add(row.number, "sent_on", Message(N_("This field is required")))
            bad = True
        if bad:
            continue
        try:
            data = parse(SendingCreate, payload)
            operations.check_sent_after(letter.document, data.sent_on)
        except ValidationError as exc:
            problems.validation(row.number, exc, _SENDING_KEYS)
            continue
        key = (data.carrier.value, data.tracking_no)
        if key in seen_tracking:
            problems.add(
                row.number,
                "tracking_no",
                Message(N_("The same tracking number is on row %(row)s"), row=seen_tracking[key]),
            )
            continue
        seen_tracking[key] = row.number
        done = SendingRow(row.number, letter.case_id, number, data.carrier, data.tracking_no)
        existing = taken.get((data.carrier, data.tracking_no))
        if existing is not None:
            if existing.document_id == letter.document.id and existing.sent_on == data.sent_on:
                result.skipped.append(done)
            else:
                problems.add(row.number, "tracking_no", Message(operations.ALREADY_RECORDED))
            continue
        plans.append((done, data, letter))
    if problems.errors:
        result.errors = sorted(problems.errors, key=lambda e: e.row or 0)
        return result
    cases = {c.id: c for c in _cases(session, (letter.case_id for _d, _s, letter in plans))}
    for done, data, letter in plans:
        operations.create_sending(
            session, actor, cases[letter.case_id], data, letter.document, run_id=run.id
        )
        result.registered.append(done)
    return result


def _cases(session: Session, ids: Iterable[int]) -> list[Case]:
    wanted = list(set(ids))
    found: list[Case] = []
    for start in range(0, len(wanted), 500):
        found.extend(session.exec(select(Case).where(Case.id.in_(wanted[start : start + 500]))))
    return found


# ---- outcomes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    row: int
    case_id: int
    case_number: str
    tracking_no: str
    status: DeliveryStatus | str  # an outcome, or IN_TRANSIT for a skipped row
    outcome_on: date | None
    changes: tuple[LimitationChange, ...] = ()

    @property
    def moved(self) -> bool:
        return any(change.moved for change in self.changes)


@dataclass
class OutcomesResult:
    recorded: list[OutcomeRow] = field(default_factory=list)
    skipped: list[OutcomeRow] = field(default_factory=list)  # recorded before, or in transit
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: DeliveryStatus) -> int:
        return sum(1 for row in self.recorded if row.status == status)

    @property
    def moved(self) -> int:
        """Deliveries that moved a limitation date."""
        return sum(1 for row in self.recorded if row.moved)

    @property
    def in_transit(self) -> int:
        return sum(1 for row in self.skipped if row.status == IN_TRANSIT)


_OUTCOME_KEYS = {"status": "status", "outcome_on": "signed_at", "signer": "signer", "note": "note"}


def _same(delivery: Delivery, data: OutcomeCreate) -> bool:
    return (
        delivery.status == data.status
        and delivery.outcome_on == data.outcome_on
        and (data.signer is None or delivery.signer == data.signer)
    )


def import_outcomes(
    session: Session, actor: User, run: BulkRun, filename: str, content: bytes
) -> OutcomesResult:
    """Record the outcomes a courier's file reports for the run's sendings, matched by
    tracking number: every row checked first, then all recorded, or none."""
    policies.require(actor, "delivery.record")
    result = OutcomesResult()
    try:
        file = _read(filename, content, OUTCOME_COLUMNS)
    except FileRejected as exc:
        return _rejected(result, exc)
    result.ignored_columns = file.ignored
    problems = _Problems(file.labels, OUTCOME_COLUMNS)
    sendings: dict[str, list[tuple[Delivery, str]]] = {}
    for delivery, number in run_deliveries(session, run):
        sendings.setdefault(delivery.tracking_no, []).append((delivery, number))
    seen: dict[int, tuple[int, OutcomeCreate]] = {}  # delivery id → (row, outcome)
    plans: list[tuple[OutcomeRow, Delivery, OutcomeCreate]] = []
    for row in file.rows:
        bad = problems.cells(row)
        bad |= problems.required(row, "tracking_no", "status")
        tracking_no = row.values.get("tracking_no")
        matches = sendings.get(tracking_no, []) if tracking_no else []
        if "carrier" in row.values:
            matches = [(d, n) for d, n in matches if d.carrier == row.values["carrier"]]
        if tracking_no and not matches:
            problems.add(
                row.number,
                "tracking_no",
                Message(N_("No sending of this run has this tracking number")),
            )
            bad = True
        elif len(matches) > 1:
            problems.add(
                row.number,
                "tracking_no",
                Message(N_("Several carriers have this tracking number: add a carrier column")),
            )
            bad = True
        status = row.values.get("status")
        if bad:
            continue
        delivery, number = matches[0]
        if status == IN_TRANSIT:
            result.skipped.append(
                OutcomeRow(row.number, delivery.case_id, number, tracking_no, IN_TRANSIT, None)
            )
            continue
        on = row.values.get("signed_at")
        if status != DeliveryStatus.DELIVERED.value:
            on = row.values.get("returned_at", on)
        if on is None:
            date_key = "signed_at" if status == DeliveryStatus.DELIVERED.value else "returned_at"
            if date_key not in file.labels and "signed_at" in file.labels:
                date_key = "signed_at"
            problems.add(row.number, date_key, Message(N_("This field is required")))
            continue
        payload = {
            "status": status,
            "outcome_on": on,
            "signer": row.values.get("signer"),
            "note": row.values.get("note"),
        }
        date_column = "signed_at" if on == row.values.get("signed_at") else "returned_at"
        keys = {**_OUTCOME_KEYS, "outcome_on": date_column}
        try:
            data = parse(OutcomeCreate, payload)
        except ValidationError as exc:
            problems.validation(row.number, exc, keys)
            continue
        if delivery.id in seen:
            first, earlier = seen[delivery.id]
            if earlier != data:
                problems.add(
                    row.number,
                    "tracking_no",
                    Message(N_("The same tracking number is on row %(row)s"), row=first),
                )
            continue
        seen[delivery.id] = (row.number, data)
        done = OutcomeRow(row.number, delivery.case_id, number, tracking_no, data.status, on)
        if delivery.status != DeliveryStatus.SENT:
            if _same(delivery, data):
                result.skipped.append(done)
            else:
                problems.add(
                    row.number,
                    "status",
                    Message(
                        N_("Already recorded differently: %(status)s on %(date)s"),
                        status=Message(STATUS_LABELS[delivery.status]),
                        date=delivery.outcome_on.isoformat() if delivery.outcome_on else "",
                    ),
                )
            continue
        try:
            operations.check_outcome(delivery, data)
        except ValidationError as exc:
            problems.validation(row.number, exc, keys)
            continue
        plans.append((done, delivery, data))
    if problems.errors:
        result.errors = sorted(problems.errors, key=lambda e: e.row or 0)
        return result
    cases = {c.id: c for c in _cases(session, (d.case_id for _done, d, _data in plans))}
    for done, delivery, data in sorted(plans, key=lambda p: (p[1].case_id, p[2].outcome_on)):
        recorded = operations.apply_outcome(session, actor, cases[delivery.case_id], delivery, data)
        result.recorded.append(_with_changes(done, recorded.changes))
    result.recorded.sort(key=lambda r: r.row)
    return result


def _with_changes(done: OutcomeRow, found: list[LimitationChange]) -> OutcomeRow:
    return OutcomeRow(
        done.row,
        done.case_id,
        done.case_number,
        done.tracking_no,
        done.status,
        done.outcome_on,
        tuple(found),
    )


__all__ = [
    "OutcomeRow",
    "OutcomesResult",
    "SendingRow",
    "SendingsResult",
    "import_outcomes",
    "import_sendings",
    "run_for_deliveries",
    "sendings_template",
]
