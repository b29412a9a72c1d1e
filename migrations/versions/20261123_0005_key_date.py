"""key dates of a case

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:00:00.000000+00:00

``key_date``: the legal dates a case's deadlines run from (demand delivered, judgment
served, performance period ended, deposits frozen …), see ``cases/register/keydates.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    'demand_delivered', 'debtor_acknowledged', 'suit_filed', 'enforcement_applied',
    'presuit_preservation', 'judgment_served', 'ruling_served', 'payment_order_served',
    'performance_due', 'freeze_deposit', 'freeze_movable', 'freeze_immovable',
)


def upgrade() -> None:
    op.create_table(
        'key_date',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='key_date_kind', native_enum=False,
                                  create_constraint=True, length=20), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_key_date_case_id_case')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_key_date_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_date')),
    )
    op.create_index('ix_key_date_case_kind', 'key_date', ['case_id', 'kind'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_key_date_case_kind', table_name='key_date')
    op.drop_table('key_date')
