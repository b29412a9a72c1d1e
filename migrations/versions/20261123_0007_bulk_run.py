"""bulk runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 21:00:00.000000+00:00

``bulk_run`` (one template over many cases, run by the job queue) and ``bulk_run_item`` (one
per case: pending → done with its generated document, or failed with the reason), see
``cases/documents/bulk.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'bulk_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('template_version', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'cancelled',
                                    name='bulk_run_status', native_enum=False,
                                    create_constraint=True, length=9), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.Column('worker', sa.String(length=40), nullable=True),
        sa.Column('heartbeat_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('zip_stored_name', sa.String(length=80), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('started_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('finished_at', cases.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_bulk_run_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_run')),
    )
    op.create_table(
        'bulk_run_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'done', 'failed', name='bulk_item_status',
                                    native_enum=False, create_constraint=True, length=7),
                  nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['bulk_run.id'],
                                name=op.f('fk_bulk_run_item_run_id_bulk_run')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'],
                                name=op.f('fk_bulk_run_item_case_id_case')),
        sa.ForeignKeyConstraint(['document_id'], ['generated_document.id'],
                                name=op.f('fk_bulk_run_item_document_id_generated_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_run_item')),
        sa.UniqueConstraint('run_id', 'case_id', name='uq_bulk_run_item'),
    )
    op.create_index('ix_bulk_run_item_run_status', 'bulk_run_item', ['run_id', 'status'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_bulk_run_item_run_status', table_name='bulk_run_item')
    op.drop_table('bulk_run_item')
    op.drop_table('bulk_run')
