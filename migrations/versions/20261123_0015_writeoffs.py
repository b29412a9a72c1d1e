"""write-offs

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 21:00:00.000000+00:00

Write-off applications (核销申请) and their approval chain, see ``cases/writeoffs/models.py``:

- ``writeoff_application``: the case, the reason and the rules followed (bank: 财金〔2017〕90号;
  enterprise: 国家税务总局公告2011年第25号), the amount written off with the computed amount
  and its computation, the legal opinion, the status (draft → submitted → in review →
  approved, or rejected / withdrawn), the approval chain of the current round, a ``version``
  bumped by every change of state (concurrent decisions), the applicant and the dates; at
  most one application in the works per case (a partial unique index);
- ``writeoff_evidence``: each checklist item and the file or evidence row covering it;
- ``writeoff_step``: each decision (round, step, role required, actor, approve / reject with
  a reason, when); one per position and one per person in a round (unique constraints).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cases.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = (
    "bankruptcy",
    "dissolved",
    "death",
    "enforcement_terminated",
    "overdue_3y",
    "small_overdue_1y",
    "restructuring",
    "disaster",
    "internal_evidence",
)
REGIMES = ("bank", "enterprise")
STATUSES = ("draft", "submitted", "in_review", "approved", "rejected", "withdrawn")
ROLES = ("admin", "legal", "counsel", "finance", "management")
DECISIONS = ("approve", "reject")
OPEN = "status IN ('draft', 'submitted', 'in_review', 'rejected')"


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
    )


def upgrade() -> None:
    op.create_table(
        "writeoff_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", _enum(REASONS, "writeoff_reason"), nullable=False),
        sa.Column("regime", _enum(REGIMES, "writeoff_regime"), nullable=False),
        sa.Column("reason_detail", sa.String(length=4000), nullable=False),
        sa.Column("legal_opinion", sa.String(length=4000), nullable=True),
        sa.Column("legal_opinion_attachment_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum(STATUSES, "writeoff_status"), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount_entered", sa.Boolean(), nullable=False),
        sa.Column("amount_note", sa.String(length=1000), nullable=True),
        sa.Column("computed_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("computation", sa.JSON(), nullable=False),
        sa.Column("annual_revenue", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", cases.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cases.base.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", cases.base.UTCDateTime(), nullable=True),
        sa.Column("decided_at", cases.base.UTCDateTime(), nullable=True),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", cases.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_writeoff_application_amount_positive")),
        sa.CheckConstraint("version > 0", name=op.f("ck_writeoff_application_version_positive")),
        sa.CheckConstraint(
            "status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL",
            name=op.f("ck_writeoff_application_submission_dated"),
        ),
        sa.CheckConstraint(
            "status != 'approved' OR (decided_at IS NOT NULL AND written_off_on IS NOT NULL)",
            name=op.f("ck_writeoff_application_approval_dated"),
        ),
        sa.CheckConstraint(
            "amount_entered OR amount = computed_amount",
            name=op.f("ck_writeoff_application_amount_computed"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_writeoff_application_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["legal_opinion_attachment_id"],
            ["attachment.id"],
            name=op.f("fk_writeoff_application_legal_opinion_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["app_user.id"],
            name=op.f("fk_writeoff_application_applicant_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeoff_application")),
    )
    op.create_index(
        op.f("ix_writeoff_application_case_id"), "writeoff_application", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_writeoff_application_status"), "writeoff_application", ["status"], unique=False
    )
    op.create_index(
        op.f("ix_writeoff_application_applicant_id"),
        "writeoff_application",
        ["applicant_id"],
        unique=False,
    )
    op.create_index(
        "uq_writeoff_application_open",
        "writeoff_application",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )

    op.create_table(
        "writeoff_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(attachment_id IS NULL) != (evidence_id IS NULL)",
            name=op.f("ck_writeoff_evidence_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["writeoff_application.id"],
            name=op.f("fk_writeoff_evidence_application_id_writeoff_application"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_writeoff_evidence_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name=op.f("fk_writeoff_evidence_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_writeoff_evidence_evidence_id_evidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeoff_evidence")),
    )
    op.create_index(
        op.f("ix_writeoff_evidence_application_id"),
        "writeoff_evidence",
        ["application_id"],
        unique=False,
    )

    op.create_table(
        "writeoff_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round_no", sa.Integer(), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=False),
        sa.Column("role", _enum(ROLES, "writeoff_step_role"), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("decision", _enum(DECISIONS, "writeoff_decision"), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("decided_at", cases.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("step_no >= 1", name=op.f("ck_writeoff_step_step_no_positive")),
        sa.CheckConstraint(
            "decision != 'reject' OR reason IS NOT NULL",
            name=op.f("ck_writeoff_step_rejection_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["writeoff_application.id"],
            name=op.f("fk_writeoff_step_application_id_writeoff_application"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_writeoff_step_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_writeoff_step_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeoff_step")),
        sa.UniqueConstraint(
            "application_id", "round_no", "step_no", name="uq_writeoff_step_position"
        ),
        sa.UniqueConstraint(
            "application_id", "round_no", "actor_id", name="uq_writeoff_step_actor"
        ),
    )
    op.create_index(
        op.f("ix_writeoff_step_application_id"), "writeoff_step", ["application_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_writeoff_step_application_id"), table_name="writeoff_step")
    op.drop_table("writeoff_step")
    op.drop_index(op.f("ix_writeoff_evidence_application_id"), table_name="writeoff_evidence")
    op.drop_table("writeoff_evidence")
    op.drop_index(
        "uq_writeoff_application_open",
        table_name="writeoff_application",
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.drop_index(op.f("ix_writeoff_application_applicant_id"), table_name="writeoff_application")
    op.drop_index(op.f("ix_writeoff_application_status"), table_name="writeoff_application")
    op.drop_index(op.f("ix_writeoff_application_case_id"), table_name="writeoff_application")
    op.drop_table("writeoff_application")
