"""generated documents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:00:00.000000+00:00

``generated_document``: each document generated from a template for a case — template name and
version, revision (1, 2, … per case and template; never overwritten), the context it was filled
with as JSON, and the attachment(s) holding the .docx (and PDF), see
``cases/documents/archive.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'generated_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('template_version', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('context', sa.JSON(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.Column('pdf_attachment_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'],
                                name=op.f('fk_generated_document_case_id_case')),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'],
                                name=op.f('fk_generated_document_attachment_id_attachment')),
        sa.ForeignKeyConstraint(['pdf_attachment_id'], ['attachment.id'],
                                name=op.f('fk_generated_document_pdf_attachment_id_attachment')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_generated_document_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_generated_document')),
        sa.UniqueConstraint('case_id', 'template', 'revision', name='uq_generated_revision'),
    )
    op.create_index(op.f('ix_generated_document_case_id'), 'generated_document', ['case_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_generated_document_case_id'), table_name='generated_document')
    op.drop_table('generated_document')
