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
- a case written off (核销: its move to the written-off stage) leaves the books at that moment
  for good (账销案存): money received on it afterwards is recovery of written-off debt, not
  of receivables; the amount written off is its principal less the money confirmed by then.

So, for a period from S to E:

- 本期到期应收欠款金额: per case on the books at S, principal due by E less money received
  before S — what was there to collect: the overdue balance at the start plus what fell due;
- 本期收回欠款金额: money received from S to E on those cases (a case written off during
  the period stays in both: its balance was there to collect at S);
- 期末应收欠款(余额): per case on the books at the end of E, principal receivable by E less
  money received by E; 逾期欠款金额: the same for principal due by E;
- 本期核销坏账金额: the amounts of the write-offs made from S to E.

Each rate is a percentage rounded once, half-up, to 0.01 percent; ``None`` when the
denominator is nothing (no rate can be given). Each comes as a ``Figure`` with its inputs.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from cases.errors import N_
from cases.figures import Figure, Step
from cases.ledger.models import CONFIRMED, Payment
from cases.register.models import Claim
from cases.register.stages import Stage
from cases.reports.figures import money
from cases.reports.periods import Period
from cases.timeline.models import Event, EventKind

PERCENT_QUANTUM = Decimal("0.01")
SOURCE = "《关于客户欠款管理办法》六(一)"  # seed 004
RECOVERY_RULE = f"{SOURCE}2 客户欠款回收率=(本期收回欠款金额/本期到期应收欠款金额)×100%"
OVERDUE_RULE = f"{SOURCE}3 逾期率=(逾期欠款金额/期末应收欠款金额)×100%"
BAD_DEBT_RULE = f"{SOURCE}4 坏账率=(本期核销坏账金额/本期期末应收欠款余额)×100%"

NO_DENOMINATOR = N_("Nothing to divide by in this period: no rate")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part ÷ whole × 100`` half-up to 0.01 percent (one rounding); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_UP)


def _positive(expr: Any) -> sa.ColumnElement[Any]:
    return sa.case((expr > 0, expr), else_=0)


def _written_off_before(moment: Any) -> sa.Select[Any]:
    """Cases written off before ``moment`` (a UTC instant): off the books from then on."""
    return sa.select(Event.case_id).where(
        Event.kind == EventKind.STAGE_CHANGE,
        Event.to_stage == Stage.WRITTEN_OFF.value,
        Event.occurred_at < moment,
    )


def _paid(*conditions: Any) -> sa.Subquery:
    """Confirmed money per case received under ``conditions``."""
    return (
        sa.select(Payment.case_id, sa.func.sum(Payment.amount).label("paid"))
        .where(CONFIRMED, *conditions)
        .group_by(Payment.case_id)
        .subquery()
    )


def _balances(principal: sa.Subquery, paid: sa.Subquery, *columns: str) -> list[Any]:
    """Per-case ``max(principal − paid, 0)`` of each principal column, summed."""
    less = sa.func.coalesce(paid.c.paid, 0)
    return [sa.func.sum(_positive(principal.c[name] - less)) for name in columns]


def _figure(rule: str, period: Period, part: Decimal, whole: Decimal, labels: tuple[str, str]):
    value = percent(part, whole)
    return Figure(
        value=value,
        rule=rule,
        inputs={"start": period.start, "end": period.end, "numerator": part, "denominator": whole},
        steps=(
            Step(labels[0], part),
            Step(labels[1], whole),
            Step(N_("Rate, percent, half-up to 0.01"), value),
        ),
        warnings=() if value is not None else (NO_DENOMINATOR,),
    )


# ---- the amounts ----------------------------------------------------------------------------


