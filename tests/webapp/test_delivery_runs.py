"""A bulk run's deliveries in the browser: the link from the run, the list of letters to fill
in, the sendings and the courier's outcomes uploaded — every bad row shown in the user's
language with nothing changed, a summary of what was recorded — and who may."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.delivery.models import Delivery
from cases.delivery.operations import record_outcome
from cases.documents.archive import archive_document
from cases.documents.bulk import BulkRunItem, ItemStatus, RunStatus
from cases.register.keydates import KeyDate
from cases.users.models import Role, User
from tests.factories import letter_run
from tests.webapp.casefile_html import count

DATA = Path(__file__).resolve().parent.parent / "data"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)
NUMBERS = [f"11860000000{n}{n}" for n in range(1, 8)]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def run(app, session, make_case, make_firm, login_as):
    """Legal staff's run of lawyer's letters over seven cases of one firm, all generated."""
    legal = login_as(Role.LEGAL)
    firm = make_firm("金诚律师事务所")
    claim = {
        "contract_ref": "HT-2024-007",
        "contract_title": "钢材购销合同",
        "principal": Decimal("250000.00"),
        "due_date": "2024-03-15",
    }
    cases = [make_case(actor=legal, firm=firm, claims=[claim]) for _ in NUMBERS]
    session.info["actor_id"] = legal.id
    run = letter_run(session, legal, cases)
    items = {i.case_id: i for i in session.exec(select(BulkRunItem))}
    for case in cases:
        doc = archive_document(
            session,
            legal,
            case,
            app.extensions["qingshou_files"],
            template="lawyer_letter",
            template_version="1",
            title="律师函",
            context={},
            docx=b"PK\x03\x04 letter",
        )
        doc.created_at = datetime(2026, 2, 27, 9, 0, tzinfo=BUSINESS_TZ)
        items[case.id].document_id, items[case.id].status = doc.id, ItemStatus.DONE
    run.status = RunStatus.DONE
    session.commit()
    return run, cases, firm


def upload(client, url, name, content, **fields):
    data = {"file": (io.BytesIO(content), name), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def register_sendings(client, session, run) -> None:
    """Download the list of letters, fill in a tracking number per letter, upload it."""
    listed = client.get(f"/documents/runs/{run.id}/deliveries/sendings.csv")
    assert listed.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(listed.data.decode("utf-8-sig"))))
    for row, number in zip(rows[1:], NUMBERS, strict=True):
        row[3] = number
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = upload(
        client,
        f"/documents/runs/{run.id}/deliveries/sendings",
        "寄送登记.csv",
        out.getvalue().encode("utf-8-sig"),
        carrier="ems",
        sent_on="2026-03-01",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "已登记寄送：7 封。" in response.get_data(as_text=True)
    assert count(session, Delivery) == 7


def recorded_by(session, run):
    return session.get(User, run.created_by_id)


def test_the_run_page_links_to_its_deliveries(client, run):
    run, _cases, _firm = run
    shown = client.get(f"/documents/runs/{run.id}").get_data(as_text=True)
    assert f'href="/documents/runs/{run.id}/deliveries"' in shown
    page = client.get(f"/documents/runs/{run.id}/deliveries").get_data(as_text=True)
    assert "一、登记寄送" in page
    assert "二、导入快递签收结果" in page
    assert 'data-count="unsent">7<' in page


def test_sendings_then_the_courier_file(client, session, run):
    run, cases, _firm = run
    register_sendings(client, session, run)

    response = upload(
        client,
        f"/documents/runs/{run.id}/deliveries/outcomes",
        "签收结果.csv",
        (DATA / "courier_outcomes.csv").read_bytes(),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已登记送达结果：3 条。" in page
    for name, n in [
        ("delivered", 1),
        ("refused", 1),
        ("returned", 1),
        ("moved", 2),
        ("in_transit", 1),
    ]:
        assert f'data-count="{name}">{n}<' in page, name
    assert "2027年3月15日 → 2029年3月5日" in page
    assert count(session, KeyDate) == 2
    listing = client.get(f"/documents/runs/{run.id}/deliveries").get_data(as_text=True)
    assert 'data-count="delivered">1<' in listing
    assert 'data-count="sent">4<' in listing


def test_a_bad_courier_file_changes_nothing_and_lists_every_row(client, session, run):
    run, cases, _firm = run
    register_sendings(client, session, run)
    recorded = session.exec(select(Delivery).where(Delivery.tracking_no == NUMBERS[5])).one()
    outcome = {"status": "delivered", "outcome_on": "2026-03-04", "signer": "吴九"}
    record_outcome(session, recorded_by(session, run), cases[5], recorded, outcome)
    session.commit()
    keys = count(session, KeyDate)

    response = upload(
        client,
        f"/documents/runs/{run.id}/deliveries/outcomes",
        "签收结果.csv",
        (DATA / "courier_outcomes_bad.csv").read_bytes(),
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未作任何更改。" in page
    assert "发现的问题：9 个" in page
    table = page[page.index('data-testid="import-errors"') : page.index("</table>")]
    reported = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>', table)
    assert [(int(row), column) for row, column, _reason in reported] == [
        (2, "运单号"),
        (3, "签收时间"),
        (4, "签收时间"),
        (5, "状态"),
        (6, "签收人"),
        (7, "签收时间"),
        (8, "状态"),
        (9, "运单号"),
        (11, "运单号"),
    ]
    reasons = [reason for _row, _column, reason in reported]
    assert reasons[0] == "本批次没有寄出过这个运单号"
    assert reasons[1] == "日期格式不正确（YYYY-MM-DD）"
    assert reasons[2] == "该日期不能晚于今天"
    assert reasons[5] == "早于寄出日期（2026-03-01）"
    assert reasons[8] == "第 10 行已有同一运单号"
    assert count(session, KeyDate) == keys
    assert {d.status.value for d in session.exec(select(Delivery))} == {"sent", "delivered"}
    assert count(session, Delivery, Delivery.status == "delivered") == 1


def test_the_english_workbook_is_read_too(client, session, run):
    run, _cases, _firm = run
    register_sendings(client, session, run)
    response = upload(
        client,
        f"/documents/runs/{run.id}/deliveries/outcomes",
        "results.xlsx",
        (DATA / "courier_outcomes_en.xlsx").read_bytes(),
    )
    assert response.status_code == 200
    assert count(session, KeyDate) == 2


def test_a_missing_file_or_default_is_refused(client, session, run):
    run, _cases, _firm = run
    url = f"/documents/runs/{run.id}/deliveries/sendings"
    response = client.post(url, data={"carrier": "ems", "sent_on": "2026-03-01"})
    assert response.status_code == 422
    assert "请选择要上传的文件" in response.get_data(
        as_text=True
    ) or "Choose a file" in response.get_data(as_text=True)
    response = upload(client, url, "s.csv", b"x", carrier="dhl", sent_on="soon")
    assert response.status_code == 422
    assert count(session, Delivery) == 0


def test_counsel_reach_only_runs_they_may_see(client, session, run, login_as, make_firm):
    run, cases, firm = run
    login_as(Role.COUNSEL, firm=firm)
    assert client.get(f"/documents/runs/{run.id}/deliveries").status_code == 404  # legal's run
    counsel = login_as(Role.COUNSEL, firm=firm)
    own = letter_run(session, counsel, cases[:2])
    session.commit()
    assert client.get(f"/documents/runs/{own.id}/deliveries").status_code == 200
    cases[1].firm_id = make_firm().id  # the case went to another firm
    session.commit()
    assert client.get(f"/documents/runs/{own.id}/deliveries").status_code == 404
    response = upload(client, f"/documents/runs/{own.id}/deliveries/outcomes", "r.csv", b"x")
    assert response.status_code == 404
    login_as(Role.FINANCE)
    assert client.get(f"/documents/runs/{run.id}/deliveries").status_code == 403
