"""The firms' portal: progress steps, case messages, firm scorecards."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__)
