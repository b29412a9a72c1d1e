"""Tables: repayment plans (还款协议) with their installments, and promises to pay.

What people decided is stored — a plan's installments, waivers, acceleration or cancellation;
a promise's amount, date and an explicit follow-up. What the money says is computed every
time from the case's confirmed payments (``cases.plans.matching``): which installment is paid,
partly paid, due or missed, whether a promise was kept or broken, the plan's status. A payment
confirmed, rejected or back-dated later therefore changes the picture without a migration of
state.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import model_validator
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, today, utcnow
from cases.errors import N_
from cases.validation import field_error

ZERO = Decimal("0.00")
MAX_INSTALLMENTS = 120


# ---- states and statuses --------------------------------------------------------------------


class PlanState(StrEnum):
    """What was decided about a plan (stored)."""

    ACTIVE = "active"
    ACCELERATED = "accelerated"  # the whole remaining balance declared due
    CANCELLED = "cancelled"


class PlanAction(StrEnum):
    EDIT = "edit"
    ACCELERATE = "accelerate"
    CANCEL = "cancel"


# The only moves a plan makes; anything else is refused.
TRANSITIONS: dict[tuple[PlanState, PlanAction], PlanState] = {
    (PlanState.ACTIVE, PlanAction.EDIT): PlanState.ACTIVE,
    (PlanState.ACTIVE, PlanAction.ACCELERATE): PlanState.ACCELERATED,
    (PlanState.ACTIVE, PlanAction.CANCEL): PlanState.CANCELLED,
    (PlanState.ACCELERATED, PlanAction.CANCEL): PlanState.CANCELLED,
}


class PlanStatus(StrEnum):
    """What a plan's page and the case list show: the state and what the money says."""

    ACTIVE = "active"  # on track
    COMPLETED = "completed"  # every installment paid
    IN_DEFAULT = "in_default"  # an installment's due date passed without it being paid
    ACCELERATED = "accelerated"
    CANCELLED = "cancelled"


PLAN_STATUS_LABELS = {
    PlanStatus.ACTIVE: N_("On track"),
    PlanStatus.COMPLETED: N_("Completed"),
    PlanStatus.IN_DEFAULT: N_("In default"),
    PlanStatus.ACCELERATED: N_("Accelerated"),
    PlanStatus.CANCELLED: N_("Cancelled"),
}
PLAN_STATUS_TONES = {
    PlanStatus.ACTIVE: "ok",
    PlanStatus.COMPLETED: "ok",
    PlanStatus.IN_DEFAULT: "bad",
    PlanStatus.ACCELERATED: "bad",
    PlanStatus.CANCELLED: "",
}


class InstallmentStatus(StrEnum):
    PAID = "paid"
    PARTLY_PAID = "partly_paid"  # some money, due date not passed yet
    DUE = "due"  # nothing yet, due date not passed yet
    MISSED = "missed"  # due date passed (no grace) and not fully paid


INSTALLMENT_STATUS_LABELS = {
    InstallmentStatus.PAID: N_("Paid"),
    InstallmentStatus.PARTLY_PAID: N_("Partly paid"),
    InstallmentStatus.DUE: N_("Due"),
    InstallmentStatus.MISSED: N_("Missed"),
}


class AccelerationBasis(StrEnum):
    """Why the whole balance can become due when an installment is missed."""

    CLAUSE = "clause"  # the agreement's acceleration clause (还款协议 第四条 加速到期)
    SALE = "sale"  # no clause, an installment sale: 民法典 第六百三十四条
    NONE = "none"  # neither: each installment can only be claimed as it falls due


ACCELERATION_BASIS_LABELS = {
    AccelerationBasis.CLAUSE: N_("Acceleration clause of the agreement (any missed installment)"),
    AccelerationBasis.SALE: N_(
        "Installment sale without a clause (民法典 第六百三十四条: "
        "one fifth unpaid, after a demand)"
    ),
    AccelerationBasis.NONE: N_("No acceleration"),
}


class PromiseStatus(StrEnum):
    OPEN = "open"  # the promised date (plus grace) has not passed
    KEPT = "kept"
    BROKEN = "broken"  # flagged until someone follows it up
    FOLLOWED_UP = "followed_up"  # broken, then a new contact or an explicit note


PROMISE_STATUS_LABELS = {
    PromiseStatus.OPEN: N_("Open"),
    PromiseStatus.KEPT: N_("Kept"),
    PromiseStatus.BROKEN: N_("Broken"),
    PromiseStatus.FOLLOWED_UP: N_("Broken, followed up"),
}


