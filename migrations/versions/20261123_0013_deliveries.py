"""deliveries

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 20:10:00.000000+00:00

Placeholder: Proof of delivery of letters.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import cases.base  # noqa: F401

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
