"""The downloadable intake template: an .xlsx with instructions, or a bare CSV.

The first sheet holds the Chinese header row and one example row; the second sheet
(填写说明) explains every column: required or not, the format and the allowed values.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cases.imports.columns import COLUMNS, Column, day, money, rate
from cases.imports.reader import MAX_ROWS

DATA_SHEET = "案件导入"
HELP_SHEET = "填写说明"
_TEXT_COLUMNS = {"external_ref", "debtor_id", "debtor_phone", "contract_ref"}
_REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
_HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")


def _kind(column: Column) -> str:
    if column.convert is day:
        return "日期"
    if column.convert is money:
        return "金额（元）"
    if column.convert is rate:
        return "百分数"
    if column.allowed:
        return "选项"
    return "文本"


def _number_format(column: Column) -> str | None:
    if column.key in _TEXT_COLUMNS:
        return "@"  # keep long codes (18-digit ID numbers) from turning into numbers
    if column.convert is day:
        return "yyyy-mm-dd"
    if column.convert is money:
        return "#,##0.00"
    return None


def _example(column: Column) -> Any:
    """The example value as a typed cell (dates as dates, amounts as numbers)."""
    value = column.example
    if value is None:
        return None
    if column.convert is day:
        return date.fromisoformat(value)
    if column.convert in (money, rate):
        return Decimal(value)
    return value


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append([column.label for column in COLUMNS])
    sheet.append([_example(column) for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True, color="9B1C1C" if column.required else "1F2933")
        header.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        header.alignment = Alignment(horizontal="center", vertical="center")
        number_format = _number_format(column)
        if number_format:
            sheet.column_dimensions[letter].number_format = number_format
            sheet.cell(row=2, column=index).number_format = number_format
        if column.allowed:
            options = ",".join(column.allowed.split("/"))
            validation = DataValidation(
                type="list", formula1=f'"{options}"', allow_blank=True, showErrorMessage=False
            )
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    _help_sheet(workbook.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _help_sheet(sheet) -> None:
    sheet.append(["列名", "是否必填", "格式", "可选值", "说明"])
    for column in COLUMNS:
        sheet.append(
            [
                column.label,
                "必填" if column.required else "选填",
                _kind(column),
                column.allowed,
                column.help,
            ]
        )
    notes = [
        "",
        "使用说明：",
        "1. 第一行为列名，请勿修改；第2行为示例，导入前请删除或替换为真实数据。",
        "2. 每行是一笔债权（一份合同）。外部编号相同的多行合并为一个案件，债务人等案件信息"
        "只需在第一行填写，其他行可留空；如重复填写须保持一致。",
        "3. 导入时先检查全部行：只要有一行有错，整批都不会导入，并逐行列出行号、列名和原因。",
        "4. 外部编号已存在的案件会被跳过，不会重复导入；修改后可放心重新上传整个文件。",
        f"5. 每个文件最多 {MAX_ROWS:,} 行数据；支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）。",
        "6. 选项列可填中文（如 单位、高、购销合同），也可填英文代码（如 company、high、sale）。",
    ]
    for line in notes:
        sheet.append([line])
    for letter, width in zip("ABCDE", (16, 10, 12, 44, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for row in sheet.iter_rows(min_row=2, max_row=len(COLUMNS) + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def template_csv() -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headers correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.label for column in COLUMNS])
    writer.writerow(["" if column.example is None else column.example for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
