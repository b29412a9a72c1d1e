"""lpr rate

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00.000000+00:00

The LPR (贷款市场报价利率) table that interest computations read, seeded with the published
history bundled as ``cases/interest/lpr.csv`` (change points only: a rate holds until the next
row). The seed is read with the ``csv`` module here rather than through the application's
parser, so that later changes to that code cannot change what this revision does; it inserts
whatever rows the bundled file holds when the revision runs, with ``created_by_id`` NULL
(seeded, not entered by a user) and without audit entries. Later rows are added by an admin
(``cases.interest.lpr.add_rate``). Downgrading drops the table with every row in it.
"""

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _bundled_rows() -> list[dict]:
    text = resources.files("cases.interest").joinpath("lpr.csv").read_text(encoding="utf-8")
    now = datetime.now(UTC)
    rows = []
    for record in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        if not (record.get("effective_date") or "").strip():
            continue
        five = record["lpr_5y"] if "lpr_5y" in record else record["lpr_5y_plus"]
        rows.append({
            "effective_date": date.fromisoformat(record["effective_date"].strip()),
            "lpr_1y": Decimal(record["lpr_1y"].strip()),
            "lpr_5y": Decimal(five.strip()),
            "created_at": now,
            "created_by_id": None,
        })
    return rows


def upgrade() -> None:
    lpr_rate = op.create_table('lpr_rate',
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('lpr_1y', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('lpr_5y', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('lpr_1y > 0 AND lpr_1y < 100', name=op.f('ck_lpr_rate_lpr_1y_range')),
    sa.CheckConstraint('lpr_5y > 0 AND lpr_5y < 100', name=op.f('ck_lpr_rate_lpr_5y_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_lpr_rate_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lpr_rate')),
    sa.UniqueConstraint('effective_date', name=op.f('uq_lpr_rate_effective_date'))
    )
    op.bulk_insert(lpr_rate, _bundled_rows())


def downgrade() -> None:
    op.drop_table('lpr_rate')
