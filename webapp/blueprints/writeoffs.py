"""Write-off applications (核销): drafting, evidence, submission, the approval queue and the
approval page. (Issue 6; routes to come.)
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("writeoffs", __name__)
