"""deadlines board

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 20:10:00.000000+00:00

Placeholder: Deadlines board: acknowledgements, own deadlines, digests, calendar feeds.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import cases.base  # noqa: F401

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
