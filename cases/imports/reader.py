"""Read an uploaded .xlsx or .csv file into rows of raw cell values.

Row numbers are the ones the user sees in Excel: the header is row 1, the first data row is
row 2. Anything that cannot be read raises ``FileRejected`` with a message for the user;
a hostile or broken file never escapes as an unexpected exception.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

import openpyxl

from cases.errors import N_, DomainError

MAX_ROWS = 20_000  # data rows per file
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # an .xlsx is a zip: refuse one that inflates beyond this

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, and encrypted .xlsx
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")


class FileRejected(DomainError):
    """The file as a whole cannot be imported (format, encoding, headers, size)."""


@dataclass
class Sheet:
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cell values)


def read_file(filename: str, content: bytes, *, max_rows: int = MAX_ROWS) -> Sheet:
    if not content or not content.strip():
        raise FileRejected(N_("The file is empty."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if content.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in content:
            raise FileRejected(
                N_(
                    "The workbook is protected by a password. Remove the password in Excel and "
                    "upload it again."
                )
            )
        raise FileRejected(
            N_(
                "This is an old Excel 97-2003 (.xls) file. Open it in Excel, save it as .xlsx "
                "and upload it again."
            )
        )
    if content.startswith(_ZIP_MAGIC) or extension in ("xlsx", "xlsm"):
        return _read_xlsx(content, max_rows)
    if extension in ("csv", "txt"):
        return _read_csv(content, max_rows)
    raise FileRejected(N_("Only .xlsx and .csv files can be imported."))


def _collect(rows: Any, max_rows: int) -> Sheet:
    header: list[Any] | None = None
    data: list[tuple[int, list[Any]]] = []
    for number, values in enumerate(rows, start=1):
        values = list(values)[:MAX_COLUMNS]
        while values and values[-1] is None:
            values.pop()
        if header is None:
            header = values
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue  # blank rows (often formatted but empty at the end of a sheet)
        if len(data) >= max_rows:
            raise FileRejected(
                N_("The file has more than %(limit)s data rows. Split it into several files."),
                limit=f"{max_rows:,}",
            )
        data.append((number, values))
    if header is None or (not data and all(v is None or not str(v).strip() for v in header)):
        raise FileRejected(N_("The file is empty."))
    return Sheet(header, data)


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates it (zipfile reads no more than declared)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # let openpyxl produce the "damaged file" answer below
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRejected(N_("The workbook is too large to import. Split it into several files."))


def _read_xlsx(content: bytes, max_rows: int) -> Sheet:
    _check_unpacked_size(content)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it ignores (data validation, styles): harmless.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any failure of the parser means a damaged file
        raise FileRejected(
            N_(
                "The file is not a valid .xlsx workbook or it is damaged. Open it in Excel, save "
                "it again as .xlsx and upload it again."
            )
        ) from None
    try:
        if not workbook.worksheets:
            raise FileRejected(N_("The file is empty."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # do not trust the stored size: read every row there is
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _collect(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), max_rows)
    except FileRejected:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError):
        # Truncated archive or malformed sheet XML (ElementTree's ParseError is a SyntaxError).
        raise FileRejected(
            N_(
                "The file is not a valid .xlsx workbook or it is damaged. Open it in Excel, save "
                "it again as .xlsx and upload it again."
            )
        ) from None
    finally:
        workbook.close()


def _decode(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030, a superset of GBK."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        N_(
            "The text encoding of the CSV file is not recognised. Save it as CSV (UTF-8) and "
            "upload it again."
        )
    )


def _read_csv(content: bytes, max_rows: int) -> Sheet:
    text = _decode(content)
    if "\x00" in text:
        raise FileRejected(
            N_(
                "The text encoding of the CSV file is not recognised. Save it as CSV (UTF-8) and "
                "upload it again."
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = ([cell if cell.strip() else None for cell in row] for row in reader)
        return _collect(rows, max_rows)
    except csv.Error:
        raise FileRejected(N_("The CSV file is malformed and cannot be read.")) from None
