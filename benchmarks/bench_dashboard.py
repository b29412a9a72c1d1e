"""How fast are the management view's queries at 100,000 cases and 1,000,000 payments?

``python benchmarks/bench_dashboard.py [--cases 100000] [--payments 1000000]``

For each backend it builds a book with ``book.build`` (firms, staff, a creditor tree, cases
with claims, payments, the timeline and write-off applications, loaded in bulk) into a
database of its own — a temporary SQLite file, or the database ``--pg-db`` (``qs_bench``) on
the PostgreSQL server of ``--pg-url`` — whose schema comes from the migrations, so that the
indexes are the real ones. Without ``--keep`` both are dropped at the end; with it they stay
(the SQLite file in ``--sqlite-path``) and a later run with the same size reuses them after
migrating them to head (handy to try an index: add it to a migration, run again).

Then it times every query of ``QUERIES`` — the registry below; ``@query(label)`` adds one —
``--repeat`` times after ``--warmup`` untimed runs, each run in a fresh session as a web
request would, and prints per query its p50 and p95 in milliseconds, "× base" (its p50 over
the p50 of the baseline, ``SELECT count(*) FROM payment``, measured in the same process:
comparable between machines) and the size of what it returned. The last line says PASS or
FAIL against the target: p95 under 300 ms for every query on PostgreSQL.

``--only TEXT`` times the queries whose label contains TEXT; ``--explain TEXT`` prints, for
those queries, every SQL statement they run with its plan (``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite) instead of timing them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import book  # noqa: E402  (the data generator next to this file)

import cases.models  # noqa: E402,F401  (every table)
from cases.base import today  # noqa: E402
from cases.db import make_engine, make_session_factory  # noqa: E402
from cases.migrate import upgrade  # noqa: E402
from cases.reports import figures, periods, rates  # noqa: E402
from cases.reports.dimensions import Dimension  # noqa: E402
from cases.users.models import User  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 300.0


# ---- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the queries are asked about: today, this week / month / year, a past month and
    year, and the users the ledger is read as."""

    on: date
    week: periods.Period
    month: periods.Period
    year: periods.Period
    last_month: periods.Period
    last_year: periods.Period
    admin_id: int
    legal_id: int


@dataclass(frozen=True)
class Query:
    label: str
    run: Callable[[Any, Context], Any]  # (session, context) → what the page would get
    # Held to the 300 ms target: one figure of the page. Else shown for information: a whole
    # page (many figures), or a period older than the dashboard's own.
    target: bool = True
    runs: int | None = None  # timed runs, when fewer than --repeat (a whole page)


QUERIES: list[Query] = []


def query(
    label: str, *, target: bool = True, runs: int | None = None
) -> Callable[[Callable[[Any, Context], Any]], Callable[[Any, Context], Any]]:
    """Register a dashboard query under ``label`` (the table lists them in this order)."""

    def register(run: Callable[[Any, Context], Any]) -> Callable[[Any, Context], Any]:
        QUERIES.append(Query(label, run, target, runs))
        return run

    return register


for _dimension in Dimension:
    query(f"aging by {_dimension}")(lambda s, c, d=_dimension: figures.aging(s, d, on=c.on))

query("stage funnel")(lambda s, c: figures.funnel(s))

for _kind in ("week", "month", "year"):
    query(f"recovered this {_kind}, total")(
        lambda s, c, k=_kind: figures.recovered_total(s, getattr(c, k)),
    )
    for _dimension in Dimension:
        query(f"recovered this {_kind} by {_dimension}")(
            lambda s, c, k=_kind, d=_dimension: figures.recovered(s, d, getattr(c, k)),
        )

for _kind in ("month", "year", "last_month", "last_year"):
    _name = _kind.replace("_", " ") if "last" in _kind else f"this {_kind}"
    _now = not _kind.startswith("last")
    for _rate in ("recovery", "overdue", "bad_debt"):
        query(f"{_rate.replace('_', '-')} rate, {_name}", target=_now)(
            lambda s, c, k=_kind, r=_rate: getattr(rates, f"{r}_rate")(s, getattr(c, k)),
        )
    query(f"all three rates, {_name}", target=_now)(
        lambda s, c, k=_kind: rates.rates(s, getattr(c, k)),
    )
for _dimension in (Dimension.BRANCH, Dimension.HANDLER, Dimension.FIRM):
    query(f"recovery rate by {_dimension}, this month")(
        lambda s, c, d=_dimension: rates.due_and_collected_by(s, c.month, d),
    )


