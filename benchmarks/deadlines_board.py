"""How fast is the deadlines board? ``python benchmarks/deadlines_board.py [--cases 3000]``.

For each backend it builds a fresh database with the case list benchmark's ``populate``
(firms, legal staff, counsel, cases with 1–3 claims, 75 % of the later-stage cases engaged),
then adds what deadlines run from: key dates on the cases in litigation and enforcement
(judgments and rulings served, pre-suit preservation, performance periods, freezes),
confirmed part payments, promises to pay, joint guarantors, deadlines added by hand and
outcomes recorded for some passed deadlines.

It times ``cases.board.queries.board`` — the page — for a handler, a lead lawyer's firm and
an admin (every case), and ``cases.board.digest.due_for_digest`` (the daily digest computes
every open case once), each in a fresh session like a web request: "cold" with nothing
remembered, "warm" when the same cases' deadlines were computed by an earlier request of the
process (``queries._deadlines`` remembers them). Two baselines run in the same process: the
naive board, ``schedule.case_deadlines`` called case by case (five statements per case), and
the plain read of the same cases' rows. "× naive" is how many times faster the cold board is
than the naive loop; "× read" is the cold board's p50 over the plain read's — what computing
every deadline costs on top of merely loading the cases.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from case_list import (  # noqa: E402  (the case list benchmark's builder and timing)
    PG_URL,
    _insert,
    _ric,
    percentile,
    populate,
    postgresql_database,
    sqlite_database,
    timed,
)

import cases.models  # noqa: E402,F401  (every table)
from cases.base import today  # noqa: E402
from cases.board.digest import due_for_digest  # noqa: E402
from cases.board.models import CaseDeadline, DeadlineOutcome  # noqa: E402
from cases.board.queries import BoardFilter, board, forget_computed  # noqa: E402
from cases.db import make_engine, make_session_factory  # noqa: E402
from cases.ledger.models import Payment  # noqa: E402
from cases.migrate import upgrade  # noqa: E402
from cases.parties.models import Party  # noqa: E402
from cases.register import policies, schedule  # noqa: E402
from cases.register.keydates import KeyDate  # noqa: E402
from cases.register.models import Case, CaseGuarantor  # noqa: E402
from cases.register.stages import Stage  # noqa: E402
from cases.timeline.models import Event  # noqa: E402
from cases.users.models import User  # noqa: E402

COURT_KINDS = ("judgment_served", "ruling_served", "presuit_preservation", "performance_due")
FREEZES = ("freeze_deposit", "freeze_movable", "freeze_immovable")


def add_facts(engine: sa.Engine, seed: int) -> dict[str, int]:
    """Key dates, payments, promises, guarantors, deadlines added by hand and outcomes."""
    rng = random.Random(seed)
    now, on = datetime.now(UTC), today()
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(Case.id, Case.stage, Case.handler_id, Case.debtor_id).where(
                Case.stage != Stage.CLOSED
            )
        ).all()
        next_party = conn.execute(sa.select(sa.func.max(Party.id))).scalar_one() + 1
    key_dates, payments, events, parties, guarantors, customs, outcomes = ([] for _ in range(7))
    for case_id, stage, handler_id, _debtor in found:
        actor = handler_id or 1
        if stage in (Stage.LITIGATION, Stage.ENFORCEMENT, Stage.PRESERVATION):
            for kind in rng.sample(COURT_KINDS, rng.randint(1, 2)) + rng.sample(FREEZES, 1):
                key_dates.append(
                    {
                        "case_id": case_id,
                        "kind": kind,
                        "on": on - timedelta(days=rng.randrange(10, 900)),
                        "note": f"账户 {case_id}" if kind in FREEZES else None,
                        "created_by_id": actor,
                        "created_at": now,
                    }
                )
            customs.append(
                {
                    "case_id": case_id,
                    "title": "开庭",
                    "kind": rng.choice(("hearing", "evidence_period", "defence_period")),
                    "due_on": on + timedelta(days=rng.randrange(-30, 60)),
                    "owner_id": actor,
                    "note": "",
                    "done": rng.random() < 0.2,
                    "created_by_id": actor,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if rng.random() < 0.3:
            payments.append(
                {
                    "case_id": case_id,
                    "received_on": on - timedelta(days=rng.randrange(30, 700)),
                    "amount": "1000.00",
                    "payer": "债务人",
                    "method": "bank_transfer",
                    "status": "confirmed",
                    "confirmed_at": now,
                    "recorded_by_id": actor,
                    "recorded_at": now,
                }
            )
        if rng.random() < 0.2:
            events.append(
                {
                    "case_id": case_id,
                    "kind": "contact",
                    "occurred_at": now - timedelta(days=rng.randrange(5, 400)),
                    "summary": "电话催收",
                    "promised_amount": "5000.00",
                    "promised_date": on + timedelta(days=rng.randrange(1, 60)),
                    "actor_id": actor,
                    "recorded_at": now,
                }
            )
        if rng.random() < 0.25:
            parties.append(
                {
                    "id": next_party,
                    "kind": "person",
                    "name": f"保证人{next_party}",
                    "uscc": None,
                    "id_number": _ric(next_party, rng),
                    "created_at": now,
                }
            )
            guarantors.append({"case_id": case_id, "party_id": next_party, "kind": "joint"})
            next_party += 1
    with engine.begin() as conn:
        _insert(conn, KeyDate.__table__, key_dates)
        _insert(conn, Payment.__table__, payments)
        _insert(conn, Event.__table__, events)
        _insert(conn, Party.__table__, parties)
        _insert(conn, CaseGuarantor.__table__, guarantors)
        _insert(conn, CaseDeadline.__table__, customs)
        # legal1 becomes an admin: sees every case, owns every one
        conn.execute(sa.update(User).where(User.id == 1).values(role="admin"))
    # outcomes for a third of the computed deadlines already passed, through the board's read
    factory = make_session_factory(engine)
    with factory() as session:
        admin = session.execute(sa.select(User).where(User.id == 1)).scalar_one()
        for row in board(session, admin, BoardFilter(horizon=None), on, page_size=10**6).rows:
            if row.custom is None and row.due < on and rng.random() < 0.33:
                outcomes.append(
                    {
                        "case_id": row.case.id,
                        "deadline_kind": row.kind,
                        "due_on": row.due,
                        "subject": row.subject,
                        "outcome": "acted",
                        "note": "已办理",
                        "recorded_by_id": 1,
                        "recorded_at": now,
                    }
                )
    with engine.begin() as conn:
        _insert(conn, DeadlineOutcome.__table__, outcomes)
        if engine.dialect.name == "postgresql":
            for table in ("party",):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
    return {
        "key dates": len(key_dates),
        "payments": len(payments),
        "promises": len(events),
        "guarantors": len(guarantors),
        "added by hand": len(customs),
        "outcomes": len(outcomes),
    }


USERS = {  # label: the user's email in ``populate``
    "legal staff (own cases)": "legal7@bench.cn",
    "counsel (firm, lead rule)": "counsel3@bench.cn",
    "admin (every case)": "legal1@bench.cn",  # made an admin by add_facts
}


def measure(url: str, repeat: int) -> list[tuple[str, float, float, float, float, int]]:
    """Per request: the board's p50 cold (nothing remembered) and warm (the deadlines of the
    same cases remembered from an earlier request), the naive loop's and the plain read's."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    on = today()
    results = []

    def user(session, email: str) -> User:
        return session.execute(sa.select(User).where(User.email == email)).scalar_one()

    for label, email in USERS.items():
        shown = 0

        def run_board(email: str = email) -> None:
            nonlocal shown
            with factory() as session:
                page = board(session, user(session, email), BoardFilter(horizon=None), on)
                shown = page.total

        def run_cold() -> None:
            forget_computed()
            run_board()

        def run_naive(email: str = email) -> None:
            with factory() as session:
                actor = user(session, email)
                for case in session.execute(sa.select(Case).where(_scope(actor))).scalars():
                    schedule.case_deadlines(session, case)

        def run_read(email: str = email) -> None:
            with factory() as session:
                actor = user(session, email)
                session.execute(sa.select(Case.__table__).where(_scope(actor))).all()

        cold = percentile(timed(run_cold, repeat), 50)
        warm = percentile(timed(run_board, repeat), 50)
        naive = percentile(timed(run_naive, max(2, repeat // 3)), 50)
        read = percentile(timed(run_read, repeat), 50)
        results.append((label, cold, warm, naive, read, shown))

    rows = 0

    def run_digest() -> None:
        nonlocal rows
        forget_computed()
        with factory() as session:
            rows = len(due_for_digest(session, on).rows)

    results.append(
        ("digest (every open case)", percentile(timed(run_digest, repeat), 50), 0, 0, 0, rows)
    )
    engine.dispose()
    return results


def _scope(actor: User) -> Any:
    """The cases the naive board would read for the actor (the board's own narrowing)."""
    if actor.role == "legal":
        return sa.and_(Case.handler_id == actor.id, Case.stage != Stage.CLOSED)
    return sa.and_(policies.visible_filter(actor), Case.stage != Stage.CLOSED)


def report(backend: str, n_cases: int, build_s: float, facts: dict[str, int], results) -> None:
    built = ", ".join(f"{v:,} {k}" for k, v in facts.items())
    print(f"\n{backend}: {n_cases:,} cases (built in {build_s:.0f} s); {built}")
    print(
        f"{'request':<28} {'cold ms':>8} {'warm ms':>8} {'naive ms':>9} {'× naive':>8} "
        f"{'read ms':>8} {'× read':>7} {'deadlines':>9}"
    )

    def cell(value: float, width: int, digits: int = 1) -> str:
        return f"{value:>{width}.{digits}f}" if value else " " * width

    for label, cold, warm, naive, read, shown in results:
        print(
            f"{label:<28} {cell(cold, 8)} {cell(warm, 8)} {cell(naive, 9)} "
            f"{cell(naive / cold if naive else 0, 8)} {cell(read, 8)} "
            f"{cell(cold / read if read else 0, 7)} {shown:>9,}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=6, help="timed runs per request")
    parser.add_argument("--pg-url", default=PG_URL, help="a PostgreSQL server to create in")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        database = sqlite_database() if backend == "sqlite" else postgresql_database(args.pg_url)
        with database as url:
            start = time.perf_counter()
            upgrade(url)
            engine = make_engine(url)
            populate(engine, args.cases, args.seed)
            facts = add_facts(engine, args.seed)
            engine.dispose()
            build_s = time.perf_counter() - start
            report(backend, args.cases, build_s, facts, measure(url, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
