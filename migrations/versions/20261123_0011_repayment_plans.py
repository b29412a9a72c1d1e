"""repayment plans

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 20:10:00.000000+00:00

Placeholder: Repayment plans, installments and promises to pay.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import cases.base  # noqa: F401

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
