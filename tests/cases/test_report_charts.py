"""Server-side SVG charts (``cases/reports/charts.py``): well-formed, accessible, the same
markup for the same input, and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from cases.reports.charts import (
    PALETTE,
    RAMP,
    Datum,
    Series,
    StackRow,
    _fit,
    _spread,
    bar_chart,
    funnel_chart,
    line_chart,
    progress_bar,
    stacked_bars,
)

D = Decimal
NS = {"svg": "http://www.w3.org/2000/svg"}


def _tree(chart):
    return ET.fromstring(chart.svg)  # noqa: S314 (our own markup) — well-formed, or this raises


def _rects(chart):
    """(x, y, width, height, fill, tooltip) of every rect that has a tooltip."""
    out = []
    for rect in _tree(chart).iter("{http://www.w3.org/2000/svg}rect"):
        tip = rect.find("svg:title", NS)
        if tip is not None:
            out.append(
                (
                    float(rect.get("x")),
                    float(rect.get("y")),
                    float(rect.get("width")),
                    float(rect.get("height")),
                    rect.get("fill"),
                    tip.text,
                )
            )
    return out


def _texts(chart):
    return [t.text for t in _tree(chart).iter("{http://www.w3.org/2000/svg}text")]


MONTHS = [
    Datum("2026-09", D("0"), "¥0"),
    Datum("2026-10", D("10000"), "¥1万"),
    Datum("2026-11", D("5000"), "¥5000"),
]


def _every_chart():
    return [
        bar_chart("c1", "回款", "各月回款", MONTHS),
        stacked_bars(
            "c2",
            "账龄",
            "说明",
            [StackRow("某银行", (Datum("0–30天", D("1"), "¥1", "seg-1"),), "¥1")],
            [Datum("0–30天", D("0"), "", "seg-1")],
        ),
        funnel_chart("c3", "漏斗", "说明", [Datum("诉讼", D("3"), "3")]),
        progress_bar("c4", "进度", "说明", D("40"), "40.00%", elapsed=D("50")),
        line_chart(
            "c5", "比率", "说明", ["a", "b"], [Series("回收率", (D("1"), D("2")), ("1%", "2%"))]
        ),
    ]


@pytest.mark.parametrize("index", range(5), ids=["bar", "stacked", "funnel", "progress", "line"])
def test_every_chart_is_accessible_on_its_own(index):
    chart = _every_chart()[index]
    root = _tree(chart)
    ident = chart.id
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{ident}-title {ident}-desc"
    assert root.find("svg:title", NS).get("id") == f"{ident}-title"
    assert root.find("svg:desc", NS).get("id") == f"{ident}-desc"
    assert root.find("svg:title", NS).text == chart.title
    assert root.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    assert "Qingshou Serif" in root.get("font-family")  # the PDF's embedded font
    assert chart.__html__() == chart.svg  # written as markup by Jinja


def test_the_same_input_draws_the_same_markup():
    first = [c.svg for c in _every_chart()]
    second = [c.svg for c in _every_chart()]
    assert first == second
    numbers = re.findall(r' (?:x|y|x1|y1|x2|y2|cx|cy|width|height)="([^"]+)"', "".join(first))
    assert numbers
    assert all(re.fullmatch(r"-?\d+(\.\d)?", n) for n in numbers)  # to one decimal


def test_text_is_escaped():
    chart = bar_chart("x", 'A & B <"c">', "<script>", [Datum("<b>", D("1"), "1 & 2")])
    assert "<script>" not in chart.svg
    assert "<b>" not in chart.svg
    assert _tree(chart).find("svg:title", NS).text == 'A & B <"c">'
    assert "1 & 2" in _texts(chart)


def test_bars_are_drawn_to_scale_with_their_values_written():
    chart = bar_chart("bars", "回款", "各月回款", MONTHS, height=220)
    bars = _rects(chart)
    plot = 220 - 20 - 34  # the height of the tallest bar
    heights = [round(h, 1) for _x, _y, _w, h, _fill, _tip in bars]
    assert heights == [0, plot, plot / 2]
    assert [tip for *_rest, tip in bars] == ["2026-09: ¥0", "2026-10: ¥1万", "2026-11: ¥5000"]
    assert {"¥0", "¥1万", "¥5000", "2026-09", "2026-10", "2026-11"} <= set(_texts(chart))
    assert all(fill == PALETTE["brand"] for *_rest, fill, _tip in bars)
    assert 'class="c-brand"' in chart.svg  # the page maps it onto var(--brand)


def test_nothing_to_draw_is_no_division_by_zero():
    empty = bar_chart("e", "t", "d", [Datum("a", D("0"), "0")])
    assert _rects(empty)[0][3] == 0
    assert _rects(funnel_chart("f", "t", "d", [Datum("a", D("0"), "0")]))[0][2] == 0
    line = line_chart("l", "t", "d", ["a"], [Series("s", (None,), ("—",))])
    assert "<polyline" not in line.svg


def test_stacked_bars_split_each_row_in_proportion():
    legend = [Datum(name, D("0"), "", f"seg-{i}") for i, name in enumerate(("未到期", "0–30天"))]
    rows = [
        StackRow(
            "A",
            (
                Datum("未到期", D("300"), "¥300", "seg-0"),
                Datum("0–30天", D("100"), "¥100", "seg-1"),
            ),
            "¥400",
        ),  # fmt: skip
        StackRow(
            "B",
            (Datum("未到期", D("0"), "¥0", "seg-0"), Datum("0–30天", D("200"), "¥200", "seg-1")),
            "¥200",
        ),  # fmt: skip
    ]
    chart = stacked_bars("aging", "账龄", "说明", rows, legend, width=640)
    parts = _rects(chart)
    room = 640 - 150 - 96 - 16
    # A: 300 and 100 of the longest row (400) side by side; B's empty part is not drawn
    (a1, a2, b2) = parts
    assert (round(a1[2], 1), round(a2[2], 1), round(b2[2], 1)) == (
        round(room * 0.75, 1),
        round(room * 0.25, 1),
        round(room * 0.5, 1),
    )
    assert a2[0] == pytest.approx(a1[0] + a1[2], abs=0.1)
    assert (a1[4], a2[4]) == (RAMP[0], RAMP[1])
    assert a1[5] == "A · 未到期: ¥300"
    assert {"A", "B", "¥400", "¥200", "未到期", "0–30天"} <= set(_texts(chart))


def test_funnel_bars_are_centred():
    chart = funnel_chart("f", "t", "d", [Datum("诉讼", D("4"), "4"), Datum("执行", D("2"), "2")])
    (wide, narrow) = _rects(chart)
    assert wide[0] + wide[2] / 2 == pytest.approx(narrow[0] + narrow[2] / 2, abs=0.1)
    assert narrow[2] == pytest.approx(wide[2] / 2, abs=0.1)


@pytest.mark.parametrize(
    ("share", "filled"),
    [("0", 0), ("40", 0.4), ("100", 1), ("270", 1)],
    ids=["none", "part", "full", "beyond-capped"],
)
def test_progress_bar_is_filled_to_the_share_and_marks_the_time(share, filled):
    chart = progress_bar("p", "t", "d", D(share), f"{share}%", elapsed=D("25"), width=360)
    room = 360 - 80
    (fill,) = [r for r in _rects(chart) if r[5] == f"{share}%"]
    assert fill[2] == pytest.approx(room * filled, abs=0.1)
    line = _tree(chart).find("svg:line", NS)
    assert float(line.get("x1")) == pytest.approx(room * 0.25, abs=0.1)
    assert f"{share}%" in _texts(chart)


def test_line_chart_leaves_gaps_and_labels_the_last_values():
    labels = ["1", "2", "3", "4"]
    series = [
        Series("回收率", (D("10"), None, D("30"), D("40")), ("10%", "—", "30%", "40%"), "ok"),
        Series(
            "逾期率",
            (D("120"), D("110"), D("100"), D("90")),
            ("120%", "110%", "100%", "90%"),
            "warn",
        ),  # fmt: skip
    ]
    chart = line_chart("l", "比率", "说明", labels, series)
    root = _tree(chart)
    polylines = root.findall("svg:polyline", NS)
    # 回收率 breaks at the missing value: only its last run (3, 4) is a line; 逾期率 is one
    assert [len(p.get("points").split()) for p in polylines] == [2, 4]
    dots = root.findall("svg:circle", NS)
    assert len(dots) == 3 + 4
    assert dots[0].find("svg:title", NS).text == "回收率 · 1: 10%"
    assert {"40%", "90%"} <= set(_texts(chart))
    assert "125%" in _texts(chart)  # the axis goes past 100 to show 120
    assert "回收率" in _texts(chart)  # the legend


def test_end_labels_are_spread_apart_and_stay_above_the_axis():
    assert _spread([100, 101, 102], 12, 200) == [100, 112, 124]
    assert _spread([195, 196, 197], 12, 200) == [176, 188, 200]
    assert _spread([], 12, 200) == []


@pytest.mark.parametrize(
    ("text", "room", "expected"),
    [
        ("某银行", 100, "某银行"),
        ("华信银行股份有限公司苏州分行", 60, "华信银行…"),  # 4 × 11 + the ellipsis
        ("Branch", 100, "Branch"),
    ],
)
def test_long_labels_are_cut_to_fit(text, room, expected):
    assert _fit(text, 11, room) == expected
