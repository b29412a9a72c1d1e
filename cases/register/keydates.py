"""Key legal dates of a case (关键日期): the facts its court and limitation deadlines run from.

Claims' due dates, payments and promises are already on the case; what the register cannot
know is when a demand reached the debtor, when a judgment was served or an account frozen.
Legal staff and outside counsel record those here, and ``cases.register.schedule`` turns
them into deadlines with ``cases.deadlines``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, Session, SQLModel, select

from cases.base import StrEnum, UTCDateTime, enum_type, today, utcnow
from cases.errors import N_, NotFound
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.users.models import User
from cases.validation import parse


class KeyDateKind(StrEnum):
    # Interrupt the limitation period (民法典 第195条; 诉讼时效规定 第8、9、11条).
    DEMAND_DELIVERED = "demand_delivered"  # 催收函/律师函送达债务人
    DEBTOR_ACKNOWLEDGED = "debtor_acknowledged"  # 债务人确认债务、同意履行（对账单、还款计划）
    SUIT_FILED = "suit_filed"  # 起诉、申请仲裁或支付令
    ENFORCEMENT_APPLIED = "enforcement_applied"  # 申请强制执行
    # Start court deadlines.
    PRESUIT_PRESERVATION = "presuit_preservation"  # 诉前保全措施采取 → 30 days to sue
    JUDGMENT_SERVED = "judgment_served"  # 判决书送达 → 15 days to appeal
    RULING_SERVED = "ruling_served"  # 裁定书送达 → 10 days to appeal
    PAYMENT_ORDER_SERVED = "payment_order_served"  # 支付令送达 → 15 days to object
    PERFORMANCE_DUE = "performance_due"  # 生效文书履行期限届满 → 2 years to apply
    FREEZE_DEPOSIT = "freeze_deposit"  # 冻结银行存款 → 1 year
    FREEZE_MOVABLE = "freeze_movable"  # 查封、扣押动产 → 2 years
    FREEZE_IMMOVABLE = "freeze_immovable"  # 查封不动产、冻结其他财产权 → 3 years


KEY_DATE_LABELS = {
    KeyDateKind.DEMAND_DELIVERED: N_("Demand delivered to the debtor"),
    KeyDateKind.DEBTOR_ACKNOWLEDGED: N_("Debtor acknowledged the debt"),
    KeyDateKind.SUIT_FILED: N_("Suit, arbitration or payment order filed"),
    KeyDateKind.ENFORCEMENT_APPLIED: N_("Enforcement applied for"),
    KeyDateKind.PRESUIT_PRESERVATION: N_("Pre-suit preservation measures taken"),
    KeyDateKind.JUDGMENT_SERVED: N_("Judgment served"),
    KeyDateKind.RULING_SERVED: N_("Ruling served"),
    KeyDateKind.PAYMENT_ORDER_SERVED: N_("Payment order served"),
    KeyDateKind.PERFORMANCE_DUE: N_("Performance period of the judgment ends"),
    KeyDateKind.FREEZE_DEPOSIT: N_("Bank deposits frozen"),
    KeyDateKind.FREEZE_MOVABLE: N_("Movables seized"),
    KeyDateKind.FREEZE_IMMOVABLE: N_("Real estate or property rights seized"),
}

INTERRUPTING = frozenset(
    {
        KeyDateKind.DEMAND_DELIVERED,
        KeyDateKind.DEBTOR_ACKNOWLEDGED,
        KeyDateKind.SUIT_FILED,
        KeyDateKind.ENFORCEMENT_APPLIED,
        KeyDateKind.PRESUIT_PRESERVATION,
    }
)


class KeyDateCreate(SQLModel):
    kind: KeyDateKind
    on: date
    note: str | None = Field(default=None, max_length=500)

    @field_validator("on")
    @classmethod
    def _past(cls, v: date) -> date:
        if v > today():
            raise PydanticCustomError("future", N_("This date cannot be in the future"))
        return v


class KeyDate(SQLModel, table=True):
    __tablename__ = "key_date"
    __table_args__ = (sa.Index("ix_key_date_case_kind", "case_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    kind: KeyDateKind = Field(sa_type=enum_type(KeyDateKind, "key_date_kind"))
    on: date
    note: str | None = Field(default=None, max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def add_key_date(
    session: Session, actor: User, case: Case, data: KeyDateCreate | dict[str, Any]
) -> KeyDate:
    policies.require(actor, "case.key_dates")
    data = parse(KeyDateCreate, data)
    row = KeyDate.model_validate(data, update={"case_id": case.id, "created_by_id": actor.id})
    session.add(row)
    touch(case)
    session.flush()
    return row


def remove_key_date(session: Session, actor: User, case: Case, key_date_id: int) -> None:
    policies.require(actor, "case.key_dates")
    row = session.get(KeyDate, key_date_id)
    if row is None or row.case_id != case.id:
        raise NotFound(N_("No such date on this case"))
    session.delete(row)
    touch(case)
    session.flush()


def key_dates(session: Session, case_id: int) -> list[KeyDate]:
    stmt = select(KeyDate).where(KeyDate.case_id == case_id).order_by(KeyDate.on, KeyDate.id)
    return list(session.exec(stmt))
