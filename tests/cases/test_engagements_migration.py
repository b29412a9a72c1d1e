"""Migration 0009: every case already assigned to a firm gets an active engagement, so that
"the firm of a case is that of its live engagement" holds for the data in use."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import command

from cases.db import make_engine
from cases.migrate import alembic_config
from tests.test_migrations import SEED_AT_FIRST_REVISION, _seed, _table, fresh_url  # noqa: F401

UNASSIGNED = {
    **dict(SEED_AT_FIRST_REVISION)["case"],
    "id": 2,
    "number": "QS-2025-000002",
    "firm_id": None,
}
COLUMNS = (
    "case_id",
    "firm_id",
    "status",
    "fee_kind",
    "fee_terms",
    "terms_pending",
    "scope_litigation",
    "claim_amount",
    "starts_on",
    "lead_lawyer_id",
)


def test_0009_engages_the_firms_cases_already_have(fresh_url):  # noqa: F811
    config = alembic_config(fresh_url)
    engine = make_engine(fresh_url)
    try:
        command.upgrade(config, "0008")
        _seed(engine)  # case 1 assigned to firm 1
        with engine.begin() as conn:
            conn.execute(sa.insert(_table("case", *UNASSIGNED)).values(**UNASSIGNED))
        command.upgrade(config, "0009")
        columns = [sa.column(c, sa.JSON() if c == "fee_terms" else None) for c in COLUMNS]
        with engine.connect() as conn:
            rows = conn.execute(sa.select(*columns).select_from(sa.table("engagement"))).all()
        command.downgrade(config, "0008")  # and back: the engagements go with the table
        with engine.connect() as conn:
            assert "engagement" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
    assert len(rows) == 1
    row = rows[0]._mapping
    assert (row["case_id"], row["firm_id"], row["status"]) == (1, 1, "active")
    assert (row["fee_kind"], row["fee_terms"], bool(row["terms_pending"])) == (
        "fixed",
        {"amount": "0"},
        True,
    )
    assert bool(row["scope_litigation"])
    assert Decimal(str(row["claim_amount"])) == Decimal("1234567.89")
    assert str(row["starts_on"])[:10] == "2025-01-02"  # no transfer date: the creation date
    assert row["lead_lawyer_id"] is None
