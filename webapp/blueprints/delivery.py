"""Proof of delivery of letters, one at a time or from a courier's file."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("delivery", __name__)
