"""The columns of an intake file: header names, value vocabularies and cell converters.

One row of the file is one claim (债权). Rows sharing an external reference (外部编号) form one
case; the case-level columns (creditor, debtor, handler, …) may be repeated on every row of
the case or filled only on its first row.

Headers are matched loosely: the template's Chinese label, the English field name (``key``)
or a common alias, ignoring spaces, a trailing ``*`` and full-width brackets. Enum cells
accept the Chinese label shown in the template as well as the English code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from cases.errors import N_, Message
from cases.parties.models import PartyKind
from cases.register.models import ClaimKind, CreditGrade, LoanClass, RiskLevel


class CellError(Exception):
    """A cell whose text cannot be read as the column's kind of value."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.message = Message(msgid, **params)
        super().__init__(str(self.message))


# ---- value vocabularies (file vocabulary, not UI text: the template is in Chinese) --------


def _vocab(*entries: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """``{accepted spelling (lower case): code}`` from ``(code, (Chinese label, aliases…))``."""
    table: dict[str, str] = {}
    for code, spellings in entries:
        for spelling in (code, *spellings):
            table[spelling.lower()] = code
    return table


PARTY_KINDS = _vocab(
    (PartyKind.COMPANY.value, ("单位", "企业", "公司", "法人", "Company")),
    (PartyKind.PERSON.value, ("自然人", "个人", "Individual")),
)
CLAIM_KINDS = _vocab(
    (ClaimKind.SALE.value, ("购销合同", "买卖合同", "销售合同", "Sales contract")),
    (ClaimKind.LOAN.value, ("借款合同", "贷款合同", "Loan contract")),
    (ClaimKind.CONSTRUCTION.value, ("施工合同", "建设工程施工合同", "Construction contract")),
    (ClaimKind.SERVICE.value, ("服务合同", "Service contract")),
    (ClaimKind.LEASE.value, ("租赁合同", "Lease contract")),
    (ClaimKind.OTHER.value, ("其他", "其它", "Other")),
)
CREDIT_GRADES = _vocab(*((g.value, ()) for g in CreditGrade))
RISK_LEVELS = _vocab(
    (RiskLevel.HIGH.value, ("高", "高风险")),
    (RiskLevel.MEDIUM.value, ("中", "中风险")),
    (RiskLevel.LOW.value, ("低", "低风险")),
)
LOAN_CLASSES = _vocab(
    (LoanClass.NORMAL.value, ("正常",)),
    (LoanClass.SPECIAL_MENTION.value, ("关注",)),
    (LoanClass.SUBSTANDARD.value, ("次级",)),
    (LoanClass.DOUBTFUL.value, ("可疑",)),
    (LoanClass.LOSS.value, ("损失",)),
)


# ---- cell converters: raw cell (str, number, date or None) → value or None ----------------


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a reference typed as a number in Excel: 12345.0 → "12345"
    if isinstance(raw, datetime):
        raw = raw.date()
    text = str(raw).strip()
    return text or None


def text(raw: Any) -> str | None:
    return _text(raw)


def email(raw: Any) -> str | None:
    value = _text(raw)
    return value.lower() if value else None


def _number(raw: Any, *, percent: bool) -> Decimal | None:
    if isinstance(raw, bool):
        raise CellError(N_("Not a valid amount"))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # Excel stores numbers as doubles; drop binary noise such as 0.30000000000000004.
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError(N_("Not a valid amount"))
        return Decimal(repr(round(raw, 6)))
    value = _text(raw)
    if value is None:
        return None
    value = re.sub(r"[\s,，¥￥]|元$|^RMB", "", value, flags=re.IGNORECASE)
    if percent:
        value = value.removesuffix("%").removesuffix("％")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(N_("Not a valid amount")) from None
    if not number.is_finite():
        raise CellError(N_("Not a valid amount"))
    return number


def money(raw: Any) -> Decimal | None:
    return _number(raw, percent=False)


def rate(raw: Any) -> Decimal | None:
    return _number(raw, percent=True)


def whole_number(raw: Any) -> int | None:
    try:
        number = _number(raw, percent=False)
    except CellError:
        raise CellError(N_("Not a whole number")) from None
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(N_("Not a whole number"))
    return int(number)


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?"
)
_EXCEL_EPOCH = date(1899, 12, 30)


