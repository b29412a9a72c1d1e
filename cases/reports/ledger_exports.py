"""Ledger exports too big to build in a request, made in the background (the job queue of bulk
runs, ``webapp/jobs.py``).

An export records what was asked — who, the filters with the sort, the as-of day, the
language — and how far it got: ``queued`` → ``running`` (``done`` of ``total`` rows) →
``done`` (the workbook in the file store) or ``failed`` (with the reason). It is seen only by
whoever asked for it.

The worker (``process_export``) reads the ordered case ids once, then the rows a chunk at a
time, each chunk in its own short transaction, stamping the progress and a heartbeat between
chunks; the workbook is written by the function passed in (``ledger_xlsx.write_ledger`` with
the asker's language), so this module knows nothing of Flask. One worker owns an export at a
time (the heartbeat, as for bulk runs); an export left ``running`` by a worker that died is
started again from the beginning — by the worker's start-up (``unfinished_exports``) or when
its page sees the heartbeat gone stale (``is_stale``) — a half-written workbook is never kept.

Files are kept ``KEEP_DAYS`` days after the export finished; each export that starts removes
the older ones (``purge_expired``) and marks them ``expired``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, Session, SQLModel, select

from cases.base import StrEnum, UTCDateTime, enum_type, utcnow
from cases.errors import N_, NotFound
from cases.register import policies
from cases.reports.ledger import (
    CHUNK,
    LedgerFilters,
    LedgerRow,
    ledger_ids,
    ledger_rows_of,
    record_export,
)
from cases.timeline.storage import FileStore
from cases.users.models import User

log = logging.getLogger(__name__)

KEEP_DAYS = 7
STALE_AFTER = timedelta(minutes=2)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and the file removed after KEEP_DAYS


EXPORT_STATUS_LABELS = {
    ExportStatus.QUEUED: N_("Queued"),
    ExportStatus.RUNNING: N_("Running"),
    ExportStatus.DONE: N_("Finished"),
    ExportStatus.FAILED: N_("Failed"),
    ExportStatus.EXPIRED: N_("Expired"),
}
UNFINISHED = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class LedgerExport(SQLModel, table=True):
    __tablename__ = "ledger_export_job"
    __audited__ = False  # its progress is bookkeeping; the export itself is audited when made

    id: int | None = Field(default=None, primary_key=True)
    status: ExportStatus = Field(
        default=ExportStatus.QUEUED, sa_type=enum_type(ExportStatus, "ledger_export_status")
    )
    filters: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # with sort, order
    as_of: date
    locale: str = Field(max_length=10)
    filters_text: str = Field(default="", max_length=2000)  # in words, in ``locale``
    total: int = 0  # rows matching when it was asked for
    done: int = 0  # rows written so far
    error: str | None = Field(default=None, max_length=500)
    stored_name: str | None = Field(default=None, max_length=80)
    size: int | None = None
    worker: str | None = Field(default=None, max_length=40)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def ledger_filters(self) -> LedgerFilters:
        return LedgerFilters.model_validate(self.filters)

    @property
    def percent(self) -> int:
        if self.status in (ExportStatus.DONE, ExportStatus.EXPIRED) or not self.total:
            return 100 if self.status != ExportStatus.FAILED else 0
        return min(100, round(100 * self.done / self.total))

    def is_stale(self, now: datetime) -> bool:
        """Running, but no worker has stamped it for ``STALE_AFTER``: its worker died."""
        if self.status != ExportStatus.RUNNING:
            return False
        return self.heartbeat_at is None or now - self.heartbeat_at >= STALE_AFTER


# ---- asking, reading ----------------------------------------------------------------------------


def start_export(
    session: Session,
    actor: User,
    filters: LedgerFilters,
    *,
    on: date,
    locale: str,
    total: int,
    filters_text: str = "",
) -> LedgerExport:
    """Queue an export of the ledger ``actor`` sees, as of ``on``, in ``locale``."""
    policies.require(actor, "report.view")
    export = LedgerExport(
        filters=filters.model_dump(mode="json"),
        as_of=on,
        locale=locale,
        filters_text=filters_text[:2000],
        total=total,
        created_by_id=actor.id,
    )
    session.add(export)
    session.flush()
    return export


def get_export(session: Session, actor: User, export_id: int) -> LedgerExport:
    """An export its asker may see (and still may see reports); anyone else: ``NotFound``."""
    policies.require(actor, "report.view")
    export = session.get(LedgerExport, export_id)
    if export is None or export.created_by_id != actor.id:
        raise NotFound(N_("No such export."))
    return export


def exports_of(session: Session, actor: User, limit: int = 10) -> list[LedgerExport]:
    stmt = (
        select(LedgerExport)
        .where(LedgerExport.created_by_id == actor.id)
        .order_by(LedgerExport.id.desc())
        .limit(limit)
    )
    return list(session.exec(stmt))


def unfinished_exports(session: Session) -> list[int]:
    stmt = select(LedgerExport.id).where(LedgerExport.status.in_(UNFINISHED))
    return list(session.exec(stmt).all())


def purge_expired(session: Session, store: FileStore, now: datetime) -> int:
    """Remove the files of exports finished more than ``KEEP_DAYS`` ago; returns how many."""
    old = session.exec(
        select(LedgerExport).where(
            LedgerExport.status == ExportStatus.DONE,
            LedgerExport.finished_at < now - timedelta(days=KEEP_DAYS),
        )
    ).all()
    for export in old:
        if export.stored_name:
            store.path(export.stored_name).unlink(missing_ok=True)
        export.status, export.stored_name = ExportStatus.EXPIRED, None
        session.add(export)
    session.flush()
    return len(old)


# ---- the worker's side --------------------------------------------------------------------------

# write(out, rows, export) -> rows written: the workbook in the export's language
Write = Callable[[IO[bytes], Iterable[LedgerRow], "LedgerExport"], int]


def _claim(session: Session, export_id: int, worker: str, now: datetime) -> LedgerExport | None:
    export = session.get(LedgerExport, export_id, with_for_update=True)
    if export is None or export.status not in UNFINISHED:
        return None
    fresh = export.status == ExportStatus.RUNNING and not export.is_stale(now)
    if fresh and export.worker not in (None, worker):
        return None  # another worker has it in hand
    export.status, export.worker, export.heartbeat_at = ExportStatus.RUNNING, worker, now
    export.started_at, export.done = now, 0  # (again) from the beginning
    session.add(export)
    return export


def _stamp(factory: sessionmaker[Session], export_id: int, worker: str, done: int) -> None:
    with factory() as session, session.begin():
        export = session.get(LedgerExport, export_id, with_for_update=True)
        if export is not None and export.worker == worker:
            export.done, export.heartbeat_at = done, utcnow()
            session.add(export)


def process_export(
    factory: sessionmaker[Session],
    store: FileStore,
    export_id: int,
    write: Write,
    *,
    worker: str | None = None,
    chunk: int = CHUNK,
) -> ExportStatus | None:
    """Make the export's workbook and keep it in ``store``; audit it as the asker.

    Returns the export's status when this call returns, or None when there is nothing to do
    (finished already, or another worker owns it).
    """
    worker = worker or uuid.uuid4().hex
    with factory() as session, session.begin():
        purge_expired(session, store, utcnow())
        export = _claim(session, export_id, worker, utcnow())
        if export is None:
            return None
    try:
        return _work(factory, store, export_id, write, worker, chunk)
    except Exception as exc:  # a bad row, a full disk …: the export says so, the worker goes on
        log.exception("ledger export %s failed", export_id)
        _fail(factory, export_id, worker, exc)
        return ExportStatus.FAILED


def _work(
    factory: sessionmaker[Session],
    store: FileStore,
    export_id: int,
    write: Write,
    worker: str,
    chunk: int,
) -> ExportStatus | None:
    with factory() as session:
        export = session.get(LedgerExport, export_id)
        actor = session.get(User, export.created_by_id)
        if not actor.is_active or not policies.can(actor, "report.view"):
            raise PermissionError("the asker may no longer see the ledger")
        on = export.as_of
        ids = ledger_ids(session, actor, export.ledger_filters, on=on)
        session.expunge(export)  # a plain record for ``write`` from here on

    def rows() -> Iterator[LedgerRow]:
        written = 0
        for start in range(0, len(ids), chunk):
            with factory() as reader:  # one short read per chunk, no cursor held open
                found = ledger_rows_of(reader, ids[start : start + chunk], on=on)
            yield from found
            written += len(found)
            _stamp(factory, export_id, worker, written)

    # Built aside, then copied: the store never holds a half-written workbook.
    with tempfile.TemporaryFile() as built:
        count = write(built, rows(), export)
        built.seek(0)
        stored = store.save_with(lambda out: shutil.copyfileobj(built, out, 1 << 20), XLSX)
    with factory() as session, session.begin():
        current = session.get(LedgerExport, export_id, with_for_update=True)
        if current.worker != worker:  # taken over meanwhile: the other worker's file wins
            store.path(stored.stored_name).unlink(missing_ok=True)
            return None
        actor = session.get(User, current.created_by_id)
        session.info["actor_id"] = actor.id
        record_export(
            session, actor, current.ledger_filters, rows=count, on=on, kind="xlsx", job=current.id
        )
        current.status, current.done = ExportStatus.DONE, count
        current.stored_name, current.size = stored.stored_name, stored.size
        current.finished_at, current.worker, current.heartbeat_at = utcnow(), None, None
        session.add(current)
    return ExportStatus.DONE


def _fail(factory: sessionmaker[Session], export_id: int, worker: str, exc: Exception) -> None:
    with factory() as session, session.begin():
        export = session.get(LedgerExport, export_id, with_for_update=True)
        if export is not None and export.worker == worker:
            export.status, export.error = ExportStatus.FAILED, f"{type(exc).__name__}"[:500]
            export.finished_at, export.worker, export.heartbeat_at = utcnow(), None, None
            session.add(export)
