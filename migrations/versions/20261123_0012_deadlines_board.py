"""deadlines board

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 20:10:00.000000+00:00

The deadlines board, see ``cases/board/models.py``:

- ``case_deadline``: deadlines added by hand on a case (hearing, evidence period 举证期限,
  defence period 答辩期, a period set by the court, other) with due date, owner, note, done;
- ``deadline_outcome``: what happened about a deadline once it came due — the deadline's
  identity (case, kind, due date, subject; or the ``case_deadline`` row for one added by
  hand), the outcome (done in time / missed / no longer needed), a note, who and when; one
  per deadline (a partial unique index for computed deadlines, a unique row reference for
  the others);
- ``notification``: in-app messages (the daily digest), one digest per user and day;
- ``calendar_feed``: a user's secret calendar URL (SHA-256 of the token only), at most one
  live per user (a partial unique index);
- ``digest_run``: the days the daily digest was made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_DEADLINE_KINDS = ('hearing', 'evidence_period', 'defence_period', 'court_set', 'other')
OUTCOMES = ('acted', 'missed', 'not_needed')
NOTIFICATION_KINDS = ('digest',)


def upgrade() -> None:
    op.create_table(
        'case_deadline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum(*CASE_DEADLINE_KINDS, name='case_deadline_kind',
                                  native_enum=False, create_constraint=True, length=15),
                  nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('updated_at', cases.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'],
                                name=op.f('fk_case_deadline_case_id_case')),
        sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'],
                                name=op.f('fk_case_deadline_owner_id_app_user')),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_case_deadline_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_deadline')),
    )
    op.create_index(op.f('ix_case_deadline_case_id'), 'case_deadline', ['case_id'], unique=False)
    op.create_index(op.f('ix_case_deadline_owner_id'), 'case_deadline', ['owner_id'],
                    unique=False)

    op.create_table(
        'deadline_outcome',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('deadline_kind', sa.String(length=40), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('case_deadline_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.Enum(*OUTCOMES, name='deadline_outcome_kind', native_enum=False,
                                     create_constraint=True, length=10), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', cases.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("(case_deadline_id IS NOT NULL) = (deadline_kind = 'custom')",
                           name=op.f('ck_deadline_outcome_custom_names_its_row')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'],
                                name=op.f('fk_deadline_outcome_case_id_case')),
        sa.ForeignKeyConstraint(['case_deadline_id'], ['case_deadline.id'],
                                name=op.f('fk_deadline_outcome_case_deadline_id_case_deadline')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'],
                                name=op.f('fk_deadline_outcome_recorded_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_outcome')),
        sa.UniqueConstraint('case_deadline_id', name='uq_deadline_outcome_case_deadline_id'),
    )
    op.create_index(op.f('ix_deadline_outcome_case_id'), 'deadline_outcome', ['case_id'],
                    unique=False)
    op.create_index('uq_deadline_outcome_identity', 'deadline_outcome',
                    ['case_id', 'deadline_kind', 'due_on', 'subject'], unique=True,
                    sqlite_where=sa.text('case_deadline_id IS NULL'),
                    postgresql_where=sa.text('case_deadline_id IS NULL'))

    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*NOTIFICATION_KINDS, name='notification_kind',
                                  native_enum=False, create_constraint=True, length=6),
                  nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('read_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('emailed_at', cases.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_notification_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('user_id', 'kind', 'day', name='uq_notification_user_kind_day'),
    )
    op.create_index(op.f('ix_notification_user_id'), 'notification', ['user_id'], unique=False)

    op.create_table(
        'calendar_feed',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('last_used_at', cases.base.UTCDateTime(), nullable=True),
        sa.Column('revoked_at', cases.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_calendar_feed_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash')),
    )
    op.create_index(op.f('ix_calendar_feed_user_id'), 'calendar_feed', ['user_id'], unique=False)
    op.create_index('uq_calendar_feed_live_user', 'calendar_feed', ['user_id'], unique=True,
                    sqlite_where=sa.text('revoked_at IS NULL'),
                    postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table(
        'digest_run',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('ran_at', cases.base.UTCDateTime(), nullable=False),
        sa.Column('notifications', sa.Integer(), nullable=False),
        sa.Column('emails', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_digest_run')),
    )


def downgrade() -> None:
    op.drop_table('digest_run')
    op.drop_index('uq_calendar_feed_live_user', table_name='calendar_feed')
    op.drop_index(op.f('ix_calendar_feed_user_id'), table_name='calendar_feed')
    op.drop_table('calendar_feed')
    op.drop_index(op.f('ix_notification_user_id'), table_name='notification')
    op.drop_table('notification')
    op.drop_index('uq_deadline_outcome_identity', table_name='deadline_outcome')
    op.drop_index(op.f('ix_deadline_outcome_case_id'), table_name='deadline_outcome')
    op.drop_table('deadline_outcome')
    op.drop_index(op.f('ix_case_deadline_owner_id'), table_name='case_deadline')
    op.drop_index(op.f('ix_case_deadline_case_id'), table_name='case_deadline')
    op.drop_table('case_deadline')
