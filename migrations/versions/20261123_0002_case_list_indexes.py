"""case list indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:20:00.000000+00:00

For the case list at 100,000 cases (see benchmarks/README.md):

- ``ix_case_number_id``: deep pages in the default order (case number) read the index
  alone instead of one table row per skipped case;
- ``ix_case_search_trgm`` and ``ix_party_name_trgm``: substring search of case numbers,
  external references and debtor names. On PostgreSQL they are GIN trigram indexes
  (``pg_trgm``, a trusted extension since PostgreSQL 13: the database owner may create it);
  SQLite has no such index type and gets plain indexes of the same names, so that the
  schema matches the models on both.

Downgrading drops the indexes and leaves the ``pg_trgm`` extension installed (it may be
shared with other schemas in the same database).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_case_number_id", "case", ["number", "id"], unique=False)
    op.create_index(
        "ix_case_search_trgm", "case", ["number", "external_ref"], unique=False,
        postgresql_using="gin",
        postgresql_ops={"number": "gin_trgm_ops", "external_ref": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_party_name_trgm", "party", ["name"], unique=False,
        postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_party_name_trgm", table_name="party")
    op.drop_index("ix_case_search_trgm", table_name="case")
    op.drop_index("ix_case_number_id", table_name="case")
