"""Check-digit validation of Chinese identifiers, via python-stdnum.

- 统一社会信用代码 (unified social credit code), GB 32100-2015: ``stdnum.cn.uscc``'s check
  character, but the first two characters (登记管理部门 and 机构类别) may be letters too
  (e.g. ``N2…`` for a village collective economic organisation, ``Y1…`` for other
  registrars), which stdnum's format check refuses;
- 居民身份证号码 (resident identity card number), GB 11643-1999: ``stdnum.cn.ric``.

Both are typed with spaces or hyphens between groups; those are removed before checking.
"""

from __future__ import annotations

import re

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from cases.base import today

# GB 32100-2015: 18 characters of the code alphabet (no I, O, Z, S, V); characters 3–8 are the
# administrative division code (digits); the last is the check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_SHAPE = re.compile(rf"[{_USCC_ALPHABET}]{{2}}[0-9]{{6}}[{_USCC_ALPHABET}]{{10}}")


def _strip(value: str) -> str:
    return "".join(value.split()).replace("-", "").upper()


def normalise_uscc(code: str) -> str:
    return uscc.compact(_strip(code))


def normalise_ric(number: str) -> str:
    return ric.compact(_strip(number))


def is_valid_uscc(code: str) -> bool:
    code = normalise_uscc(code)
    if not _USCC_SHAPE.fullmatch(code):
        return False
    return code[-1] == uscc.calc_check_digit(code[:-1])


def is_valid_ric(number: str) -> bool:
    """18-digit numbers only (the 15-digit first generation expired in 2013), born by today."""
    number = normalise_ric(number)
    try:
        ric.validate(number)
        born = ric.get_birth_date(number)
    except StdnumError:
        return False
    return len(number) == 18 and born <= today()
