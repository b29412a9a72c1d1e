"""Bulk runs: all-or-nothing per item, resumable after a crash without duplicates, cancellable,
one worker at a time, failures reported per case, one zip at the end."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import func, select

from cases.base import utcnow
from cases.documents.archive import GeneratedDocument, archive_document
from cases.documents.bulk import (
    BulkRun,
    BulkRunItem,
    ItemStatus,
    RunStatus,
    cancel_run,
    failures,
    get_run,
    process_run,
    unfinished_runs,
)
from cases.errors import DomainError, NotFound, ValidationError
from cases.timeline.storage import FileStore
from cases.users.models import Role
from tests.factories import letter_run


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL)


@pytest.fixture
def cases_(make_case, legal):
    return [make_case(actor=legal) for _ in range(5)]


def _start(session, actor, cases, **kw):
    run = letter_run(session, actor, cases, {"pay_by": "2026-12-01"}, **kw)
    session.commit()
    return run


def make_generate(store, *, crash_on=None, refuse=None):
    calls = []

    def generate(session, actor, case, run):
        calls.append(case.id)
        document = archive_document(
            session,
            actor,
            case,
            store,
            template=run.template,
            template_version=run.template_version,
            title=run.title,
            context={"case": case.number, **run.fields},
            docx=f"PK docx for {case.number}".encode(),
        )
        if crash_on is not None and case.id == crash_on:
            raise RuntimeError("the worker died mid-document")
        if refuse is not None and case.id == refuse:
            raise ValidationError.single("pay_by", "This field is required")
        return document

    generate.calls = calls
    return generate


def _documents(session, case_id):
    return session.exec(
        select(func.count())
        .select_from(GeneratedDocument)
        .where(GeneratedDocument.case_id == case_id)
    ).one()


def test_a_run_generates_one_document_per_case_and_a_zip(
    session, session_factory, legal, cases_, store
):
    run = _start(session, legal, cases_)
    assert run.status == RunStatus.QUEUED
    assert run.total == 5
    status = process_run(session_factory, store, run.id, make_generate(store))
    assert status == RunStatus.DONE
    session.expire_all()
    run = session.get(BulkRun, run.id)
    assert (run.status, run.done, run.failed) == (RunStatus.DONE, 5, 0)
    assert all(_documents(session, c.id) == 1 for c in cases_)
    with zipfile.ZipFile(io.BytesIO(store.read(run.zip_stored_name))) as bundle:
        names = sorted(bundle.namelist())
        assert names == sorted(f"{c.number}-律师函-v1-1.docx" for c in cases_)
        assert bundle.read(names[0]).startswith(b"PK docx for ")


def test_resuming_after_a_stop_does_not_duplicate(session, session_factory, legal, cases_, store):
    run = _start(session, legal, cases_)
    generate = make_generate(store)
    assert process_run(session_factory, store, run.id, generate, stop_after=2) == RunStatus.RUNNING
    session.expire_all()
    assert session.get(BulkRun, run.id).done == 2
    assert unfinished_runs(session) == [run.id]
    # a worker that died without a word: its heartbeat goes stale, and another carries on
    with session_factory() as s, s.begin():
        dead = s.get(BulkRun, run.id)
        dead.worker, dead.heartbeat_at = "w1", utcnow() - timedelta(minutes=10)
    assert process_run(session_factory, store, run.id, generate, worker="w2") == RunStatus.DONE
    assert sorted(generate.calls) == sorted(c.id for c in cases_)  # each case once
    session.expire_all()
    assert all(_documents(session, c.id) == 1 for c in cases_)
    assert unfinished_runs(session) == []


def test_a_crash_mid_item_leaves_nothing_half_done(session, session_factory, legal, cases_, store):
    run = _start(session, legal, cases_)
    victim = cases_[2].id
    with pytest.raises(RuntimeError):
        process_run(session_factory, store, run.id, make_generate(store, crash_on=victim))
    session.expire_all()
    item = session.exec(
        select(BulkRunItem).where(BulkRunItem.run_id == run.id, BulkRunItem.case_id == victim)
    ).one()
    assert item.status == ItemStatus.PENDING
    assert _documents(session, victim) == 0  # the archived row was rolled back with the item
    assert process_run(session_factory, store, run.id, make_generate(store)) == RunStatus.DONE
    session.expire_all()
    assert all(_documents(session, c.id) == 1 for c in cases_)


def test_a_refused_case_is_reported_and_the_run_goes_on(
    session, session_factory, legal, cases_, store
):
    run = _start(session, legal, cases_)
    refused = cases_[1]
    process_run(session_factory, store, run.id, make_generate(store, refuse=refused.id))
    session.expire_all()
    run = session.get(BulkRun, run.id)
    assert (run.status, run.done, run.failed) == (RunStatus.DONE, 4, 1)
    assert failures(session, run) == [(refused.number, "pay_by: This field is required")]
    assert _documents(session, refused.id) == 0


def test_cancel(session, session_factory, legal, cases_, store):
    queued = _start(session, legal, cases_)
    cancel_run(session, legal, queued)
    session.commit()
    assert queued.status == RunStatus.CANCELLED
    assert process_run(session_factory, store, queued.id, make_generate(store)) is None
    with pytest.raises(DomainError):
        cancel_run(session, legal, queued)

    running = _start(session, legal, cases_)
    generate = make_generate(store)
    process_run(session_factory, store, running.id, generate, stop_after=1)
    session.refresh(running)
    cancel_run(session, legal, running)
    session.commit()
    assert process_run(session_factory, store, running.id, generate) == RunStatus.CANCELLED
    session.expire_all()
    assert session.get(BulkRun, running.id).done == 1  # what was generated stays


def test_one_worker_at_a_time(session, session_factory, legal, cases_, store):
    run = _start(session, legal, cases_)
    with session_factory() as s, s.begin():  # w1 is at work: its heartbeat is fresh
        live = s.get(BulkRun, run.id)
        live.status, live.worker, live.heartbeat_at = RunStatus.RUNNING, "w1", utcnow()
    other = make_generate(store)
    assert process_run(session_factory, store, run.id, other, worker="w2") is None
    assert other.calls == []


def test_start_checks_permission_and_visibility(
    session, legal, cases_, make_user, make_firm, make_case
):
    with pytest.raises(DomainError):
        _start(session, legal, [])
    counsel = make_user(Role.COUNSEL, firm=make_firm())
    with pytest.raises(NotFound):
        _start(session, counsel, cases_)  # none of these is engaged to the counsel's firm
    assert session.exec(select(BulkRun)).all() == []
    run = _start(session, legal, cases_)
    with pytest.raises(NotFound):
        get_run(session, make_user(Role.LEGAL), run.id)  # another user's run
    assert get_run(session, make_user(Role.ADMIN), run.id).id == run.id


def test_eta_from_the_pace_so_far(session, session_factory, legal, cases_, store):
    run = _start(session, legal, cases_)
    process_run(session_factory, store, run.id, make_generate(store), stop_after=2)
    session.expire_all()
    run = session.get(BulkRun, run.id)
    started = run.started_at
    assert run.eta(started + timedelta(seconds=10)) == timedelta(seconds=15)  # 5 s a document
