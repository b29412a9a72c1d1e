"""Bulk runs: one template for many cases, in the background, resumable, never duplicating.

A run is a list of items, one per case, each ``pending`` until it is ``done`` (its document
archived on the case by ``cases.documents.archive``) or ``failed`` (with the reason). Each item
is generated and marked in ONE transaction, so a crash at any moment leaves every item either
done with exactly one document or pending with none; running the run again (the worker does so
on start-up for every unfinished run) carries on with the pending items.

One worker owns a run at a time: it stamps ``heartbeat_at`` as it goes, and another worker
leaves the run alone while that stamp is fresher than ``STALE_AFTER``. Cancelling sets a flag
the worker reads between items; documents already generated stay on their cases. When every
item is settled the documents are bundled into one zip kept in the file store.

The rendering itself is passed in (``generate``), so this module knows nothing of templates.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, Session, SQLModel, select

from cases.base import StrEnum, UTCDateTime, enum_type, utcnow
from cases.documents.archive import GeneratedDocument
from cases.errors import N_, DomainError, NotFound, PermissionDenied, ValidationError
from cases.register import policies
from cases.register.models import Case
from cases.timeline.models import Attachment
from cases.timeline.storage import FileStore
from cases.users.models import Role, User

STALE_AFTER = timedelta(minutes=2)
MAX_CASES = 20_000
ZIP_TYPE = "application/zip"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class ItemStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


RUN_STATUS_LABELS = {
    RunStatus.QUEUED: N_("Queued"),
    RunStatus.RUNNING: N_("Running"),
    RunStatus.DONE: N_("Finished"),
    RunStatus.CANCELLED: N_("Cancelled"),
}


class BulkRun(SQLModel, table=True):
    __tablename__ = "bulk_run"

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=64)
    template_version: str = Field(max_length=20)
    title: str = Field(max_length=200)
    status: RunStatus = Field(
        default=RunStatus.QUEUED, sa_type=enum_type(RunStatus, "bulk_run_status")
    )
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    filters: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    total: int = 0
    done: int = 0
    failed: int = 0
    cancel_requested: bool = False
    worker: str | None = Field(default=None, max_length=40)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    zip_stored_name: str | None = Field(default=None, max_length=80)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def settled(self) -> int:
        return self.done + self.failed

    def eta(self, now: datetime) -> timedelta | None:
        """Time left at the pace so far (None before the first document)."""
        if self.status != RunStatus.RUNNING or not self.started_at or not self.settled:
            return None
        elapsed = now - self.started_at
        return elapsed / self.settled * (self.total - self.settled)


class BulkRunItem(SQLModel, table=True):
    __tablename__ = "bulk_run_item"
    __audited__ = False  # the documents themselves are audited as they are archived
    __table_args__ = (
        sa.UniqueConstraint("run_id", "case_id", name="uq_bulk_run_item"),
        sa.Index("ix_bulk_run_item_run_status", "run_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="bulk_run.id")
    case_id: int = Field(foreign_key="case.id")
    status: ItemStatus = Field(
        default=ItemStatus.PENDING, sa_type=enum_type(ItemStatus, "bulk_item_status")
    )
    document_id: int | None = Field(default=None, foreign_key="generated_document.id")
    error: str | None = Field(default=None, max_length=500)


# ---- starting, cancelling, reading ------------------------------------------------------------


def start_run(
    session: Session,
    actor: User,
    *,
    template: str,
    template_version: str,
    title: str,
    case_ids: Iterable[int],
    fields: dict[str, Any] | None = None,
    filters: dict[str, Any] | None = None,
) -> BulkRun:
    """Queue a run over ``case_ids`` (the caller picked them with the actor's own filters;
    each is checked again here: a case the actor may not see is refused, not skipped)."""
    policies.require(actor, "case.generate_document")
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise DomainError(N_("No cases match: nothing to generate."))
    if len(ids) > MAX_CASES:
        raise DomainError(
            N_("At most %(max)s cases in one run; narrow the filters."), max=MAX_CASES
        )
    visible = set(
        session.exec(select(Case.id).where(Case.id.in_(ids), policies.visible_filter(actor))).all()
    )
    if len(visible) != len(ids):
        raise NotFound(N_("No such case."))
    run = BulkRun(
        template=template,
        template_version=template_version,
        title=title,
        fields=fields or {},
        filters=filters or {},
        total=len(ids),
        created_by_id=actor.id,
    )
    session.add(run)
    session.flush()
    session.execute(
        sa.insert(BulkRunItem),
        [{"run_id": run.id, "case_id": case_id, "status": ItemStatus.PENDING} for case_id in ids],
    )
    return run


def get_run(session: Session, actor: User, run_id: int) -> BulkRun:
    """A run its creator (or an admin) may see; anyone else gets ``NotFound``."""
    run = session.get(BulkRun, run_id)
    if run is None or (run.created_by_id != actor.id and actor.role != Role.ADMIN):
        raise NotFound(N_("No such run."))
    return run


def runs_of(session: Session, actor: User, limit: int = 50) -> list[BulkRun]:
    stmt = select(BulkRun).order_by(BulkRun.id.desc()).limit(limit)
    if actor.role != Role.ADMIN:
        stmt = stmt.where(BulkRun.created_by_id == actor.id)
    return list(session.exec(stmt))


def cancel_run(session: Session, actor: User, run: BulkRun) -> None:
    if run.status in (RunStatus.DONE, RunStatus.CANCELLED):
        raise DomainError(N_("This run has already ended."))
    run.cancel_requested = True
    if run.status == RunStatus.QUEUED:
        _finish(run, RunStatus.CANCELLED)
    session.add(run)
    session.flush()


def failures(session: Session, run: BulkRun) -> list[tuple[str, str]]:
    """(case number, reason) of every failed item."""
    rows = session.exec(
        select(Case.number, BulkRunItem.error)
        .join(Case, Case.id == BulkRunItem.case_id)
        .where(BulkRunItem.run_id == run.id, BulkRunItem.status == ItemStatus.FAILED)
        .order_by(Case.number)
    ).all()
    return [(number, error or "") for number, error in rows]


def unfinished_runs(session: Session) -> list[int]:
    stmt = select(BulkRun.id).where(BulkRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
    return list(session.exec(stmt).all())


# ---- the worker's side --------------------------------------------------------------------------


Generate = Callable[[Session, User, Case, BulkRun], GeneratedDocument]


def _finish(run: BulkRun, status: RunStatus) -> None:
    run.status = status
    run.finished_at = utcnow()


def _claim(session: Session, run_id: int, worker: str, now: datetime) -> BulkRun | None:
    """Take the run for ``worker`` unless another worker's heartbeat is fresh."""
    run = session.get(BulkRun, run_id, with_for_update=True)
    if run is None or run.status in (RunStatus.DONE, RunStatus.CANCELLED):
        return None
    fresh = run.heartbeat_at is not None and now - run.heartbeat_at < STALE_AFTER
    if run.worker not in (None, worker) and fresh and run.status == RunStatus.RUNNING:
        return None
    run.worker, run.heartbeat_at = worker, now
    if run.status == RunStatus.QUEUED:
        run.status, run.started_at = RunStatus.RUNNING, now
    session.add(run)
    return run


