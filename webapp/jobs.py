"""The job queue for long work (bulk document runs, big ledger exports), on huey.

- ``QS_QUEUE_URL`` unset: an embedded queue in ``instance/queue.db`` (SQLite, no server), and
  the web process runs one worker thread itself (``QS_EMBEDDED_WORKER=1``, the default).
- ``QS_QUEUE_URL=redis://host:6379/0``: the queue lives in Redis; run workers on any number of
  machines with ``flask --app webapp worker`` and set ``QS_EMBEDDED_WORKER=0`` on web servers.
- ``QS_QUEUE_URL=memory://`` (tests): tasks run immediately, in the caller.

A task only names a run; the state is in the database (``cases.documents.bulk``), so a worker
that dies loses nothing: every worker, on start-up, queues every unfinished run (and ledger
export, ``cases.reports.ledger_exports``) again, and each is worked by one worker at a time.

The deadlines board's daily digest is a periodic task (``daily_digest``): a worker that runs
periodic tasks (the embedded one, ``flask worker``) makes it from ``QS_DIGEST_HOUR`` o'clock,
Asia/Shanghai; the embedded worker starts with the web process's first request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from cases.base import BUSINESS_TZ
from cases.documents import bulk
from cases.reports.ledger_exports import unfinished_exports

log = logging.getLogger(__name__)


class EmbeddedConsumer(Consumer):
    """A worker inside the web process: its threads only. The server owns the signals (and
    only the main thread may set handlers: a threaded server starts this from a request)."""

    def _set_signal_handlers(self) -> None:
        pass


@dataclass
class Queue:
    huey: Huey
    run_bulk: Any  # the huey task: run_bulk(run_id)
    embedded: bool
    periodic: bool = True  # the embedded worker runs periodic tasks too (not in tests)
    daily_digest: Any = None  # the periodic huey task of the deadlines board
    ledger_export: Any = None  # the huey task: ledger_export(export_id)
    _consumer: Consumer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue_run(self, run_id: int) -> None:
        self.ensure_worker()
        self.run_bulk(run_id)

    def enqueue_ledger_export(self, export_id: int) -> None:
        self.ensure_worker()
        self.ledger_export(export_id)

    def ensure_worker(self) -> None:
        """Start the embedded worker thread once per process (when configured)."""
        if not self.embedded or self.huey.immediate or self._consumer is not None:
            return
        with self._lock:
            if self._consumer is None:
                # periodic: the daily digest (see ``digest_schedule``) runs in it too
                self._consumer = EmbeddedConsumer(
                    self.huey, workers=1, worker_type="thread", periodic=self.periodic
                )
                self._consumer.start()


def make_huey(url: str, instance_dir: Path) -> Huey:
    if not url:
        instance_dir.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("qingshou", filename=str(instance_dir / "queue.db"))
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryHuey("qingshou", immediate=True)
    if scheme in ("redis", "rediss"):
        return RedisHuey("qingshou", url=url)
    if scheme == "sqlite":
        return SqliteHuey("qingshou", filename=url.removeprefix("sqlite:///"))
    raise RuntimeError(f"QS_QUEUE_URL: unsupported queue {url!r} (redis://, sqlite:///, memory://)")


def init_app(app: Flask, url: str, instance_dir: Path, embedded: bool) -> Queue:
    huey = make_huey(url, instance_dir)

    @huey.task(name="run_bulk")
    def run_bulk(run_id: int) -> str | None:
        from cases.documents.generate import bulk_generator

        with app.app_context():
            db = app.extensions["qingshou_db"]
            store = app.extensions["qingshou_files"]
            status = bulk.process_run(db.session_factory, store, run_id, bulk_generator(store))
            return status.value if status else None

    @huey.task(name="ledger_export")
    def ledger_export(export_id: int) -> str | None:
        from webapp.blueprints.ledger import run_export

        with app.app_context():
            status = run_export(app, export_id)
            return status.value if status else None

    @huey.on_startup()
    def resume_unfinished() -> None:
        with app.app_context(), app.extensions["qingshou_db"].session_factory() as session:
            for run_id in bulk.unfinished_runs(session):
                log.info("queueing unfinished bulk run %s again", run_id)
                run_bulk(run_id)
            for export_id in unfinished_exports(session):
                log.info("queueing unfinished ledger export %s again", export_id)
                ledger_export(export_id)

    hour = app.extensions["qingshou_settings"].DIGEST_HOUR

    @huey.periodic_task(digest_schedule(hour), name="daily_digest")
    def daily_digest() -> str:
        from webapp.blueprints.board import run_digest

        with app.app_context():
            report = run_digest(app, skip_if_done=True)
            return "skipped" if report.skipped else f"{report.notifications} digests"

    periodic = app.extensions["qingshou_settings"].ENV != "testing"
    queue = Queue(huey, run_bulk, embedded, periodic, daily_digest, ledger_export)
    app.extensions["qingshou_queue"] = queue

    @app.before_request
    def _start_embedded_worker() -> None:
        queue.ensure_worker()  # once per process; the periodic digest needs a running worker

    return queue


def digest_schedule(hour: int) -> Callable[[datetime], bool]:
    """When the periodic digest task runs: every 10 minutes from ``hour`` o'clock (Asia/Shanghai)
    to midnight. The first run of the day makes the digest; later ones find it made and stop
    at once, and catch up a day whose hour passed while no worker ran."""
    if not 0 <= hour <= 23:
        raise RuntimeError(f"QS_DIGEST_HOUR must be an hour from 0 to 23, not {hour}")

    def due(timestamp: datetime) -> bool:
        # huey passes naive UTC (Huey(utc=True), the default)
        local = timestamp.replace(tzinfo=UTC).astimezone(BUSINESS_TZ)
        return local.hour >= hour and local.minute % 10 == 0

    return due
