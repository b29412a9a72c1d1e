"""Demo data of the reports area (issue 6; to come)."""

from __future__ import annotations

import random

from sqlmodel import Session

from cases.users.models import User


def seed(session: Session, rng: random.Random, users: dict[str, User]) -> None:
    """Nothing yet."""
