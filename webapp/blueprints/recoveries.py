"""Recoveries reported and confirmed, fee requests and their settlement."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("recoveries", __name__)
