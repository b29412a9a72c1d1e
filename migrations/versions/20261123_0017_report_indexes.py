"""report indexes

Indexes for the management view at scale (issue 6), measured with
``benchmarks/bench_dashboard.py`` (100,000 cases, 1,000,000 payments; see README):

- ``ix_payment_status_received`` (status, received_on, case_id, amount): the money of a
  period — recovered this week / month / year, by any grouping, and the rates' payments from
  a day on — is a range of this index read alone (an index-only scan on PostgreSQL, a
  covering index on SQLite), never the payment table;
- ``ix_claim_due_case`` (due_date, case_id, principal, signed_on): the claims not yet due at
  the end of a period (``cases.reports.rates._late``), read from the index alone.

Both are declared on the models (``Payment``, ``Claim``) as well.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23 22:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_payment_status_received",
        "payment",
        ["status", "received_on", "case_id", "amount"],
        unique=False,
    )
    op.create_index(
        "ix_claim_due_case",
        "claim",
        ["due_date", "case_id", "principal", "signed_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_claim_due_case", table_name="claim")
    op.drop_index("ix_payment_status_received", table_name="payment")
