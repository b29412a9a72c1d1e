"""Tables: write-off applications (核销申请), the evidence they cite, and their approval steps.

An application names a reason (``reasons.py``) and the amount written off — by default the
principal outstanding plus the interest claimed, computed from the case's statement on the
day, or an amount typed by the applicant; either way the computation is kept beside it. Each
checklist item is covered by a file of the case (``Attachment``) or an evidence row.

The flow (``TRANSITIONS``): draft → submitted → in review → approved, or rejected with a
reason (back to the applicant, who may change it and submit again: a new *round*), or
withdrawn by the applicant. The chain of steps comes from an ``ApprovalPolicy`` when the
application is submitted and is kept on it (``chain``). ``version`` is bumped by every change
of state (``operations._claim``): of two concurrent decisions only the first passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, utcnow
from cases.errors import N_
from cases.users.models import Role
from cases.validation import field_error
from cases.writeoffs.reasons import Regime, WriteOffReason


class WriteOffStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    WriteOffStatus.DRAFT: N_("Draft"),
    WriteOffStatus.SUBMITTED: N_("Submitted"),
    WriteOffStatus.IN_REVIEW: N_("In review"),
    WriteOffStatus.APPROVED: N_("Approved: written off"),
    WriteOffStatus.REJECTED: N_("Returned to the applicant"),
    WriteOffStatus.WITHDRAWN: N_("Withdrawn"),
}

# Applications still being worked on: at most one per case.
OPEN_STATUSES = (
    WriteOffStatus.DRAFT,
    WriteOffStatus.SUBMITTED,
    WriteOffStatus.IN_REVIEW,
    WriteOffStatus.REJECTED,
)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


DECISION_LABELS = {Decision.APPROVE: N_("Agreed"), Decision.REJECT: N_("Not agreed: returned")}

_S = WriteOffStatus
# (state, action) → new state. "approve" moves on to the next step, "approve_last" completes.
TRANSITIONS: dict[tuple[WriteOffStatus, str], WriteOffStatus] = {
    (_S.DRAFT, "edit"): _S.DRAFT,
    (_S.REJECTED, "edit"): _S.REJECTED,
    (_S.DRAFT, "submit"): _S.SUBMITTED,
    (_S.REJECTED, "submit"): _S.SUBMITTED,
    (_S.SUBMITTED, "approve"): _S.IN_REVIEW,
    (_S.IN_REVIEW, "approve"): _S.IN_REVIEW,
    (_S.SUBMITTED, "approve_last"): _S.APPROVED,
    (_S.IN_REVIEW, "approve_last"): _S.APPROVED,
    (_S.SUBMITTED, "reject"): _S.REJECTED,
    (_S.IN_REVIEW, "reject"): _S.REJECTED,
    **{(s, "withdraw"): _S.WITHDRAWN for s in OPEN_STATUSES},
}

# Who decides a step: the role it requires → the capability (``cases.register.policies``).
STEP_CAPABILITY = {Role.FINANCE: "writeoff.review", Role.MANAGEMENT: "writeoff.approve"}
STEP_LABELS = {Role.FINANCE: N_("Finance review"), Role.MANAGEMENT: N_("Management approval")}


@dataclass(frozen=True)
class ApprovalPolicy:
    """The chain of steps after submission, by amount. The default: finance reviews,
    management approves, and above ``second_management_above`` a second, different manager
    approves as well (``None``: never)."""

    steps: tuple[Role, ...] = (Role.FINANCE, Role.MANAGEMENT)
    second_management_above: Decimal | None = Decimal("5000000.00")

    def __post_init__(self) -> None:
        if not self.steps or any(role not in STEP_CAPABILITY for role in self.steps):
            raise ValueError(f"approval steps must be among {sorted(STEP_CAPABILITY)}")

    def chain_for(self, amount: Decimal) -> tuple[Role, ...]:
        above = self.second_management_above
        if above is not None and amount > above:
            return (*self.steps, Role.MANAGEMENT)
        return self.steps


DEFAULT_POLICY = ApprovalPolicy()


# ---- what the applicant types ---------------------------------------------------------------


class EvidenceLink(SQLModel):
    """One checklist item covered by a file of the case or by one of its evidence rows."""

    item: str = Field(min_length=1, max_length=40)
    attachment_id: int | None = None
    evidence_id: int | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EvidenceLink:
        if (self.attachment_id is None) == (self.evidence_id is None):
            raise field_error("attachment_id", N_("Give either a file or an evidence item"))
        return self


class WriteOffDraft(SQLModel):
    reason: WriteOffReason
    reason_detail: str = Field(min_length=1, max_length=4000)
    legal_opinion: str | None = Field(default=None, max_length=4000)
    legal_opinion_attachment_id: int | None = None
    # None: the principal outstanding plus the interest claimed, computed on the day.
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    amount_note: str | None = Field(default=None, max_length=1000)
    annual_revenue: Decimal | None = Field(default=None, gt=0, max_digits=16, decimal_places=2)
    evidence: list[EvidenceLink] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _blank_is_none(self) -> WriteOffDraft:
        for name in ("legal_opinion", "amount_note"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                setattr(self, name, None)
        return self


# ---- tables ---------------------------------------------------------------------------------


class WriteOffApplication(SQLModel, table=True):
    __tablename__ = "writeoff_application"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.CheckConstraint(
            "status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL", name="submission_dated"
        ),
        sa.CheckConstraint(
            "status != 'approved' OR (decided_at IS NOT NULL AND written_off_on IS NOT NULL)",
            name="approval_dated",
        ),
        sa.CheckConstraint("amount_entered OR amount = computed_amount", name="amount_computed"),
        # one application in the works per case
        sa.Index(
            "uq_writeoff_application_open",
            "case_id",
            unique=True,
            sqlite_where=sa.text("status IN ('draft', 'submitted', 'in_review', 'rejected')"),
            postgresql_where=sa.text("status IN ('draft', 'submitted', 'in_review', 'rejected')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    reason: WriteOffReason = Field(sa_type=enum_type(WriteOffReason, "writeoff_reason"))
    regime: Regime = Field(sa_type=enum_type(Regime, "writeoff_regime"))
    reason_detail: str = Field(max_length=4000)
    legal_opinion: str | None = Field(default=None, max_length=4000)
    legal_opinion_attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    status: WriteOffStatus = Field(
        default=WriteOffStatus.DRAFT,
        sa_type=enum_type(WriteOffStatus, "writeoff_status"),
        index=True,
    )
    # The amount written off and how it was arrived at.
    amount: Decimal = money_field()
    amount_entered: bool = False  # typed by the applicant rather than the computed figure
    amount_note: str | None = Field(default=None, max_length=1000)
    computed_amount: Decimal = money_field()
    computed_on: date
    computation: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    annual_revenue: Decimal | None = Field(default=None, sa_type=sa.Numeric(16, 2))
    # The approval chain of the current round (role values), fixed on submission.
    chain: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    round_no: int = 0  # submissions so far
    version: int = 1
    applicant_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    written_off_on: date | None = None
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def chain_roles(self) -> tuple[Role, ...]:
        return tuple(Role(r) for r in self.chain)


class WriteOffEvidence(SQLModel, table=True):
    """A checklist item of an application and the file or evidence row that covers it."""

    __tablename__ = "writeoff_evidence"
    __table_args__ = (
        sa.CheckConstraint("(attachment_id IS NULL) != (evidence_id IS NULL)", name="one_source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="writeoff_application.id", index=True)
    case_id: int = Field(foreign_key="case.id")  # the application's, for the audit trail
    item: str = Field(max_length=40)
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")


class WriteOffStep(SQLModel, table=True):
    """One decision on an application: who, in which role, approve or reject, why, when.

    One decision per position of a round and one per person and round (the database refuses
    a second): nobody decides two steps of the same submission."""

    __tablename__ = "writeoff_step"
    __table_args__ = (
        sa.UniqueConstraint(
            "application_id", "round_no", "step_no", name="uq_writeoff_step_position"
        ),
        sa.UniqueConstraint(
            "application_id", "round_no", "actor_id", name="uq_writeoff_step_actor"
        ),
        sa.CheckConstraint("step_no >= 1", name="step_no_positive"),
        sa.CheckConstraint(
            "decision != 'reject' OR reason IS NOT NULL", name="rejection_has_reason"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="writeoff_application.id", index=True)
    case_id: int = Field(foreign_key="case.id")  # the application's, for the audit trail
    round_no: int
    step_no: int
    role: Role = Field(sa_type=enum_type(Role, "writeoff_step_role"))
    actor_id: int = Field(foreign_key="app_user.id")
    decision: Decision = Field(sa_type=enum_type(Decision, "writeoff_decision"))
    reason: str | None = Field(default=None, max_length=1000)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
