"""Every Alembic revision upgrades and downgrades, and head equals the models (``alembic check``).

After SecureDrop's ``securedrop/tests/test_alembic.py``: on a fresh database per backend, walk
the revisions one by one up to head, back down to base, and up again. Each downgrade must give
back exactly the schema its revision had on the way up. The revisions are read from
``migrations/versions`` at run time, so new ones are covered without touching this file.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import cases.models  # noqa: F401  (the full metadata)
from cases.db import make_engine
from cases.migrate import alembic_config
from tests.conftest import BACKENDS, _pg_database

ROOT = Path(__file__).resolve().parent.parent


def revisions() -> list[str]:
    """Revision ids from base to head."""
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path) -> Iterator[str]:
    """An empty database of its own (never the shared test database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
    else:
        yield from _pg_database()


def _triggers(conn: sa.Connection) -> list[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = (
            "SELECT DISTINCT trigger_name FROM information_schema.triggers "
            "WHERE trigger_schema = current_schema()"
        )
    return sorted(row[0] for row in conn.exec_driver_sql(sql))


def schema(engine: sa.Engine) -> dict[str, Any]:
    """A comparable picture of the schema: tables, columns, keys, indexes, checks, triggers."""
    with engine.connect() as conn:
        insp = sa.inspect(conn)
        tables: dict[str, Any] = {}
        for table in sorted(insp.get_table_names()):
            if table == "alembic_version":
                continue
            tables[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)
                ],
                "pk": insp.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted(
                    (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in insp.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                    for ix in insp.get_indexes(table)
                ),
                "uniques": sorted(
                    (uq["name"] or "", tuple(uq["column_names"]))
                    for uq in insp.get_unique_constraints(table)
                ),
                "checks": sorted(ck["name"] or "" for ck in insp.get_check_constraints(table)),
            }
        return {"tables": tables, "triggers": _triggers(conn)}


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_diff(engine: sa.Engine) -> list[Any]:
    """What ``alembic check`` would complain about: models vs. migrated schema."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_revisions_form_one_line():
    revs = revisions()
    assert revs, "no migrations found"
    files = list((ROOT / "migrations" / "versions").glob("*.py"))
    assert len(files) == len(revs), "a file in migrations/versions is not on the revision line"


def test_every_revision_upgrades_and_downgrades(fresh_url):
    config = alembic_config(fresh_url)
    engine = make_engine(fresh_url)
    try:
        assert current_revision(engine) is None
        empty = schema(engine)
        assert empty["tables"] == {}

        seen: dict[str, dict[str, Any]] = {}
        for rev in revisions():
            command.upgrade(config, rev)
            assert current_revision(engine) == rev
            seen[rev] = schema(engine)

        for rev in reversed(revisions()):
            assert current_revision(engine) == rev
            assert schema(engine) == seen[rev], f"downgrading to {rev} did not restore it"
            command.downgrade(config, "-1")
        assert current_revision(engine) is None
        assert schema(engine) == empty, "something survived downgrading to base"

        command.upgrade(config, "head")
        assert current_revision(engine) == revisions()[-1]
        assert schema(engine) == seen[revisions()[-1]]
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


# Rows in the shape of the first revision (which never changes): one of each main table.
SEED_AT_FIRST_REVISION = [
    ("law_firm", {"id": 1, "name": "北京测试律师事务所", "created_at": "2025-01-02 03:04:05"}),
    (
        "app_user",
        {
            "id": 1,
            "email": "legal@example.cn",
            "name": "法务甲",
            "role": "legal",
            "firm_id": None,
            "locale": "zh",
            "is_active": True,
            "password_hash": "scrypt:32768:8:1$x$y",
            "created_at": "2025-01-02 03:04:05",
        },
    ),
    (
        "creditor",
        {
            "id": 1,
            "name": "测试债权人有限公司",
            "is_bank": False,
            "created_at": "2025-01-02 03:04:05",
        },
    ),
    (
        "party",
        {
            "id": 1,
            "kind": "company",
            "name": "测试债务人有限公司",
            "uscc": "91110000600037341L",
            "created_at": "2025-01-02 03:04:05",
        },
    ),
    (
        "case",
        {
            "id": 1,
            "number": "QS-2025-000001",
            "creditor_id": 1,
            "debtor_id": 1,
            "firm_id": 1,
            "handler_id": 1,
            "stage": "litigation",
            "status": "active",
            "claimed_principal": "1234567.89",
            "recovered_amount": "0.01",
            "oldest_due_date": "2025-06-30",
            "created_at": "2025-01-02 03:04:05",
            "updated_at": "2025-01-02 03:04:05",
        },
    ),
    (
        "claim",
        {
            "id": 1,
            "case_id": 1,
            "contract_ref": "HT-1",
            "contract_title": "购销合同",
            "kind": "sale",
            "principal": "1234567.89",
            "interest_basis": 365,
            "due_date": "2025-06-30",
            "created_at": "2025-01-02 03:04:05",
        },
    ),
    (
        "payment",
        {
            "id": 1,
            "case_id": 1,
            "received_on": "2025-07-01",
            "amount": "0.01",
            "payer": "测试债务人有限公司",
            "method": "bank_transfer",
            "recorded_at": "2025-07-01 04:00:00",
        },
    ),
    (
        "event",
        {
            "id": 1,
            "case_id": 1,
            "kind": "contact",
            "channel": "phone",
            "occurred_at": "2025-07-01 04:00:00",
            "summary": "电话催收",
            "recorded_at": "2025-07-01 04:00:00",
        },
    ),
    (
        "audit_entry",
        {
            "id": 1,
            "at": "2025-01-02 03:04:05",
            "actor_id": 1,
            "action": "create",
            "entity": "case",
            "entity_id": 1,
            "case_id": 1,
            "changes": "{}",
        },
    ),
]


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


def _seed(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for table, row in SEED_AT_FIRST_REVISION:
            conn.execute(sa.insert(_table(table, *row)).values(**row))


def _seeded(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        counts = {
            table: conn.execute(sa.select(sa.func.count()).select_from(_table(table))).scalar_one()
            for table, _ in SEED_AT_FIRST_REVISION
        }
        claim = _table("claim", "id", "principal")
        principal = conn.execute(sa.select(claim.c.principal).where(claim.c.id == 1)).scalar_one()
    return {"counts": counts, "principal": str(principal)}


def test_migrations_keep_existing_data(fresh_url):
    """Revisions must work on a database in use, not only on an empty one."""
    config = alembic_config(fresh_url)
    engine = make_engine(fresh_url)
    first, *later = revisions()
    expected = {
        "counts": {table: 1 for table, _ in SEED_AT_FIRST_REVISION},
        "principal": "1234567.89",
    }
    try:
        command.upgrade(config, first)
        _seed(engine)
        for rev in later:
            command.upgrade(config, rev)
            assert _seeded(engine) == expected, f"data changed by {rev}"
        for rev in reversed(later):
            command.downgrade(config, "-1")
            assert _seeded(engine) == expected, f"data changed by downgrading {rev}"
        assert current_revision(engine) == first
    finally:
        engine.dispose()


def test_0003_starts_the_aging_clock_only_where_money_is_outstanding(fresh_url):
    config = alembic_config(fresh_url)
    engine = make_engine(fresh_url)
    settled = {
        **dict(SEED_AT_FIRST_REVISION)["case"],
        "id": 2,
        "number": "QS-2025-000002",
        "recovered_amount": "1234567.89",
    }
    case = _table("case", "id", "overdue_since")
    try:
        command.upgrade(config, "0002")
        _seed(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(_table("case", *settled)).values(**settled))
        command.upgrade(config, "0003")
        with engine.connect() as conn:
            since = dict(conn.execute(sa.select(case.c.id, case.c.overdue_since)).all())
    finally:
        engine.dispose()
    assert {key: str(value) if value else None for key, value in since.items()} == {
        1: "2025-06-30",
        2: None,
    }


def test_0004_seeds_the_lpr_history_from_the_bundled_csv(fresh_url):
    """RULES.md §5: a new database starts with every LPR row of ``cases/interest/lpr.csv``."""
    with (ROOT / "cases" / "interest" / "lpr.csv").open(encoding="utf-8") as fh:
        expected = [
            (row["effective_date"], Decimal(row["lpr_1y"]), Decimal(row["lpr_5y_plus"]))
            for row in csv.DictReader(fh)
        ]
    assert expected[0] == ("2019-08-20", Decimal("4.25"), Decimal("4.85"))  # first publication
    command.upgrade(alembic_config(fresh_url), "head")
    engine = make_engine(fresh_url)
    lpr = _table("lpr_rate", "effective_date", "lpr_1y", "lpr_5y", "created_by_id")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    lpr.c.effective_date, lpr.c.lpr_1y, lpr.c.lpr_5y, lpr.c.created_by_id
                ).order_by(lpr.c.effective_date)
            ).all()
    finally:
        engine.dispose()
    got = [
        (
            day.isoformat() if isinstance(day, date) else day,
            Decimal(str(one)),
            Decimal(str(five)),
        )
        for day, one, five, _by in rows
    ]
    assert got == expected
    assert {by for *_, by in rows} == {None}


def test_head_schema_has_the_audit_triggers(fresh_url):
    command.upgrade(alembic_config(fresh_url), "head")
    engine = make_engine(fresh_url)
    try:
        triggers = schema(engine)["triggers"]
    finally:
        engine.dispose()
    assert any("audit_entry" in name for name in triggers), triggers


def _flask(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QS_DATABASE_URL": url,
        "QS_ENV": "testing",
        "QS_UPLOAD_DIR": str(tmp_path / "uploads"),
        "PYTHONWARNINGS": "error",
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_flask_db_cli_upgrades_and_checks(fresh_url, tmp_path):
    """``flask --app webapp db upgrade`` then ``db check``, as an operator would run them."""
    up = _flask(fresh_url, tmp_path, "upgrade")
    assert up.returncode == 0, up.stderr
    engine = make_engine(fresh_url)
    try:
        assert current_revision(engine) == revisions()[-1]
    finally:
        engine.dispose()

    check = _flask(fresh_url, tmp_path, "check")
    assert check.returncode == 0, check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    down = _flask(fresh_url, tmp_path, "downgrade", "base")
    assert down.returncode == 0, down.stderr
    stale = _flask(fresh_url, tmp_path, "check")
    assert stale.returncode != 0, "db check passed on a database that is not at head"
