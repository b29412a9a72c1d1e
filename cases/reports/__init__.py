"""Management figures (issue 6, "The management view"): computations only, no web pages.

- ``periods``: weeks (from Monday), months, quarters, years and arbitrary from–to ranges on
  the Asia/Shanghai calendar;
- ``dimensions``: the groupings of the management view — creditor, branch, handler, firm;
- ``figures``: aging buckets by dimension, the stage funnel, money recovered per period;
- ``rates``: the recovery, overdue and bad-debt rates of seed 004 as ``cases.figures.Figure``.

Every figure is one or two SQL aggregates whatever the number of cases; Python only shapes
the grouped rows. Only confirmed money counts (``cases.ledger.models.CONFIRMED``). Access is
the caller's business: these functions read the whole book (management, finance, legal).
"""