class PromiseRepeat(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


PROMISE_REPEAT_LABELS = {
    PromiseRepeat.WEEKLY: N_("Every week"),
    PromiseRepeat.MONTHLY: N_("Every month"),
}
MAX_PROMISE_TIMES = 24


# ---- repayment plans ------------------------------------------------------------------------


class InstallmentIn(SQLModel):
    due_on: date
    amount: Decimal = money_field(gt=Decimal(0))


class PlanBase(SQLModel):
    signed_on: date
    agreement_no: str | None = Field(default=None, max_length=50)
    # The agreement: a 还款协议 generated on the case, or a file uploaded to it.
    document_id: int | None = Field(default=None, foreign_key="generated_document.id")
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    acceleration_basis: AccelerationBasis = Field(
        default=AccelerationBasis.CLAUSE,
        sa_type=enum_type(AccelerationBasis, "acceleration_basis"),
    )
    # Waived by the agreement (减免), with who approved it (legal staff or management).
    interest_waived: Decimal = money_field(default=ZERO, ge=Decimal(0))
    penalty_waived: Decimal = money_field(default=ZERO, ge=Decimal(0))
    waiver_approved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    waiver_note: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)


class PlanCreate(PlanBase):
    """A plan as typed: its terms and its installments (due dates increasing, amounts > 0)."""

    installments: list[InstallmentIn] = Field(min_length=1, max_length=MAX_INSTALLMENTS)

    @model_validator(mode="after")
    def _rules(self) -> PlanCreate:
        if self.signed_on > today():
            raise field_error("signed_on", N_("The signing date cannot be in the future"))
        previous: date | None = None
        for index, item in enumerate(self.installments):
            if item.due_on < self.signed_on:
                raise field_error(
                    f"installments.{index}.due_on",
                    N_("An installment cannot fall before the agreement was signed"),
                )
            if previous is not None and item.due_on <= previous:
                raise field_error(
                    f"installments.{index}.due_on",
                    N_("Each installment must fall after the one before"),
                )
            previous = item.due_on
        waived = self.interest_waived > 0 or self.penalty_waived > 0
        if waived and self.waiver_approved_by_id is None:
            raise field_error(
                "waiver_approved_by_id", N_("Say who approved the waiver (legal or management)")
            )
        return self

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.installments), ZERO)


class RepaymentPlan(PlanBase, table=True):
    __tablename__ = "repayment_plan"
    __table_args__ = (
        sa.CheckConstraint(
            "interest_waived >= 0 AND penalty_waived >= 0", name="waivers_not_negative"
        ),
        sa.CheckConstraint(
            "(interest_waived = 0 AND penalty_waived = 0) OR waiver_approved_by_id IS NOT NULL",
            name="waiver_approved",
        ),
        sa.CheckConstraint(
            "state != 'accelerated' OR (accelerated_on IS NOT NULL "
            "AND accelerated_balance IS NOT NULL)",
            name="accelerated_has_date",
        ),
        sa.CheckConstraint(
            "state != 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    state: PlanState = Field(
        default=PlanState.ACTIVE, sa_type=enum_type(PlanState, "plan_state"), index=True
    )
    # Acceleration: the remaining balance, and the day it became due (the missed
    # installment's due date, or the end of the period a demand gave under 第634条).
    accelerated_on: date | None = None
    accelerated_balance: Decimal | None = money_field(nullable=True, default=None)
    accelerated_demand_on: date | None = None
    accelerated_note: str | None = Field(default=None, max_length=1000)
    accelerated_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    accelerated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, max_length=1000)
    cancelled_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PlanInstallment(SQLModel, table=True):
    """One installment of a plan; ``case_id`` repeated so the case's audit trail shows it."""

    __tablename__ = "plan_installment"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("no > 0", name="no_positive"),
        sa.UniqueConstraint("plan_id", "no", name="uq_plan_installment_plan_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="repayment_plan.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    no: int
    due_on: date
    amount: Decimal = money_field(gt=Decimal(0))


class AccelerateIn(SQLModel):
    """``accelerated_on``: when the balance became due (default: the missed installment's due
    date); ``demanded_on``: the demand (催告) 第六百三十四条 requires when there is no clause."""

    accelerated_on: date | None = None
    demanded_on: date | None = None
    note: str | None = Field(default=None, max_length=1000)


class ReasonIn(SQLModel):
    reason: str = Field(min_length=1, max_length=1000)


# ---- promises to pay ------------------------------------------------------------------------


class Promise(SQLModel, table=True):
    """One promised payment from a contact record (a repeating promise gives one row each)."""

    __tablename__ = "promise"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("seq > 0 AND seq <= times", name="seq_in_series"),
        sa.CheckConstraint(
            "resolved_at IS NULL OR resolution_note IS NOT NULL", name="resolution_has_note"
        ),
        sa.UniqueConstraint("event_id", "seq", name="uq_promise_event_seq"),
        sa.Index("ix_promise_case_due", "case_id", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    event_id: int = Field(foreign_key="event.id", index=True)
    made_on: date  # the day of the contact: money from then on counts
    due_on: date
    amount: Decimal = money_field(gt=Decimal(0))
    seq: int = 1
    times: int = 1
    repeat: PromiseRepeat | None = Field(
        default=None, sa_type=enum_type(PromiseRepeat, "promise_repeat")
    )
    # An explicit follow-up of a broken promise (a later contact record also counts).
    resolution_note: str | None = Field(default=None, max_length=1000)
    resolved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
