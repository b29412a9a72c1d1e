"""Charts of the management view as SVG markup built on the server, so that the reports page
and the monthly PDF (WeasyPrint) show the same pictures, without JavaScript.

Each builder takes labels and values already put into words by the caller (translated titles,
money and percentages formatted for the reader's language) and returns a ``Chart`` whose
markup is the same for the same input, byte for byte: no random ids, no clock, coordinates
printed to one decimal. A chart is accessible on its own — ``role="img"``, a ``<title>`` and a
``<desc>`` it is labelled by, every value written as a text label or a tooltip ``<title>`` —
and the pages put a table of the same figures next to it.

Colours are those of ``webapp/static/app.css`` (``PALETTE``, its ``:root`` variables), given
as SVG presentation attributes together with a class per colour (``c-brand``, ``c-seg-3`` …):
the page's stylesheet maps the classes back onto the CSS variables, the PDF uses the
attributes as they are. Text is set in ``FONT_STACK``, the PDF's embedded serif; the page's
stylesheet lets it inherit the page's font instead.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from cases.documents.pdf import FONT_STACK

# The :root colours of webapp/static/app.css.
PALETTE = {
    "brand": "#9b1c1c",
    "ok": "#2f855a",
    "warn": "#b7791f",
    "bad": "#c53030",
    "muted": "#616e7c",
    "line": "#d9e2ec",
    "ink": "#1f2933",
}
# Aging buckets, from "not yet due" to "over 3 years": from the line colour through ok and
# warn to bad and the brand red, then darker (classes c-seg-0 … c-seg-7).
RAMP = ("#d9e2ec", "#2f855a", "#7a9a3a", "#b7791f", "#d0612a", "#c53030", "#9b1c1c", "#5c1010")


@dataclass(frozen=True)
class Datum:
    label: str
    value: Decimal
    text: str  # the value as the reader sees it ("¥123.5万", "12.50%")
    tone: str = "brand"  # a key of PALETTE, or "seg-<n>" for RAMP[n]


@dataclass(frozen=True)
class StackRow:
    label: str
    parts: tuple[Datum, ...]  # one per legend entry, in the legend's order
    total_text: str


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal | None, ...]  # None: no value for that point (a gap)
    texts: tuple[str, ...]
    tone: str = "brand"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    svg: str

    def __html__(self) -> str:  # Jinja (markupsafe) writes the markup as it is
        return self.svg

    def __str__(self) -> str:
        return self.svg


# ---- drawing ----------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate: one decimal, no trailing zeros, never "-0"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _colour(tone: str) -> str:
    if tone.startswith("seg-"):
        return RAMP[int(tone[4:]) % len(RAMP)]
    return PALETTE[tone]


def _width(text: str, size: int) -> float:
    """About how wide ``text`` is set at ``size`` px: CJK characters are square, others about
    six tenths of the size."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _fit(text: str, size: int, room: float) -> str:
    """``text`` cut with "…" to fit in ``room`` px (the whole text stays in the tooltip and
    the table)."""
    if _width(text, size) <= room:
        return text
    kept = ""
    for ch in text:
        if _width(kept + ch + "…", size) > room:
            break
        kept += ch
    return kept + "…"


class _Svg:
    def __init__(self, ident: str, title: str, desc: str, width: int, height: int) -> None:
        self.ident, self.title, self.desc = ident, title, desc
        self.width, self.height = width, height
        self.parts: list[str] = []

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def rect(self, x, y, w, h, tone: str, tip: str | None = None, extra: str = "") -> None:
        inner = f"<title>{_e(tip)}</title>" if tip else ""
        self.add(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" '
            f'fill="{_colour(tone)}" class="c-{tone}"{extra}>{inner}</rect>'
        )

    def text(self, x, y, text: str, *, anchor: str = "start", size: int = 11, tone: str = "ink",
             bold: bool = False, cls: str = "") -> None:  # fmt: skip
        weight = ' font-weight="bold"' if bold else ""
        self.add(
            f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{_colour(tone)}" class="t-{tone}{" " + cls if cls else ""}"{weight}>'
            f"{_e(text)}</text>"
        )

    def line(self, x1, y1, x2, y2, tone: str, width: float = 1, dash: str = "") -> None:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{_colour(tone)}" stroke-width="{_n(width)}" class="s-{tone}"{dashed}/>'
        )

    def done(self) -> Chart:
        ident = _e(self.ident)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{ident}" '
            f'width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" '
            f'font-family="{_e(FONT_STACK)}" font-size="11">'
            f'<title id="{ident}-title">{_e(self.title)}</title>'
            f'<desc id="{ident}-desc">{_e(self.desc)}</desc>'
        )
        svg = head + "".join(self.parts) + "</svg>"
        return Chart(self.ident, self.title, self.desc, self.width, self.height, svg)


