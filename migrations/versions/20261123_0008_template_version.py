"""template versions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 22:00:00.000000+00:00

``template_version``: a version of a shipped document template uploaded by an admin — template
name, version number (greater than every earlier one), the .docx in the file store with its
sha256 and size, a note, who uploaded it and when, and whether it is the one in use (at most
one per template: a partial unique index), see ``cases/documents/versions.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'template_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', cases.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint('size > 0', name=op.f('ck_template_version_size_positive')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'],
                                name=op.f('fk_template_version_uploaded_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_template_version')),
        sa.UniqueConstraint('name', 'version', name='uq_template_version_name_version'),
    )
    op.create_index(op.f('ix_template_version_name'), 'template_version', ['name'],
                    unique=False)
    op.create_index('uq_template_version_active', 'template_version', ['name'], unique=True,
                    sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))


def downgrade() -> None:
    op.drop_index('uq_template_version_active', table_name='template_version')
    op.drop_index(op.f('ix_template_version_name'), table_name='template_version')
    op.drop_table('template_version')
