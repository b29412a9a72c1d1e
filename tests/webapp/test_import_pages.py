"""The bulk-import pages: who may use them, the template download, results and rollbacks."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

from cases.errors import ValidationError
from cases.imports import intake
from cases.parties.models import Party
from cases.register.models import Case, Claim
from cases.users.models import Role
from tests.factories import valid_uscc

HEADER = [
    "外部编号",
    "债权人",
    "债务人类型",
    "债务人名称",
    "证件号码",
    "合同编号",
    "合同名称",
    "本金(元)",
    "到期日",
]


def workbook(rows: list[list], header: list = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(ref: str, creditor, principal: object = "50000") -> list:
    return [
        ref,
        creditor.name,
        "单位",
        f"{ref}贸易有限公司",
        valid_uscc(),
        f"HT-{ref}",
        "购销合同",
        principal,
        "2025-03-31",
    ]


def upload(client, content: bytes, filename: str = "导入.xlsx", **headers):
    return client.post(
        "/imports/",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        headers=headers,
    )


def totals(session) -> tuple[int, int, int]:
    return tuple(
        session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
        for m in (Case, Claim, Party)
    )


# ---- who may import ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LEGAL, 200),
        (Role.ADMIN, 200),
        (Role.COUNSEL, 403),
        (Role.FINANCE, 403),
        (Role.MANAGEMENT, 403),
    ],
)
@pytest.mark.parametrize("path", ["/imports/", "/imports/template.xlsx"])
def test_import_pages_by_role(client, login_as, role, status, path):
    login_as(role)
    assert client.get(path).status_code == status


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT])
def test_other_roles_cannot_post_a_file(client, login_as, session, make_creditor, role):
    creditor = make_creditor()
    login_as(role)
    before = totals(session)
    response = upload(client, workbook([good_row("NOPE-1", creditor)]))
    assert response.status_code == 403
    assert totals(session) == before


@pytest.mark.parametrize("path", ["/imports/", "/imports/template.xlsx"])
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.post("/imports/").status_code == 302


def test_upload_page_offers_the_templates_and_a_csrf_protected_form(client, login_as):
    login_as(Role.LEGAL)
    page = client.get("/imports/").get_data(as_text=True)
    assert "批量导入" in page
    assert 'href="/imports/template.xlsx"' in page
    assert 'href="/imports/template.xlsx?format=csv"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page


def test_upload_is_refused_without_csrf_token_when_enabled(app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as(Role.LEGAL)
    assert upload(client, workbook([])).status_code == 400


# ---- template download ------------------------------------------------------------------------


def test_template_download_is_an_xlsx_with_instructions(client, login_as):
    login_as(Role.LEGAL)
    response = client.get("/imports/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["案件导入", "填写说明"]
    data = book["案件导入"]
    assert [c.value for c in data[1]][:5] == [
        "外部编号",
        "债权人",
        "债务人类型",
        "债务人名称",
        "证件号码",
    ]
    assert data["A2"].value == "YW-2025-0001"


def test_template_download_as_csv(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/imports/template.xlsx?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff外部编号,债权人,债务人类型,")
    assert len(text.strip().splitlines()) == 2


# ---- importing ---------------------------------------------------------------------------------


def test_good_file_creates_cases_and_links_to_them(client, login_as, session, make_creditor):
    creditor = make_creditor()
    login_as(Role.LEGAL)
    response = upload(client, workbook([good_row("WEB-1", creditor), good_row("WEB-2", creditor)]))
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "导入案件：2 件" in page
    cases = (
        session.execute(
            sa.select(Case)
            .where(Case.external_ref.in_(["WEB-1", "WEB-2"]))
            .order_by(Case.external_ref)
        )
        .scalars()
        .all()
    )
    assert [c.external_ref for c in cases] == ["WEB-1", "WEB-2"]
    for case in cases:
        assert case.number in page
        assert f'href="/cases/{case.id}"' in page


def test_bad_rows_are_listed_in_chinese_and_nothing_is_saved(
    client, login_as, session, make_creditor
):
    creditor = make_creditor()
    login_as(Role.LEGAL)
    before = totals(session)
    bad_amount = good_row("ERR-3", creditor, principal="十万")
    unknown_creditor = good_row("ERR-4", creditor)
    unknown_creditor[1] = "查无此公司"
    response = upload(client, workbook([good_row("ERR-2", creditor), bad_amount, unknown_creditor]))
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "没有导入任何数据" in page
    assert '<td class="num">3</td>' in page
    assert "金额格式不正确" in page
    assert '<td class="num">4</td>' in page
    assert "未登记名为“查无此公司”的债权人" in page
    assert totals(session) == before


def test_failure_during_creation_leaves_the_database_unchanged(
    client, login_as, session, make_creditor, monkeypatch
):
    creditor = make_creditor()
    login_as(Role.LEGAL)
    before = totals(session)
    real_create = intake.create_case

    def fail_on_second(db, actor, payload):
        if payload["external_ref"] == "ATOM-2":
            raise ValidationError.single(
                "external_ref",
                "A case with external reference %(ref)s already exists",
                ref="ATOM-2",
            )
        return real_create(db, actor, payload)

    monkeypatch.setattr(intake, "create_case", fail_on_second)
    response = upload(
        client, workbook([good_row("ATOM-1", creditor), good_row("ATOM-2", creditor)])
    )

    assert response.status_code == 422
    assert "外部编号为 ATOM-2 的案件已存在" in response.get_data(as_text=True)
    assert totals(session) == before


def test_reimporting_the_same_file_skips_every_case(client, login_as, session, make_creditor):
    creditor = make_creditor()
    login_as(Role.LEGAL)
    content = workbook([good_row("SAME-1", creditor), good_row("SAME-2", creditor)])
    assert upload(client, content).status_code == 200
    after_first = totals(session)

    response = upload(client, content)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "已导入过，已跳过：2" in page
    assert "SAME-1" in page
    assert "SAME-2" in page
    assert totals(session) == after_first


@pytest.mark.parametrize(
    ("content", "filename", "text"),
    [
        (b"PK\x03\x04 broken", "坏文件.xlsx", "不是有效的 .xlsx 工作簿或已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧文件.xls", "Excel 97-2003"),
        (b"", "空.csv", "文件是空的"),
        (workbook([], header=["外部编号", "债权人"]), "表头.xlsx", "第一行缺少必填列"),
    ],
    ids=["corrupt", "xls", "empty", "wrong-headers"],
)
def test_unreadable_files_answer_422_with_a_clear_message(
    client, login_as, content, filename, text
):
    login_as(Role.LEGAL)
    response = upload(client, content, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert text in page
    assert "没有导入任何数据" in page


def test_missing_file_is_asked_for(client, login_as):
    login_as(Role.LEGAL)
    response = client.post("/imports/", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择要上传的文件" in response.get_data(as_text=True)


def test_result_page_in_english(client, login_as, make_creditor):
    creditor = make_creditor()
    login_as(Role.LEGAL, locale="en")
    row = good_row("EN-1", creditor, principal="abc")
    response = upload(client, workbook([row]))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported." in page
    assert "Not a valid amount" in page
    assert "本金(元)" in page  # the column as it is headed in the user's file