def _scale(values: Sequence[Decimal]) -> float:
    top = max((float(v) for v in values), default=0.0)
    return top if top > 0 else 0.0


# ---- bar chart: money recovered per period ---------------------------------------------------


def bar_chart(
    ident: str, title: str, desc: str, data: Sequence[Datum], *, width: int = 640,
    height: int = 220,
) -> Chart:  # fmt: skip
    """Vertical bars, one per datum, its value above it and its label below."""
    svg = _Svg(ident, title, desc, width, height)
    top, bottom, side = 20, 34, 8
    plot = height - top - bottom
    slot = (width - 2 * side) / max(len(data), 1)
    bar = slot * 0.62
    peak = _scale([d.value for d in data])
    base = top + plot
    for i, d in enumerate(data):
        h = plot * float(d.value) / peak if peak else 0.0
        x = side + i * slot + (slot - bar) / 2
        svg.rect(x, base - h, bar, h, d.tone, f"{d.label}: {d.text}")
        svg.text(x + bar / 2, base - h - 5, d.text, anchor="middle", size=10)
        svg.text(x + bar / 2, base + 14, d.label, anchor="middle", size=10, tone="muted")
    svg.line(side, base, width - side, base, "muted")
    return svg.done()


# ---- stacked horizontal bars: aging by group ------------------------------------------------


