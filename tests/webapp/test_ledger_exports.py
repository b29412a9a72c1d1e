"""Ledger exports too big for one request (``QS_LEDGER_EXPORT_SYNC_LIMIT``, here 3 rows) go to
the job queue: ``/ledger.xlsx`` answers 303 to the export's page, the worker writes the same
workbook as the synchronous export into the file store and audits it with the job's id; only
the asker sees the export (anyone else 404, counsel 403); a failure is shown, a dead worker's
export is taken over, old files are removed."""

from __future__ import annotations

import io
import re
import time
import uuid
from datetime import timedelta

import openpyxl
import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import utcnow
from cases.reports import ledger_exports
from cases.reports.ledger import LedgerFilters
from cases.reports.ledger_exports import ExportStatus, LedgerExport
from cases.reports.ledger_xlsx import HEADER_ROW
from cases.users.models import Role
from tests.webapp.test_ledger_pages import bulk_cases

LIMIT = 3


def _config(database_url, tmp_path, **extra):
    return {
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "LEDGER_EXPORT_SYNC_LIMIT": LIMIT,
        **extra,
    }


@pytest.fixture
def app(database_url, session_factory, tmp_path):
    """The test app (``memory://`` queue: a task runs at once, in the request) with a limit
    of 3 rows for exports made in the request."""
    from webapp import create_app

    app = create_app(_config(database_url, tmp_path))
    app.extensions["qingshou_db"].session_factory = session_factory
    return app


def values(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(values_only=True))


