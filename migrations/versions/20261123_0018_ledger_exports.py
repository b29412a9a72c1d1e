"""ledger exports

``ledger_export_job`` (``cases/reports/ledger_exports.py``): a ledger .xlsx export too big to
make in a request (more than ``QS_LEDGER_EXPORT_SYNC_LIMIT`` rows), made by the job queue —
who asked (``created_by_id``), the filters with the sort, the as-of day, the language and the
filters in words; the status (queued → running → done / failed; done → expired once its file
is removed after 7 days), rows done of the total, the stored file, the worker holding it and
its heartbeat (one worker at a time, as for bulk runs).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-23 23:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "done", "failed", "expired")


def upgrade() -> None:
    op.create_table(
        "ledger_export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES,
                name="ledger_export_status",
                native_enum=False,
                create_constraint=True,
                length=max(len(v) for v in STATUSES),
            ),
            nullable=False,
        ),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("filters_text", sa.String(length=2000), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("stored_name", sa.String(length=80), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("worker", sa.String(length=40), nullable=True),
        sa.Column("heartbeat_at", cases.base.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", cases.base.UTCDateTime(), nullable=False),
        sa.Column("started_at", cases.base.UTCDateTime(), nullable=True),
        sa.Column("finished_at", cases.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_ledger_export_job_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_export_job")),
    )
    op.create_index(
        op.f("ix_ledger_export_job_created_by_id"),
        "ledger_export_job",
        ["created_by_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_export_job_created_by_id"), table_name="ledger_export_job")
    op.drop_table("ledger_export_job")
