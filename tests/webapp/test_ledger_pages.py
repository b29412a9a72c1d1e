"""The ledger page and its .xlsx export (``webapp/blueprints/ledger.py``): Chinese by default,
filters, paging and totals, every matching row exported, formulas neutralised, the export
audited; counsel refused."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import today
from cases.parties.models import Party
from cases.register.models import Case
from cases.register.stages import Stage
from cases.reports.ledger_xlsx import COLUMNS, HEADER_ROW
from cases.users.models import Role

D = Decimal
BULK = 2500


def rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-case-id="(\d+)"', html)]


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return openpyxl.load_workbook(io.BytesIO(response.data))


def bulk_cases(session, creditor_id: int, count: int, *, stage=Stage.COLLECTION, start=0):
    """``count`` cases written straight into the tables (fast, no timeline): principal
    1,000.01 × n, due n days ago; a formula-like debtor name on the first."""
    now = datetime.now(UTC)
    parties = [
        {
            "kind": "company",
            "name": '=HYPERLINK("http://evil.example","点我")'
            if n == 0
            else f"批量债务人{n}有限公司",
            "uscc": f"91{start + n:016d}",
            "created_at": now,
        }
        for n in range(count)
    ]
    ids = session.scalars(
        sa.insert(Party).returning(Party.id, sort_by_parameter_order=True), parties
    ).all()
    cases = []
    for n, party_id in enumerate(ids):
        due = today() - timedelta(days=n % 800)
        cases.append(
            {
                "number": f"QS-2099-{start + n:06d}",
                "debtor_id": party_id,
                "creditor_id": creditor_id,
                "stage": stage.value,
                "status": "active",
                "claimed_principal": D("1000.01") * (n + 1),
                "recovered_amount": D("0.00"),
                "oldest_due_date": due,
                "overdue_since": due,
                "created_at": now,
                "updated_at": now,
            }
        )
    session.execute(sa.insert(Case), cases)
    session.commit()


def test_the_ledger_in_chinese_with_totals_and_pages(client, login_as, make_creditor, session):
    login_as(Role.MANAGEMENT)
    creditor = make_creditor()
    bulk_cases(session, creditor.id, 60)
    response = client.get(f"/ledger?creditor_id={creditor.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(rows(html)) == 50  # 50 a page
    for text in (
        "台账",
        "债权本金",
        "未回收余额",
        "最近进展",
        "下一步",
        "合计（60 件）",
        "第 1 页，共 2 页",
    ):
        assert text in html, text
    total = sum(D("1000.01") * n for n in range(1, 61))  # 1,830,018.30 over both pages
    assert "1,830,018.30" in html
    assert total == D("1830018.30")
    assert re.search(r'data-testid="total-principal">[^<]*1,830,018\.30', html)
    assert re.search(rf'href="/ledger\?creditor_id={creditor.id}&amp;page=2" rel="next"', html)
    second = client.get(f"/ledger?creditor_id={creditor.id}&page=2").get_data(as_text=True)
    assert len(rows(second)) == 10
    # back to the first page: its address carries no page number
    assert re.search(rf'href="/ledger\?creditor_id={creditor.id}" rel="prev"', second)
    assert 'rel="next"' not in second
    assert 'href="/ledger.xlsx?creditor_id=' in html


def test_filters_sort_and_ignored_parameters(client, login_as, make_case, session):
    user = login_as(Role.LEGAL)
    old = make_case(
        actor=user,
        claims=[
            {
                "contract_ref": "HT-OLD",
                "contract_title": "借款合同",
                "principal": "500000",
                "due_date": str(today() - timedelta(days=500)),
            }
        ],
    )
    new = make_case(actor=user)  # 120,000 due 2025-06-30
    old.stage = Stage.LITIGATION
    session.commit()
    assert rows(client.get("/ledger?stage=litigation").get_data(as_text=True)) == [old.id]
    by_balance = client.get("/ledger?sort=balance&order=asc").get_data(as_text=True)
    assert rows(by_balance) == [new.id, old.id]
    html = client.get("/ledger?stage=nonsense&page=x").get_data(as_text=True)
    assert 'data-testid="ignored-params"' in html
    assert set(rows(html)) == {old.id, new.id}


def test_counsel_may_not_see_the_ledger(client, login_as):
    login_as(Role.COUNSEL)
    assert client.get("/ledger").status_code == 403
    assert client.get("/ledger.xlsx").status_code == 403


def test_the_export_holds_every_matching_row_and_is_audited(
    client, login_as, make_creditor, session
):
    boss = login_as(Role.MANAGEMENT)
    bank, other = make_creditor(), make_creditor()
    bulk_cases(session, bank.id, BULK)
    bulk_cases(session, other.id, 40, stage=Stage.LITIGATION, start=BULK)

    sheet = workbook(client.get("/ledger.xlsx")).active
    assert sheet.max_row == HEADER_ROW + BULK + 40  # every row, not one page
    assert sheet["A1"].value.startswith("案件台账（截至 ")
    assert sheet["A2"].value == "全部案件"
    assert [c.value for c in sheet[HEADER_ROW]][:4] == ["案件编号", "债权人", "分支机构", "债务人"]

    response = client.get(f"/ledger.xlsx?creditor_id={bank.id}&sort=balance&order=desc")
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6-" in response.headers["Content-Disposition"]
    sheet = workbook(response).active
    assert sheet.max_row == HEADER_ROW + BULK
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:V{HEADER_ROW + BULK}"
    assert sheet["A2"].value == f"筛选条件：债权人：{bank.name}"
    data = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    principal = [c.header for c in COLUMNS].index("Claimed principal")
    assert [D(str(r[principal])).quantize(D("0.01")) for r in data[:2]] == [
        D("1000.01") * BULK,
        D("1000.01") * (BULK - 1),
    ]
    assert {r[1] for r in data} == {bank.name}
    # the formula-like debtor (the smallest principal, last) is text with a leading quote
    debtor = sheet.cell(row=HEADER_ROW + BULK, column=4)
    assert debtor.data_type == "s"
    assert debtor.value == '\'=HYPERLINK("http://evil.example","点我")'

    stage = workbook(client.get("/ledger.xlsx?stage=litigation")).active
    assert stage.max_row == HEADER_ROW + 40

    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "ledger_export", AuditEntry.actor_id == boss.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.changes["filters"][1], e.changes["rows"][1]) for e in entries] == [
        ({}, BULK + 40),
        ({"creditor_id": bank.id}, BULK),
        ({"stage": "litigation"}, 40),
    ]
    assert entries[1].changes["sort"] == [None, "balance desc"]
    assert entries[0].changes["as_of"] == [None, today().isoformat()]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_export_speaks_the_users_language(client, login_as, make_case, lang):
    login_as(Role.FINANCE)
    make_case(actor=None)
    with client.session_transaction() as sess:
        sess["lang"] = lang
    sheet = workbook(client.get("/ledger.xlsx")).active
    header = [c.value for c in sheet[HEADER_ROW]]
    expected = "Balance outstanding" if lang == "en" else "未回收余额"
    assert expected in header
    assert sheet.cell(row=HEADER_ROW + 1, column=10).value == (today() - date(2025, 6, 30)).days
