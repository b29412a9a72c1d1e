"""The job queue for long work (bulk document runs), on huey.

- ``QS_QUEUE_URL`` unset: an embedded queue in ``instance/queue.db`` (SQLite, no server), and
  the web process runs one worker thread itself (``QS_EMBEDDED_WORKER=1``, the default).
- ``QS_QUEUE_URL=redis://host:6379/0``: the queue lives in Redis; run workers on any number of
  machines with ``flask --app webapp worker`` and set ``QS_EMBEDDED_WORKER=0`` on web servers.
- ``QS_QUEUE_URL=memory://`` (tests): tasks run immediately, in the caller.

A task only names a run; the state is in the database (``cases.documents.bulk``), so a worker
that dies loses nothing: every worker, on start-up, queues every unfinished run again, and a
run is worked by one worker at a time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from cases.documents import bulk

log = logging.getLogger(__name__)


@dataclass
class Queue:
    huey: Huey
    run_bulk: Any  # the huey task: run_bulk(run_id)
    embedded: bool
    _consumer: Consumer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue_run(self, run_id: int) -> None:
        self.ensure_worker()
        self.run_bulk(run_id)

    def ensure_worker(self) -> None:
        """Start the embedded worker thread once per process (when configured)."""
        if not self.embedded or self.huey.immediate:
            return
        with self._lock:
            if self._consumer is None:
                self._consumer = self.huey.create_consumer(
                    workers=1, worker_type="thread", periodic=False
                )
                self._consumer.start()  # threads only: no signal handlers in a web process


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

    @huey.on_startup()
    def resume_unfinished() -> None:
        with app.app_context(), app.extensions["qingshou_db"].session_factory() as session:
            for run_id in bulk.unfinished_runs(session):
                log.info("queueing unfinished bulk run %s again", run_id)
                run_bulk(run_id)

    queue = Queue(huey, run_bulk, embedded)
    app.extensions["qingshou_queue"] = queue
    return queue
