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
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, utcnow
from cases.errors import N_
from cases.fees import MATTER_TYPES
from cases.validation import field_error


class Authority(StrEnum):
    """民事诉讼法 第六十二条: a general mandate, or a special one naming the listed powers."""

    GENERAL = "general"  # 一般授权
    SPECIAL = "special"  # 特别授权: 代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉


AUTHORITY_LABELS = {
    Authority.GENERAL: N_("General mandate (一般授权)"),
    Authority.SPECIAL: N_("Special mandate (特别授权)"),
}
# Money is paid to the creditor, never collected by the lawyers: no 代领执行款 here.
SPECIAL_POWERS = (
    "代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉，代为签收法律文书，代为申请执行"
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
    EngagementStatus.ACTIVE: N_("Engaged"),
    EngagementStatus.ENDED: N_("Ended"),
}


class FrameworkAgreementCreate(SQLModel):
    """A firm's framework agreement as legal staff record it (``add_agreement``)."""

    reference: str = Field(min_length=1, max_length=64)
    signed_on: date
    starts_on: date
    ends_on: date | None = None
    terms: str = Field(default="", max_length=4000)

    @field_validator("reference", "terms")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @model_validator(mode="after")
    def _dates(self) -> FrameworkAgreementCreate:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise field_error("ends_on", N_("The end date cannot be before the start date"))
        return self


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

    def in_force(self, on: date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


def _as_strings(value: Any) -> Any:
    """Fee terms as JSON keeps them: numbers as strings ("0.25"), never floats."""
    if isinstance(value, dict):
        return {str(k): _as_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_strings(v) for v in value]
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(str(value)))
    return value


NO_SCOPE = N_("Choose at least one stage: before suit, litigation or enforcement")


class EngagementTerms(SQLModel):
    """What legal staff agree with the firm on one case (``engage``, ``change_terms``).

    ``fee_terms`` is checked against ``fee_kind`` by ``cases.engagements.terms.arrangement``;
    a blank ``claim_amount`` means the case's claimed principal.
    """

    lead_lawyer_id: int
    framework_agreement_id: int | None = None
    scope_non_litigation: bool = False
    scope_litigation: bool = False
    scope_enforcement: bool = False
    starts_on: date
    ends_on: date | None = None
    authority: Authority = Authority.GENERAL
    authority_note: str = Field(default="", max_length=1000)
    matter_type: str = Field(default="debt_collection", max_length=40)
    claim_amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    fee_kind: FeeKind
    fee_terms: dict[str, Any] = Field(default_factory=dict)
    expenses_note: str = Field(default="", max_length=1000)

    @field_validator("authority_note", "expenses_note")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @field_validator("fee_terms")
    @classmethod
    def _plain_terms(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _as_strings(v)

    @field_validator("matter_type")
    @classmethod
    def _matter(cls, v: str) -> str:
        if v not in MATTER_TYPES:
            raise PydanticCustomError("matter", N_("Not one of the allowed values"))
        return v

    @model_validator(mode="after")
    def _rules(self) -> EngagementTerms:
        if not (self.scope_non_litigation or self.scope_litigation or self.scope_enforcement):
            raise field_error("scope", NO_SCOPE)
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise field_error("ends_on", N_("The end date cannot be before the start date"))
        if self.authority == Authority.SPECIAL and not self.authority_note:
            self.authority_note = SPECIAL_POWERS  # the powers 第六十二条 requires to be named
        return self


class EngagementCreate(EngagementTerms):
    firm_id: int


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
    # Engaged at intake or by import, or before engagements existed: the fee terms (a fixed
    # fee of 0 meanwhile), the lead lawyer and the mandate are still to be entered.
    terms_pending: bool = False
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
