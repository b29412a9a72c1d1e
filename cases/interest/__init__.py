"""Interest: contract, LPR-linked, private-lending cap and late-performance (RULES.md §5).

The arithmetic is pure (``cases.interest.calc``, re-exported here); the LPR table kept in the
database and the admin operations on it live in ``cases.interest.lpr``.
"""

from cases.interest.calc import (
    DAILY_QUANTUM,
    FIRST_LPR_DATE,
    PAST_LAST_LPR,
    LprRow,
    LprSeries,
    Term,
    bundled_csv,
    contract_interest,
    daily_interest,
    late_performance_interest,
    lpr_interest,
    private_lending_cap,
)

__all__ = [
    "DAILY_QUANTUM",
    "FIRST_LPR_DATE",
    "PAST_LAST_LPR",
    "LprRow",
    "LprSeries",
    "Term",
    "bundled_csv",
    "contract_interest",
    "daily_interest",
    "late_performance_interest",
    "lpr_interest",
    "private_lending_cap",
]