def process_run(
    factory: sessionmaker[Session],
    store: FileStore,
    run_id: int,
    generate: Generate,
    *,
    worker: str | None = None,
    batch: int = 50,
    stop_after: int | None = None,
) -> RunStatus | None:
    """Generate the run's pending items, one transaction each; bundle the zip at the end.

    Returns the run's status when this call returns, or None if another worker owns it.
    ``stop_after`` processes at most that many items (for tests of resuming).
    """
    worker = worker or uuid.uuid4().hex
    with factory() as session, session.begin():
        run = _claim(session, run_id, worker, utcnow())
        if run is None:
            return None
        actor_id = run.created_by_id
    try:
        status = _work(factory, store, run_id, generate, actor_id, worker, batch, stop_after)
    except BaseException:
        _release(factory, run_id, worker)  # a crash that is caught: let the next worker in
        raise
    if status == RunStatus.RUNNING:
        _release(factory, run_id, worker)  # stopped early on purpose
    return status


def _release(factory: sessionmaker[Session], run_id: int, worker: str) -> None:
    with factory() as session, session.begin():
        run = session.get(BulkRun, run_id, with_for_update=True)
        if run is not None and run.worker == worker:
            run.worker, run.heartbeat_at = None, None
            session.add(run)


def _work(
    factory: sessionmaker[Session],
    store: FileStore,
    run_id: int,
    generate: Generate,
    actor_id: int,
    worker: str,
    batch: int,
    stop_after: int | None,
) -> RunStatus:
    processed = 0
    while True:
        with factory() as session, session.begin():
            run = session.get(BulkRun, run_id, with_for_update=True)
            if run.cancel_requested:
                _finish(run, RunStatus.CANCELLED)
                session.add(run)
                pending = None
            else:
                pending = list(
                    session.exec(
                        select(BulkRunItem.id)
                        .where(
                            BulkRunItem.run_id == run_id,
                            BulkRunItem.status == ItemStatus.PENDING,
                        )
                        .order_by(BulkRunItem.id)
                        .limit(batch)
                    ).all()
                )
        if pending is None:
            return RunStatus.CANCELLED
        if not pending:
            break
        for item_id in pending:
            if stop_after is not None and processed >= stop_after:
                return RunStatus.RUNNING
            _one(factory, run_id, item_id, actor_id, generate, worker)
            processed += 1
    _bundle(factory, store, run_id)
    return RunStatus.DONE


