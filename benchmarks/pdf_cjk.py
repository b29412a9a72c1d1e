"""Chinese PDF rendering: stock WeasyPrint with the system font vs ``html_to_pdf``.

    .venv/bin/python benchmarks/pdf_cjk.py                  # 3 stock runs, 20 of ours
    .venv/bin/python benchmarks/pdf_cjk.py --runs 50 --stock-runs 5
    .venv/bin/python benchmarks/pdf_cjk.py --fonttools      # as without libharfbuzz-subset

The document is a two-page A4 case summary (案件摘要) with a claims table, rendered twice:
with everyday text only (all of it inside the small font), and with four names in
characters outside GB 2312 (堃 喆 镕 罍), which fall back to the full system font.

"Stock" is ``weasyprint.HTML(string=html).write_pdf()``: default URL fetcher, a new font
configuration per document, the 26 MB Noto Serif CJK collection found by fontconfig.
"Ours" is ``cases.documents.pdf.html_to_pdf(html)``. Both render the same HTML, whose
stylesheet names ``"Qingshou Serif", "Noto Serif CJK SC", serif`` (stock has no Qingshou
Serif and uses Noto Serif CJK SC). Each side is run once before timing (font
configuration, and for ours the small fonts' build if the cache is empty, reported apart).

``--fonttools`` makes WeasyPrint subset embedded fonts with fontTools instead of
HarfBuzz, as it does when libharfbuzz-subset ≥ 4.1 is missing.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint  # noqa: E402
import weasyprint.pdf.fonts  # noqa: E402

from cases.documents.pdf import FONT_STACK, build_fonts, font_cache_dir, html_to_pdf  # noqa: E402

NEWLINE_IN_CHINESE = re.compile(r"(?<=[^\x00-\x7f])\n(?=[^\x00-\x7f])")

PARTIES = {  # legal representative, two guarantors, handler
    "everyday": ("王建国", "李志强", "张秀英", "陈明"),
    "rare": ("王堃", "李喆", "朱镕", "陈罍"),
}

# contract, kind, principal, start, due, rate %, repaid
CLAIMS = """
JK-2023-0315 流动资金借款     1,200,000.00 2023-03-15 2024-03-14 4.35 180,000.00
JK-2023-0602 流动资金借款       800,000.00 2023-06-02 2024-06-01 4.20 0.00
CD-2023-0718 银行承兑汇票垫款   500,000.00 2023-07-18 2024-01-18 6.30 50,000.00
JK-2023-0911 固定资产借款     2,000,000.00 2023-09-11 2025-09-10 4.75 300,000.00
XY-2023-1020 信用证押汇         350,000.00 2023-10-20 2024-04-19 5.10 0.00
JK-2024-0108 流动资金借款       600,000.00 2024-01-08 2025-01-07 3.95 120,000.00
"""

TIMELINE = [
    ("2024-03-20", "电话催收", "借款人财务负责人称资金回笼困难，承诺四月底前归还利息。"),
    ("2024-05-06", "上门走访", "现场查看仓库，库存货物较上年明显减少，部分车辆已转租他人。"),
    ("2024-06-18", "发送律师函", "委托律师事务所发出律师函，要求十日内清偿到期本息。"),
    ("2024-07-02", "约谈保证人", "保证人表示愿意协调，但要求延长还款期限并减免罚息。"),
    ("2024-08-15", "签订还款协议", "约定分六期归还本金，每期二十万元，首期于九月底前支付。"),
    ("2024-10-08", "协议违约", "首期款项仅支付五万元，此后未再付款，电话多次无人接听。"),
    ("2024-11-12", "申请诉前保全", "向杭州市西湖区人民法院申请冻结借款人及保证人银行存款。"),
]


def case_summary_html(variant: str = "everyday") -> str:
    """A two-page A4 case summary; ``variant="rare"`` names people in rare characters."""
    rep, guarantor1, guarantor2, handler = PARTIES[variant]
    claims = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in line.split()) + "</tr>"
        for line in CLAIMS.strip().splitlines()
    )
    timeline = "".join(f"<tr><td>{d}</td><td>{k}</td><td>{t}</td></tr>" for d, k, t in TIMELINE)
    html = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>案件摘要 QS-2026-000123</title>
<style>
  @page {{ size: A4; margin: 22mm 20mm; @bottom-center {{ content: "第 " counter(page) " 页" }} }}
  html {{ font-family: {FONT_STACK}; font-size: 11pt; line-height: 1.6; }}
  h1 {{ font-size: 18pt; text-align: center; margin: 0 0 4mm; }}
  h2 {{ font-size: 13pt; margin: 5mm 0 2mm; }}
  p {{ margin: 0 0 2mm; text-indent: 2em; text-align: justify; }}
  table {{ width: 100%; border-collapse: collapse; font-size: 9.5pt; }}
  th, td {{ border: 0.5pt solid #333; padding: 1mm 1.5mm; }}
  th {{ background: #eee; }}
  .meta td {{ border: none; padding: 0.5mm 0; }}
</style></head>
<body>
<h1>案件摘要</h1>
<table class="meta">
  <tr><td>案件编号：QS-2026-000123</td><td>案件阶段：诉讼</td><td>风险等级：高</td></tr>
  <tr><td>债权人：某某银行股份有限公司杭州分行</td><td>承办人：{handler}</td>
      <td>委托律所：浙江正衡律师事务所</td></tr>
</table>

<h2>一、当事人基本情况</h2>
<p>债务人浙江嘉禾物流有限公司，统一社会信用代码91330106MA2B3C4D5E，住所地杭州市西湖区
文三路四百七十八号，法定代表人{rep}。该公司主营道路货物运输、仓储服务及供应链管理，
注册资本人民币三千万元，近三年营业收入逐年下降，二〇二三年度亏损约六百万元。</p>
<p>保证人{guarantor1}系债务人实际控制人，持有其百分之六十股权；保证人{guarantor2}
系{guarantor1}之配偶。二人于二〇二三年三月十五日签订《最高额保证合同》，为债务人在
最高债权额人民币六百万元范围内的全部债务承担连带责任保证，保证期间为主债务履行期届满之日起三年。</p>

<h2>二、债权明细</h2>
<table>
  <tr><th>合同编号</th><th>业务品种</th><th>本金（元）</th><th>起息日</th><th>到期日</th>
      <th>年利率（%）</th><th>已还本金（元）</th></tr>
  {claims}
  <tr><td colspan="2">合计</td><td>5,450,000.00</td><td colspan="3"></td><td>650,000.00</td></tr>
</table>
<p>截至二〇二六年十一月二十三日，债务人尚欠本金人民币肆佰捌拾万元整（4,800,000.00元），
欠付利息及罚息合计约人民币伍拾陆万叁仟元。逾期罚息按合同约定利率上浮百分之五十计收，
复利按罚息利率计收。上述金额以债权计算表为准，本摘要仅供内部参考。</p>

<h2>三、催收经过</h2>
<table>
  <tr><th style="width: 18%">日期</th><th style="width: 16%">方式</th><th>情况</th></tr>
  {timeline}
</table>

<h2>四、财产线索</h2>
<p>经查询，债务人名下登记有厢式货车十二辆、仓库一处（建筑面积约两千四百平方米，已设定
抵押），另有对三家客户的应收账款约人民币一百二十万元。保证人{guarantor1}名下有住宅
一套，位于杭州市拱墅区，已办理按揭；保证人{guarantor2}名下有银行存款若干及某上市公司
股票，具体数额待法院冻结后核实。</p>
<p>法院已于二〇二四年十一月二十日作出保全裁定，冻结债务人银行存款人民币三十二万元，查封
车辆五辆。其余车辆下落不明，初步判断已被转移至外省使用，建议委托律师申请法院协助查找，
并视情况申请对实际控制人采取限制高消费措施。</p>

<h2>五、诉讼情况与下一步工作</h2>
<p>本行已于二〇二四年十二月二日向杭州市西湖区人民法院提起诉讼，请求判令债务人归还全部
借款本金、利息、罚息及复利，判令保证人承担连带清偿责任，并由被告承担案件受理费、保全费
及律师费。法院已受理并定于二〇二五年一月十五日开庭。</p>
<p>下一步工作：一是配合律师整理借款合同、借据、还款记录及催收凭证等证据材料，确保证据链
完整；二是继续跟踪保证人名下财产变动情况，防止恶意转移；三是在判决生效后及时申请强制执行，
必要时对抵押仓库申请司法拍卖；四是每月向法务部负责人报告案件进展，重大变化随时报告。</p>
<p>风险提示：债务人经营状况持续恶化，不排除进入破产程序的可能。如债务人申请破产，本行应
在法定期限内申报债权，并就抵押物主张优先受偿权。承办人应密切关注全国企业破产重整案件
信息网的公告信息。</p>

<p style="text-align: right; margin-top: 6mm">
  承办人：{handler}　　　二〇二六年十一月二十三日</p>
</body></html>"""
    return NEWLINE_IN_CHINESE.sub("", html)  # a line break between hanzi would print a space


