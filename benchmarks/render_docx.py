"""How much faster is render_many than docxtpl per document? ``python benchmarks/render_docx.py``.

Renders one letter with a 10-row table, in one process on one core, two ways:

- the naive docxtpl loop, per document: ``DocxTemplate(path)``, ``render(context,
  jinja_env=make_env(), autoescape=True)``, ``save`` to memory (one environment for the loop);
- ``cases.documents.render.render_many(path, contexts)``, which prepares the template once
  (included in its time) and renders every document on its fast path.

The two run in alternating rounds (``--rounds``) so that load from other processes falls on
both alike; the report gives each round's documents/second and ratio, the median rates, and
as "ratio" the median of the rounds' ratios (each compares runs a second apart; the ratio of
the median rates, printed beside it, mixes rounds run under different load). Before timing
it checks that both give the same text for the context.

Template: ``--template PATH``, else ``templates/letters/lawyer_letter.docx`` with
``cases.documents.samples.sample_context("lawyer_letter", rows=10)`` when both exist, else a
letter built here with python-docx (a header, split tags, filters and a ``{%tr for %}`` table
of 10 rows). For ``--template`` the context is ``sample_context(<file stem>, rows=10)``, or
the built-in letter's context if the samples do not know the name.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docxtpl import DocxTemplate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cases.documents.env import make_env  # noqa: E402
from cases.documents.render import prepare, render_many  # noqa: E402

DEFAULT_TEMPLATE = ROOT / "templates" / "letters" / "lawyer_letter.docx"
ROWS = 10


# ---- the built-in letter ------------------------------------------------------------------


def builtin_template() -> bytes:
    """A lawyer's letter as Word would save it: tags split over runs, a {%tr for %} table."""
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "{{ firm.name }}　{{ letter_no }}"
    doc.sections[0].footer.paragraphs[0].text = "本函仅送达收件人"
    doc.add_heading("律 师 函", level=1)
    doc.add_paragraph("{{ letter_no }}")
    p = doc.add_paragraph("致：")
    p.add_run("{{ debtor.").bold = True
    p.add_run("name }}").bold = True
    doc.add_paragraph(
        "{{ firm.name }}接受{{ creditor.name }}的委托，就贵方拖欠委托人款项一事，郑重致函如下："
    )
    doc.add_paragraph(
        "截至{{ on|cn_date }}，贵方尚欠本金人民币{{ totals.principal|yuan }}元"
        "（大写：{{ totals.principal|upper }}），利息{{ totals.interest|yuan }}元，"
        "合计{{ totals.total|yuan }}元。明细如下："
    )
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    heads = ("合同编号", "到期日", "本金（元）", "利率（%）", "欠款（元）")
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for c in claims %}"
    cells = table.rows[2].cells
    for cell, text in zip(
        cells,
        (
            "{{ c.contract }}",
            "{{ c.due|cn_date }}",
            "{{ c.principal|yuan }}",
            "{{ c.rate|rate }}",
            "{{ c.outstanding|yuan }}",
        ),
        strict=True,
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{%p if guarantors %}")
    doc.add_paragraph(
        "保证人{% for g in guarantors %}{{ g }}{% if not loop.last %}、{% endif %}{% endfor %}"
    )
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph(
        "请贵方于{{ pay_by|cn_date }}前付清上述款项，汇入：{{ account }}。逾期不付，"
        "本所将依法提起诉讼，由此产生的诉讼费、保全费、律师费等均由贵方承担。"
    )
    doc.add_paragraph("{{ firm.name }}")
    doc.add_paragraph("{{ on|cn_date('chinese') }}")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def builtin_context(rows: int = ROWS) -> dict[str, Any]:
    claims = [
        {
            "contract": f"HDJD-2025-{k:04d}",
            "due": date(2025, 1 + k % 12, 1 + k),
            "principal": Decimal("123456.78") * k,
            "rate": Decimal("4.3500"),
            "outstanding": Decimal("120000.05") * k,
        }
        for k in range(1, rows + 1)
    ]
    principal = sum((c["principal"] for c in claims), Decimal(0))
    return {
        "firm": {"name": "上海申正律师事务所"},
        "letter_no": "申正函字〔2026〕第118号",
        "creditor": {"name": "华东机电设备股份有限公司"},
        "debtor": {"name": "南京恒信建材贸易有限公司 & <分公司>"},
        "on": date(2026, 11, 23),
        "pay_by": date(2026, 12, 8),
        "account": "中国工商银行上海张江支行 1001 2033 0920 0012 345",
        "totals": {
            "principal": principal,
            "interest": Decimal("35210.40"),
            "total": principal + Decimal("35210.40"),
        },
        "claims": claims,
        "guarantors": ["恒信控股集团有限公司", "孙德明"],
    }


def sample_context(name: str) -> dict[str, Any] | None:
    try:
        from cases.documents.samples import sample_context as sample
    except ImportError:
        return None
    try:
        return sample(name, rows=ROWS)
    except (KeyError, LookupError, ValueError):
        return None


def choose(template: str | None) -> tuple[bytes, dict[str, Any], str]:
    """The template's bytes, a context, and a line saying what they are."""
    if template is not None:
        path = Path(template)
        context = sample_context(path.stem)
        if context is not None:
            return path.read_bytes(), context, f"{path} (sample_context({path.stem!r}, rows=10))"
        return path.read_bytes(), builtin_context(), f"{path} (the built-in letter's context)"
    if DEFAULT_TEMPLATE.exists():
        context = sample_context("lawyer_letter")
        if context is not None:
            shown = DEFAULT_TEMPLATE.relative_to(ROOT)
            return (
                DEFAULT_TEMPLATE.read_bytes(),
                context,
                (f"{shown} (sample_context('lawyer_letter', rows=10))"),
            )
    return (
        builtin_template(),
        builtin_context(),
        (
            "built-in letter generated with python-docx, 10-row table "
            f"({DEFAULT_TEMPLATE.relative_to(ROOT)} or cases.documents.samples not available)"
        ),
    )


# ---- timing -------------------------------------------------------------------------------


def naive(template: bytes, contexts: list[dict[str, Any]]) -> list[bytes]:
    env = make_env()
    out = []
    for context in contexts:
        tpl = DocxTemplate(BytesIO(template))
        tpl.render(context, jinja_env=env, autoescape=True)
        buffer = BytesIO()
        tpl.save(buffer)
        out.append(buffer.getvalue())
    return out


def fast(template: bytes, contexts: list[dict[str, Any]]) -> list[bytes]:
    return list(render_many(template, contexts))


def rate(run: Callable[[bytes, list[dict[str, Any]]], list[bytes]], template, contexts) -> float:
    start = time.perf_counter()
    run(template, contexts)
    return len(contexts) / (time.perf_counter() - start)


def texts(data: bytes) -> list[str]:
    doc = Document(BytesIO(data))
    out = [p.text for p in doc.paragraphs]
    out += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for section in doc.sections:
        out += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", help="a .docx template (default: the lawyer's letter)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating timed rounds")
    parser.add_argument("--naive", type=int, default=25, help="naive documents per round")
    parser.add_argument("--docs", type=int, default=600, help="render_many documents per round")
    args = parser.parse_args(argv)

    template, context, what = choose(args.template)
    prepared = prepare(template)
    same = texts(naive(template, [context])[0]) == texts(prepared.render(context))
    start = time.perf_counter()
    prepare(template)
    prepare_ms = (time.perf_counter() - start) * 1000

    print(f"template: {what}")
    print(
        f"fast path: {'yes' if prepared.fast else 'no — ' + prepared.reason}; "
        f"same text as docxtpl: {'yes' if same else 'NO'}; prepare: {prepare_ms:.0f} ms"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.2f}; "
        f"{args.rounds} rounds of {args.naive} naive / {args.docs} render_many documents"
    )
    print(f"\n{'round':>5} {'naive docs/s':>13} {'render_many docs/s':>19} {'ratio':>7}")
    naive_rates, fast_rates, ratios = [], [], []
    for number in range(1, args.rounds + 1):
        naive_rates.append(rate(naive, template, [context] * args.naive))
        fast_rates.append(rate(fast, template, [context] * args.docs))
        ratios.append(fast_rates[-1] / naive_rates[-1])
        print(f"{number:>5} {naive_rates[-1]:>13.1f} {fast_rates[-1]:>19.1f} {ratios[-1]:>6.1f}×")
    naive_rate, fast_rate = statistics.median(naive_rates), statistics.median(fast_rates)
    print(
        f"\nnaive docxtpl loop: {naive_rate:.1f} documents/second (median)\n"
        f"render_many:        {fast_rate:.1f} documents/second (median, prepare included)\n"
        f"ratio:              {statistics.median(ratios):.1f}× (median of the rounds; "
        f"{fast_rate / naive_rate:.1f}× between the median rates, "
        f"{min(ratios):.1f}–{max(ratios):.1f}× over the rounds)"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
