"""The ledger (台账) of all cases and its .xlsx export. (Issue 6; routes to come.)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ledger", __name__)