def export_id(response) -> int:
    assert response.status_code == 303, response.status_code
    found = re.fullmatch(r"/ledger/exports/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def sync_export(app, client, url: str) -> bytes:
    """The same export made in the request (the limit raised for one call)."""
    settings = app.extensions["qingshou_settings"]
    settings.LEDGER_EXPORT_SYNC_LIMIT, old = 10**6, settings.LEDGER_EXPORT_SYNC_LIMIT
    try:
        response = client.get(url)
    finally:
        settings.LEDGER_EXPORT_SYNC_LIMIT = old
    assert response.status_code == 200
    return response.data


def test_a_big_export_goes_to_the_queue_and_matches_the_synchronous_one(
    app, client, login_as, make_creditor, session
):
    boss = login_as(Role.MANAGEMENT)
    bank, other = make_creditor(), make_creditor()
    bulk_cases(session, bank.id, 10)
    bulk_cases(session, other.id, 2, start=10)
    url = f"/ledger.xlsx?creditor_id={bank.id}&sort=balance&order=asc"

    job_id = export_id(client.get(url))
    page = client.get(f"/ledger/exports/{job_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "后台生成" in html  # the flash, in Chinese
    assert 'data-status="done"' in html
    assert f"/ledger/exports/{job_id}/download" in html
    assert client.get(f"/ledger/exports/{job_id}/progress").get_json() == {
        "status": "done",
        "status_text": "已完成",
        "total": 10,
        "done": 10,
        "failed": 0,
        "percent": 100,
        "eta_seconds": None,
        "download": f"/ledger/exports/{job_id}/download",
    }

    download = client.get(f"/ledger/exports/{job_id}/download")
    assert download.status_code == 200
    assert download.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''%E5%8F%B0%E8%B4%A6-" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    rows = values(download.data)
    assert len(rows) == HEADER_ROW + 10  # the filtered count, not the whole book
    assert rows[1] == (f"筛选条件：债权人：{bank.name}",) + (None,) * (len(rows[1]) - 1)
    assert rows == values(sync_export(app, client, url))  # cell for cell

    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "ledger_export", AuditEntry.actor_id == boss.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.changes.get("job") for e in entries] == [[None, job_id], None]
    assert entries[0].changes["rows"] == [None, 10]
    assert entries[0].changes["filters"] == [None, {"creditor_id": bank.id}]
    assert entries[0].changes["sort"] == [None, "balance asc"]

    ledger = client.get("/ledger").get_data(as_text=True)  # the asker finds it again there
    assert 'data-testid="my-exports"' in ledger
    assert f'href="/ledger/exports/{job_id}"' in ledger


def test_up_to_the_limit_the_export_is_made_in_the_request(
    client, login_as, make_creditor, session
):
    login_as(Role.FINANCE)
    bank = make_creditor()
    bulk_cases(session, bank.id, LIMIT)
    response = client.get(f"/ledger.xlsx?creditor_id={bank.id}")
    assert response.status_code == 200
    assert len(values(response.data)) == HEADER_ROW + LIMIT
    assert session.exec(select(LedgerExport)).all() == []


def test_the_background_export_speaks_the_askers_language(client, login_as, make_creditor, session):
    login_as(Role.LEGAL)
    bank = make_creditor()
    bulk_cases(session, bank.id, 5)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    job_id = export_id(client.get(f"/ledger.xlsx?creditor_id={bank.id}"))
    with client.session_transaction() as sess:
        sess["lang"] = "zh"  # the workbook keeps the language it was asked in
    rows = values(client.get(f"/ledger/exports/{job_id}/download").data)
    assert rows[0][0].startswith("Ledger of cases as of ")
    assert rows[1][0] == f"Filters: Creditor: {bank.name}"
    assert "Balance outstanding" in rows[HEADER_ROW - 1]


def test_only_the_asker_sees_an_export(app, client, login_as, make_user, make_creditor, session):
    login_as(Role.MANAGEMENT)
    bank = make_creditor()
    bulk_cases(session, bank.id, 5)
    job_id = export_id(client.get("/ledger.xlsx"))
    paths = [f"/ledger/exports/{job_id}{tail}" for tail in ("", "/progress", "/download")]
    assert [client.get(p).status_code for p in paths] == [200, 200, 200]
    assert client.get(f"/ledger/exports/{job_id + 1}").status_code == 404
    for role, expected in (
        (Role.MANAGEMENT, 404),
        (Role.ADMIN, 404),
        (Role.LEGAL, 404),
        (Role.COUNSEL, 403),
    ):
        login_as(role)
        assert [client.get(p).status_code for p in paths] == [expected] * 3, role


def test_a_failed_export_says_so(app, client, login_as, make_creditor, session, monkeypatch):
    login_as(Role.MANAGEMENT)
    bank = make_creditor()
    bulk_cases(session, bank.id, 5)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("webapp.blueprints.ledger.write_ledger", broken)
    job_id = export_id(client.get("/ledger.xlsx"))
    html = client.get(f"/ledger/exports/{job_id}").get_data(as_text=True)
    assert 'data-status="failed"' in html
    assert 'data-testid="export-error"' in html
    assert "OSError" in html
    assert "/download" not in html
    assert client.get(f"/ledger/exports/{job_id}/download").status_code == 404
    assert session.exec(select(AuditEntry).where(AuditEntry.entity == "ledger_export")).all() == []
    assert [p for p in _uploads(app).rglob("*") if p.is_file()] == []  # no half-written file


def _uploads(app):
    return app.extensions["qingshou_files"].root


def _queued(session, user, total=5) -> LedgerExport:
    job = ledger_exports.start_export(
        session, user, LedgerFilters(), on=utcnow().date(), locale="zh", total=total
    )
    session.commit()
    return job


def _writer(calls: list):
    def write(out, rows, job) -> int:
        rows = list(rows)
        calls.append(len(rows))
        out.write(b"workbook")
        return len(rows)

    return write


def test_one_worker_at_a_time_and_a_dead_workers_export_is_taken_over(
    app, session, session_factory, make_user, make_creditor
):
    boss = make_user(Role.MANAGEMENT)
    bulk_cases(session, make_creditor().id, 5)
    store = app.extensions["qingshou_files"]
    job = _queued(session, boss)
    job.status, job.worker, job.heartbeat_at = ExportStatus.RUNNING, "other", utcnow()
    session.commit()
    calls: list[int] = []
    # another worker stamped it a moment ago: left alone
    assert ledger_exports.process_export(session_factory, store, job.id, _writer(calls)) is None
    assert calls == []
    # its heartbeat is old: that worker died; the page notices and this worker starts over
    job.heartbeat_at = utcnow() - ledger_exports.STALE_AFTER - timedelta(seconds=1)
    session.commit()
    assert job.is_stale(utcnow())
    status = ledger_exports.process_export(session_factory, store, job.id, _writer(calls), chunk=2)
    assert status == ExportStatus.DONE
    assert calls == [5]
    session.refresh(job)
    assert (job.status, job.done, job.worker) == (ExportStatus.DONE, 5, None)
    assert store.read(job.stored_name) == b"workbook"
    # done: a second task for it (queued again at start-up) does nothing
    assert ledger_exports.process_export(session_factory, store, job.id, _writer(calls)) is None
    assert ledger_exports.unfinished_exports(session) == []


def test_files_are_removed_after_seven_days(
    app, client, login_as, session, session_factory, make_creditor
):
    boss = login_as(Role.MANAGEMENT)
    bulk_cases(session, make_creditor().id, 5)
    store = app.extensions["qingshou_files"]
    old, new = export_id(client.get("/ledger.xlsx")), export_id(client.get("/ledger.xlsx"))
    old_job, new_job = session.get(LedgerExport, old), session.get(LedgerExport, new)
    old_job.finished_at = utcnow() - timedelta(days=ledger_exports.KEEP_DAYS, minutes=1)
    old_file = store.path(old_job.stored_name)
    session.commit()
    assert ledger_exports.purge_expired(session, store, utcnow()) == 1
    session.commit()
    assert not old_file.exists()
    assert (old_job.status, old_job.stored_name) == (ExportStatus.EXPIRED, None)
    assert new_job.status == ExportStatus.DONE
    assert store.path(new_job.stored_name).exists()
    assert client.get(f"/ledger/exports/{old}/download").status_code == 404
    html = client.get(f"/ledger/exports/{old}").get_data(as_text=True)
    assert 'data-testid="export-expired"' in html
    assert boss.id == old_job.created_by_id


# ---- on the real queue: the request only queues; the worker thread makes the file ------------


def _drain(queue, timeout: float = 30) -> None:
    """As in tests/webapp/test_jobs.py: wait for the queue to empty, then stop the worker (it
    shares the test's connection)."""
    deadline = time.monotonic() + timeout
    while len(queue.huey) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(queue.huey) == 0
    queue._consumer.stop(graceful=True)
    queue._consumer = None


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_on_the_embedded_queue_the_request_only_queues_the_export(
    database_url, session_factory, tmp_path, session, make_user, make_creditor
):
    from flask_login.utils import _create_identifier

    from webapp import create_app

    app = create_app(_config(database_url, tmp_path, QUEUE_URL=f"sqlite:///{tmp_path / 'q.db'}"))
    app.extensions["qingshou_db"].session_factory = session_factory
    queue = app.extensions["qingshou_queue"]
    queue.huey.name = f"qingshou-test-{uuid.uuid4().hex[:8]}"
    queue.embedded = False  # no worker thread until the test starts one
    boss = make_user(Role.MANAGEMENT)
    bulk_cases(session, make_creditor().id, 6)
    client = app.test_client()
    with client.session_transaction() as sess:
        with app.test_request_context(
            environ_base=client.environ_base,
            headers={"User-Agent": client.environ_base.get("HTTP_USER_AGENT", "")},
        ):
            sess["_id"] = _create_identifier()  # as the ``login_as`` fixture does
        sess["_user_id"], sess["_fresh"] = boss.get_id(), True
    try:
        job_id = export_id(client.get("/ledger.xlsx"))
        assert len(queue.huey) == 1  # queued, not made
        progress = client.get(f"/ledger/exports/{job_id}/progress").get_json()
        assert (progress["status"], progress["done"], progress["total"]) == ("queued", 0, 6)
        assert progress["download"] is None
        queue.embedded = True
        queue.ensure_worker()
        queue.embedded = False  # the next requests must not start another worker
        _drain(queue)
        progress = client.get(f"/ledger/exports/{job_id}/progress").get_json()
        assert (progress["status"], progress["done"]) == ("done", 6)
        rows = values(client.get(f"/ledger/exports/{job_id}/download").data)
        assert len(rows) == HEADER_ROW + 6
    finally:
        if queue._consumer is not None:
            queue._consumer.stop(graceful=True)
        queue.huey.flush()
