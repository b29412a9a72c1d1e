"""The write-off packet: one PDF and a zip with the evidence files. (Issue 6; routes to come.)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("packets", __name__)
