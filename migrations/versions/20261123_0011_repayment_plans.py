"""repayment plans

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 20:10:00.000000+00:00

Repayment plans (还款协议) and promises to pay, see ``cases/plans``:

- ``repayment_plan``: the agreement (a generated 还款协议 or an uploaded file), signing date,
  acceleration basis, interest and penalty waivers with their approver (required by a check
  when anything is waived), the stored state (active / accelerated / cancelled) with the
  acceleration's date and balance and the cancellation's reason;
- ``plan_installment``: due date and amount (> 0) per installment, numbered within the plan;
- ``promise``: one promised payment of a contact record (``event``), with its place in a
  repeating series and an explicit follow-up note once broken.

Statuses (paid, missed, kept, broken …) are computed from confirmed payments, not stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cases.base

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'repayment_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('agreement_no', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('attachment_id', sa.Integer(), nullable=True),
        sa.Column('acceleration_basis',
                  sa.Enum('clause', 'sale', 'none', name='acceleration_basis',
                          native_enum=False, create_constraint=True),
                  nullable=False),
        sa.Column('interest_waived', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('penalty_waived', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('waiver_approved_by_id', sa.Integer(), nullable=True),
        sa.Column('waiver_note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column('state',
                  sa.Enum('active', 'accelerated', 'cancelled', name='plan_state',
                          native_enum=False, create_constraint=True),
                  nullable=False),
        sa.Column('accelerated_on', sa.Date(), nullable=True),
        sa.Column('accelerated_balance', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('accelerated_demand_on', sa.Date(), nullable=True),
        sa.Column('accelerated_note', sqlmodel.sql.sqltypes.AutoString(length=1000),
                  nullable=True),
        sa.Column('accelerated_by_id', sa.Integer(), nullable=True),
        sa.Column('accelerated_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.Column('cancelled_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('updated_at', cases.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state != 'accelerated' OR (accelerated_on IS NOT NULL "
            "AND accelerated_balance IS NOT NULL)",
            name=op.f('ck_repayment_plan_accelerated_has_date')),
        sa.CheckConstraint("state != 'cancelled' OR cancel_reason IS NOT NULL",
                           name=op.f('ck_repayment_plan_cancelled_has_reason')),
        sa.CheckConstraint(
            '(interest_waived = 0 AND penalty_waived = 0) OR waiver_approved_by_id IS NOT NULL',
            name=op.f('ck_repayment_plan_waiver_approved')),
        sa.CheckConstraint('interest_waived >= 0 AND penalty_waived >= 0',
                           name=op.f('ck_repayment_plan_waivers_not_negative')),
        sa.ForeignKeyConstraint(['accelerated_by_id'], ['app_user.id'],
                                name=op.f('fk_repayment_plan_accelerated_by_id_app_user')),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'],
                                name=op.f('fk_repayment_plan_attachment_id_attachment')),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['app_user.id'],
                                name=op.f('fk_repayment_plan_cancelled_by_id_app_user')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'],
                                name=op.f('fk_repayment_plan_case_id_case')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_repayment_plan_created_by_id_app_user')),
        sa.ForeignKeyConstraint(['document_id'], ['generated_document.id'],
                                name=op.f('fk_repayment_plan_document_id_generated_document')),
        sa.ForeignKeyConstraint(['waiver_approved_by_id'], ['app_user.id'],
                                name=op.f('fk_repayment_plan_waiver_approved_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_repayment_plan')),
    )
    op.create_index(op.f('ix_repayment_plan_case_id'), 'repayment_plan', ['case_id'],
                    unique=False)
    op.create_index(op.f('ix_repayment_plan_state'), 'repayment_plan', ['state'], unique=False)
    op.create_table(
        'plan_installment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('no', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_plan_installment_amount_positive')),
        sa.CheckConstraint('no > 0', name=op.f('ck_plan_installment_no_positive')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'],
                                name=op.f('fk_plan_installment_case_id_case')),
        sa.ForeignKeyConstraint(['plan_id'], ['repayment_plan.id'],
                                name=op.f('fk_plan_installment_plan_id_repayment_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_installment')),
        sa.UniqueConstraint('plan_id', 'no', name='uq_plan_installment_plan_no'),
    )
    op.create_index(op.f('ix_plan_installment_case_id'), 'plan_installment', ['case_id'],
                    unique=False)
    op.create_index(op.f('ix_plan_installment_plan_id'), 'plan_installment', ['plan_id'],
                    unique=False)
    op.create_table(
        'promise',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('made_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('times', sa.Integer(), nullable=False),
        sa.Column('repeat',
                  sa.Enum('weekly', 'monthly', name='promise_repeat', native_enum=False,
                          create_constraint=True),
                  nullable=True),
        sa.Column('resolution_note', sqlmodel.sql.sqltypes.AutoString(length=1000),
                  nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_promise_amount_positive')),
        sa.CheckConstraint('resolved_at IS NULL OR resolution_note IS NOT NULL',
                           name=op.f('ck_promise_resolution_has_note')),
        sa.CheckConstraint('seq > 0 AND seq <= times', name=op.f('ck_promise_seq_in_series')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_promise_case_id_case')),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'],
                                name=op.f('fk_promise_event_id_event')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['app_user.id'],
                                name=op.f('fk_promise_resolved_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_promise')),
        sa.UniqueConstraint('event_id', 'seq', name='uq_promise_event_seq'),
    )
    op.create_index('ix_promise_case_due', 'promise', ['case_id', 'due_on'], unique=False)
    op.create_index(op.f('ix_promise_event_id'), 'promise', ['event_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_promise_event_id'), table_name='promise')
    op.drop_index('ix_promise_case_due', table_name='promise')
    op.drop_table('promise')
    op.drop_index(op.f('ix_plan_installment_plan_id'), table_name='plan_installment')
    op.drop_index(op.f('ix_plan_installment_case_id'), table_name='plan_installment')
    op.drop_table('plan_installment')
    op.drop_index(op.f('ix_repayment_plan_state'), table_name='repayment_plan')
    op.drop_index(op.f('ix_repayment_plan_case_id'), table_name='repayment_plan')
    op.drop_table('repayment_plan')