def _optional() -> None:
    """The ledger (C1), rankings, targets and the whole dashboard (C2), when they exist."""
    with suppress(ImportError):
        from cases.reports.ledger import LedgerFilters, ledger_page

        def first_page(session: Any, c: Context, user_id: int, **filters: Any) -> Any:
            actor = session.get(User, user_id)
            return ledger_page(session, actor, LedgerFilters(**filters), 1, on=c.on).rows

        query("ledger, first page (admin)")(lambda s, c: first_page(s, c, c.admin_id))
        query("ledger, first page (handler)")(lambda s, c: first_page(s, c, c.legal_id))
        query("ledger, litigation, 91–180 days")(
            lambda s, c: first_page(s, c, c.admin_id, stage="litigation", aging="91-180"),
        )
        query("ledger, creditor tree 1, by balance")(
            lambda s, c: first_page(s, c, c.admin_id, creditor_id=1, sort="balance"),
        )
    with suppress(ImportError):
        from cases.reports.rankings import ranking

        for dimension in (Dimension.BRANCH, Dimension.HANDLER, Dimension.FIRM):
            query(f"ranking by {dimension}, this month")(
                lambda s, c, d=dimension: ranking(s, d, c.month),
            )
    with suppress(ImportError):
        from cases.reports.targets import progress_all, targets_during

        query("targets of this year, progress")(
            lambda s, c: progress_all(s, targets_during(s, c.year), c.on),
        )
    with suppress(ImportError):
        from cases.reports.dashboard import dashboard

        query("dashboard(), this month by creditor", target=False, runs=3)(
            lambda s, c: dashboard(s, c.month, Dimension.CREDITOR, c.on),
        )


_optional()


def context(factory: Any) -> Context:
    on = today()
    month = periods.containing("month", on)
    year = periods.containing("year", on)
    with factory() as session:
        admin_id = session.execute(sa.select(User.id).where(User.role == "admin")).scalar()
        legal_id = session.execute(
            sa.select(User.id).where(User.role == "legal").order_by(User.id)
        ).scalar()
    return Context(
        on=on,
        week=periods.containing("week", on),
        month=month,
        year=year,
        last_month=periods.containing("month", month.start - timedelta(days=1)),
        last_year=periods.containing("year", year.start - timedelta(days=1)),
        admin_id=admin_id,
        legal_id=legal_id,
    )


# ---- timing ---------------------------------------------------------------------------------


def timed(run: Callable[[], Any], repeat: int, warmup: int) -> tuple[list[float], Any]:
    result = None
    for _ in range(warmup):
        result = run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def size_of(result: Any) -> str:
    """How much came back: rows of a list or mapping, else one object."""
    if isinstance(result, (list, tuple, dict)):
        return f"{len(result):,}"
    return "1"


BASELINE = Query("baseline: count(*) FROM payment", lambda s, c: None, target=False)


@dataclass(frozen=True)
class Measured:
    query: Query
    p50: float
    p95: float
    size: str
    runs: int


def measure(url: str, queries: list[Query], repeat: int, warmup: int) -> list[Measured]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    ctx = context(factory)

    def baseline() -> int:
        with factory() as session:
            return session.execute(sa.text("SELECT count(*) FROM payment")).scalar_one()

    samples, count = timed(baseline, repeat, warmup)
    results = [Measured(BASELINE, *_stats(samples), f"{count:,}", repeat)]
    for q in queries:

        def run(q: Query = q) -> Any:
            with factory() as session:
                return q.run(session, ctx)

        runs = min(repeat, q.runs or repeat)
        samples, result = timed(run, runs, min(warmup, 1) if q.runs else warmup)
        results.append(Measured(q, *_stats(samples), size_of(result), runs))
    engine.dispose()
    return results


def _stats(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 95)


