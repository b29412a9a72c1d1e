"""The job queue for real: a bulk run queued on the embedded SQLite queue and on Redis, worked
by a huey consumer thread (as the web process's embedded worker or `flask worker` run it)."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from cases.documents.bulk import BulkRun, RunStatus
from cases.users.models import Role
from tests.factories import letter_run

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

REDIS_URL = "redis://127.0.0.1:6379/15"
FIELDS = {"letter_no": "〔2026〕金诚律函字第9号", "pay_by": "2026-12-10", "lawyers": ["李明"]}


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request, database_url, session_factory, tmp_path):
    from webapp import create_app

    if request.param == "redis":
        url = REDIS_URL
        redis.Redis.from_url(url).ping()  # Redis must run (machine notes): fail, never skip
    else:
        url = f"sqlite:///{tmp_path / 'queue.db'}"
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "QUEUE_URL": url,
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.extensions["qingshou_db"].session_factory = session_factory
    queue = app.extensions["qingshou_queue"]
    queue.huey.name = f"qingshou-test-{uuid.uuid4().hex[:8]}"  # a queue of its own
    yield app
    if queue._consumer is not None:
        queue._consumer.stop(graceful=True)
    queue.huey.flush()


def _drain(queue, timeout: float = 30) -> None:
    """Wait for the queue to empty, then stop the worker: on start-up it queued the unfinished
    run again (a second task, which finds it done), and it shares the test's connection, so it
    must be idle before the test reads or rolls back."""
    deadline = time.monotonic() + timeout
    while len(queue.huey) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(queue.huey) == 0
    queue._consumer.stop(graceful=True)
    queue._consumer = None


def test_a_run_is_worked_by_the_queue(queued_app, session, make_case, make_user, make_firm):
    firm = make_firm()
    legal = make_user(Role.LEGAL)
    cases = [make_case(actor=legal, firm=firm) for _ in range(3)]
    run = letter_run(session, legal, cases, FIELDS)
    session.commit()
    queue = queued_app.extensions["qingshou_queue"]
    assert not queue.huey.immediate
    result = queue.run_bulk(run.id)  # queued, not run: no worker yet
    assert len(queue.huey) == 1
    queue.ensure_worker()  # the embedded worker thread picks it up
    assert result.get(blocking=True, timeout=60) == "done"
    _drain(queue)
    session.expire_all()
    run = session.get(BulkRun, run.id)
    assert (run.status, run.done) == (RunStatus.DONE, 3)
