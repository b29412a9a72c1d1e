"""firm portal

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 20:10:00.000000+00:00

``event`` gains the progress ``step`` (filing, hearing, judgment served, … enforcement
terminated; rows already logged as progress become ``other``), the court's case number
``court_case_no`` (案号) and ``seized_asset`` (what a preservation measure or an enforcement
seizure froze); ``attachment`` gains ``doc_type`` (filing, ruling, evidence, receipt, other),
see ``cases/portal/steps.py``.

``case_message``: the message thread between the legal department and the engaged firm on a
case (one per case and firm) with a read marker per side, see ``cases/portal/models.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cases.base

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS = ('filing', 'hearing', 'judgment_served', 'ruling_served', 'mediation',
         'preservation_applied', 'preservation_ruling', 'preservation_measures',
         'enforcement_applied', 'enforcement_docketed', 'enforcement_seizure',
         'enforcement_auction', 'enforcement_money', 'enforcement_terminated', 'other')
SEIZED = ('deposits', 'movables', 'immovables')
DOC_TYPES = ('filing', 'ruling', 'evidence', 'receipt', 'other')


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.Enum(*STEPS, name='progress_step', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('court_case_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('seized_asset', sa.Enum(*SEIZED, name='seized_asset', native_enum=False, create_constraint=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_step'), ['step'], unique=False)
    event = sa.table('event', sa.column('kind'), sa.column('step'))
    op.execute(event.update().where(event.c.kind == 'progress').values(step='other'))

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_type', sa.Enum(*DOC_TYPES, name='document_type', native_enum=False, create_constraint=True), nullable=True))

    op.create_table('case_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('legal', 'firm', name='message_side', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', cases.base.UTCDateTime(), nullable=False),
    sa.Column('read_by_firm_at', cases.base.UTCDateTime(), nullable=True),
    sa.Column('read_by_legal_at', cases.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("read_by_firm_at IS NOT NULL OR side != 'firm'", name=op.f('ck_case_message_firm_reads_its_own')),
    sa.CheckConstraint("read_by_legal_at IS NOT NULL OR side != 'legal'", name=op.f('ck_case_message_legal_reads_its_own')),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_case_message_author_id_app_user')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_message_case_id_case')),
    sa.ForeignKeyConstraint(['firm_id'], ['law_firm.id'], name=op.f('fk_case_message_firm_id_law_firm')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_message'))
    )
    with op.batch_alter_table('case_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_message_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index('ix_case_message_thread', ['case_id', 'firm_id', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_message', schema=None) as batch_op:
        batch_op.drop_index('ix_case_message_thread')
        batch_op.drop_index(batch_op.f('ix_case_message_firm_id'))
    op.drop_table('case_message')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachment_document_type'), type_='check')
        batch_op.drop_column('doc_type')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_step'))
        batch_op.drop_constraint(batch_op.f('ck_event_seized_asset'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_event_progress_step'), type_='check')
        batch_op.drop_column('seized_asset')
        batch_op.drop_column('court_case_no')
        batch_op.drop_column('step')