def explain(url: str, queries: list[Query]) -> None:
    """Each statement the queries run, with its plan as the database executes it."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    ctx = context(factory)
    seen: list[tuple[str, Any]] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        seen.append((statement, parameters))

    for q in queries:
        seen.clear()
        with factory() as session:
            q.run(session, ctx)
        recorded = list(seen)
        print(f"\n=== {q.label}: {len(recorded)} statement(s)")
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in recorded:
                prefix = (
                    "EXPLAIN (ANALYZE, BUFFERS) "
                    if engine.dialect.name == "postgresql"
                    else "EXPLAIN QUERY PLAN "
                )
                cursor.execute(prefix + statement, parameters)
                print(f"\n{statement}\n-- {parameters}")
                for row in cursor.fetchall():
                    print("   ", " | ".join(str(v) for v in row))
            raw.rollback()
        finally:
            raw.close()
    engine.dispose()


# ---- databases ----------------------------------------------------------------------------


@contextmanager
def sqlite_database(keep: bool, path: str | None) -> Iterator[str]:
    if keep:
        target = Path(path or Path(tempfile.gettempdir()) / "qs_bench.sqlite3")
        yield f"sqlite:///{target}"
        return
    with tempfile.TemporaryDirectory(prefix="qs_bench_") as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite3"


@contextmanager
def postgresql_database(admin_url: str, name: str, keep: bool) -> Iterator[str]:
    """The database ``name`` on the server of ``admin_url``: reused when kept, else made
    afresh and dropped at the end."""
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if exists and not keep:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def prepare(url: str, n_cases: int, n_payments: int, seed: int) -> tuple[float, str]:
    """Migrate to head; build the book unless this size is already there (a kept database).
    Returns the seconds spent and what was done."""
    start = time.perf_counter()
    found = book.size(url)
    if found == (n_cases, n_payments):
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:  # statistics for any index a new migration added
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        engine.dispose()
        return time.perf_counter() - start, "reused"
    if found != (0, 0):
        raise SystemExit(
            f"{url} holds another book ({found[0]:,} cases, {found[1]:,} payments): "
            "run without --keep once, or remove it"
        )
    upgrade(url)
    built = book.build(url, n_cases, n_payments, seed)
    counts = ", ".join(f"{n:,} {t}" for t, n in built.counts.items() if n > 100)
    return time.perf_counter() - start, f"built ({counts})"


# ---- report -------------------------------------------------------------------------------


def _pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, as terminals show them."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def server(url: str) -> str:
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar_one()
            buffers = conn.exec_driver_sql("SHOW shared_buffers").scalar_one()
            memory = conn.exec_driver_sql("SHOW work_mem").scalar_one()
        return f"PostgreSQL {version} (shared_buffers {buffers}, work_mem {memory})"
    finally:
        engine.dispose()


def report(title: str, results: list[Measured]) -> None:
    base = results[0].p50 or 1e-9
    print(f"\n{title}", flush=True)
    print(f"{'query':<46} {'p50 ms':>8} {'p95 ms':>8} {'× base':>7} {'rows':>9}")
    for r in results:
        label = r.query.label if r.query.target or r.query is BASELINE else f"({r.query.label})"
        if r.query.runs:
            label += f" ×{r.runs}"
        print(f"{_pad(label, 46)} {r.p50:>8.1f} {r.p95:>8.1f} {r.p50 / base:>7.2f} {r.size:>9}")
    print("(in brackets: shown for information, not held to the target; ×n: timed n times)")


def verdict(results: list[Measured]) -> str:
    """PASS when the p95 of every query held to the target is under it."""
    held = [r for r in results if r.query.target]
    if not held:
        return "no query held to the target was timed"
    slow = [r for r in held if r.p95 >= TARGET_MS]
    worst = max(held, key=lambda r: r.p95)
    if not slow:
        return (
            f"PASS: p95 under {TARGET_MS:.0f} ms on PostgreSQL for all {len(held)} queries "
            f"(slowest: {worst.query.label}, {worst.p95:.1f} ms)"
        )
    names = "; ".join(f"{r.query.label} {r.p95:.0f} ms" for r in slow)
    return f"FAIL: p95 at or over {TARGET_MS:.0f} ms on PostgreSQL: {names}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    parser.add_argument("--pg-url", default=PG_URL, help="a PostgreSQL server to create in")
    parser.add_argument("--pg-db", default="qs_bench", help="the database made there")
    parser.add_argument("--sqlite-path", help="the SQLite file kept with --keep")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the databases")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", default="", help="time only queries whose label has this")
    parser.add_argument("--explain", metavar="TEXT", help="print plans instead of timing")
    args = parser.parse_args(argv)
    chosen = [q for q in QUERIES if (args.explain or args.only) in q.label]
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {load}; "
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}"
    )
    pg_verdict = None
    for backend in backends:
        database = (
            sqlite_database(args.keep, args.sqlite_path)
            if backend == "sqlite"
            else postgresql_database(args.pg_url, args.pg_db, args.keep)
        )
        with database as url:
            seconds, done = prepare(url, args.cases, args.payments, args.seed)
            print(f"\n{server(url)}: {args.cases:,} cases, {args.payments:,} payments")
            print(f"{done} in {seconds:.0f} s")
            if args.explain:
                explain(url, chosen)
                continue
            results = measure(url, chosen, args.repeat, args.warmup)
            report(f"{backend}, p50/p95 of {args.repeat} runs after {args.warmup}", results)
            if backend == "postgresql" and chosen:
                pg_verdict = verdict(results)
    if pg_verdict:
        print(f"\n{pg_verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
