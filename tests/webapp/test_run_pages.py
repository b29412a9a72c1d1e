"""Bulk runs from the case list: the count of matching cases, the shared fields, starting a run
(the queue runs it inline in tests), its progress as JSON, the zip, cancelling, and who sees
which run."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from cases.documents.archive import GeneratedDocument
from cases.documents.bulk import BulkRun, RunStatus
from cases.users.models import Role
from tests.factories import letter_run
from tests.webapp.casefile_html import errors, values

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SHARED = {"letter_no": "〔2026〕金诚律函字第1号", "pay_by": "2026-12-10", "lawyers": "李明"}


@pytest.fixture
def engaged(make_case, make_firm, make_creditor):
    firm = make_firm("金诚律师事务所")
    creditor = make_creditor(name="华东钢铁集团有限公司")
    cases = [make_case(firm=firm, creditor=creditor) for _ in range(3)]
    return firm, creditor, cases


def test_the_list_offers_a_run_for_its_filters(client, login_as, engaged):
    _firm, creditor, _cases = engaged
    login_as(Role.LEGAL)
    page = client.get(f"/cases?creditor_id={creditor.id}").get_data(as_text=True)
    assert f"/documents/runs/new?creditor_id={creditor.id}" in page
    new = client.get(f"/documents/runs/new?creditor_id={creditor.id}&template=lawyer_letter")
    assert "符合列表筛选条件的案件：3 件。" in new.get_data(as_text=True)


def test_start_a_run_follow_it_and_download_the_zip(client, login_as, session, engaged):
    firm, creditor, cases = engaged
    login_as(Role.LEGAL)
    url = f"/documents/runs/new?creditor_id={creditor.id}&template=lawyer_letter"
    response = client.post(url, data=SHARED)
    assert response.status_code == 303
    run = session.exec(select(BulkRun)).one()
    assert response.headers["Location"].endswith(f"/documents/runs/{run.id}")
    assert run.filters == {"creditor_id": str(creditor.id)}
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 3, 3)
    progress = client.get(f"/documents/runs/{run.id}/progress").json
    assert progress["percent"] == 100
    assert progress["status_text"] == "已完成"
    page = client.get(f"/documents/runs/{run.id}").get_data(as_text=True)
    assert "全部下载（zip）" in page
    archive = client.get(f"/documents/runs/{run.id}/download")
    assert archive.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        assert sorted(n.split("-律师函")[0] for n in bundle.namelist()) == sorted(
            c.number for c in cases
        )
    for case in cases:
        docs = session.exec(
            select(GeneratedDocument).where(GeneratedDocument.case_id == case.id)
        ).all()
        assert [d.revision for d in docs] == [1]
    assert f"/documents/runs/{run.id}" in client.get("/documents/runs").get_data(as_text=True)


def test_bad_shared_fields_start_nothing_and_keep_what_was_typed(
    client, login_as, session, engaged
):
    _firm, creditor, _cases = engaged
    login_as(Role.LEGAL)
    url = f"/documents/runs/new?creditor_id={creditor.id}&template=lawyer_letter"
    response = client.post(url, data={**SHARED, "letter_no": "", "pay_by": "not a date"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert set(errors(page)) >= {"letter_no", "pay_by"}
    assert values(page)["pay_by"] == "not a date"
    assert values(page)["lawyers"] == "李明"
    assert session.exec(select(BulkRun)).all() == []


def test_no_matching_cases_is_refused(client, login_as, session):
    login_as(Role.LEGAL)
    response = client.post(
        "/documents/runs/new?q=没有这个债务人&template=lawyer_letter", data=SHARED
    )
    assert response.status_code == 422
    assert "没有符合条件的案件，无需生成。" in response.get_data(as_text=True)


def test_counsel_runs_only_over_their_firms_cases(
    client, login_as, make_user, make_firm, make_case, session, engaged
):
    firm, _creditor, cases = engaged
    make_case(firm=make_firm())  # another firm's case: not in the counsel's run
    login_as(make_user(Role.COUNSEL, firm=firm))
    response = client.post("/documents/runs/new?template=lawyer_letter", data=SHARED)
    assert response.status_code == 303
    run = session.exec(select(BulkRun)).one()
    assert run.total == len(cases)


def test_cancel_a_queued_run_and_runs_are_private(client, login_as, make_user, session, engaged):
    _firm, _creditor, cases = engaged
    owner = login_as(Role.LEGAL)
    run = letter_run(session, owner, cases, SHARED)
    session.commit()
    assert client.post(f"/documents/runs/{run.id}/cancel").status_code == 303
    session.refresh(run)
    assert run.status == RunStatus.CANCELLED
    again = client.post(f"/documents/runs/{run.id}/cancel", follow_redirects=True)
    assert "该批量任务已经结束。" in again.get_data(as_text=True)
    login_as(make_user(Role.LEGAL))
    assert client.get(f"/documents/runs/{run.id}").status_code == 404
    assert client.get(f"/documents/runs/{run.id}/progress").status_code == 404
    login_as(make_user(Role.ADMIN))
    assert client.get(f"/documents/runs/{run.id}").status_code == 200
