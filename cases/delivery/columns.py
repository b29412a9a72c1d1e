"""The columns of the two delivery files of a bulk run, and how their cells are read.

- **Sendings** (寄送登记): case number + tracking number, optionally carrier and sent date — one
  row per letter of the run that went out. ``sendings_template`` writes one pre-filled with the
  run's case numbers.
- **Outcomes** (快递签收结果): a courier's export — tracking number (运单号), status (状态:
  已签收 / 拒收 / 退回 …), signed time (签收时间), signer (签收人), optionally the time of
  return or refusal, carrier and a note.

Headers are matched like the case import's (``cases.imports.columns.normalise_header``): the
usual Chinese names of the carriers' exports or an English alternative, ignoring spaces,
brackets and case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cases.delivery.models import Carrier, DeliveryStatus
from cases.errors import N_
from cases.imports.columns import CellError, day, normalise_header, text

IN_TRANSIT = "in_transit"  # a status a courier file may report that is not an outcome yet


def _vocab(entries: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {
        normalise_header(spelling): code
        for code, spellings in entries.items()
        for spelling in (code, *spellings)
    }


CARRIERS = _vocab(
    {
        Carrier.EMS.value: ("EMS", "邮政", "中国邮政", "邮政EMS", "中国邮政EMS", "China Post"),
        Carrier.SF.value: ("顺丰", "顺丰速运", "顺丰快递", "SF", "SF Express"),
        Carrier.JD.value: ("京东", "京东物流", "京东快递", "JD", "JD Logistics"),
        Carrier.ZTO.value: ("中通", "中通快递", "ZTO", "ZTO Express"),
        Carrier.OTHER.value: ("其他", "其它", "Other"),
    }
)
CARRIERS_ALLOWED = "EMS/顺丰/京东/中通/其他"

STATUSES = _vocab(
    {
        DeliveryStatus.DELIVERED.value: (
            "已签收",
            "签收",
            "妥投",
            "已妥投",
            "本人签收",
            "他人签收",
            "他人代收",
            "代收",
            "已代收",
            "投递成功",
            "派送成功",
            "已投递",
            "signed",
            "signed for",
        ),
        DeliveryStatus.REFUSED.value: (
            "拒收",
            "已拒收",
            "拒签",
            "收件人拒收",
            "拒收退回",
            "rejected",
        ),
        DeliveryStatus.RETURNED.value: (
            "退回",
            "已退回",
            "退件",
            "已退件",
            "退回妥投",
            "原址退回",
            "查无此人",
            "地址不详",
            "地址错误",
            "无法投递",
            "undeliverable",
            "return to sender",
        ),
        IN_TRANSIT: (
            "在途",
            "运输中",
            "派送中",
            "投递中",
            "已揽收",
            "揽收",
            "已揽件",
            "已发出",
            "待签收",
            "待投递",
            "in transit",
            "out for delivery",
            "pending",
        ),
    }
)
STATUSES_ALLOWED = "已签收/拒收/退回/在途"


def _choice(vocabulary: dict[str, str], allowed: str) -> Callable[[Any], str | None]:
    def convert(raw: Any) -> str | None:
        value = text(raw)
        if value is None:
            return None
        code = vocabulary.get(normalise_header(value))
        if code is None:
            raise CellError(N_("Not one of the allowed values: %(allowed)s"), allowed=allowed)
        return code

    return convert


_MOMENT = re.compile(
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})\s*日?(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?"
)


def moment(raw: Any) -> date | None:
    """A date, or the date of a date and time as couriers export it (``2026-03-03 14:22:10``)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, str) and (match := _MOMENT.fullmatch(raw.strip())):
        return day(match.group(1))
    return day(raw)


def case_number(raw: Any) -> str | None:
    value = text(raw)
    return value.upper() if value else None


def tracking(raw: Any) -> str | None:
    value = text(raw)
    return re.sub(r"\s+", "", value).upper() if value else None


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header our template writes
    convert: Callable[[Any], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = {normalise_header(n) for n in (self.key, self.label, *self.aliases)}
        object.__setattr__(self, "names", frozenset(names))


TRACKING_ALIASES = (
    "运单号码",
    "快递单号",
    "快递单号码",
    "邮件号",
    "邮件号码",
    "邮件编号",
    "物流单号",
    "单号",
    "tracking number",
    "tracking no",
    "waybill",
    "waybill no",
    "waybill number",
)
CARRIER_ALIASES = ("快递", "快递公司名称", "承运商", "物流公司", "carrier", "courier")

SENDING_COLUMNS = (
    Column(
        "case_number",
        "案件编号",
        case_number,
        required=True,
        aliases=("案件号", "案件编码", "case number", "case no", "case"),
    ),
    Column("tracking_no", "运单号", tracking, required=True, aliases=TRACKING_ALIASES),
    Column("carrier", "快递公司", _choice(CARRIERS, CARRIERS_ALLOWED), aliases=CARRIER_ALIASES),
    Column(
        "sent_on",
        "寄出日期",
        moment,
        aliases=(
            "寄件日期",
            "寄件时间",
            "交寄日期",
            "交寄时间",
            "发出日期",
            "邮寄日期",
            "sent on",
            "sent date",
            "date sent",
            "posted on",
        ),
    ),
)
# Columns our sendings template adds for the reader; known, and not used.
SENDING_INFO = frozenset(normalise_header(n) for n in ("债务人", "文书", "debtor", "document"))

OUTCOME_COLUMNS = (
    Column("tracking_no", "运单号", tracking, required=True, aliases=TRACKING_ALIASES),
    Column(
        "status",
        "状态",
        _choice(STATUSES, STATUSES_ALLOWED),
        required=True,
        aliases=(
            "签收状态",
            "投递状态",
            "物流状态",
            "邮件状态",
            "派送状态",
            "投递结果",
            "status",
            "outcome",
            "result",
        ),
    ),
    Column(
        "signed_at",
        "签收时间",
        moment,
        aliases=(
            "签收日期",
            "妥投时间",
            "妥投日期",
            "投递时间",
            "投递日期",
            "处理时间",
            "signed at",
            "signed on",
            "signed time",
            "delivered at",
            "delivered on",
            "date",
        ),
    ),
    Column(
        "returned_at",
        "退回时间",
        moment,
        aliases=(
            "退回日期",
            "退件时间",
            "拒收时间",
            "拒收日期",
            "returned at",
            "returned on",
            "refused at",
            "refused on",
        ),
    ),
    Column(
        "signer",
        "签收人",
        text,
        aliases=("签收人姓名", "实际签收人", "收件人签收", "signer", "signed by", "received by"),
    ),
    Column("carrier", "快递公司", _choice(CARRIERS, CARRIERS_ALLOWED), aliases=CARRIER_ALIASES),
    Column(
        "note",
        "备注",
        text,
        aliases=("原因", "退回原因", "拒收原因", "异常原因", "note", "reason", "remark"),
    ),
)


def match(columns: tuple[Column, ...], header: Any) -> Column | None:
    name = normalise_header(header)
    if not name:
        return None
    return next((column for column in columns if name in column.names), None)
