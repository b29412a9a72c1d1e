"""The management view: aging, funnel, recovered money, rates, targets, rankings, charts and
the monthly PDF report. (Issue 6; routes to come.)
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
