"""payment case index covers the rates

``ix_payment_case_received`` (case_id, received_on) gains ``status`` and ``amount``: the
money of the few cases the rates read one by one (``cases.reports.rates``: a claim still to
fall due, or paid beyond the principal) is then a handful of index-only lookups per case
instead of a pass over every payment of the period (``benchmarks/bench_dashboard.py``: the
rates of a year at 100,000 cases and 1,000,000 payments). Its leading columns are unchanged,
so a case's payments by date still come from it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24 09:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_payment_case_received", table_name="payment")
    op.create_index(
        "ix_payment_case_received",
        "payment",
        ["case_id", "received_on", "status", "amount"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_payment_case_received", table_name="payment")
    op.create_index(
        "ix_payment_case_received", "payment", ["case_id", "received_on"], unique=False
    )
