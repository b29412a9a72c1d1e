"""A large, consistent book for the dashboard benchmark, loaded in bulk.

``build(url, cases=100_000, payments=1_000_000)`` fills a migrated, empty database with:

- 20 law firms, 40 legal staff (the handlers), a counsel per firm, finance, management and
  an admin;
- a creditor tree: three banks with four 分行 each and three 支行 under every 分行, and two
  groups with five subsidiaries each (63 entities); cases are registered mostly to the
  leaves, some to a 分行 or a head office;
- ``cases`` cases, each with its own debtor (85 % companies with a valid USCC, 15 % people
  with a valid ID number), 1–3 claims (signing and due dates over six years, principal from
  ¥3,000 to ¥30 million), a stage from a realistic mix, a handler, a firm for 75 % of the cases
  past amicable collection;
- ``payments`` payments spread over the cases (none on 30 % of them, many on a few), dated in
  the first three years after the transfer, so that about as much money comes in every
  month: 95 % confirmed by finance, 3 % still pending, 2 % rejected;
  each case's ``recovered_amount`` is the sum of its confirmed money, as
  ``register.operations.refresh_totals`` keeps it, and ``overdue_since`` follows from it;
- the timeline: every stage change along the case's path, collection contacts (some with a
  promise to pay), payment entries are left out (the figures never read them);
- write-off applications: an approved one for every written-off case (dated on the day of
  its stage change, for the principal left then and 5 % interest), and some in the works
  (draft, submitted, in review, returned) on cases in enforcement;
- recovery targets (``report_target``), when that table exists: a 100-day campaign for the
  whole book, this year's target of each bank and the quarter's of some handlers and firms.

Rows are written with PostgreSQL's ``COPY`` (psycopg) or SQLite's ``executemany`` on the
raw connection, in chunks, parents before children; every value is given as the database
stores it (dates ``YYYY-MM-DD``, naive UTC timestamps, money as decimal text), so no ORM or
type processing runs per row. Then statistics: ``VACUUM ANALYZE`` (PostgreSQL) or
``ANALYZE`` (SQLite), as autovacuum would have done. The same seed gives the same book.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from stdnum.cn import ric, uscc

from cases.base import today
from cases.db import make_engine

CHUNK = 50_000  # rows per table buffered before they are written
YEARS = 5  # cases were transferred over the last five years
PAYING_DAYS = 3 * 365  # payments come in the first three years after the transfer

STAGES = {  # stage: (weight, path of stages it went through, share of principal recovered)
    "intake": (5, (), (0.0, 0.0)),
    "collection": (22, ("collection",), (0.0, 0.5)),
    "demand_letter": (12, ("collection", "demand_letter"), (0.0, 0.5)),
    "negotiation": (10, ("collection", "demand_letter", "negotiation"), (0.05, 0.8)),
    "preservation": (5, ("collection", "preservation"), (0.0, 0.4)),
    "litigation": (17, ("collection", "demand_letter", "litigation"), (0.0, 0.6)),
    "enforcement": (15, ("collection", "demand_letter", "litigation", "enforcement"), (0.0, 0.7)),
    "closed": (10, ("collection", "demand_letter", "negotiation", "closed"), (1.0, 1.0)),
    "written_off": (
        4,
        ("collection", "demand_letter", "litigation", "enforcement", "written_off"),
        (0.0, 0.3),
    ),
}
STAGE_NAMES = {
    "collection": "友好催收",
    "demand_letter": "律师函",
    "negotiation": "还款协议",
    "preservation": "财产保全",
    "litigation": "诉讼",
    "enforcement": "执行",
    "closed": "结案",
    "written_off": "已核销",
}


def _words(text: str) -> list[str]:
    return text.split()


REGIONS = _words("上海 北京 广州 深圳 杭州 南京 苏州 成都 武汉 重庆 天津 西安 长沙 郑州 济南 青岛")
WORDS = _words("宏达 恒泰 金鑫 华盛 永安 鼎盛 远洋 新华 东方 瑞丰 盛世 中联 海纳 天成 众信 嘉禾")
TRADES = _words("建材 商贸 钢铁 物流 科技 建筑工程 食品 化工 电子 纺织 能源 医药 机械设备")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
CONTACTS = ("电话催收，债务人称资金紧张", "上门拜访，对方承诺近期还款", "短信提醒到期欠款")
METHODS = ("bank_transfer",) * 8 + ("court", "bill")

FIRMS = 20
HANDLERS = 40  # legal staff: ids 1..40
COUNSEL_BASE = 100  # counsel of firm f: id 100 + f
FINANCE, MANAGEMENT, ADMIN = (201, 202), (301, 302, 303), 400


@dataclass
class Built:
    """What was loaded, and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# ---- writing rows ---------------------------------------------------------------------------


