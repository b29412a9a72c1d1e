"""How fast is the case list at scale? ``python benchmarks/case_list.py [--cases 100000]``.

For each backend it builds a fresh database (a temporary SQLite file; a throw-away
PostgreSQL database ``qs_bench_<random>`` created through ``--pg-url`` and dropped at the
end), migrates it with ``cases.migrate.upgrade``, bulk-inserts realistic cases through
SQLAlchemy core (not the ORM operations: they would take an hour), and then times
``cases.register.queries.search_cases`` for typical requests of the list page.

Each request runs ``--repeat`` times (after two warm-up runs) in a fresh session, as a web
request would. The report gives p50/p95 in milliseconds and the ratio of each p50 to a
baseline measured in the same process: a plain ``SELECT … FROM case ORDER BY id LIMIT
page_size``, the cheapest page the database can serve.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from stdnum.cn import ric, uscc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cases.models  # noqa: E402,F401  (every table)
from cases.base import today  # noqa: E402
from cases.db import make_engine, make_session_factory  # noqa: E402
from cases.migrate import upgrade  # noqa: E402
from cases.parties.models import Creditor, Party  # noqa: E402
from cases.register.models import Case, CaseNumberCounter, CaseTag, Claim, Tag  # noqa: E402
from cases.register.queries import CaseQuery, search_cases  # noqa: E402
from cases.register.stages import Stage  # noqa: E402
from cases.users.models import LawFirm, Role, User  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PAGE_SIZE = 50
BATCH = 5000

STAGE_WEIGHTS = {
    Stage.INTAKE: 5,
    Stage.COLLECTION: 22,
    Stage.DEMAND_LETTER: 12,
    Stage.NEGOTIATION: 10,
    Stage.PRESERVATION: 5,
    Stage.LITIGATION: 17,
    Stage.ENFORCEMENT: 15,
    Stage.CLOSED: 10,
    Stage.WRITTEN_OFF: 4,
}
REGIONS = [
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "重庆",
    "天津",
    "西安",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "宁波",
    "厦门",
    "福州",
    "合肥",
]
WORDS = [
    "宏达",
    "恒泰",
    "金鑫",
    "华盛",
    "永安",
    "鼎盛",
    "远洋",
    "新华",
    "东方",
    "瑞丰",
    "盛世",
    "中联",
    "海纳",
    "天成",
    "众信",
    "博远",
    "嘉禾",
    "锦程",
    "润华",
    "佳兴",
    "通达",
    "银河",
]
TRADES = [
    "建材",
    "商贸",
    "钢铁",
    "物流",
    "科技",
    "建筑工程",
    "食品",
    "化工",
    "电子",
    "纺织",
    "能源",
    "医药",
    "汽车配件",
    "房地产开发",
    "农业发展",
    "机械设备",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
TAGS = [
    "重点",
    "担保",
    "抵押",
    "保全",
    "涉诉",
    "失信",
    "破产风险",
    "关联方",
    "分期",
    "大额",
    "小额",
    "外地",
    "集团客户",
    "核销候选",
    "已起诉",
]


# ---- data -----------------------------------------------------------------------------------


def _uscc(n: int) -> str:
    body = f"91{310000 + n % 90000:06d}{n:09d}"
    return body + uscc.calc_check_digit(body)


def _ric(n: int, rng: random.Random) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    body = f"{310101 + n % 900:06d}{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(round(10 ** rng.uniform(low, high), 2)).quantize(Decimal("0.01"))


def _insert(conn: sa.Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        conn.execute(sa.insert(table), rows[start : start + BATCH])


def populate(engine: sa.Engine, n_cases: int, seed: int) -> None:
    """Firms, users, creditors, tags; then ``n_cases`` debtors, cases, claims and tag links."""
    rng = random.Random(seed)
    now, on = datetime.now(UTC), today()
    with engine.begin() as conn:
        _insert(
            conn,
            LawFirm.__table__,
            [
                {"id": i, "name": f"{REGIONS[i % len(REGIONS)]}第{i}律师事务所", "created_at": now}
                for i in range(1, 21)
            ],
        )
        users = [
            {
                "id": i,
                "email": f"legal{i}@bench.cn",
                "name": f"承办人{i:02d}",
                "role": Role.LEGAL.value,
                "firm_id": None,
                "password_hash": "x",
                "created_at": now,
                "locale": "zh",
                "is_active": True,
            }
            for i in range(1, 31)
        ]
        users += [
            {
                "id": 100 + f,
                "email": f"counsel{f}@bench.cn",
                "name": f"律师{f:02d}",
                "role": Role.COUNSEL.value,
                "firm_id": f,
                "password_hash": "x",
                "created_at": now,
                "locale": "zh",
                "is_active": True,
            }
            for f in range(1, 21)
        ]
        _insert(conn, User.__table__, users)
        _insert(
            conn,
            Creditor.__table__,
            [
                {
                    "id": i,
                    "name": f"示范集团{REGIONS[i]}分公司",
                    "is_bank": i % 4 == 0,
                    "created_at": now,
                }
                for i in range(1, 13)
            ],
        )
        _insert(conn, Tag.__table__, [{"id": i, "name": name} for i, name in enumerate(TAGS, 1)])

        parties, case_rows, claims, links = [], [], [], []
        counters: dict[int, int] = {}
        claim_id = 0
        for i in range(1, n_cases + 1):
            if rng.random() < 0.85:
                name = (
                    f"{rng.choice(REGIONS)}{rng.choice(WORDS)}{rng.choice(TRADES)}"
                    f"有限公司{'' if rng.random() < 0.5 else f'第{i}分公司'}"
                )
                parties.append(
                    {
                        "id": i,
                        "kind": "company",
                        "name": name,
                        "uscc": _uscc(i),
                        "id_number": None,
                        "created_at": now,
                    }
                )
            else:
                name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
                parties.append(
                    {
                        "id": i,
                        "kind": "person",
                        "name": name,
                        "uscc": None,
                        "id_number": _ric(i, rng),
                        "created_at": now,
                    }
                )
            created = now - timedelta(days=rng.randrange(5 * 365), minutes=rng.randrange(1440))
            year = created.year
            counters[year] = counters.get(year, 0) + 1
            stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
            n_claims = rng.choice((1, 1, 1, 2, 3))
            due_dates = [on - timedelta(days=rng.randrange(-90, 6 * 365)) for _ in range(n_claims)]
            amounts = [_money(rng, 3.5, 7.5) for _ in range(n_claims)]
            principal = sum(amounts, Decimal("0.00"))
            share = 1.0 if stage == Stage.CLOSED else rng.choice((0, 0, 0, 0.1, 0.35, 0.8))
            recovered = (principal * Decimal(str(share))).quantize(Decimal("0.01"))
            engaged = stage not in (Stage.INTAKE, Stage.COLLECTION) and rng.random() < 0.75
            case_rows.append(
                {
                    "id": i,
                    "number": f"QS-{year}-{counters[year]:06d}",
                    "external_ref": f"ERP-{year}-{i:07d}" if rng.random() < 0.6 else None,
                    "creditor_id": rng.randint(1, 12),
                    "debtor_id": i,
                    "handler_id": rng.randint(1, 30) if rng.random() < 0.95 else None,
                    "firm_id": rng.randint(1, 20) if engaged else None,
                    "credit_grade": rng.choice("ABCD") if rng.random() < 0.8 else None,
                    "risk_level": rng.choice(("high", "medium", "low", None)),
                    "stage": stage.value,
                    "status": "closed"
                    if stage == Stage.CLOSED
                    else ("suspended" if rng.random() < 0.03 else "active"),
                    "claimed_principal": principal,
                    "recovered_amount": recovered,
                    "oldest_due_date": min(due_dates),
                    "transferred_on": created.date(),
                    "overdue_since": min(due_dates) if principal > recovered else None,
                    "last_activity_at": created + timedelta(days=rng.randrange(400)),
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for due, amount in zip(due_dates, amounts, strict=True):
                claim_id += 1
                claims.append(
                    {
                        "id": claim_id,
                        "case_id": i,
                        "contract_ref": f"HT-{claim_id:08d}",
                        "contract_title": "购销合同",
                        "kind": "sale",
                        "principal": amount,
                        "interest_basis": 365,
                        "due_date": due,
                        "created_at": created,
                    }
                )
            for tag_id in rng.sample(range(1, len(TAGS) + 1), rng.choice((0, 0, 1, 1, 2, 3))):
                links.append({"case_id": i, "tag_id": tag_id})
        _insert(conn, Party.__table__, parties)
        _insert(conn, Case.__table__, case_rows)
        _insert(conn, Claim.__table__, claims)
        _insert(conn, CaseTag.__table__, links)
        _insert(
            conn,
            CaseNumberCounter.__table__,
            [{"year": y, "last": last} for y, last in counters.items()],
        )
        if engine.dialect.name == "postgresql":  # ids were given explicitly
            for table in ("law_firm", "app_user", "creditor", "tag", "party", "case", "claim"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
    # What autovacuum would have done by now: statistics, and (PostgreSQL) the visibility
    # map that lets index-only scans skip the table.
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


# ---- databases ----------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="qs_bench_") as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextmanager
def postgresql_database(admin_url: str) -> Iterator[str]:
    name = f"qs_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# ---- timing -------------------------------------------------------------------------------


def requests(session_factory) -> dict[str, tuple[str, dict[str, Any]]]:
    """Typical list requests: label → (acting user's email, query parameters)."""
    with session_factory() as session:
        deep = session.execute(sa.select(sa.func.count()).select_from(Case)).scalar_one()
        q = session.execute(
            sa.select(Party.name).where(Party.kind == "company").order_by(Party.id).limit(1)
        ).scalar_one()
        identifier = session.execute(
            sa.select(Party.uscc).where(Party.uscc.is_not(None)).order_by(Party.id.desc()).limit(1)
        ).scalar_one()
    fragment = q[2:6]  # e.g. "宏达建材": a word + a trade, as someone would type it
    legal, counsel = "legal1@bench.cn", "counsel7@bench.cn"
    return {
        "no filter, page 1": (legal, {}),
        "stage = litigation": (legal, {"stage": "litigation"}),
        "overdue 91–180 days": (legal, {"aging": "91-180"}),
        "counsel, own firm": (counsel, {"firm_id": 7}),
        "counsel, other firm": (counsel, {"firm_id": 8}),
        f"search debtor “{fragment}”": (legal, {"q": fragment}),
        f"search debtor “{fragment[:2]}” (2 chars)": (legal, {"q": fragment[:2]}),
        "search USCC": (legal, {"q": identifier}),
        "tag = 保全": (legal, {"tag": "保全"}),
        "sort outstanding desc": (legal, {"sort": "outstanding", "order": "desc"}),
        "sort overdue, stage filter": (legal, {"sort": "overdue", "stage": "enforcement"}),
        "sort last activity": (legal, {"sort": "last_activity"}),
        "deep page (80%)": (legal, {"page": max(1, deep * 8 // 10 // PAGE_SIZE)}),
    }


def timed(run: Callable[[], Any], repeat: int) -> list[float]:
    for _ in range(2):
        run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def measure(url: str, repeat: int) -> list[tuple[str, float, float, int]]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    on = today()

    def baseline() -> None:
        with factory() as session:
            session.execute(sa.select(Case.__table__).order_by(Case.id).limit(PAGE_SIZE)).all()

    results = [("baseline: ORDER BY id LIMIT 50", *_stats(timed(baseline, repeat)), PAGE_SIZE)]
    for label, (email, params) in requests(factory).items():
        query = CaseQuery(page_size=PAGE_SIZE, **params)
        total = 0

        def run(email: str = email, query: CaseQuery = query) -> None:
            nonlocal total
            with factory() as session:
                actor = session.execute(sa.select(User).where(User.email == email)).scalar_one()
                total = search_cases(session, actor, query, on=on).total

        results.append((label, *_stats(timed(run, repeat)), total))
    engine.dispose()
    return results


def _stats(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 95)


def _pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, as terminals show them."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def report(
    backend: str, n_cases: int, build_s: float, results: list[tuple[str, float, float, int]]
) -> None:
    base = results[0][1]
    print(f"\n{backend}: {n_cases:,} cases (built in {build_s:.0f} s)")
    print(f"{'request':<34} {'p50 ms':>8} {'p95 ms':>8} {'× base':>7} {'matches':>8}")
    for label, p50, p95, total in results:
        print(f"{_pad(label, 34)} {p50:>8.1f} {p95:>8.1f} {p50 / base:>7.1f} {total:>8,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per request")
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
            engine.dispose()
            build_s = time.perf_counter() - start
            report(backend, args.cases, build_s, measure(url, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
