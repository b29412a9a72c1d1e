"""case overdue_since

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:00:00.000000+00:00

Overdue days and aging buckets now count from ``case.overdue_since``: the oldest due date
while any principal is outstanding, NULL once it is all recovered, so a settled case is no
longer listed as years overdue. ``oldest_due_date`` stays as the plain fact about the claims
and loses its index; the stage-and-aging index moves to the new column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('case', sa.Column('overdue_since', sa.Date(), nullable=True))
    op.drop_index('ix_case_stage_due', table_name='case')
    op.drop_index(op.f('ix_case_oldest_due_date'), table_name='case')
    case = sa.table('case', sa.column('oldest_due_date', sa.Date()),
                    sa.column('overdue_since', sa.Date()),
                    sa.column('claimed_principal', sa.Numeric(14, 2)),
                    sa.column('recovered_amount', sa.Numeric(14, 2)))
    op.execute(case.update()
               .where(case.c.claimed_principal > case.c.recovered_amount)
               .values(overdue_since=case.c.oldest_due_date))
    op.create_index(op.f('ix_case_overdue_since'), 'case', ['overdue_since'], unique=False)
    op.create_index('ix_case_stage_overdue', 'case', ['stage', 'overdue_since'], unique=False)


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch "move and copy" of the table
    # would trip the foreign keys that point at it.
    op.drop_index('ix_case_stage_overdue', table_name='case')
    op.drop_index(op.f('ix_case_overdue_since'), table_name='case')
    op.create_index(op.f('ix_case_oldest_due_date'), 'case', ['oldest_due_date'], unique=False)
    op.create_index('ix_case_stage_due', 'case', ['stage', 'oldest_due_date'], unique=False)
    op.drop_column('case', 'overdue_since')
