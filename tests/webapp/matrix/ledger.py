"""The ledger (``webapp/blueprints/ledger.py``): ``report.view`` is admin, legal, finance and
management; counsel get 403 (the whole book is not theirs to see)."""

from __future__ import annotations

from tests.webapp.matrix import LOGIN, NO, OK

ROWS = {
    ("GET", "/ledger"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/ledger.xlsx"): (LOGIN, OK, OK, NO, NO, OK, OK),
}