def timed(render: Callable[[], bytes], runs: int) -> tuple[float, list[float], bytes]:
    times = []
    pdf = b""
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs of ours (default 20)")
    parser.add_argument("--stock-runs", type=int, default=3, help="timed stock runs (default 3)")
    parser.add_argument(
        "--fonttools", action="store_true", help="force WeasyPrint's fontTools subsetting"
    )
    args = parser.parse_args()

    if args.fonttools:
        weasyprint.pdf.fonts.harfbuzz_subset = None
        logging.getLogger("weasyprint").setLevel(logging.ERROR)  # one warning per font
    subsetter = "HarfBuzz" if weasyprint.pdf.fonts.harfbuzz_subset else "fontTools"
    print(f"WeasyPrint {weasyprint.__version__}, embedded fonts subset with {subsetter}")

    start = time.perf_counter()
    fonts = build_fonts()
    ready = time.perf_counter() - start
    sizes = ", ".join(f"{path.name} {path.stat().st_size / 1e6:.1f} MB" for path in fonts.values())
    print(f"small fonts in {font_cache_dir()}: {sizes} (ready in {ready:.1f} s)")

    rows = []
    for variant in ("everyday", "rare"):
        html = case_summary_html(variant)
        pages = len(weasyprint.HTML(string=html).render().pages)  # also warms stock up
        html_to_pdf(html)  # warm-up: this thread's font configuration
        stock, _, stock_pdf = timed(
            lambda html=html: weasyprint.HTML(string=html).write_pdf(), args.stock_runs
        )
        ours, times, our_pdf = timed(lambda html=html: html_to_pdf(html), args.runs)
        rows.append((variant, pages, stock, ours, min(times), len(stock_pdf), len(our_pdf)))

    print(
        f"\n{'document':<22} {'pages':>5} {'stock (s)':>10} {'ours (s)':>9} {'ours min':>9} "
        f"{'stock/ours':>10} {'stock PDF':>10} {'our PDF':>9}"
    )
    for variant, pages, stock, ours, best, stock_size, our_size in rows:
        label = "everyday text" if variant == "everyday" else "4 rare names"
        print(
            f"{label:<22} {pages:>5} {stock:>10.3f} {ours:>9.3f} {best:>9.3f} "
            f"{stock / ours:>9.1f}× {stock_size / 1e3:>7.0f} kB {our_size / 1e3:>6.0f} kB"
        )
    print(f"\nmedians: stock of {args.stock_runs} runs, ours of {args.runs} runs;")
    print("rare names: 王堃 李喆 朱镕 陈罍 (outside GB 2312, from the full system font)")


if __name__ == "__main__":
    main()
