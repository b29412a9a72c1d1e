"""The dashboard's figures put into words and pictures for the reader: period labels, money
and percentages in the request's language, and the SVG charts of ``cases.reports.charts``
(the same for the reports page and the monthly PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel import numbers
from flask_babel import get_locale
from flask_babel import gettext as _

from cases.errors import N_
from cases.register.aging import AGING_LABELS, AgingBucket
from cases.register.stages import STAGE_LABELS, Stage
from cases.reports.charts import (
    Chart,
    Datum,
    Series,
    StackRow,
    bar_chart,
    funnel_chart,
    line_chart,
    progress_bar,
    stacked_bars,
)
from cases.reports.dashboard import Dashboard
from cases.reports.periods import Period, PeriodKind
from cases.reports.targets import STATUS_TONES, Progress, TargetStatus
from webapp.i18n import money, tr

RATE_NAMES = {
    "recovery": N_("Recovery rate"),
    "overdue": N_("Overdue rate"),
    "bad_debt": N_("Bad-debt rate"),
}
RATE_TONES = {"recovery": "ok", "overdue": "warn", "bad_debt": "bad"}
BUCKET_TONES = {bucket: f"seg-{i}" for i, bucket in enumerate(AgingBucket)}
STAGE_TONES = {Stage.CLOSED: "ok", Stage.WRITTEN_OFF: "muted"}
PROGRESS_TONES = {"ok": "ok", "warn": "warn", "bad": "bad", "": "muted"}


def _locale() -> str:
    return str(get_locale() or "zh")


def compact_money(amount: Decimal) -> str:
    """Money in few characters for a chart label: ¥123.5万, CN¥1.2M."""
    return numbers.format_compact_currency(amount, "CNY", locale=_locale(), fraction_digits=1)


def pct(value: Decimal | None) -> str:
    """A percentage as computed (already rounded to 0.01), or a dash without a rate."""
    return "—" if value is None else f"{value:.2f}%"


def period_label(period: Period) -> str:
    """2026-10, 2026 Q4, 2026, or the first and last day."""
    start = period.start
    if period.kind == PeriodKind.MONTH:
        return f"{start:%Y-%m}"
    if period.kind == PeriodKind.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if period.kind == PeriodKind.YEAR:
        return f"{start.year}"
    return f"{start.isoformat()} – {period.end.isoformat()}"


def short_label(period: Period) -> str:
    """A period's label on a chart axis: 2026-10, 26Q4, 2026, or the week's Monday (11-02)."""
    start = period.start
    if period.kind == PeriodKind.WEEK:
        return f"{start:%m-%d}"
    if period.kind == PeriodKind.QUARTER:
        return f"{start:%y}Q{(start.month - 1) // 3 + 1}"
    return period_label(period)


@dataclass(frozen=True)
class DashboardCharts:
    recovered: Chart
    rates: Chart
    aging: Chart
    funnel: Chart
    targets: dict[int, Chart]  # by target id


def recovered_chart(board: Dashboard) -> Chart:
    points = board.trend
    data = [Datum(short_label(p.period), p.recovered, compact_money(p.recovered)) for p in points]
    return bar_chart(
        "chart-recovered",
        _("Money recovered per period"),
        _(
            "Confirmed money received in each period from %(first)s to %(last)s; "
            "the table below gives the exact amounts.",
            first=period_label(points[0].period),
            last=period_label(points[-1].period),
        ),
        data,
    )


def rates_chart(board: Dashboard) -> Chart:
    points = board.trend
    series = [
        Series(
            tr(RATE_NAMES[name]),
            tuple(getattr(p, name) for p in points),
            tuple(pct(getattr(p, name)) for p in points),
            RATE_TONES[name],
        )
        for name in RATE_NAMES
    ]
    return line_chart(
        "chart-rates",
        _("Recovery, overdue and bad-debt rates per period"),
        _(
            "The three rates of each period from %(first)s to %(last)s, in percent; a gap "
            "where a period has nothing to divide by. The table below gives every value.",
            first=period_label(points[0].period),
            last=period_label(points[-1].period),
        ),
        [short_label(p.period) for p in points],
        series,
    )


def group_name(board: Dashboard, key: int | None) -> str:
    if key is None:
        return _("Not assigned")
    return board.aging_names.get(key, "?")


def aging_chart(board: Dashboard) -> Chart:
    legend = [Datum(tr(AGING_LABELS[b]), Decimal(0), "", BUCKET_TONES[b]) for b in AgingBucket]
    rows = [
        StackRow(
            group_name(board, row.key),
            tuple(
                Datum(tr(AGING_LABELS[b]), cell.amount, money(cell.amount), BUCKET_TONES[b])
                for b, cell in row.buckets.items()
            ),
            compact_money(row.total.amount),
        )
        for row in board.aging
    ]
    return stacked_bars(
        "chart-aging",
        _("Outstanding principal by aging bucket"),
        _(
            "For each group, the principal outstanding split by how long it is overdue on "
            "%(on)s; the table below gives counts and amounts.",
            on=board.on.isoformat(),
        ),
        rows,
        legend,
    )


def funnel_figure(board: Dashboard) -> Chart:
    data = [
        Datum(
            tr(STAGE_LABELS[step.stage]),
            Decimal(step.count),
            f"{step.count} · {compact_money(step.outstanding)}",
            STAGE_TONES.get(step.stage, "brand"),
        )
        for step in board.funnel
    ]
    return funnel_chart(
        "chart-funnel",
        _("Cases per stage"),
        _(
            "The number of cases at each stage now, with the principal still outstanding; "
            "the table below gives the exact figures."
        ),
        data,
    )


def target_chart(item: Progress, name: str) -> Chart:
    target = item.target
    elapsed = None if item.status == TargetStatus.UPCOMING else item.elapsed_percent
    return progress_bar(
        f"chart-target-{target.id}",
        _("Progress of %(name)s", name=name),
        _(
            "%(percent)s of the target reached with %(elapsed)s of the time elapsed.",
            percent=pct(item.percent),
            elapsed=pct(item.elapsed_percent),
        ),
        item.percent,
        pct(item.percent),
        elapsed=elapsed,
        elapsed_text=_("Time elapsed: %(elapsed)s", elapsed=pct(item.elapsed_percent)),
        tone=PROGRESS_TONES[STATUS_TONES[item.status]],
    )


def charts_for(board: Dashboard) -> DashboardCharts:
    return DashboardCharts(
        recovered=recovered_chart(board),
        rates=rates_chart(board),
        aging=aging_chart(board),
        funnel=funnel_figure(board),
        targets={item.target.id: target_chart(item, item.target.name) for item in board.targets},
    )
