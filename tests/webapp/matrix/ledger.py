"""The ledger (``webapp/blueprints/ledger.py``): ``report.view`` is admin, legal, finance and
management; counsel get 403 (the whole book is not theirs to see). An export made in the
background is seen only by whoever asked for it (here management): anyone else gets 404."""

from __future__ import annotations

from cases.base import today
from cases.reports.ledger import LedgerFilters
from cases.reports.ledger_exports import XLSX, ExportStatus, start_export
from tests.webapp.matrix import HIDDEN, LOGIN, NO, OK

ROWS = {
    ("GET", "/ledger"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/ledger.xlsx"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/ledger/exports/<int:export_id>"): (LOGIN, HIDDEN, HIDDEN, NO, NO, HIDDEN, OK),
    ("GET", "/ledger/exports/<int:export_id>/progress"): (
        LOGIN,
        HIDDEN,
        HIDDEN,
        NO,
        NO,
        HIDDEN,
        OK,
    ),
    ("GET", "/ledger/exports/<int:export_id>/download"): (
        LOGIN,
        HIDDEN,
        HIDDEN,
        NO,
        NO,
        HIDDEN,
        OK,
    ),
}


def setup(app, session, world) -> dict[str, int]:
    """A finished export of management's, its workbook in the file store."""
    job = start_export(
        session, world.users["management"], LedgerFilters(), on=today(), locale="zh", total=1
    )
    stored = app.extensions["qingshou_files"].save(b"PK\x05\x06" + b"\x00" * 18, XLSX)
    job.status, job.stored_name, job.done = ExportStatus.DONE, stored.stored_name, 1
    session.add(job)
    return {"export_id": job.id}
