"""The rates of seed 004 (《关于客户欠款管理办法》 六、考核与奖惩 (一) 考核指标), per period:

    2. 客户欠款回收率 = (本期收回欠款金额 / 本期到期应收欠款金额) × 100%
    3. 逾期率 = (逾期欠款金额 / 期末应收欠款金额) × 100%
    4. 坏账率 = (本期核销坏账金额 / 本期期末应收欠款余额) × 100%

How each amount is read from the book (principal only, as the product's balances are):

- a claim is receivable (应收) from its signing date (its due date when that is unknown) and
  becomes due (到期) on its due date; a claim due on a day is due — and overdue, 0 days — on
  that day, as in the aging buckets (``cases.register.aging``);
- money (收回) is confirmed payments only (``CONFIRMED``), by the date received; like
  ``Case.recovered_amount`` it reduces a case's principal, the oldest due first, and never
  below nothing;
- a case written off (核销: the final approval of its write-off application) leaves the books
  on the application's ``written_off_on`` business date for good (账销案存): money received on
  it afterwards is recovery of written-off debt, not of receivables; the amount written off
  is the approved application's ``amount`` (the principal outstanding and the interest
  claimed on the day, or the smaller amount the applicant entered and explained).

So, for a period from S to E:

- 本期到期应收欠款金额: per case on the books at S (not written off before S), principal due
  by E less money received before S — what was there to collect: the overdue balance at the
  start plus what fell due;
- 本期收回欠款金额: money received from S to E on those cases (a case written off during
  the period stays in both: its balance was there to collect at S);
- 期末应收欠款(余额): per case on the books at the end of E (not written off by E), principal
  receivable by E less money received by E; 逾期欠款金额: the same for principal due by E;
- 本期核销坏账金额: the amounts of the applications approved with a write-off date from S
  to E (business dates: an approval at 23:30 Beijing time on 31 March is March's).

Each rate is a percentage rounded once, half-up, to 0.01 percent; ``None`` when the
denominator is nothing (no rate can be given). Each comes as a ``Figure`` with its inputs.

Reading it fast (100,000 cases, a million payments: ``benchmarks/bench_dashboard.py``). Read
case by case, each amount is a pass over every claim and every payment, grouped by case. The
same amounts come from much less (``amounts``: three passes):

- ``Case.claimed_principal`` and ``Case.recovered_amount`` are each case's principal and
  confirmed money (``register.operations.refresh_totals`` keeps them), so only some payments
  are read: those received from S on — the money before S is the rest of what was recovered
  — or, for a period long past, those received up to E (``_recent`` picks the fewer);
- a claim is signed no later than it falls due (``ClaimCreate``), so only the claims not yet
  due at E are read (``_late``): every other one is due and receivable by then;
- an *ordinary* case — no claim still to fall due at E, money not beyond its principal — is
  never clamped at nothing (its money up to any day is at most its principal): its amounts
  are sums of columns, taken for all ordinary cases at once in one pass over ``case`` and one
  over the payments read, without grouping by case (``ix_payment_status_received`` holds
  everything that pass reads);
- the other cases (a claim still to fall due, or overpaid — a few in a hundred) are computed
  one by one as above from their own payments (``ix_payment_case_received`` holds those), and
  for the overpaid ones, whose payments the pass over the payments read as well, what it
  added is taken back.

Per creditor, branch, handler or firm, each pass groups by the case's column
(``dimensions.column``); creditors are rolled up to the top of their tree afterwards.

Hand-worked tests and a comparison with a case-by-case reading of a random book, both ways of
reading, every kind of period, per group (``tests/cases/test_reports_rates.py``) hold the
fast reading to the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.errors import N_
from cases.figures import Figure, Step, Unit
from cases.ledger.models import CONFIRMED, Payment
from cases.register.models import Case, Claim
from cases.reports.dimensions import Dimension, column, key_of
from cases.reports.figures import ZERO, money
from cases.reports.periods import Period
from cases.writeoffs.models import WriteOffApplication, WriteOffStatus

PERCENT_QUANTUM = Decimal("0.01")
SOURCE = "《关于客户欠款管理办法》六(一)"  # seed 004
RECOVERY_RULE = f"{SOURCE}2 客户欠款回收率=(本期收回欠款金额/本期到期应收欠款金额)×100%"
OVERDUE_RULE = f"{SOURCE}3 逾期率=(逾期欠款金额/期末应收欠款金额)×100%"
BAD_DEBT_RULE = f"{SOURCE}4 坏账率=(本期核销坏账金额/本期期末应收欠款余额)×100%"

NO_DENOMINATOR = N_("Nothing to divide by in this period: no rate")
APPROVED = WriteOffApplication.status == WriteOffStatus.APPROVED  # a write-off in force


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part ÷ whole × 100`` half-up to 0.01 percent (one rounding); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_UP)


def _positive(expr: Any) -> sa.ColumnElement[Any]:
    return sa.case((expr > 0, expr), else_=0)


def written_off_through(day: date) -> sa.Select[Any]:
    """Cases written off on or before ``day`` (an approved application's ``written_off_on``):
    off the books from that day on."""
    return sa.select(WriteOffApplication.case_id).where(
        APPROVED, WriteOffApplication.written_off_on <= day
    )


def _late(end: date) -> sa.CTE:
    """Per case with claims not yet due at the end of ``end``: their principal (``not_due``)
    and that of those not yet signed then either (``not_arisen``). A claim is signed no later
    than it falls due (``ClaimCreate``), so every other claim is due — and receivable — by
    then."""
    not_signed = sa.or_(Claim.signed_on.is_(None), Claim.signed_on > end)
    return (
        sa.select(
            Claim.case_id,
            sa.func.sum(Claim.principal).label("not_due"),
            sa.func.sum(sa.case((not_signed, Claim.principal), else_=0)).label("not_arisen"),
        )
        .where(Claim.due_date > end)
        .group_by(Claim.case_id)
        .cte("late")
    )


# Cases whose money exceeds their principal: the only ones without a claim still to fall due
# whose principal less money can go below nothing (money up to any day is at most all of it).
# Written with ``overdue_since`` (None exactly when the money reaches the principal, as
# ``register.operations.refresh_totals`` keeps it; indexed) so that the planner sees how few
# they are.
OVERPAID = sa.and_(Case.overdue_since.is_(None), Case.recovered_amount > Case.claimed_principal)
# Something is due when the principal due is at least a fen: amounts are whole fen, but SQLite
# sums NUMERIC as REAL, where a difference that is nothing can come out as 1e-11.
HALF_FEN = Decimal("0.005")


@dataclass(frozen=True)
class Amounts:
    """The four amounts of a period (see the module docstring)."""

    due: Decimal = ZERO  # 本期到期应收欠款金额
    collected: Decimal = ZERO  # 本期收回欠款金额
    receivable: Decimal = ZERO  # 期末应收欠款金额
    overdue: Decimal = ZERO  # 逾期欠款金额


def _grouped(stmt: sa.Select[Any], dimension: Dimension | None) -> sa.Select[Any]:
    """``stmt`` (over ``case``) with the column of ``dimension`` as its last column, grouped
    by it (creditors are rolled up to the top of their tree afterwards: ``key_of``); the key
    None (one row) without a dimension."""
    if dimension is None:
        return stmt.add_columns(sa.null().label("key"))
    key = column(dimension)
    return stmt.add_columns(key.label("key")).group_by(key)


def _on_books_at(day: date) -> sa.ColumnElement[bool]:
    """The case is not written off before ``day``."""
    return Case.id.not_in(written_off_through(day - timedelta(days=1)))


Four = tuple[Any, Any, Any, Any]  # (due, collected, receivable, overdue)
# A statement, and how the amounts it returns (before its key) add to the four
Query = tuple[sa.Select[Any], Callable[..., Four]]


def _since_during_after(since: Decimal, during: Decimal, after: Decimal) -> Four:
    return since, during, after, after


def _before_during_by_end(before: Decimal, during: Decimal, by_end: Decimal) -> Four:
    return -before, during, -by_end, -by_end


@dataclass(frozen=True)
class _Reading:
    """How the amounts of ``period`` are read: the claims not yet due at E (``late``), and
    the confirmed payments read one by one — those from S on (``recent``), else those up to
    E; a case's other money is its ``recovered_amount`` less them."""

    period: Period
    late: sa.CTE
    recent: bool

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def window(self) -> sa.ColumnElement[bool]:
        if self.recent:
            return Payment.received_on >= self.start
        return Payment.received_on <= self.end

    def read(self, before: Any, during: Any, after: Any, at_end: Any) -> Four:
        """What the payments read add to the four amounts of an ordinary case, given its
        money before S, from S to E and after E (only the read ones are used)."""
        if self.recent:  # principal − recovered + money since S; + money after E
            after_on_books = sa.case((at_end, after), else_=0)
            return (during + after, during, after_on_books, after_on_books)
        by_end = sa.case((at_end, before + during), else_=0)  # principal − money by E
        return (-before, during, -by_end, -by_end)

    def ordinary(self, dimension: Dimension | None) -> Query:
        """The ordinary cases — no claim still to fall due at E, money not beyond the principal
        — in one lean pass over ``case``: the part of their amounts not in the payments."""
        base = Case.claimed_principal
        if self.recent:
            base = base - Case.recovered_amount
        at_end = sa.case((_on_books_at(self.end + timedelta(days=1)), base), else_=0)
        stmt = (
            sa.select(sa.func.sum(base), sa.func.sum(at_end))
            .select_from(Case)
            .where(
                Case.id.not_in(sa.select(self.late.c.case_id)),
                sa.not_(OVERPAID),
                _on_books_at(self.start),
            )
        )
        return _grouped(stmt, dimension), lambda base, at_end: (base, ZERO, at_end, at_end)

    def payments(self, dimension: Dimension | None) -> Query:
        """One pass over the payments read (``ix_payment_status_received`` holds all it
        needs) of the cases without claims still to fall due."""
        amount, on = Payment.amount, Payment.received_on
        on_books = Payment.case_id.not_in(written_off_through(self.end))  # at the end of E
        if self.recent:  # money since S, from S to E, after E
            sums = (
                amount,
                sa.case((on <= self.end, amount), else_=0),
                sa.case((sa.and_(on > self.end, on_books), amount), else_=0),
            )
        else:  # money before S, from S to E, by E
            sums = (
                sa.case((on < self.start, amount), else_=0),
                sa.case((on >= self.start, amount), else_=0),
                sa.case((on_books, amount), else_=0),
            )
        stmt = (
            sa.select(*(sa.func.sum(x) for x in sums))
            .select_from(Payment)
            .where(
                CONFIRMED,
                self.window,
                Payment.case_id.not_in(sa.select(self.late.c.case_id)),
                Payment.case_id.not_in(written_off_through(self.start - timedelta(days=1))),
            )
        )
        if dimension is not None:
            stmt = stmt.join(Case, Case.id == Payment.case_id)
        if self.recent:
            return _grouped(stmt, dimension), _since_during_after
        return _grouped(stmt, dimension), _before_during_by_end

    def others(self, dimension: Dimension | None) -> Query:
        """The other cases — with a claim still to fall due at E, or overpaid — one by one as
        the rule says, from their own payments read; for the overpaid ones without late
        claims, whose payments ``payments`` reads as well, less what it adds."""
        start, end, late = self.start, self.end, self.late
        odd = sa.union(sa.select(late.c.case_id), sa.select(Case.id).where(OVERPAID)).subquery(
            "odd"
        )
        on = Payment.received_on
        paid = (
            sa.select(
                Payment.case_id,
                sa.func.sum(sa.case((on < start, Payment.amount), else_=0)).label("before"),
                sa.func.sum(sa.case((on > end, Payment.amount), else_=0)).label("after"),
                sa.func.sum(Payment.amount).label("read"),
            )
            .select_from(odd)
            .join(Payment, Payment.case_id == odd.c.case_id)
            .where(CONFIRMED, self.window)
            .group_by(Payment.case_id)
            .subquery("paid")
        )
        claimed, recovered = Case.claimed_principal, Case.recovered_amount
        read = sa.func.coalesce(paid.c.read, 0)
        if self.recent:
            after = sa.func.coalesce(paid.c.after, 0)
            during = read - after
            before = recovered - read
        else:
            before = sa.func.coalesce(paid.c.before, 0)
            during = read - before
            after = recovered - read
        by_end = before + during  # money received by E
        due = claimed - sa.func.coalesce(late.c.not_due, 0)  # principal due by E
        arisen = claimed - sa.func.coalesce(late.c.not_arisen, 0)  # principal receivable by E
        at_end = _on_books_at(end + timedelta(days=1))
        exact = (
            sa.case((due > HALF_FEN, _positive(due - before)), else_=0),
            sa.case((due > HALF_FEN, during), else_=0),
            sa.case((at_end, _positive(arisen - by_end)), else_=0),
            sa.case((at_end, _positive(due - by_end)), else_=0),
        )
        counted = late.c.case_id.is_(None)  # in ``payments`` too
        already = self.read(before, during, after, at_end)
        stmt = (
            sa.select(
                *(
                    sa.func.sum(x - sa.case((counted, y), else_=0))
                    for x, y in zip(exact, already, strict=True)
                )
            )
            .select_from(odd)
            .join(Case, Case.id == odd.c.case_id)
            .outerjoin(late, late.c.case_id == Case.id)
            .outerjoin(paid, paid.c.case_id == Case.id)
            .where(_on_books_at(start))
        )
        return _grouped(stmt, dimension), lambda *four: four


def _recent(session: Session, period: Period) -> bool:
    """Read the payments from S on rather than those up to E: when, were the confirmed
    payments spread evenly between the first and the last, there would be fewer of them."""
    first = sa.select(sa.func.min(Payment.received_on)).where(CONFIRMED).scalar_subquery()
    last = sa.select(sa.func.max(Payment.received_on)).where(CONFIRMED).scalar_subquery()
    earliest, latest = session.execute(sa.select(first, last)).one()
    if earliest is None:
        return True
    return latest - period.start <= period.end - earliest


def amounts_by(
    session: Session,
    period: Period,
    dimension: Dimension | str | None = None,
    *,
    recent: bool | None = None,
) -> dict[int | None, Amounts]:
    """The four amounts of ``period`` for each creditor, branch, handler or firm of the cases
    (``dimension``), or for the whole book under the key None: three passes, and a query to
    choose how to read the payments unless ``recent`` forces it (both give the same amounts;
    the default is the faster)."""
    dimension = None if dimension is None else Dimension(dimension)
    if recent is None:
        recent = _recent(session, period)
    reading = _Reading(period, _late(period.end), recent)
    group = (lambda k: k) if dimension is None else key_of(session, dimension)
    found: dict[Any, list[Decimal]] = {}
    for stmt, spread in (
        reading.ordinary(dimension),
        reading.others(dimension),
        reading.payments(dimension),
    ):
        for *values, key in session.execute(stmt):
            total = found.setdefault(group(key), [ZERO] * 4)
            for i, value in enumerate(spread(*(money(v) for v in values))):
                total[i] += value
    return {key: Amounts(*values) for key, values in found.items()}


def amounts(session: Session, period: Period) -> Amounts:
    """The four amounts of ``period`` for the whole book."""
    return amounts_by(session, period).get(None, Amounts())


def _figure(rule: str, period: Period, part: Decimal, whole: Decimal, labels: tuple[str, str]):
    value = percent(part, whole)
    return Figure(
        value=value,
        rule=rule,
        inputs={"start": period.start, "end": period.end, "numerator": part, "denominator": whole},
        steps=(
            Step(labels[0], part),
            Step(labels[1], whole),
            Step(N_("Rate, percent, half-up to 0.01"), value, unit=Unit.PERCENT),
        ),
        warnings=() if value is not None else (NO_DENOMINATOR,),
    )


# ---- the amounts ----------------------------------------------------------------------------


def due_and_collected(session: Session, period: Period) -> tuple[Decimal, Decimal]:
    """(本期到期应收欠款金额, 本期收回欠款金额) of ``period`` (see the module docstring)."""
    found = amounts(session, period)
    return found.due, found.collected


def due_and_collected_by(
    session: Session, period: Period, dimension: Dimension | str
) -> dict[int | None, tuple[Decimal, Decimal]]:
    """(本期到期应收欠款金额, 本期收回欠款金额) of ``period`` per creditor, branch, handler or
    firm of the cases (the recovery rate of each: ``rankings``)."""
    return {k: (a.due, a.collected) for k, a in amounts_by(session, period, dimension).items()}


def receivables_at_end(session: Session, period: Period) -> tuple[Decimal, Decimal]:
    """(期末应收欠款金额, 逾期欠款金额) at the end of ``period``'s last day."""
    found = amounts(session, period)
    return found.receivable, found.overdue


def written_off(session: Session, period: Period) -> Decimal:
    """本期核销坏账金额: the amounts of the write-off applications approved with a write-off
    date (business date) in ``period``."""
    total = session.execute(
        sa.select(sa.func.sum(WriteOffApplication.amount)).where(
            APPROVED, WriteOffApplication.written_off_on.between(period.start, period.end)
        )
    ).scalar_one()
    return money(total)


# ---- the rates ------------------------------------------------------------------------------


def _recovery(period: Period, found: Amounts) -> Figure:
    labels = (N_("Collected in the period"), N_("Due in the period"))
    return _figure(RECOVERY_RULE, period, found.collected, found.due, labels)


def _overdue(period: Period, found: Amounts) -> Figure:
    labels = (N_("Overdue at the end of the period"), N_("Receivables at the end of the period"))
    return _figure(OVERDUE_RULE, period, found.overdue, found.receivable, labels)


def _bad_debt(period: Period, found: Amounts, gone: Decimal) -> Figure:
    labels = (N_("Written off in the period"), N_("Receivables at the end of the period"))
    return _figure(BAD_DEBT_RULE, period, gone, found.receivable, labels)


def recovery_rate(session: Session, period: Period) -> Figure:
    """客户欠款回收率 (seed 004 六(一)2): collected in the period ÷ due in the period."""
    return _recovery(period, amounts(session, period))


def overdue_rate(session: Session, period: Period) -> Figure:
    """逾期率 (seed 004 六(一)3): overdue at the period's end ÷ receivables at its end."""
    return _overdue(period, amounts(session, period))


def bad_debt_rate(session: Session, period: Period) -> Figure:
    """坏账率 (seed 004 六(一)4): written off in the period ÷ receivables at its end."""
    return _bad_debt(period, amounts(session, period), written_off(session, period))


def rates(session: Session, period: Period) -> dict[str, Figure]:
    """The three rates of seed 004 for ``period``, by name (the amounts read once)."""
    found = amounts(session, period)
    return {
        "recovery": _recovery(period, found),
        "overdue": _overdue(period, found),
        "bad_debt": _bad_debt(period, found, written_off(session, period)),
    }
