"""The dashboard benchmark keeps working: a small run on each backend prints its table.

Timings are not tested here (``benchmarks/bench_dashboard.py`` measures them against a
baseline of the same run); the book it builds is checked for the invariants the figures rely
on, since a benchmark over an inconsistent book would time the wrong thing.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from cases.db import make_engine
from cases.migrate import upgrade
from tests.conftest import BACKENDS, PG_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


bench = _load("bench_dashboard")
book = sys.modules["book"]  # imported by the benchmark from its own folder


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_small_run_prints_every_query_and_a_verdict(backend, capsys):
    name = f"qs_bench_smoke_{uuid.uuid4().hex[:8]}"
    args = ["--backend", backend, "--cases", "300", "--payments", "3000"]
    args += ["--repeat", "2", "--warmup", "0", "--pg-url", PG_ADMIN_URL, "--pg-db", name]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    assert "300 cases, 3,000 payments" in out
    for column in ("p50 ms", "p95 ms", "× base", "rows"):
        assert column in out
    assert "baseline: count(*) FROM payment" in out
    for query in bench.QUERIES:
        assert query.label in out
    if backend == "postgresql":
        assert "PASS: " in out or "FAIL: " in out
        engine = make_engine(PG_ADMIN_URL)  # dropped at the end (no --keep)
        with engine.connect() as conn:
            left = conn.execute(
                sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar_one()
        engine.dispose()
        assert left == 0


def test_the_book_holds_the_invariants_the_figures_rely_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'book.sqlite3'}"
    upgrade(url)
    built = book.build(url, 400, 4000, seed=7)
    assert (built.counts["case"], built.counts["payment"]) == (400, 4000)
    engine = make_engine(url)
    with engine.connect() as conn:

        def one(sql: str) -> int:
            return conn.exec_driver_sql(sql).scalar_one()

        # refresh_totals' columns: principal and confirmed money as the rows say
        assert not one(
            'SELECT count(*) FROM "case" c WHERE abs(c.claimed_principal - '
            "(SELECT sum(principal) FROM claim WHERE case_id = c.id)) > 0.001"
        )
        assert not one(
            'SELECT count(*) FROM "case" c WHERE abs(c.recovered_amount - coalesce((SELECT '
            "sum(amount) FROM payment WHERE case_id = c.id AND status = 'confirmed'), 0)) > 0.001"
        )
        assert not one(
            'SELECT count(*) FROM "case" c WHERE c.oldest_due_date != '
            "(SELECT min(due_date) FROM claim WHERE case_id = c.id)"
        )
        assert not one(
            'SELECT count(*) FROM "case" WHERE (overdue_since IS NULL) != '
            "(recovered_amount >= claimed_principal)"
        )
        # claims signed before they fall due; nothing received in the future
        assert not one("SELECT count(*) FROM claim WHERE signed_on > due_date")
        latest = conn.execute(sa.text("SELECT max(received_on) FROM payment")).scalar_one()
        assert str(latest) <= str(bench.today())
        # a written-off case has its approved application, and an approved one its case
        assert not one(
            "SELECT count(*) FROM \"case\" c WHERE (c.stage = 'written_off') != EXISTS (SELECT 1 "
            "FROM writeoff_application w WHERE w.case_id = c.id AND w.status = 'approved')"
        )
        assert one("SELECT count(DISTINCT parent_id) FROM creditor") > 3  # a tree
    engine.dispose()