def day(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # A date cell without a date format arrives as its serial number (days since 1899-12-30).
        if 20000 <= raw <= 80000 and float(raw).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(raw))
        raise CellError(N_("Not a valid date (YYYY-MM-DD)"))
    value = _text(raw)
    if value is None:
        return None
    match = _DATE.fullmatch(value)
    if match is None:
        raise CellError(N_("Not a valid date (YYYY-MM-DD)"))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(N_("Not a valid date (YYYY-MM-DD)")) from None


def choice(vocabulary: dict[str, str], allowed: str) -> Callable[[Any], str | None]:
    def convert(raw: Any) -> str | None:
        value = _text(raw)
        if value is None:
            return None
        code = vocabulary.get(re.sub(r"\s+", " ", value).lower())
        if code is None:
            raise CellError(N_("Not one of the allowed values: %(allowed)s"), allowed=allowed)
        return code

    return convert


def tag_list(raw: Any) -> list[str] | None:
    value = _text(raw)
    if value is None:
        return None
    return [tag.strip() for tag in re.split(r"[,，;；、]", value) if tag.strip()]


# ---- the columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the English field name, also accepted as a header
    label: str  # the template's Chinese header
    convert: Callable[[Any], Any]
    case_level: bool  # True: describes the case; False: describes one claim (one row)
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""  # 填写说明 (Chinese, shown in the template's second sheet)
    allowed: str = ""
    example: Any = None
    width: int = 14
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = {normalise_header(n) for n in (self.key, self.label, *self.aliases)}
        object.__setattr__(self, "names", frozenset(names))


def normalise_header(value: Any) -> str:
    """``" 本金（元）* "`` → ``"本金"``; ``"Principal"`` → ``"principal"``."""
    text = "" if value is None else str(value)
    text = text.replace("（", "(").replace("）", ")").replace("％", "%")
    text = re.sub(r"\([^)]*\)|[\s*＊]", "", text)
    return text.removesuffix("%").lower()


_PARTY_ALLOWED = "单位/自然人"
_CLAIM_ALLOWED = "购销合同/借款合同/施工合同/服务合同/租赁合同/其他"
_GRADE_ALLOWED = "A/B/C/D"
_RISK_ALLOWED = "高/中/低"
_LOAN_ALLOWED = "正常/关注/次级/可疑/损失"