class Writer:
    """Buffers rows per table and writes them in bulk, parents first, in one transaction."""

    ORDER = ("party", "case", "claim", "payment", "event", "writeoff_application")

    def __init__(self, engine: sa.Engine) -> None:
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        self.columns: dict[str, tuple[str, ...]] = {}
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.counts: dict[str, int] = {}
        if self.dialect == "sqlite":
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("BEGIN")

    def table(self, name: str, columns: Sequence[str]) -> None:
        self.columns[name] = tuple(columns)
        self.buffers[name] = []
        self.counts[name] = 0

    def add(self, name: str, row: tuple[Any, ...]) -> None:
        self.buffers[name].append(row)

    def done(self) -> None:
        """A case and everything of it is added: write out when a buffer is full."""
        if any(len(rows) >= CHUNK for rows in self.buffers.values()):
            self.flush()

    def write(self, name: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """A small table at once (firms, users, creditors)."""
        self.table(name, columns)
        for row in rows:
            self.buffers[name].append(row)
        self._write(name)

    def flush(self) -> None:
        for name in self.ORDER:
            if self.buffers.get(name):
                self._write(name)

    def _write(self, name: str) -> None:
        rows, columns = self.buffers[name], self.columns[name]
        quoted = ", ".join(f'"{c}"' for c in columns)
        if self.dialect == "postgresql":
            with self.cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', rows)
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        rows.clear()

    def commit(self) -> None:
        self.flush()
        if self.dialect == "postgresql":
            for name in ("law_firm", "app_user", "creditor", "party", "case"):
                self.cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT max(id) FROM "{name}"))'
                )
            self.raw.commit()
        else:
            self.cursor.execute("COMMIT")
        self.raw.close()


# ---- values as stored -----------------------------------------------------------------------


def _day_text() -> Callable[[date], str]:
    cache: dict[date, str] = {}

    def text(day: date) -> str:
        found = cache.get(day)
        if found is None:
            found = cache[day] = day.isoformat()
        return found

    return text


def _moment(day: date, minutes: int) -> str:
    """A naive UTC timestamp on ``day`` between 10:00 and 18:00 Beijing time (02:00–10:00 UTC),
    so that its business date is ``day``."""
    return f"{day.isoformat()} {2 + minutes // 60:02d}:{minutes % 60:02d}:00.000000"


