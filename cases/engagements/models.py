"""Framework agreements with law firms and per-case engagements with their fee terms.

``Case.firm_id`` stays the one column every visibility check reads: it always names the firm
of the case's live engagement (``status`` ``active``), or nothing. An engagement whose terms
can exceed the statutory cap waits in ``awaiting_override`` — the firm does not see the case —
until management records an override with a reason.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, utcnow
from cases.errors import N_


class Authority(StrEnum):
    """民事诉讼法 第六十二条: a general mandate, or a special one naming the listed powers."""

    GENERAL = "general"  # 一般授权
    SPECIAL = "special"  # 特别授权: 代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉


AUTHORITY_LABELS = {
    Authority.GENERAL: N_("General mandate (一般授权)"),
    Authority.SPECIAL: N_("Special mandate (特别授权)"),
}
SPECIAL_POWERS = (
    "代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉，"
    "代为签收法律文书，代为申请执行、领取执行款"
)


class FeeKind(StrEnum):
    FIXED = "fixed"  # 固定收费 / 计件收费
    CLAIM_PERCENTAGE = "claim_percentage"  # 按标的额比例收费
    CONTINGENCY = "contingency"  # 风险代理
    BASE_PLUS_CONTINGENCY = "base_plus_contingency"  # 基础费用 + 风险代理


FEE_KIND_LABELS = {
    FeeKind.FIXED: N_("Fixed fee"),
    FeeKind.CLAIM_PERCENTAGE: N_("Percentage of the claim"),
    FeeKind.CONTINGENCY: N_("Contingency (风险代理)"),
    FeeKind.BASE_PLUS_CONTINGENCY: N_("Base fee plus contingency"),
}


class EngagementStatus(StrEnum):
    AWAITING_OVERRIDE = "awaiting_override"
    ACTIVE = "active"
    ENDED = "ended"


ENGAGEMENT_STATUS_LABELS = {
    EngagementStatus.AWAITING_OVERRIDE: N_("Awaiting management override"),
    EngagementStatus.ACTIVE: N_("Active"),
    EngagementStatus.ENDED: N_("Ended"),
}


class FrameworkAgreement(SQLModel, table=True):
    """A firm's framework agreement (法律服务框架协议): the panel contract cases are sent under."""

    __tablename__ = "framework_agreement"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.UniqueConstraint("firm_id", "reference", name="uq_framework_agreement_firm_reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(foreign_key="law_firm.id", index=True)
    reference: str = Field(min_length=1, max_length=64)  # 合同编号
    signed_on: date
    starts_on: date
    ends_on: date | None = None
    terms: str = Field(default="", max_length=4000)  # fee schedule, reporting duties, …
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Engagement(SQLModel, table=True):
    """One case engaged to one firm (委托代理), with scope, mandate and fee arrangement.

    ``fee_terms`` holds the arrangement's numbers as strings (see ``cases.engagements.terms``):

    - fixed: ``{"amount": "30000"}``
    - claim_percentage: ``{"rate": "0.05"}``
    - contingency: ``{"rate": "0.25"}`` or ``{"tiers": [["1000000", "0.2"], [null, "0.15"]]}``
      or ``{"stage_rates": {"non_litigation": "0.1", "litigation": "0.2", ...}}``
    - base_plus_contingency: ``{"base": {"amount": …} | {"rate": …}, "contingency": {…}}``
    """

    __tablename__ = "engagement"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("claim_amount >= 0", name="claim_amount_non_negative"),
        sa.CheckConstraint(
            "scope_non_litigation OR scope_litigation OR scope_enforcement", name="some_scope"
        ),
        sa.CheckConstraint(
            "cap_override_by_id IS NULL OR cap_override_reason IS NOT NULL",
            name="override_has_reason",
        ),
        # at most one live engagement per case
        sa.Index(
            "uq_engagement_live_case",
            "case_id",
            unique=True,
            sqlite_where=sa.text("status != 'ended'"),
            postgresql_where=sa.text("status != 'ended'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    firm_id: int = Field(foreign_key="law_firm.id", index=True)
    framework_agreement_id: int | None = Field(default=None, foreign_key="framework_agreement.id")
    lead_lawyer_id: int | None = Field(default=None, foreign_key="app_user.id")
    scope_non_litigation: bool = False
    scope_litigation: bool = False
    scope_enforcement: bool = False
    starts_on: date
    ends_on: date | None = None
    authority: Authority = Field(
        default=Authority.GENERAL, sa_type=enum_type(Authority, "engagement_authority")
    )
    authority_note: str = Field(default="", max_length=1000)
    matter_type: str = Field(default="debt_collection", max_length=40)
    claim_amount: Decimal = money_field()  # 标的额 the claim-percentage part is computed on
    fee_kind: FeeKind = Field(sa_type=enum_type(FeeKind, "fee_kind"))
    fee_terms: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    expenses_note: str = Field(default="", max_length=1000)  # what is reimbursed at cost
    status: EngagementStatus = Field(
        default=EngagementStatus.ACTIVE,
        sa_type=enum_type(EngagementStatus, "engagement_status"),
    )
    cap_override_reason: str | None = Field(default=None, max_length=2000)
    cap_override_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    cap_override_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=1000)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def scopes(self) -> tuple[str, ...]:
        """The fee stages (``cases.fees.FEE_STAGES`` keys) the engagement covers."""
        flags = (
            ("non_litigation", self.scope_non_litigation),
            ("litigation", self.scope_litigation),
            ("enforcement", self.scope_enforcement),
        )
        return tuple(name for name, on in flags if on)
