"""recoveries and fees

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 20:10:00.000000+00:00

``payment``: one live payment per bank reference across all cases (a partial unique index on
``bank_ref`` where the payment is not rejected); checks that an asset taken in settlement
(以物抵债) is described, that a rejection has its reason and that a confirmation is dated.
Rows recorded before confirmation existed (confirmed by 0009) are dated by their recording
time; an in-kind payment recorded without a description gets its note (or a placeholder).
Duplicate bank references already recorded stop the upgrade with a list to clear up first:
which of two payments is the real one is for finance to say, not for a migration.

``fee_request`` (a firm's fee request: engagement, firm, status, fee asked, expenses, the
computation as JSON, who requested / approved / rejected / paid it and when, the payment's
date and reference) and ``fee_expense`` (expense items with a receipt attachment), see
``cases/settlement/models.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cases.base

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_DESCRIPTION = '以物抵债（资产说明功能上线前登记，未记载资产）'


def _refuse_duplicate_bank_refs(conn: sa.Connection) -> None:
    payment = sa.table('payment', sa.column('id'), sa.column('case_id'), sa.column('bank_ref'),
                       sa.column('status'))
    live = sa.and_(payment.c.bank_ref.is_not(None), payment.c.status != 'rejected')
    dupes = conn.execute(
        sa.select(payment.c.bank_ref).where(live).group_by(payment.c.bank_ref)
        .having(sa.func.count() > 1)
    ).scalars().all()
    if dupes:
        rows = conn.execute(
            sa.select(payment.c.id, payment.c.case_id, payment.c.bank_ref)
            .where(live, payment.c.bank_ref.in_(dupes)).order_by(payment.c.bank_ref, payment.c.id)
        ).all()
        listing = '; '.join(f'{r.bank_ref}: payment {r.id} on case {r.case_id}' for r in rows)
        raise RuntimeError(
            'Payments share a bank reference; reject or correct all but one of each before '
            f'upgrading: {listing}'
        )


def _backfill_payments(conn: sa.Connection) -> None:
    payment = sa.table('payment', sa.column('status'), sa.column('method'),
                       sa.column('note'), sa.column('asset_description'),
                       sa.column('confirmed_at', cases.base.UTCDateTime()),
                       sa.column('recorded_at', cases.base.UTCDateTime()))
    conn.execute(
        payment.update()
        .where(payment.c.status == 'confirmed', payment.c.confirmed_at.is_(None))
        .values(confirmed_at=payment.c.recorded_at)
    )
    conn.execute(
        payment.update()
        .where(payment.c.method == 'in_kind', payment.c.asset_description.is_(None))
        .values(asset_description=sa.func.coalesce(payment.c.note, NO_DESCRIPTION))
    )


def upgrade() -> None:
    conn = op.get_bind()
    _refuse_duplicate_bank_refs(conn)
    _backfill_payments(conn)
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_payment_in_kind_described'),
            "method != 'in_kind' OR asset_description IS NOT NULL",
        )
        batch_op.create_check_constraint(
            op.f('ck_payment_rejection_has_reason'),
            "status != 'rejected' OR rejected_reason IS NOT NULL",
        )
        batch_op.create_check_constraint(
            op.f('ck_payment_confirmation_dated'),
            "status != 'confirmed' OR confirmed_at IS NOT NULL",
        )
        batch_op.create_index('uq_payment_bank_ref_live', ['bank_ref'], unique=True,
                              sqlite_where=sa.text("status != 'rejected'"),
                              postgresql_where=sa.text("status != 'rejected'"))

    op.create_table(
        'fee_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('engagement_id', sa.Integer(), nullable=False),
        sa.Column('firm_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('requested', 'approved', 'rejected', 'paid',
                                    name='fee_request_status', native_enum=False,
                                    create_constraint=True), nullable=False),
        sa.Column('fee_amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('expenses_amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('computation', sa.JSON(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('rejected_by_id', sa.Integer(), nullable=True),
        sa.Column('rejected_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000),
                  nullable=True),
        sa.Column('paid_by_id', sa.Integer(), nullable=True),
        sa.Column('paid_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('paid_reference', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.CheckConstraint("status != 'paid' OR (paid_on IS NOT NULL AND paid_reference IS NOT NULL)",
                           name=op.f('ck_fee_request_payment_recorded')),
        sa.CheckConstraint("status != 'rejected' OR rejection_reason IS NOT NULL",
                           name=op.f('ck_fee_request_rejection_has_reason')),
        sa.CheckConstraint("status NOT IN ('approved', 'paid') OR approved_at IS NOT NULL",
                           name=op.f('ck_fee_request_approval_dated')),
        sa.CheckConstraint('expenses_amount >= 0',
                           name=op.f('ck_fee_request_expenses_non_negative')),
        sa.CheckConstraint('fee_amount + expenses_amount > 0',
                           name=op.f('ck_fee_request_asks_for_something')),
        sa.CheckConstraint('fee_amount >= 0', name=op.f('ck_fee_request_fee_non_negative')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'],
                                name=op.f('fk_fee_request_approved_by_id_app_user')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_fee_request_case_id_case')),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'],
                                name=op.f('fk_fee_request_engagement_id_engagement')),
        sa.ForeignKeyConstraint(['firm_id'], ['law_firm.id'],
                                name=op.f('fk_fee_request_firm_id_law_firm')),
        sa.ForeignKeyConstraint(['paid_by_id'], ['app_user.id'],
                                name=op.f('fk_fee_request_paid_by_id_app_user')),
        sa.ForeignKeyConstraint(['rejected_by_id'], ['app_user.id'],
                                name=op.f('fk_fee_request_rejected_by_id_app_user')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['app_user.id'],
                                name=op.f('fk_fee_request_requested_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_request')),
    )
    with op.batch_alter_table('fee_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_request_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_request_engagement_id'), ['engagement_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_fee_request_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_request_status'), ['status'], unique=False)

    op.create_table(
        'fee_expense',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('fee_request_id', sa.Integer(), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('spent_on', sa.Date(), nullable=False),
        sa.Column('receipt_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_fee_expense_amount_positive')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_fee_expense_case_id_case')),
        sa.ForeignKeyConstraint(['fee_request_id'], ['fee_request.id'],
                                name=op.f('fk_fee_expense_fee_request_id_fee_request')),
        sa.ForeignKeyConstraint(['receipt_id'], ['attachment.id'],
                                name=op.f('fk_fee_expense_receipt_id_attachment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_expense')),
    )
    with op.batch_alter_table('fee_expense', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_expense_fee_request_id'), ['fee_request_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fee_expense', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_expense_fee_request_id'))
    op.drop_table('fee_expense')
    with op.batch_alter_table('fee_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_request_status'))
        batch_op.drop_index(batch_op.f('ix_fee_request_firm_id'))
        batch_op.drop_index(batch_op.f('ix_fee_request_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_fee_request_case_id'))
    op.drop_table('fee_request')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_bank_ref_live',
                            sqlite_where=sa.text("status != 'rejected'"),
                            postgresql_where=sa.text("status != 'rejected'"))
        batch_op.drop_constraint(op.f('ck_payment_confirmation_dated'), type_='check')
        batch_op.drop_constraint(op.f('ck_payment_rejection_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_payment_in_kind_described'), type_='check')