def _one(
    factory: sessionmaker[Session],
    run_id: int,
    item_id: int,
    actor_id: int,
    generate: Generate,
    worker: str,
) -> None:
    """One item: its document and its status in one transaction (or its failure, alone)."""
    with factory() as session:
        session.info["actor_id"] = actor_id
        try:
            with session.begin():
                item = session.get(BulkRunItem, item_id, with_for_update=True)
                if item.status != ItemStatus.PENDING:
                    return  # settled meanwhile (by a previous owner of the run)
                run = session.get(BulkRun, run_id, with_for_update=True)
                actor = session.get(User, actor_id)
                case = session.get(Case, item.case_id)
                if not policies.can(actor, "case.generate_document") or not policies.may_see(
                    actor, case
                ):
                    raise PermissionDenied(N_("You are not allowed to do this."))
                document = generate(session, actor, case, run)
                item.status, item.document_id = ItemStatus.DONE, document.id
                run.done += 1
                run.heartbeat_at, run.worker = utcnow(), worker
                session.add_all([item, run])
        except (DomainError, ValidationError) as exc:
            with session.begin():
                item = session.get(BulkRunItem, item_id, with_for_update=True)
                run = session.get(BulkRun, run_id, with_for_update=True)
                item.status, item.error = ItemStatus.FAILED, _reason(exc)
                run.failed += 1
                run.heartbeat_at = utcnow()
                session.add_all([item, run])


def _reason(exc: DomainError) -> str:
    """Why an item failed, in English (a message without parameters is translated when shown)."""
    if isinstance(exc, ValidationError):
        parts = [f"{field}: {m.render()}" for field, ms in exc.errors.items() for m in ms]
        return "; ".join(parts)[:500]
    return exc.message.render()[:500]


def _bundle(factory: sessionmaker[Session], store: FileStore, run_id: int) -> None:
    """Every generated document of the run in one zip, named by case number."""
    with factory() as session, session.begin():
        run = session.get(BulkRun, run_id, with_for_update=True)
        if run.status != RunStatus.RUNNING:
            return
        rows = session.exec(
            select(Case.number, Attachment.stored_name, Attachment.original_name)
            .join(BulkRunItem, BulkRunItem.case_id == Case.id)
            .join(GeneratedDocument, GeneratedDocument.id == BulkRunItem.document_id)
            .join(Attachment, Attachment.id == GeneratedDocument.attachment_id)
            .where(BulkRunItem.run_id == run_id, BulkRunItem.status == ItemStatus.DONE)
            .order_by(Case.number)
        ).all()

        def write(fh) -> None:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as bundle:
                for _number, stored_name, original_name in rows:
                    bundle.writestr(original_name, store.read(stored_name))

        run.zip_stored_name = store.save_with(write, ZIP_TYPE).stored_name
        _finish(run, RunStatus.DONE)
        session.add(run)
