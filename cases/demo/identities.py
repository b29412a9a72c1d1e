"""Identity numbers with valid check digits: organisation codes, unified social credit
codes and resident ID numbers."""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric, uscc


def org_code(body8: str) -> str:
    """An organisation code (GB 11714): eight characters and their check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(prefix: str, region: str, serial: int) -> str:
    """A unified social credit code: registrar and kind, region, organisation code, check."""
    body = prefix + region + org_code(f"{serial:08d}")
    return body + uscc.calc_check_digit(body)


def make_ric(region: str, born: date, order: int) -> str:
    """An 18-digit resident ID number: region, birth date, order code, check digit."""
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