def due_and_collected(session: Session, period: Period) -> tuple[Decimal, Decimal]:
    """(本期到期应收欠款金额, 本期收回欠款金额) of ``period`` (see the module docstring)."""
    due = (
        sa.select(Claim.case_id, sa.func.sum(Claim.principal).label("due"))
        .where(Claim.due_date <= period.end)
        .group_by(Claim.case_id)
        .subquery()
    )
    before = _paid(Payment.received_on < period.start)
    during = _paid(Payment.received_on.between(period.start, period.end))
    (due_total,) = _balances(due, before, "due")
    row = session.execute(
        sa.select(due_total, sa.func.sum(sa.func.coalesce(during.c.paid, 0)))
        .select_from(due)
        .outerjoin(before, before.c.case_id == due.c.case_id)
        .outerjoin(during, during.c.case_id == due.c.case_id)
        .where(due.c.case_id.not_in(_written_off_before(period.start_at)))
    ).one()
    return money(row[0]), money(row[1])


def receivables_at_end(session: Session, period: Period) -> tuple[Decimal, Decimal]:
    """(期末应收欠款金额, 逾期欠款金额) at the end of ``period``'s last day."""
    end = period.end
    arisen = sa.or_(
        Claim.signed_on <= end, sa.and_(Claim.signed_on.is_(None), Claim.due_date <= end)
    )
    principal = (
        sa.select(
            Claim.case_id,
            sa.func.sum(sa.case((arisen, Claim.principal), else_=0)).label("receivable"),
            sa.func.sum(sa.case((Claim.due_date <= end, Claim.principal), else_=0)).label("due"),
        )
        .group_by(Claim.case_id)
        .subquery()
    )
    paid = _paid(Payment.received_on <= end)
    receivable, overdue = _balances(principal, paid, "receivable", "due")
    row = session.execute(
        sa.select(receivable, overdue)
        .select_from(principal)
        .outerjoin(paid, paid.c.case_id == principal.c.case_id)
        .where(principal.c.case_id.not_in(_written_off_before(period.end_at)))
    ).one()
    return money(row[0]), money(row[1])


def written_off(session: Session, period: Period) -> Decimal:
    """本期核销坏账金额: for each write-off made in ``period``, the case's principal less the
    money confirmed by that moment."""
    claimed = (
        sa.select(Claim.case_id, sa.func.sum(Claim.principal).label("principal"))
        .group_by(Claim.case_id)
        .subquery()
    )
    paid_then = (
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
        .where(
            Payment.case_id == Event.case_id,
            CONFIRMED,
            Payment.confirmed_at <= Event.occurred_at,
        )
        .scalar_subquery()
    )
    total = session.execute(
        sa.select(sa.func.sum(_positive(claimed.c.principal - paid_then)))
        .select_from(Event)
        .join(claimed, claimed.c.case_id == Event.case_id)
        .where(
            Event.kind == EventKind.STAGE_CHANGE,
            Event.to_stage == Stage.WRITTEN_OFF.value,
            Event.occurred_at >= period.start_at,
            Event.occurred_at < period.end_at,
        )
    ).scalar_one()
    return money(total)


# ---- the rates ------------------------------------------------------------------------------


def recovery_rate(session: Session, period: Period) -> Figure:
    """客户欠款回收率 (seed 004 六(一)2): collected in the period ÷ due in the period."""
    due, collected = due_and_collected(session, period)
    labels = (N_("Collected in the period"), N_("Due in the period"))
    return _figure(RECOVERY_RULE, period, collected, due, labels)


def overdue_rate(session: Session, period: Period) -> Figure:
    """逾期率 (seed 004 六(一)3): overdue at the period's end ÷ receivables at its end."""
    receivable, overdue = receivables_at_end(session, period)
    labels = (N_("Overdue at the end of the period"), N_("Receivables at the end of the period"))
    return _figure(OVERDUE_RULE, period, overdue, receivable, labels)


def bad_debt_rate(session: Session, period: Period) -> Figure:
    """坏账率 (seed 004 六(一)4): written off in the period ÷ receivables at its end."""
    receivable, _ = receivables_at_end(session, period)
    labels = (N_("Written off in the period"), N_("Receivables at the end of the period"))
    return _figure(BAD_DEBT_RULE, period, written_off(session, period), receivable, labels)


def rates(session: Session, period: Period) -> dict[str, Figure]:
    """The three rates of seed 004 for ``period``, by name."""
    return {
        "recovery": recovery_rate(session, period),
        "overdue": overdue_rate(session, period),
        "bad_debt": bad_debt_rate(session, period),
    }
