"""recoveries and fees

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 20:10:00.000000+00:00

Placeholder: Payment confirmation by finance and fee requests.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import cases.base  # noqa: F401

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