def _fen(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _uscc(n: int) -> str:
    body = f"91{310000 + n % 90000:06d}{n:09d}"
    return body + uscc.calc_check_digit(body)


def _ric(n: int, rng: random.Random) -> str:
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    body = f"{310101 + n % 900:06d}{birth:%Y%m%d}{n // 900 % 1000:03d}"  # unique below 900,000
    return body + ric.calc_check_digit(body + "0")


# ---- the book -------------------------------------------------------------------------------


def _people(writer: Writer, now: str) -> None:
    writer.write(
        "law_firm",
        ("id", "name", "created_at"),
        [(f, f"{REGIONS[f % len(REGIONS)]}第{f}律师事务所", now) for f in range(1, FIRMS + 1)],
    )
    user = ("id", "email", "name", "role", "firm_id", "password_hash", "created_at", "locale")
    user += ("is_active",)
    rows = [(i, f"legal{i}@bench.cn", f"承办人{i:02d}", "legal", None) for i in range(1, 41)]
    rows += [
        (COUNSEL_BASE + f, f"counsel{f}@bench.cn", f"律师{f:02d}", "counsel", f)
        for f in range(1, FIRMS + 1)
    ]
    rows += [(i, f"finance{i}@bench.cn", f"财务{i}", "finance", None) for i in FINANCE]
    rows += [(i, f"boss{i}@bench.cn", f"管理层{i}", "management", None) for i in MANAGEMENT]
    rows += [(ADMIN, "admin@bench.cn", "管理员", "admin", None)]
    writer.write("app_user", user, [(*r, "x", now, "zh", True) for r in rows])


class Tree:
    """The creditor ids by level, and which are banks."""

    def __init__(self) -> None:
        self.roots: list[int] = []
        self.middles: list[int] = []
        self.leaves: list[int] = []
        self.banks: set[int] = set()


def _creditors(writer: Writer, now: str) -> Tree:
    """Three banks (分行, 支行) and two groups (subsidiaries)."""
    rows: list[tuple[Any, ...]] = []
    tree = Tree()
    roots, middles, leaves = tree.roots, tree.middles, tree.leaves
    next_id = 1

    def add(name: str, parent: int | None, bank: bool) -> int:
        nonlocal next_id
        rows.append((next_id, name, parent, bank, now))
        if bank:
            tree.banks.add(next_id)
        next_id += 1
        return next_id - 1

    for n, bank in enumerate(("示范银行", "城东农商银行", "海滨商业银行")):
        root = add(f"{bank}股份有限公司", None, True)
        roots.append(root)
        for city in REGIONS[4 * n : 4 * n + 4]:
            branch = add(f"{bank}{city}分行", root, True)
            middles.append(branch)
            for n in range(1, 4):
                leaves.append(add(f"{bank}{city}分行第{n}支行", branch, True))
    for group in ("示范集团", "远景控股集团"):
        root = add(f"{group}有限公司", None, False)
        roots.append(root)
        for city in REGIONS[12:16] + REGIONS[:1]:
            leaves.append(add(f"{group}{city}子公司", root, False))
    writer.write("creditor", ("id", "name", "parent_id", "is_bank", "created_at"), rows)
    return tree


CASE_COLUMNS = (
    "id",
    "number",
    "external_ref",
    "creditor_id",
    "debtor_id",
    "handler_id",
    "firm_id",
    "credit_grade",
    "risk_level",
    "stage",
    "status",
    "claimed_principal",
    "recovered_amount",
    "oldest_due_date",
    "transferred_on",
    "overdue_since",
    "last_activity_at",
    "created_by_id",
    "created_at",
    "updated_at",
    "closed_on",
)
CLAIM_COLUMNS = (
    "case_id",
    "contract_ref",
    "contract_title",
    "kind",
    "principal",
    "interest_basis",
    "signed_on",
    "due_date",
    "created_at",
)
PAYMENT_COLUMNS = (
    "case_id",
    "received_on",
    "amount",
    "payer",
    "method",
    "bank_ref",
    "recorded_by_id",
    "recorded_at",
    "status",
    "confirmed_by_id",
    "confirmed_at",
    "rejected_reason",
)
EVENT_COLUMNS = (
    "case_id",
    "kind",
    "occurred_at",
    "channel",
    "summary",
    "promised_amount",
    "promised_date",
    "actor_id",
    "from_stage",
    "to_stage",
    "recorded_at",
)
WRITEOFF_COLUMNS = (
    "case_id",
    "reason",
    "regime",
    "reason_detail",
    "status",
    "amount",
    "amount_entered",
    "computed_amount",
    "computed_on",
    "computation",
    "chain",
    "round_no",
    "version",
    "applicant_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "decided_at",
    "written_off_on",
)


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` fen in ``parts`` positive amounts (each at least 1 fen)."""
    if parts == 1:
        return [max(total, 1)]
    weights = [rng.random() + 0.2 for _ in range(parts)]
    scale = total / sum(weights)
    amounts = [max(int(w * scale), 1) for w in weights]
    amounts[-1] = max(total - sum(amounts[:-1]), 1)
    return amounts


def _payment_counts(ages: list[int], n_payments: int, rng: random.Random) -> list[int]:
    """How many payments each case gets, ``n_payments`` in all: none on 30 % of the cases, the
    others skewed, and in proportion to how long the case has been paying (its first
    ``PAYING_DAYS`` since the transfer), so that money is spread evenly over the years."""
    weights = [
        0.0 if rng.random() < 0.3 else rng.expovariate(1.0) * (min(age, PAYING_DAYS) + 1)
        for age in ages
    ]
    total = sum(weights) or 1.0
    counts = [int(w * n_payments / total) for w in weights]
    paying = [i for i, w in enumerate(weights) if w > 0] or list(range(len(ages)))
    for i in rng.choices(paying, k=n_payments - sum(counts)):
        counts[i] += 1
    return counts


def _cases(
    writer: Writer,
    n_cases: int,
    n_payments: int,
    seed: int,
    tree: Tree,
) -> None:
    rng = random.Random(seed)
    on = today()
    day = _day_text()
    stages = list(STAGES)
    stage_weights = [STAGES[s][0] for s in stages]
    ages = [rng.randrange(YEARS * 365) for _ in range(n_cases)]  # days since the transfer
    counts = _payment_counts(ages, n_payments, rng)
    numbers: dict[int, int] = {}
    bank_ref = 0
    for name, columns in (
        ("party", ("id", "kind", "name", "uscc", "id_number", "created_at")),
        ("case", CASE_COLUMNS),
        ("claim", CLAIM_COLUMNS),
        ("payment", PAYMENT_COLUMNS),
        ("event", EVENT_COLUMNS),
        ("writeoff_application", WRITEOFF_COLUMNS),
    ):
        writer.table(name, columns)

    for case_id in range(1, n_cases + 1):
        span = ages[case_id - 1]
        transferred = on - timedelta(days=span)
        created_at = _moment(transferred, rng.randrange(480))
        if rng.random() < 0.85:
            name = f"{rng.choice(REGIONS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
            if rng.random() < 0.5:
                name += f"第{case_id}分公司"
            writer.add("party", (case_id, "company", name, _uscc(case_id), None, created_at))
        else:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            writer.add("party", (case_id, "person", name, None, _ric(case_id, rng), created_at))

        stage = rng.choices(stages, weights=stage_weights)[0]
        _, path, (low, high) = STAGES[stage]
        # claims: mostly overdue when transferred, some falling due later
        claims = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            due = transferred + timedelta(days=rng.randrange(-720, 180))
            signed = due - timedelta(days=rng.randrange(30, 720))
            fen = int(10 ** rng.uniform(5.5, 9.5))  # ¥3,162 … ¥31.6 million
            claims.append((signed, due, fen))
        principal = sum(fen for _, _, fen in claims)
        oldest = min(due for _, due, _ in claims)
        handler = rng.randint(1, HANDLERS) if rng.random() < 0.95 else None
        actor = handler or ADMIN
        firm = (
            rng.randint(1, FIRMS)
            if stage not in ("intake", "collection") and rng.random() < 0.75
            else None
        )

        # the path's stage changes, spread from the transfer to today
        marks = sorted(rng.randrange(span + 1) for _ in path)
        moves = [(transferred + timedelta(days=d), s) for d, s in zip(marks, path, strict=True)]
        written_off_on = moves[-1][0] if stage == "written_off" else None
        previous = "intake"
        for moved_on, to in moves:
            when = _moment(moved_on, rng.randrange(480))
            writer.add(
                "event",
                (
                    case_id,
                    "stage_change",
                    when,
                    None,
                    STAGE_NAMES[to],
                    None,
                    None,
                    actor,
                    previous,
                    to,
                    when,
                ),
            )
            previous = to
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            contacted = transferred + timedelta(days=rng.randrange(span + 1))
            when = _moment(contacted, rng.randrange(480))
            promise = rng.random() < 0.3
            writer.add(
                "event",
                (
                    case_id,
                    "contact",
                    when,
                    "phone",
                    rng.choice(CONTACTS),
                    _fen(rng.randrange(100_000, 10_000_000)) if promise else None,
                    day(contacted + timedelta(days=30)) if promise else None,
                    actor,
                    None,
                    None,
                    when,
                ),
            )

        # payments: confirmed money recovers a share of the principal
        k = counts[case_id - 1]
        recovered = 0
        recovered_by_write_off = 0
        if k:
            share = rng.uniform(low, high) if high else rng.uniform(0.01, 0.3)
            amounts = _spread(max(int(principal * max(share, 0.01)), k), k, rng)
            window = min(span, PAYING_DAYS) + 1
            dates = sorted(transferred + timedelta(days=rng.randrange(window)) for _ in range(k))
            for received, fen in zip(dates, amounts, strict=True):
                roll = rng.random()
                status = "confirmed" if roll < 0.95 else "pending" if roll < 0.98 else "rejected"
                recorded = _moment(received, rng.randrange(480))
                bank_ref += 1
                writer.add(
                    "payment",
                    (
                        case_id,
                        day(received),
                        _fen(fen),
                        name,
                        METHODS[bank_ref % len(METHODS)],
                        f"BR{bank_ref:010d}" if bank_ref % 2 else None,
                        actor,
                        recorded,
                        status,
                        FINANCE[bank_ref % 2] if status == "confirmed" else None,
                        recorded if status == "confirmed" else None,
                        "银行流水未见此款" if status == "rejected" else None,
                    ),
                )
                if status == "confirmed":
                    recovered += fen
                    if written_off_on is not None and received < written_off_on:
                        recovered_by_write_off += fen
        last_at = max([m for m, _ in moves], default=transferred)

        year = transferred.year
        numbers[year] = numbers.get(year, 0) + 1
        roll = rng.random()
        creditor = rng.choice(
            tree.leaves if roll < 0.85 else tree.middles if roll < 0.95 else tree.roots
        )
        closed = stage == "closed"
        writer.add(
            "case",
            (
                case_id,
                f"QS-{year}-{numbers[year]:06d}",
                f"ERP-{year}-{case_id:07d}" if rng.random() < 0.6 else None,
                creditor,
                case_id,
                handler,
                firm,
                rng.choice("ABCD") if rng.random() < 0.8 else None,
                rng.choice(("high", "medium", "low", None)),
                stage,
                "closed" if closed else ("suspended" if rng.random() < 0.03 else "active"),
                _fen(principal),
                _fen(recovered),
                day(oldest),
                day(transferred),
                day(oldest) if principal > recovered else None,
                _moment(last_at, 479),
                actor,
                created_at,
                created_at,
                day(last_at) if closed else None,
            ),
        )
        for n, (signed, due, fen) in enumerate(claims, 1):
            writer.add(
                "claim",
                (
                    case_id,
                    f"HT-{case_id:07d}-{n}",
                    "购销合同",
                    "sale",
                    _fen(fen),
                    365,
                    day(signed),
                    day(due),
                    created_at,
                ),
            )

        if written_off_on is not None:
            left = max(principal - recovered_by_write_off, 1)
            amount = _fen(left + left // 20)  # the principal left and 5 % interest claimed
            decided = _moment(written_off_on, 300)
            submitted = _moment(written_off_on - timedelta(days=rng.randrange(3, 40)), 60)
            writer.add(
                "writeoff_application",
                (
                    case_id,
                    "enforcement_terminated",
                    "bank" if creditor in tree.banks else "enterprise",
                    "法院已裁定终结本次执行程序，债务人无可供执行的财产",
                    "approved",
                    amount,
                    False,
                    amount,
                    day(written_off_on),
                    "{}",
                    '["finance", "management"]',
                    1,
                    3,
                    actor,
                    submitted,
                    decided,
                    submitted,
                    decided,
                    day(written_off_on),
                ),
            )
        elif stage == "enforcement" and rng.random() < 0.05:
            status = rng.choice(("draft", "submitted", "in_review", "rejected"))
            amount = _fen(max(principal - recovered, 1))
            started = _moment(on - timedelta(days=rng.randrange(1, 60)), 60)
            writer.add(
                "writeoff_application",
                (
                    case_id,
                    "enforcement_terminated",
                    "enterprise",
                    "终结本次执行",
                    status,
                    amount,
                    False,
                    amount,
                    day(on),
                    "{}",
                    '["finance", "management"]',
                    0 if status == "draft" else 1,
                    2,
                    actor,
                    started,
                    started,
                    None if status == "draft" else started,
                    None,
                    None,
                ),
            )
        writer.done()
    writer.flush()
    writer.write(
        "case_number_counter", ("year", "last"), [(y, n) for y, n in sorted(numbers.items())]
    )


def _targets(writer: Writer, tree: Tree, now: str) -> None:
    on = today()
    quarter = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    rows = [("百日攻坚", "book", None, on - timedelta(days=60), on + timedelta(days=39), 1.6e9)]
    rows += [
        (f"{on.year}年度清收目标", "creditor", r, date(on.year, 1, 1), date(on.year, 12, 31), 4e9)
        for r in tree.roots[:3]
    ]
    rows += [
        ("季度目标", "handler", h, quarter, quarter + timedelta(days=89), 5e7) for h in range(1, 11)
    ]
    rows += [
        ("季度目标", "firm", f, quarter, quarter + timedelta(days=89), 8e7) for f in range(1, 6)
    ]
    writer.write(
        "report_target",
        (
            "name",
            "scope",
            "scope_key",
            "start_on",
            "end_on",
            "metric",
            "target_amount",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        [
            (
                name,
                scope,
                key,
                start.isoformat(),
                end.isoformat(),
                "recovered",
                f"{amount:.2f}",
                ADMIN,
                now,
                now,
            )
            for name, scope, key, start, end, amount in rows
        ],
    )


def build(url: str, n_cases: int, n_payments: int, seed: int = 2026) -> Built:
    """Fill the (migrated, empty) database at ``url``; returns the row counts and the time."""
    start = time.perf_counter()
    engine = make_engine(url)
    now = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}.000000"
    writer = Writer(engine)
    _people(writer, now)
    tree = _creditors(writer, now)
    _cases(writer, n_cases, n_payments, seed, tree)
    if "report_target" in sa.inspect(engine).get_table_names():
        _targets(writer, tree, now)
    writer.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return Built(dict(writer.counts), time.perf_counter() - start)


def size(url: str) -> tuple[int, int]:
    """(cases, payments) already in the database at ``url``; (0, 0) when it is not migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cases_n = conn.exec_driver_sql('SELECT count(*) FROM "case"').scalar_one()
            payments_n = conn.exec_driver_sql("SELECT count(*) FROM payment").scalar_one()
            return cases_n, payments_n
    except sa.exc.DBAPIError:
        return 0, 0
    finally:
        engine.dispose()
