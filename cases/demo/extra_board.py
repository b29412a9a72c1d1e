"""Demo data of the board area, added after the demo cases are loaded."""

from __future__ import annotations

import random

from sqlmodel import Session

from cases.users.models import User


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    """Placeholder until the area's demo data is written."""