COLUMNS: tuple[Column, ...] = (
    Column(
        "external_ref",
        "外部编号",
        text,
        True,
        required=True,
        aliases=("外部参考号", "业务编号"),
        example="YW-2025-0001",
        width=16,
        help="业务系统中的唯一编号（最多64个字符），用于防止重复导入。编号已在系统中存在的行"
        "会被跳过；同一编号的多行视为同一案件下的多笔债权。",
    ),
    Column(
        "creditor",
        "债权人",
        text,
        True,
        required=True,
        aliases=("债权人名称", "债权单位"),
        example="示例集团有限公司",
        width=22,
        help="债权人全称或简称，须已在系统中登记。",
    ),
    Column(
        "debtor_kind",
        "债务人类型",
        choice(PARTY_KINDS, _PARTY_ALLOWED),
        True,
        required=True,
        allowed=_PARTY_ALLOWED,
        example="单位",
        width=10,
    ),
    Column(
        "debtor_name",
        "债务人名称",
        text,
        True,
        required=True,
        aliases=("债务人",),
        example="某某贸易有限公司",
        width=24,
    ),
    Column(
        "debtor_id",
        "证件号码",
        text,
        True,
        required=True,
        aliases=("统一社会信用代码/身份证号码", "统一社会信用代码", "身份证号码", "身份证号"),
        example="91110000600037341L",
        width=22,
        help="单位填18位统一社会信用代码，自然人填18位居民身份证号码（均校验校验位）。",
    ),
    Column("debtor_legal_representative", "法定代表人", text, True, width=12),
    Column("debtor_phone", "债务人电话", text, True, aliases=("联系电话",), width=14),
    Column("debtor_address", "债务人地址", text, True, aliases=("地址",), width=28),
    Column("contract_ref", "合同编号", text, False, required=True, example="HT-2025-001", width=16),
    Column(
        "contract_title", "合同名称", text, False, required=True, example="钢材购销合同", width=20
    ),
    Column(
        "claim_kind",
        "合同类型",
        choice(CLAIM_KINDS, _CLAIM_ALLOWED),
        False,
        allowed=_CLAIM_ALLOWED,
        example="购销合同",
        width=12,
        help="留空默认为购销合同。",
    ),
    Column(
        "principal",
        "本金(元)",
        money,
        False,
        required=True,
        aliases=("欠款本金", "金额"),
        example="120000.00",
        width=14,
        help="大于0，最多两位小数；可写成 1,234.50 或 ¥1,234.50。",
    ),
    Column(
        "interest_rate",
        "年利率(%)",
        rate,
        False,
        aliases=("利率",),
        example="4.35",
        width=10,
        help="百分数的数值，如 4.35 表示年利率4.35%。",
    ),
    Column(
        "interest_basis",
        "计息基数",
        whole_number,
        False,
        allowed="360/365",
        example=365,
        width=10,
        help="一年按多少天计息，留空默认为365。",
    ),
    Column(
        "penalty_rate",
        "罚息利率(%)",
        rate,
        False,
        aliases=("违约金利率",),
        width=12,
        help="百分数的数值。",
    ),
    Column(
        "signed_on",
        "签订日期",
        day,
        False,
        aliases=("合同签订日期",),
        example="2024-06-30",
        width=12,
        help="日期：YYYY-MM-DD、YYYY/MM/DD或YYYY年MM月DD日。",
    ),
    Column(
        "due_date",
        "到期日",
        day,
        False,
        required=True,
        aliases=("到期日期", "应还款日"),
        example="2025-06-30",
        width=12,
        help="日期：YYYY-MM-DD、YYYY/MM/DD或YYYY年MM月DD日。",
    ),
    Column(
        "handler",
        "承办人邮箱",
        email,
        True,
        aliases=("承办人",),
        width=24,
        help="承办人的登录邮箱，须为在职的法务人员。",
    ),
    Column(
        "firm",
        "律师事务所",
        text,
        True,
        aliases=("律所",),
        width=22,
        help="已委托的律师事务所全称，须已在系统中登记。",
    ),
    Column(
        "credit_grade",
        "信用等级",
        choice(CREDIT_GRADES, _GRADE_ALLOWED),
        True,
        allowed=_GRADE_ALLOWED,
        example="B",
        width=10,
    ),
    Column(
        "risk_level",
        "风险等级",
        choice(RISK_LEVELS, _RISK_ALLOWED),
        True,
        allowed=_RISK_ALLOWED,
        example="中",
        width=10,
    ),
    Column(
        "loan_class",
        "五级分类",
        choice(LOAN_CLASSES, _LOAN_ALLOWED),
        True,
        allowed=_LOAN_ALLOWED,
        width=10,
        help="仅适用于银行类债权人。",
    ),
    Column(
        "transferred_on", "移交日期", day, True, width=12, help="留空默认为导入当天；不能晚于今天。"
    ),
    Column(
        "tags",
        "标签",
        tag_list,
        True,
        example="百日攻坚，重点",
        width=16,
        help="多个标签用逗号、分号或顿号分隔，每个最多40个字符。",
    ),
    Column(
        "summary",
        "案情摘要",
        text,
        True,
        aliases=("摘要", "备注"),
        width=30,
        help="最多4000个字符。",
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED = tuple(column for column in COLUMNS if column.required)


def match_header(value: Any) -> Column | None:
    name = normalise_header(value)
    if not name:
        return None
    return next((column for column in COLUMNS if name in column.names), None)
