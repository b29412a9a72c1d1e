"""firm portal

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 20:10:00.000000+00:00

Placeholder: Firm portal: progress steps and case messages.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import cases.base  # noqa: F401

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
