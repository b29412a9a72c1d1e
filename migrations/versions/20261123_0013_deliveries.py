"""deliveries

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 20:10:00.000000+00:00

``delivery``: a demand letter posted to the debtor — the generated letter (or another
document's title), the bulk run it came from, carrier and tracking number (unique per
carrier), the day it was sent — and its outcome: signed for (with the signer), refused or
returned, on a day, with the receipt (an attachment), the DEMAND_DELIVERED key date it recorded
(set to NULL if that key date is removed by hand) and its two timeline entries, see
``cases/delivery/models.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('carrier', sa.Enum('ems', 'sf', 'jd', 'zto', 'other', name='delivery_carrier',
                                     native_enum=False, create_constraint=True), nullable=False),
        sa.Column('tracking_no', sa.String(length=40), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('sent', 'delivered', 'refused', 'returned',
                                    name='delivery_status', native_enum=False,
                                    create_constraint=True), nullable=False),
        sa.Column('outcome_on', sa.Date(), nullable=True),
        sa.Column('signer', sa.String(length=100), nullable=True),
        sa.Column('outcome_note', sa.String(length=500), nullable=True),
        sa.Column('receipt_id', sa.Integer(), nullable=True),
        sa.Column('key_date_id', sa.Integer(), nullable=True),
        sa.Column('sent_event_id', sa.Integer(), nullable=True),
        sa.Column('outcome_event_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('outcome_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome_at', cases.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("(status = 'sent') = (outcome_on IS NULL)",
                           name=op.f('ck_delivery_outcome_dated')),
        sa.CheckConstraint("status != 'delivered' OR signer IS NOT NULL",
                           name=op.f('ck_delivery_signed_by_someone')),
        sa.CheckConstraint('outcome_on IS NULL OR outcome_on >= sent_on',
                           name=op.f('ck_delivery_outcome_after_sent')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_delivery_case_id_case')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_delivery_created_by_id_app_user')),
        sa.ForeignKeyConstraint(['document_id'], ['generated_document.id'],
                                name=op.f('fk_delivery_document_id_generated_document')),
        sa.ForeignKeyConstraint(['key_date_id'], ['key_date.id'],
                                name=op.f('fk_delivery_key_date_id_key_date'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['outcome_by_id'], ['app_user.id'],
                                name=op.f('fk_delivery_outcome_by_id_app_user')),
        sa.ForeignKeyConstraint(['outcome_event_id'], ['event.id'],
                                name=op.f('fk_delivery_outcome_event_id_event')),
        sa.ForeignKeyConstraint(['receipt_id'], ['attachment.id'],
                                name=op.f('fk_delivery_receipt_id_attachment')),
        sa.ForeignKeyConstraint(['run_id'], ['bulk_run.id'],
                                name=op.f('fk_delivery_run_id_bulk_run')),
        sa.ForeignKeyConstraint(['sent_event_id'], ['event.id'],
                                name=op.f('fk_delivery_sent_event_id_event')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
        sa.UniqueConstraint('carrier', 'tracking_no', name='uq_delivery_carrier_tracking'),
    )
    op.create_index(op.f('ix_delivery_case_id'), 'delivery', ['case_id'], unique=False)
    op.create_index(op.f('ix_delivery_run_id'), 'delivery', ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_delivery_run_id'), table_name='delivery')
    op.drop_index(op.f('ix_delivery_case_id'), table_name='delivery')
    op.drop_table('delivery')
