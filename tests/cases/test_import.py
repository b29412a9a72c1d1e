"""Bulk intake from .xlsx and .csv: all or nothing, every bad row reported, idempotent."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import select

from cases.errors import Message, PermissionDenied, ValidationError
from cases.imports import columns, intake, reader
from cases.imports.intake import import_cases
from cases.imports.template import HELP_SHEET, template_csv, template_xlsx
from cases.parties.models import Party
from cases.register.models import Case, CaseTag, Claim, ClaimKind, RiskLevel, Tag
from cases.users.models import Role
from tests.factories import valid_ric, valid_uscc

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = [
    "外部编号",
    "债权人",
    "债务人类型",
    "债务人名称",
    "证件号码",
    "合同编号",
    "合同名称",
    "合同类型",
    "本金(元)",
    "签订日期",
    "到期日",
]


def xlsx(rows: list[list], header: list | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER if header is None else header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str, header: list | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER if header is None else header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(
    ref: str,
    creditor: str,
    *,
    kind: str = "单位",
    name: str = "华东建材贸易有限公司",
    ident: str | None = None,
    contract: str = "HT-1",
    title: str = "钢材购销合同",
    claim_kind: str = "购销合同",
    principal: object = "100000.00",
    signed: object = "2024-01-15",
    due: object = "2025-01-15",
) -> list:
    return [
        ref,
        creditor,
        kind,
        name,
        ident or valid_uscc(),
        contract,
        title,
        claim_kind,
        principal,
        signed,
        due,
    ]


def problems(result) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.column, e.message.msgid) for e in result.errors]


def count(session, model) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def legal(make_user, session):
    user = make_user(Role.LEGAL)
    session.info["actor_id"] = user.id
    return user


@pytest.fixture
def creditor(make_creditor):
    return make_creditor(name="华北示范集团有限公司", short_name="华北集团")


# ---- good files ------------------------------------------------------------------------------


def test_xlsx_creates_cases_and_groups_claims_by_external_ref(session, legal, creditor):
    debtor = valid_uscc()
    content = xlsx(
        [
            row(
                "YW-001",
                creditor.name,
                ident=debtor,
                contract="HT-1",
                principal=100000,
                signed=datetime(2024, 1, 15),
                due=datetime(2025, 1, 15),
            ),
            # Second claim of the same case: case-level cells may be left blank.
            [
                "YW-001",
                None,
                None,
                None,
                None,
                "HT-2",
                "借款合同",
                "借款合同",
                "¥1,234.50",
                "2024/02/01",
                "2024年12月31日",
            ],
            row(
                "YW-002",
                "华北集团",
                kind="自然人",
                name="张三",
                ident=valid_ric(),
                contract="HT-3",
                claim_kind="施工合同",
                principal="50,000",
            ),
        ]
    )

    result = import_cases(session, legal, "清收.xlsx", content)

    assert problems(result) == []
    assert [c.external_ref for c in result.created] == ["YW-001", "YW-002"]
    assert [c.rows for c in result.created] == [(2, 3), (4,)]
    first = session.get(Case, result.created[0].case_id)
    assert first.number == result.created[0].number
    assert first.creditor_id == creditor.id
    assert first.claimed_principal == Decimal("101234.50")
    assert first.oldest_due_date == date(2024, 12, 31)
    assert first.created_by_id == legal.id
    claims = session.exec(
        select(Claim).where(Claim.case_id == first.id).order_by(Claim.contract_ref)
    ).all()
    assert [(c.contract_ref, c.kind, c.principal, c.signed_on) for c in claims] == [
        ("HT-1", ClaimKind.SALE, Decimal("100000.00"), date(2024, 1, 15)),
        ("HT-2", ClaimKind.LOAN, Decimal("1234.50"), date(2024, 2, 1)),
    ]
    assert session.get(Party, first.debtor_id).uscc == debtor
    second = session.get(Case, result.created[1].case_id)
    person = session.get(Party, second.debtor_id)
    assert (person.kind.value, person.name, person.uscc) == ("person", "张三", None)
    claim = session.exec(select(Claim).where(Claim.case_id == second.id)).one()
    assert claim.kind == ClaimKind.CONSTRUCTION


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030"])
def test_csv_in_the_encodings_excel_writes(session, legal, creditor, encoding):
    content = csv_bytes(
        [
            row("CSV-1", creditor.name, principal="￥1,234.50", due="2025/6/30"),
            row(
                "CSV-2",
                creditor.name,
                name="西南机电设备有限公司",
                principal="8000",
                signed="",
                due="2025年07月01日",
            ),
        ],
        encoding,
    )

    result = import_cases(session, legal, "导出.csv", content)

    assert problems(result) == []
    cases = {c.external_ref: session.get(Case, c.case_id) for c in result.created}
    assert cases["CSV-1"].claimed_principal == Decimal("1234.50")
    assert cases["CSV-1"].oldest_due_date == date(2025, 6, 30)
    assert cases["CSV-2"].oldest_due_date == date(2025, 7, 1)
    debtor = session.get(Party, cases["CSV-2"].debtor_id)
    assert debtor.name == "西南机电设备有限公司"


def test_optional_columns_english_headers_and_codes(session, legal, creditor, make_user, make_firm):
    handler = make_user(Role.LEGAL, email="Handler.One@example.cn")
    firm = make_firm("北京某某律师事务所")
    header = [
        "external_ref",
        "creditor",
        "debtor_kind",
        "debtor_name",
        "debtor_id",
        "contract_ref",
        "contract_title",
        "claim_kind",
        "principal",
        "due_date",
        "handler",
        "firm",
        "credit_grade",
        "risk_level",
        "tags",
        "interest_rate",
        "interest_basis",
        "summary",
        "序号",
    ]
    content = xlsx(
        [
            [
                "EN-1",
                creditor.name,
                "company",
                "Acme Trading Co",
                valid_uscc(),
                "C-1",
                "Supply contract",
                "loan",
                2500.5,
                "2025-03-31",
                "handler.one@EXAMPLE.cn",
                firm.name,
                "b",
                "high",
                "百日攻坚，重点; 重点",
                "4.35%",
                360,
                "Summary text",
                1,
            ]
        ],
        header,
    )

    result = import_cases(session, legal, "cases.xlsx", content)

    assert problems(result) == []
    assert result.ignored_columns == ["序号"]
    case = session.get(Case, result.created[0].case_id)
    assert (case.handler_id, case.firm_id) == (handler.id, firm.id)
    assert (case.credit_grade.value, case.risk_level) == ("B", RiskLevel.HIGH)
    assert case.summary == "Summary text"
    claim = session.exec(select(Claim).where(Claim.case_id == case.id)).one()
    assert (claim.kind, claim.principal) == (ClaimKind.LOAN, Decimal("2500.50"))
    assert (claim.interest_rate, claim.interest_basis) == (Decimal("4.35"), 360)
    tags = session.exec(select(Tag.name).join(CaseTag).where(CaseTag.case_id == case.id)).all()
    assert sorted(tags) == ["百日攻坚", "重点"]


def test_the_downloaded_template_imports_as_is(session, legal, make_creditor):
    make_creditor(name="示例集团有限公司")
    result = import_cases(session, legal, "模板.xlsx", template_xlsx())
    assert problems(result) == []
    assert [c.external_ref for c in result.created] == ["YW-2025-0001"]
    case = session.get(Case, result.created[0].case_id)
    assert case.claimed_principal == Decimal("120000.00")
    assert case.risk_level == RiskLevel.MEDIUM

    again = import_cases(session, legal, "模板.csv", template_csv())
    assert problems(again) == []
    assert [(s.external_ref, s.rows) for s in again.skipped] == [("YW-2025-0001", (2,))]


def test_template_explains_every_column():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    data, help_sheet = workbook.worksheets
    assert help_sheet.title == HELP_SHEET == "填写说明"
    assert [c.value for c in data[1]] == [c.label for c in columns.COLUMNS]
    assert data.column_dimensions["B"].width == 22
    explained = {r[0]: r for r in help_sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    assert explained["外部编号"][1] == "必填"
    assert explained["标签"][1] == "选填"
    assert explained["债务人类型"][3] == "单位/自然人"
    assert explained["风险等级"][3] == "高/中/低"
    assert explained["信用等级"][3] == "A/B/C/D"
    assert explained["合同类型"][3] == "购销合同/借款合同/施工合同/服务合同/租赁合同/其他"
    assert template_csv().startswith("\ufeff外部编号,债权人,".encode())


# ---- bad rows --------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_imported(session, legal, creditor):
    before = (count(session, Case), count(session, Claim), count(session, Party))
    content = xlsx(
        [
            row("OK-1", creditor.name),  # 2: fine on its own
            row("BAD-3", "不存在的公司"),  # 3
            row("BAD-4", creditor.name, principal="一万元"),  # 4
            row("BAD-5", creditor.name, due="2025-02-30"),  # 5
            row("BAD-6", creditor.name, ident="91110000600037341X"),  # 6: wrong check digit
            row(None, creditor.name),  # 7
            row("BAD-8", creditor.name, kind="公司法人X", claim_kind="赠与合同"),  # 8: two cells
            row("BAD-9", creditor.name, principal="-5"),  # 9
            row("BAD-10", creditor.name, signed="2025-03-01", due="2025-02-01"),  # 10
            row("BAD-11", creditor.name, kind="自然人", ident=valid_uscc()),  # 11: not an ID number
            row("BAD-12", creditor.name, contract="", title=None, principal=None, due=None),  # 12
            row("BAD-13", creditor.name, principal="12.345"),  # 13
            row("BAD-14", creditor.name, signed="2999-01-01", due="2999-12-31"),  # 14
        ]
    )

    result = import_cases(session, legal, "bad.xlsx", content)

    assert result.created == []
    assert problems(result) == [
        (3, "债权人", "No creditor is registered as “%(name)s”."),
        (4, "本金(元)", "Not a valid amount"),
        (5, "到期日", "Not a valid date (YYYY-MM-DD)"),
        (6, "证件号码", "Not a valid unified social credit code (check digit)"),
        (7, "外部编号", "This field is required"),
        (8, "债务人类型", "Not one of the allowed values: %(allowed)s"),
        (8, "合同类型", "Not one of the allowed values: %(allowed)s"),
        (9, "本金(元)", "Must be greater than %(gt)s"),
        (10, "到期日", "The due date cannot be before the signing date"),
        (11, "证件号码", "Not a valid resident ID number (check digit)"),
        (12, "合同编号", "This field is required"),
        (12, "合同名称", "This field is required"),
        (12, "本金(元)", "This field is required"),
        (12, "到期日", "This field is required"),
        (13, "本金(元)", "At most %(decimal_places)s decimal places"),
        (14, "签订日期", "The signing date cannot be in the future"),
    ]
    assert result.errors[0].message.params == {"name": "不存在的公司"}
    assert result.errors[5].message.params == {"allowed": "单位/自然人"}
    assert (count(session, Case), count(session, Claim), count(session, Party)) == before


def test_conflicting_debtor_data_under_one_ref_is_an_error(session, legal, creditor):
    ident = valid_uscc()
    content = xlsx(
        [
            row("DUP-1", creditor.name, ident=ident, name="甲公司有限公司", contract="A"),
            row("DUP-1", creditor.name, ident=ident, name="甲公司有限公司", contract="B"),  # same
            row("DUP-1", creditor.name, ident=valid_uscc(), name="乙公司有限公司", contract="C"),
        ]
    )

    result = import_cases(session, legal, "dup.xlsx", content)

    assert problems(result) == [
        (4, "债务人名称", "Differs from row %(row)s, which has the same external reference."),
        (4, "证件号码", "Differs from row %(row)s, which has the same external reference."),
    ]
    assert result.errors[0].message == Message(result.errors[0].message.msgid, row=2)
    assert count(session, Case) == 0


def test_lookups_of_handler_firm_and_bank_only_fields(
    session, legal, creditor, make_user, make_creditor
):
    counsel = make_user(Role.COUNSEL)
    make_creditor(name="重名一有限公司", short_name="重名")
    make_creditor(name="重名二有限公司", short_name="重名")
    header = [*HEADER, "承办人邮箱", "律师事务所", "五级分类", "移交日期", "标签"]
    base = row("L-2", creditor.name)
    content = xlsx(
        [
            [*base, "nobody@example.cn", None, None, None, None],
            [*row("L-3", creditor.name), counsel.email, "没有这家律所", None, None, None],
            [*row("L-4", creditor.name), None, None, "关注", "2999-01-01", "x" * 41],
            row("L-5", "重名"),
        ],
        header,
    )

    result = import_cases(session, legal, "refs.xlsx", content)

    assert problems(result) == [
        (2, "承办人邮箱", "No user has the email %(email)s."),
        (3, "承办人邮箱", "The handler must be an active legal staff member"),
        (3, "律师事务所", "No law firm is registered as “%(name)s”."),
        (4, "五级分类", "The five-category class applies only to bank creditors"),
        (4, "移交日期", "This date cannot be in the future"),
        (4, "标签", "A tag is at most 40 characters"),
        (5, "债权人", "Several creditors have the short name “%(name)s”. Use the full name."),
    ]


# ---- idempotency and atomicity ----------------------------------------------------------------


def test_reimport_skips_existing_refs_and_adds_only_new_ones(session, legal, creditor):
    debtor = valid_uscc()
    rows = [
        row("R-1", creditor.name, ident=debtor, contract="A"),
        row("R-1", creditor.name, ident=debtor, contract="B"),
        row("R-2", creditor.name),
    ]
    assert len(import_cases(session, legal, "a.xlsx", xlsx(rows)).created) == 2
    session.commit()
    cases_before, claims_before = count(session, Case), count(session, Claim)

    again = xlsx([*rows, row("R-3", creditor.name)])
    result = import_cases(session, legal, "a.xlsx", again)

    assert problems(result) == []
    assert [(s.external_ref, s.rows) for s in result.skipped] == [("R-1", (2, 3)), ("R-2", (4,))]
    assert [c.external_ref for c in result.created] == ["R-3"]
    assert count(session, Case) == cases_before + 1
    assert count(session, Claim) == claims_before + 1
    refs = session.exec(select(Case.external_ref).where(Case.external_ref.like("R-%"))).all()
    assert sorted(refs) == ["R-1", "R-2", "R-3"]


def test_failure_while_creating_rolls_back_the_cases_already_created(
    session, legal, creditor, monkeypatch
):
    real_create = intake.create_case
    calls = []

    def create_then_fail(session, actor, payload):
        calls.append(payload["external_ref"])
        if len(calls) == 2:
            raise ValidationError.single(
                "external_ref",
                "A case with external reference %(ref)s already exists",
                ref=payload["external_ref"],
            )
        return real_create(session, actor, payload)

    monkeypatch.setattr(intake, "create_case", create_then_fail)
    content = xlsx([row("T-1", creditor.name), row("T-2", creditor.name)])

    result = import_cases(session, legal, "t.xlsx", content)

    assert calls == ["T-1", "T-2"]
    assert result.created == []
    assert problems(result) == [
        (3, "外部编号", "A case with external reference %(ref)s already exists")
    ]
    session.flush()
    assert count(session, Case) == 0
    assert count(session, Claim) == 0


def test_only_legal_staff_and_admins_may_import(session, make_user, creditor):
    content = xlsx([row("P-1", creditor.name)])
    for role in (Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT):
        with pytest.raises(PermissionDenied):
            import_cases(session, make_user(role), "p.xlsx", content)
    admin = make_user(Role.ADMIN)
    assert len(import_cases(session, admin, "p.xlsx", content).created) == 1


# ---- files that cannot be read --------------------------------------------------------------


def _truncated_xlsx() -> bytes:
    return xlsx([row("X-1", "whoever")])[:600]


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("filename", "content", "msgid"),
    [
        ("a.xlsx", b"", "The file is empty."),
        ("a.csv", b"\r\n\r\n", "The file is empty."),
        (
            "a.xlsx",
            _truncated_xlsx(),
            "The file is not a valid .xlsx workbook or it is damaged. "
            "Open it in Excel, save it again as .xlsx and upload it again.",
        ),
        (
            "a.xlsx",
            _zip_without_workbook(),
            "The file is not a valid .xlsx workbook or it is "
            "damaged. Open it in Excel, save it again as .xlsx and upload it again.",
        ),
        (
            "a.xlsx",
            b"%PDF-1.7 this is not a spreadsheet",
            "The file is not a valid .xlsx workbook "
            "or it is damaged. Open it in Excel, save it again as .xlsx and upload it again.",
        ),
        (
            "a.xls",
            OLE,
            "This is an old Excel 97-2003 (.xls) file. Open it in Excel, save it as "
            ".xlsx and upload it again.",
        ),
        (
            "a.xlsx",
            OLE + "EncryptedPackage".encode("utf-16-le"),
            "The workbook is protected by a "
            "password. Remove the password in Excel and upload it again.",
        ),
        ("a.pdf", b"%PDF-1.7", "Only .xlsx and .csv files can be imported."),
        (
            "a.csv",
            b"\xff\xfe\x00\x00\x81",
            "The text encoding of the CSV file is not recognised. "
            "Save it as CSV (UTF-8) and upload it again.",
        ),
    ],
    ids=[
        "empty",
        "blank-csv",
        "truncated",
        "zip-not-workbook",
        "not-zip",
        "xls",
        "encrypted",
        "pdf",
        "undecodable",
    ],
)
def test_unreadable_files_get_one_clear_message(session, legal, filename, content, msgid):
    result = import_cases(session, legal, filename, content)
    assert problems(result) == [(None, None, msgid)]
    assert count(session, Case) == 0


@pytest.mark.parametrize(
    ("fixture", "msgid"),
    [
        (
            "password_protected.xlsx",
            "The workbook is protected by a password. Remove the password "
            "in Excel and upload it again.",
        ),
        (
            "legacy_97_2003.xls",
            "This is an old Excel 97-2003 (.xls) file. Open it in Excel, save it "
            "as .xlsx and upload it again.",
        ),
    ],
)
def test_real_encrypted_and_legacy_workbooks(session, legal, fixture, msgid):
    """Files written by Office encryption (msoffcrypto-tool) and by a BIFF8 writer (xlwt)."""
    content = (DATA / fixture).read_bytes()
    assert problems(import_cases(session, legal, fixture, content)) == [(None, None, msgid)]
    renamed = import_cases(session, legal, "renamed.xlsx", content)
    assert problems(renamed) == [(None, None, msgid)]


def test_header_only_file_has_no_data_rows(session, legal):
    result = import_cases(session, legal, "a.xlsx", xlsx([]))
    assert problems(result) == [(None, None, "The file has no data rows below the header.")]


def test_wrong_headers_name_the_missing_required_columns(session, legal, creditor):
    header = ["外部编号", "债权人", "债务人名称", "合同编号", "金额", "Due date"]
    result = import_cases(session, legal, "a.xlsx", xlsx([["W-1"] * 6], header))
    assert problems(result) == [
        (
            None,
            None,
            "Required columns are missing from the first row: "
            "%(columns)s. Use the headers of the import template.",
        )
    ]
    assert result.errors[0].message.params == {"columns": "债务人类型、证件号码、合同名称、到期日"}


def test_header_must_be_on_the_first_row(session, legal, creditor):
    content = xlsx([HEADER, row("H-1", creditor.name)], header=[None])
    result = import_cases(session, legal, "a.xlsx", content)
    assert [e.message.msgid for e in result.errors] == [
        "Required columns are missing from the first row: %(columns)s. Use the headers of the "
        "import template."
    ]


def test_a_workbook_that_inflates_too_much_is_refused(session, legal, creditor, monkeypatch):
    content = xlsx([row("Z-1", creditor.name)])
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 2_000)
    result = import_cases(session, legal, "a.xlsx", content)
    assert problems(result) == [
        (None, None, "The workbook is too large to import. Split it into several files.")
    ]
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 2_000_000)
    assert import_cases(session, legal, "a.xlsx", content).ok


def test_a_column_given_twice_is_refused(session, legal):
    header = [*HEADER, "本金"]
    result = import_cases(session, legal, "a.xlsx", xlsx([], header))
    assert problems(result) == [(None, None, "The column %(column)s appears more than once.")]
    assert result.errors[0].message.params == {"column": "本金"}


def test_too_many_rows_is_refused_before_anything_else(session, legal, creditor):
    content = csv_bytes([row(f"M-{n}", creditor.name) for n in range(4)], "utf-8")
    result = import_cases(session, legal, "a.csv", content, max_rows=3)
    assert problems(result) == [
        (None, None, "The file has more than %(limit)s data rows. Split it into several files.")
    ]
    assert import_cases(session, legal, "a.csv", content, max_rows=4).ok


def test_blank_rows_are_ignored_but_row_numbers_stay_those_of_excel(session, legal, creditor):
    content = xlsx(
        [
            row("B-1", creditor.name),
            [None] * 11,
            [" "] * 3,
            row("B-4", creditor.name, principal="zero"),
        ]
    )
    result = import_cases(session, legal, "a.xlsx", content)
    assert problems(result) == [(5, "本金(元)", "Not a valid amount")]


# ---- cell formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("¥1,234.50", Decimal("1234.50")),
        ("￥ 1 234.5元", Decimal("1234.5")),
        (1234.5, Decimal("1234.5")),
        (100, Decimal(100)),
        (0.1 + 0.2, Decimal("0.3")),
        ("", None),
        (None, None),
    ],
)
def test_amounts(raw, expected):
    assert columns.money(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", float("nan"), "Infinity", True])
def test_bad_amounts(raw):
    with pytest.raises(columns.CellError):
        columns.money(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("2025/6/30", date(2025, 6, 30)),
        ("2025年06月30日", date(2025, 6, 30)),
        ("2025.6.3", date(2025, 6, 3)),
        ("2025-06-30 00:00:00", date(2025, 6, 30)),
        (datetime(2025, 6, 30, 0, 0), date(2025, 6, 30)),
        (date(2025, 6, 30), date(2025, 6, 30)),
        (45838, date(2025, 6, 30)),
        (None, None),
    ],
)
def test_dates(raw, expected):
    assert columns.day(raw) == expected


@pytest.mark.parametrize("raw", ["30/06/2025", "2025-13-01", "2025-02-29", "明天", 12, 45838.5])
def test_bad_dates(raw):
    with pytest.raises(columns.CellError):
        columns.day(raw)


def test_enum_cells_accept_chinese_labels_and_codes():
    kinds = columns.BY_KEY["claim_kind"].convert
    assert [kinds(v) for v in ("购销合同", "sale", "Sales contract", "借款合同", "其他")] == [
        "sale",
        "sale",
        "sale",
        "loan",
        "other",
    ]
    risk = columns.BY_KEY["risk_level"].convert
    assert [risk(v) for v in ("高", "中", "低", "HIGH")] == ["high", "medium", "low", "high"]
    party = columns.BY_KEY["debtor_kind"].convert
    assert [party(v) for v in ("单位", "自然人", "person")] == ["company", "person", "person"]
    with pytest.raises(columns.CellError):
        party("法人单位")


def test_reference_typed_as_a_number_keeps_its_digits():
    assert columns.text(20250001.0) == "20250001"
    assert columns.whole_number("365") == 365
    with pytest.raises(columns.CellError):
        columns.whole_number("365.5")