def stacked_bars(
    ident: str, title: str, desc: str, rows: Sequence[StackRow], legend: Sequence[Datum], *,
    width: int = 640,
) -> Chart:  # fmt: skip
    """One horizontal bar per row, cut into the parts of the legend (label, colour); the
    row's total at its end. ``legend`` gives each part's name and tone (its value unused)."""
    label_w, total_w, side = 150, 96, 8
    row_h, gap, top = 16, 8, 6
    per_line = 4
    legend_lines = math.ceil(len(legend) / per_line)
    height = top + len(rows) * (row_h + gap) + legend_lines * 18 + 10
    svg = _Svg(ident, title, desc, width, height)
    room = width - label_w - total_w - 2 * side
    peak = _scale([sum((p.value for p in r.parts), Decimal(0)) for r in rows])
    for i, row in enumerate(rows):
        y = top + i * (row_h + gap)
        svg.text(label_w - 4, y + row_h - 4, _fit(row.label, 11, label_w - 8), anchor="end")
        x = label_w + side
        for part in row.parts:
            if part.value <= 0:
                continue
            w = room * float(part.value) / peak if peak else 0.0
            svg.rect(x, y, w, row_h, part.tone, f"{row.label} · {part.label}: {part.text}")
            x += w
        svg.text(x + 4, y + row_h - 4, row.total_text, size=10, tone="muted")
    y = top + len(rows) * (row_h + gap) + 4
    column = (width - 2 * side) / per_line
    for i, entry in enumerate(legend):
        x = side + (i % per_line) * column
        ly = y + (i // per_line) * 18
        svg.rect(x, ly, 10, 10, entry.tone)
        svg.text(x + 14, ly + 9, entry.label, size=10)
    return svg.done()


# ---- funnel: cases per stage ------------------------------------------------------------------


def funnel_chart(
    ident: str, title: str, desc: str, data: Sequence[Datum], *, width: int = 640
) -> Chart:
    """Centred horizontal bars, one per stage, as wide as its value; the value beside it."""
    label_w, text_w, side = 120, 120, 8
    row_h, gap, top = 18, 6, 6
    height = top + len(data) * (row_h + gap) + 4
    svg = _Svg(ident, title, desc, width, height)
    room = width - label_w - text_w - 2 * side
    peak = _scale([d.value for d in data])
    for i, d in enumerate(data):
        y = top + i * (row_h + gap)
        w = room * float(d.value) / peak if peak else 0.0
        if d.value > 0:
            w = max(w, 2.0)
        x = label_w + side + (room - w) / 2
        svg.text(label_w - 4, y + row_h - 5, _fit(d.label, 11, label_w - 8), anchor="end")
        svg.rect(x, y, w, row_h, d.tone, f"{d.label}: {d.text}")
        svg.text(label_w + side + room + side, y + row_h - 5, d.text, size=10)
    return svg.done()


# ---- progress bar: a target -------------------------------------------------------------------


def progress_bar(
    ident: str, title: str, desc: str, share: Decimal, text: str, *,
    elapsed: Decimal | None = None, elapsed_text: str = "", tone: str = "ok", width: int = 360,
) -> Chart:  # fmt: skip
    """A bar filled to ``share`` percent (capped at the end), a mark at ``elapsed`` percent of
    the time (where the bar should be by now), and ``text`` after it."""
    height, bar_h, text_w = 24, 12, 80
    svg = _Svg(ident, title, desc, width, height)
    room = width - text_w
    y = (height - bar_h) / 2
    svg.rect(0, y, room, bar_h, "line")
    filled = room * min(float(share), 100.0) / 100
    svg.rect(0, y, filled, bar_h, tone, text)
    if elapsed is not None:
        x = room * min(max(float(elapsed), 0.0), 100.0) / 100
        svg.line(x, 2, x, height - 2, "ink", 2)
        if elapsed_text:
            svg.add(
                f'<rect x="{_n(x - 4)}" y="0" width="8" height="{height}" fill="none" '
                f'pointer-events="all"><title>{_e(elapsed_text)}</title></rect>'
            )
    svg.text(room + 6, y + bar_h - 2, text, size=11, bold=True)
    return svg.done()


# ---- line chart: rates over the periods ---------------------------------------------------


def _spread(ys: list[float], gap: float, bottom: float) -> list[float]:
    """Label baselines (sorted) moved apart by at least ``gap``, none below ``bottom``: pushed
    down from the top, then the whole stack lifted if it went past the bottom."""
    placed: list[float] = []
    for y in ys:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    overflow = placed[-1] - bottom if placed else 0
    if overflow > 0:
        placed = [y - overflow for y in placed]
        for i in range(len(placed) - 2, -1, -1):  # keep the gaps after lifting
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed


def _ceiling(peak: float) -> float:
    """The top of a percent axis: 100, or the next multiple of 25 above the highest value."""
    return max(100.0, math.ceil(peak / 25) * 25)


def line_chart(
    ident: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], *,
    width: int = 640, height: int = 240, unit: str = "%",
) -> Chart:  # fmt: skip
    """Percent lines over the periods ``labels``: a dot per value (its text as a tooltip),
    gaps where a value is missing, each line's last value written at its end, a legend."""
    svg = _Svg(ident, title, desc, width, height)
    left, right, top, bottom = 40, 96, 26, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _ceiling(max((float(v) for s in series for v in s.values if v is not None), default=0))
    step = plot_w / (len(labels) - 1) if len(labels) > 1 else 0.0

    def xy(i: int, value: Decimal) -> tuple[float, float]:
        x = left + (i * step if len(labels) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * float(value) / peak

    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        svg.line(left, y, left + plot_w, y, "line")
        svg.text(left - 4, y + 4, f"{_n(value)}{unit}", anchor="end", size=9, tone="muted")
    for i, label in enumerate(labels):
        x = left + (i * step if len(labels) > 1 else plot_w / 2)
        svg.text(x, top + plot_h + 16, label, anchor="middle", size=9, tone="muted")
    ends: list[tuple[float, str, str]] = []
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(xy(i, value))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                svg.add(
                    f'<polyline points="{points}" fill="none" stroke="{_colour(s.tone)}" '
                    f'stroke-width="2" class="s-{s.tone}"/>'
                )
        for i, value in enumerate(s.values):
            if value is None:
                continue
            x, y = xy(i, value)
            svg.add(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{_colour(s.tone)}" '
                f'class="c-{s.tone}"><title>{_e(s.name)} · {_e(labels[i])}: '
                f"{_e(s.texts[i])}</title></circle>"
            )
        last = [i for i, v in enumerate(s.values) if v is not None]
        if last:
            ends.append((xy(last[-1], s.values[last[-1]])[1], s.tone, s.texts[last[-1]]))
    ends.sort()
    baselines = _spread([y + 4 for y, _tone, _text in ends], 12, top + plot_h + 4)
    for y, (_y, tone, text) in zip(baselines, ends, strict=True):
        svg.text(left + plot_w + 6, y, text, size=10, tone=tone, bold=True)
    x = left
    for s in series:  # the legend, above the plot
        svg.line(x, 10, x + 16, 10, s.tone, 2)
        svg.text(x + 20, 14, s.name, size=10)
        x += 20 + _width(s.name, 10) + 16
    return svg.done()
