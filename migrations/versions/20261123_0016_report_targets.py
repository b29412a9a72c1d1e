"""report targets

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23 22:00:00.000000+00:00

Targets per team and period (目标任务, e.g. a 百日攻坚 campaign), see
``cases/reports/targets.py``: ``report_target`` holds a name, the scope (the whole book, a
creditor with everything under it, a branch, a handler or a law firm) and its key, an
inclusive window of business dates, the metric (money recovered or cases closed) and the
amount to reach (> 0), with who created it and when. Progress is computed, never stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPES = ("book", "creditor", "branch", "handler", "firm")
METRICS = ("recovered", "closed")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
    )


def upgrade() -> None:
    op.create_table(
        "report_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", _enum(SCOPES, "target_scope"), nullable=False),
        sa.Column("scope_key", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("metric", _enum(METRICS, "target_metric"), nullable=False),
        sa.Column("target_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", cases.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cases.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("end_on >= start_on", name=op.f("ck_report_target_window_ordered")),
        sa.CheckConstraint("target_amount > 0", name=op.f("ck_report_target_amount_positive")),
        sa.CheckConstraint(
            "(scope = 'book' AND scope_key IS NULL) OR (scope != 'book' AND scope_key IS NOT NULL)",
            name=op.f("ck_report_target_scope_key_given"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_report_target_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_target")),
    )


def downgrade() -> None:
    op.drop_table("report_target")
