"""The timeline's words for a delivery, and the key date's note.

The timeline entry is part of the case file, written once in its working language (Chinese, as
a clerk would write it) with the facts that matter later: which letter, carrier and number,
dates, signer, the rule applied and the limitation date before → after.
"""

from __future__ import annotations

from cases.delivery.models import Carrier, Delivery, DeliveryStatus
from cases.delivery.rules import OUTCOME_RULES, LimitationChange
from cases.money import cn_date

CARRIER_NAMES = {
    Carrier.EMS: "中国邮政EMS",
    Carrier.SF: "顺丰速运",
    Carrier.JD: "京东物流",
    Carrier.ZTO: "中通快递",
    Carrier.OTHER: "快递",
}
_OUTCOME_WORDS = {
    DeliveryStatus.DELIVERED: "已签收",
    DeliveryStatus.REFUSED: "被拒收",
    DeliveryStatus.RETURNED: "被退回",
}
_DATE_WORDS = {
    DeliveryStatus.DELIVERED: "签收日期",
    DeliveryStatus.REFUSED: "拒收日期",
    DeliveryStatus.RETURNED: "退回日期",
}


def waybill(delivery: Delivery) -> str:
    return f"{CARRIER_NAMES[delivery.carrier]} {delivery.tracking_no}"


def sent_text(delivery: Delivery) -> str:
    return (
        f"《{delivery.title}》已寄出：{waybill(delivery)}，寄出日期 {cn_date(delivery.sent_on)}。"
    )


def limitation_text(found: list[LimitationChange]) -> str:
    """``HT-001 诉讼时效届满日 2027年6月30日 → 2029年3月5日`` per claim, or why there is none."""
    if not found:
        return "本案当前不单独计算诉讼时效（已起诉、已结案或无未收回款项）。"
    parts = []
    for change in found:
        who = f"{change.subject} " if change.subject else ""
        if change.moved:
            parts.append(f"{who}诉讼时效届满日 {cn_date(change.before)} → {cn_date(change.after)}")
        else:
            parts.append(f"{who}诉讼时效届满日不变（{cn_date(change.after)}）")
    return "；".join(parts) + "。"


def outcome_text(delivery: Delivery, found: list[LimitationChange]) -> str:
    status = delivery.status
    assert delivery.outcome_on is not None
    text = (
        f"《{delivery.title}》{_OUTCOME_WORDS[status]}：{waybill(delivery)}，"
        f"{_DATE_WORDS[status]} {cn_date(delivery.outcome_on)}"
    )
    if delivery.signer:
        text += f"，签收人 {delivery.signer}"
    if delivery.outcome_note:
        text += f"（{delivery.outcome_note}）"
    rule = OUTCOME_RULES[status]
    text += f"。依据{rule.rule}"
    if not rule.interrupts:
        return text + "。"
    text += "，诉讼时效中断。"
    if found and not any(change.moved for change in found):
        text += "已有更晚的中断事由，"
    return text + limitation_text(found)


def key_date_note(delivery: Delivery) -> str:
    """The note on the DEMAND_DELIVERED key date: what was delivered, how, to whom."""
    who = f"，签收人 {delivery.signer}" if delivery.signer else ""
    how = "拒收（视为送达）" if delivery.status == DeliveryStatus.REFUSED else "签收"
    return f"《{delivery.title}》{how}：{waybill(delivery)}{who}"[:500]
