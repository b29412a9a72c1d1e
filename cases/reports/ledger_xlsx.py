"""The ledger as an .xlsx workbook, written row by row (openpyxl's write-only mode).

One sheet: a title line with the as-of day, a line with the filters, the header row (frozen,
with an autofilter) and one row per case. Money goes in as numbers formatted ``#,##0.00`` and
dates as dates, so that Excel sums and sorts them; every text cell goes through
``cases.delivery.bulk.text_cell``, which puts a ``'`` before a value starting with ``=``,
``+``, ``-``, ``@``, a tab or a CR (a debtor's name as typed or imported), so that no cell
is ever a formula (CSV/formula injection).

The caller passes ``gettext`` (the request's language): headers and labels are English msgids
translated by it; nothing here imports Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cases.delivery.bulk import text_cell
from cases.errors import N_, Message
from cases.register.aging import AGING_LABELS
from cases.register.models import LABELS
from cases.register.stages import STAGE_LABELS
from cases.reports.ledger import NEXT_STEP_LABELS, LedgerRow

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_ROW = 3  # title, filters, then the header
WRITTEN_OFF_TEXT = N_("Written off (kept on file for recovery)")

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Column:
    header: str  # msgid
    width: int
    kind: str  # "text", "money", "date" or "int"
    value: Callable[[LedgerRow, Gettext], Any]


def _label(msgid: str | None, gettext: Gettext) -> str | None:
    return None if msgid is None else gettext(msgid)


def stage_text(row: LedgerRow, gettext: Gettext) -> str:
    if row.written_off:
        return gettext(WRITTEN_OFF_TEXT)
    return gettext(STAGE_LABELS[row.stage])


COLUMNS: tuple[Column, ...] = (
    Column(N_("Case number"), 17, "text", lambda r, g: r.number),
    Column(N_("Creditor"), 28, "text", lambda r, g: r.creditor_name),
    Column(N_("Branch"), 24, "text", lambda r, g: r.branch_name),
    Column(N_("Debtor"), 30, "text", lambda r, g: r.debtor_name),
    Column(N_("USCC / ID number"), 21, "text", lambda r, g: r.debtor_identifier or None),
    Column(N_("Claimed principal"), 16, "money", lambda r, g: r.principal),
    Column(N_("Balance outstanding"), 16, "money", lambda r, g: r.balance),
    Column(N_("Recovered"), 16, "money", lambda r, g: r.recovered),
    Column(N_("Earliest due date"), 12, "date", lambda r, g: r.due_date),
    Column(N_("Overdue days"), 9, "int", lambda r, g: r.overdue_days),
    Column(N_("Aging"), 12, "text", lambda r, g: r.aging and _label(AGING_LABELS[r.aging], g)),
    Column(N_("Handler"), 12, "text", lambda r, g: r.handler_name),
    Column(N_("Law firm"), 24, "text", lambda r, g: r.firm_name),
    Column(N_("Stage"), 16, "text", stage_text),
    Column(N_("Amount written off"), 16, "money", lambda r, g: r.written_off_amount),
    Column(N_("Written off on"), 12, "date", lambda r, g: r.written_off_on),
    Column(N_("Last action on"), 12, "date", lambda r, g: r.last_action and r.last_action.on),
    Column(
        N_("Last action"), 40, "text", lambda r, g: r.last_action and r.last_action.text.render(g)
    ),
    Column(N_("Next step due"), 12, "date", lambda r, g: r.next_step and r.next_step.due_on),
    Column(
        N_("Kind of next step"),
        10,
        "text",
        lambda r, g: r.next_step and g(NEXT_STEP_LABELS[r.next_step.kind]),
    ),
    Column(N_("Next step"), 40, "text", lambda r, g: r.next_step and r.next_step.text.render(g)),
    Column(N_("Status"), 8, "text", lambda r, g: g(LABELS[f"status.{r.status.value}"])),
)


def write_ledger(
    out: IO[bytes],
    rows: Iterable[LedgerRow],
    *,
    on: date,
    gettext: Gettext,
    filters_text: str = "",
) -> int:
    """Write the workbook to ``out``; returns the number of case rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext(N_("Ledger")))
    for index, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"  # the header row and the case number stay put

    title = _string_cell(sheet, _title(on, gettext))
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append([_text(sheet, filters_text or gettext(N_("All cases")))])
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for column in COLUMNS:
        cell = _string_cell(sheet, gettext(column.header))
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    sheet.append(header)

    count = 0
    for row in rows:
        sheet.append([_cell(sheet, column, column.value(row, gettext)) for column in COLUMNS])
        count += 1
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + count}"
    book.save(out)
    return count


def _title(on: date, gettext: Gettext) -> str:
    return Message(N_("Ledger of cases as of %(date)s"), date=on.isoformat()).render(gettext)


def _clean(value: str) -> str:
    """Neutralised (``text_cell``) and without the control characters a workbook cannot hold."""
    return text_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def _text(sheet: Any, value: str) -> Any:
    """A text cell, never taken for a formula nor for an error value such as ``#N/A``."""
    value = _clean(value)
    if value in ERROR_CODES:
        return _string_cell(sheet, value)
    return value


def _string_cell(sheet: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, _clean(value))
    cell.data_type = "s"
    return cell


def _cell(sheet: Any, column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "text":
        return _text(sheet, str(value))
    cell = WriteOnlyCell(sheet, value)
    if column.kind == "money":
        cell.number_format = MONEY_FORMAT
    elif column.kind == "date":
        cell.number_format = DATE_FORMAT
    return cell
