"""The deadlines board, daily digest and calendar feeds."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("board", __name__)
