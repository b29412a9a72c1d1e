"""The case (案件) and what belongs to it: claims, guarantors, evidence, tags."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from cases.base import StrEnum, UTCDateTime, enum_type, money_field, today, utcnow
from cases.errors import N_
from cases.parties.models import PartyCreate
from cases.register.stages import Stage
from cases.validation import day_count_basis, field_error


class CaseStatus(StrEnum):
    ACTIVE = "active"  # 在办
    SUSPENDED = "suspended"  # 中止 (e.g. debtor in bankruptcy proceedings)
    CLOSED = "closed"  # 已结


class CreditGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class RiskLevel(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class LoanClass(StrEnum):
    """Five-category loan classification (贷款五级分类), for bank creditors."""

    NORMAL = "normal"  # 正常
    SPECIAL_MENTION = "special_mention"  # 关注
    SUBSTANDARD = "substandard"  # 次级
    DOUBTFUL = "doubtful"  # 可疑
    LOSS = "loss"  # 损失


class ClaimKind(StrEnum):
    SALE = "sale"  # 买卖/购销合同
    LOAN = "loan"  # 借款合同
    CONSTRUCTION = "construction"  # 施工合同
    SERVICE = "service"  # 服务合同
    LEASE = "lease"  # 租赁合同
    OTHER = "other"


class GuaranteeKind(StrEnum):
    JOINT = "joint"  # 连带责任保证
    GENERAL = "general"  # 一般保证
    MORTGAGE = "mortgage"  # 抵押
    PLEDGE = "pledge"  # 质押


class EvidenceKind(StrEnum):
    CONTRACT = "contract"  # 合同
    IOU = "iou"  # 欠条
    STATEMENT = "statement"  # 对账单
    REPAYMENT_PLAN = "repayment_plan"  # 还款计划
    GUARANTEE = "guarantee"  # 担保合同
    TRANSFER_VOUCHER = "transfer_voucher"  # 转账凭证
    SETTLEMENT_VOUCHER = "settlement_voucher"  # 结算凭证
    INVOICE = "invoice"  # 发票
    COLLECTION_RECORD = "collection_record"  # 催收记录
    COURT_DOCUMENT = "court_document"  # 判决书、裁定书、调解书
    OTHER = "other"


LABELS = {
    **{
        f"status.{k.value}": v
        for k, v in {
            CaseStatus.ACTIVE: N_("Active"),
            CaseStatus.SUSPENDED: N_("Suspended"),
            CaseStatus.CLOSED: N_("Closed"),
        }.items()
    },
    **{
        f"risk.{k.value}": v
        for k, v in {
            RiskLevel.HIGH: N_("High"),
            RiskLevel.MEDIUM: N_("Medium"),
            RiskLevel.LOW: N_("Low"),
        }.items()
    },
    **{
        f"loan_class.{k.value}": v
        for k, v in {
            LoanClass.NORMAL: N_("Normal"),
            LoanClass.SPECIAL_MENTION: N_("Special mention"),
            LoanClass.SUBSTANDARD: N_("Substandard"),
            LoanClass.DOUBTFUL: N_("Doubtful"),
            LoanClass.LOSS: N_("Loss"),
        }.items()
    },
    **{
        f"claim_kind.{k.value}": v
        for k, v in {
            ClaimKind.SALE: N_("Sales contract"),
            ClaimKind.LOAN: N_("Loan contract"),
            ClaimKind.CONSTRUCTION: N_("Construction contract"),
            ClaimKind.SERVICE: N_("Service contract"),
            ClaimKind.LEASE: N_("Lease contract"),
            ClaimKind.OTHER: N_("Other"),
        }.items()
    },
    **{
        f"guarantee.{k.value}": v
        for k, v in {
            GuaranteeKind.JOINT: N_("Joint and several guarantee"),
            GuaranteeKind.GENERAL: N_("General guarantee"),
            GuaranteeKind.MORTGAGE: N_("Mortgage"),
            GuaranteeKind.PLEDGE: N_("Pledge"),
        }.items()
    },
    **{
        f"evidence.{k.value}": v
        for k, v in {
            EvidenceKind.CONTRACT: N_("Contract"),
            EvidenceKind.IOU: N_("IOU"),
            EvidenceKind.STATEMENT: N_("Statement of account"),
            EvidenceKind.REPAYMENT_PLAN: N_("Repayment plan"),
            EvidenceKind.GUARANTEE: N_("Guarantee contract"),
            EvidenceKind.TRANSFER_VOUCHER: N_("Transfer voucher"),
            EvidenceKind.SETTLEMENT_VOUCHER: N_("Settlement voucher"),
            EvidenceKind.INVOICE: N_("Invoice"),
            EvidenceKind.COLLECTION_RECORD: N_("Collection record"),
            EvidenceKind.COURT_DOCUMENT: N_("Court document"),
            EvidenceKind.OTHER: N_("Other"),
        }.items()
    },
}


class CaseNumberCounter(SQLModel, table=True):
    """Last case number issued per year: ``QS-<year>-<6 digits>``."""

    __tablename__ = "case_number_counter"
    __audited__ = False

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


# ---- claims -------------------------------------------------------------------------------


class ClaimBase(SQLModel):
    contract_ref: str = Field(min_length=1, max_length=64)
    contract_title: str = Field(min_length=1, max_length=200)
    kind: ClaimKind = Field(default=ClaimKind.SALE, sa_type=enum_type(ClaimKind, "claim_kind"))
    principal: Decimal = money_field(gt=Decimal(0))
    interest_rate: Decimal | None = Field(
        default=None, ge=0, le=100, max_digits=8, decimal_places=4, sa_type=sa.Numeric(8, 4)
    )
    interest_basis: int = Field(default=365)
    penalty_rate: Decimal | None = Field(
        default=None, ge=0, le=100, max_digits=8, decimal_places=4, sa_type=sa.Numeric(8, 4)
    )
    penalty_terms: str | None = Field(default=None, max_length=1000)
    signed_on: date | None = None
    due_date: date


class ClaimCreate(ClaimBase):
    _basis = field_validator("interest_basis")(day_count_basis)

    @model_validator(mode="after")
    def _dates(self) -> ClaimCreate:
        if self.signed_on and self.signed_on > today():
            raise field_error("signed_on", N_("The signing date cannot be in the future"))
        if self.signed_on and self.due_date < self.signed_on:
            raise field_error("due_date", N_("The due date cannot be before the signing date"))
        return self


class Claim(ClaimBase, table=True):
    __tablename__ = "claim"
    __table_args__ = (
        sa.CheckConstraint("principal > 0", name="principal_positive"),
        sa.CheckConstraint("interest_basis IN (360, 365)", name="interest_basis"),
        # the claims not yet due at a day, read from the index alone (migration 0017)
        sa.Index("ix_claim_due_case", "due_date", "case_id", "principal", "signed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ClaimRead(ClaimBase):
    id: int


# ---- guarantors, evidence, tags -----------------------------------------------------------


class CaseGuarantor(SQLModel, table=True):
    __tablename__ = "case_guarantor"
    __table_args__ = (sa.UniqueConstraint("case_id", "party_id", name="uq_case_guarantor"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    party_id: int = Field(foreign_key="party.id", index=True)
    kind: GuaranteeKind = Field(
        default=GuaranteeKind.JOINT, sa_type=enum_type(GuaranteeKind, "guarantee_kind")
    )
    limit_amount: Decimal | None = money_field(nullable=True, default=None, gt=Decimal(0))


class GuarantorCreate(SQLModel):
    party: PartyCreate
    kind: GuaranteeKind = GuaranteeKind.JOINT
    limit_amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)


class EvidenceBase(SQLModel):
    kind: EvidenceKind = Field(sa_type=enum_type(EvidenceKind, "evidence_kind"))
    title: str = Field(min_length=1, max_length=200)
    is_original: bool = False
    received_on: date | None = None
    note: str | None = Field(default=None, max_length=500)


class EvidenceCreate(EvidenceBase):
    @field_validator("received_on")
    @classmethod
    def _not_future(cls, v: date | None) -> date | None:
        if v and v > today():
            raise PydanticCustomError("future", N_("This date cannot be in the future"))
        return v


class Evidence(EvidenceBase, table=True):
    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    attachment_id: int | None = Field(default=None, foreign_key="attachment.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceRead(EvidenceBase):
    id: int
    attachment_id: int | None = None


class Tag(SQLModel, table=True):
    __tablename__ = "tag"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, sa_column_kwargs={"unique": True})


class CaseTag(SQLModel, table=True):
    __tablename__ = "case_tag"

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


# ---- the case -----------------------------------------------------------------------------


class CaseBase(SQLModel):
    creditor_id: int = Field(foreign_key="creditor.id", index=True)
    handler_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    firm_id: int | None = Field(default=None, foreign_key="law_firm.id", index=True)
    credit_grade: CreditGrade | None = Field(
        default=None, sa_type=enum_type(CreditGrade, "credit_grade")
    )
    risk_level: RiskLevel | None = Field(default=None, sa_type=enum_type(RiskLevel, "risk_level"))
    loan_class: LoanClass | None = Field(default=None, sa_type=enum_type(LoanClass, "loan_class"))
    external_ref: str | None = Field(default=None, max_length=64)
    transferred_on: date | None = None
    summary: str | None = Field(default=None, max_length=4000)


def _clean_tags(tags: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for tag in tags:
        tag = tag.strip()
        if tag:
            if len(tag) > 40:
                raise PydanticCustomError("tag", N_("A tag is at most 40 characters"))
            seen[tag] = None
    return list(seen)


class CaseCreate(CaseBase):
    """Everything intake needs: the case, its debtor, claims, guarantors, evidence and tags."""

    debtor: PartyCreate
    claims: list[ClaimCreate] = Field(min_length=1)
    guarantors: list[GuarantorCreate] = Field(default_factory=list)
    evidence: list[EvidenceCreate] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return _clean_tags(v)

    @field_validator("transferred_on")
    @classmethod
    def _not_future(cls, v: date | None) -> date | None:
        if v and v > today():
            raise PydanticCustomError("future", N_("This date cannot be in the future"))
        return v

    @field_validator("external_ref")
    @classmethod
    def _ref(cls, v: str | None) -> str | None:
        return v.strip() or None if v else None


class CaseUpdate(SQLModel):
    """Fields legal staff may change after intake (stage moves have their own operation)."""

    handler_id: int | None = None
    firm_id: int | None = None
    status: CaseStatus | None = None
    credit_grade: CreditGrade | None = None
    risk_level: RiskLevel | None = None
    loan_class: LoanClass | None = None
    summary: str | None = Field(default=None, max_length=4000)
    tags: list[str] | None = None

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _clean_tags(v)


class Case(CaseBase, table=True):
    __tablename__ = "case"
    __table_args__ = (
        sa.CheckConstraint("claimed_principal >= 0", name="claimed_principal_nonnegative"),
        sa.CheckConstraint("recovered_amount >= 0", name="recovered_amount_nonnegative"),
        sa.Index("ix_case_stage_overdue", "stage", "overdue_since"),
        sa.Index("ix_case_firm_stage", "firm_id", "stage"),
        # The case list (register/queries.py, migration 0002): deep pages in number order,
        # and substring search of numbers and references (GIN trigram on PostgreSQL).
        sa.Index("ix_case_number_id", "number", "id"),
        sa.Index(
            "ix_case_search_trgm",
            "number",
            "external_ref",
            postgresql_using="gin",
            postgresql_ops={"number": "gin_trgm_ops", "external_ref": "gin_trgm_ops"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, sa_column_kwargs={"unique": True})
    external_ref: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    debtor_id: int = Field(foreign_key="party.id", index=True)
    stage: Stage = Field(default=Stage.INTAKE, sa_type=enum_type(Stage, "stage"), index=True)
    status: CaseStatus = Field(
        default=CaseStatus.ACTIVE, sa_type=enum_type(CaseStatus, "case_status"), index=True
    )
    # Derived from claims and payments by the operations; never typed.
    claimed_principal: Decimal = money_field(default=Decimal("0.00"))
    recovered_amount: Decimal = money_field(default=Decimal("0.00"))
    oldest_due_date: date | None = None
    # The oldest due date while any principal is outstanding, None once it is all recovered:
    # overdue days, aging buckets and their filters count from it (aging.py).
    overdue_since: date | None = Field(default=None, index=True)
    last_activity_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_on: date | None = None

    @property
    def outstanding(self) -> Decimal:
        return max(self.claimed_principal - self.recovered_amount, Decimal("0.00"))

    def overdue_days(self, on: date | None = None) -> int:
        if self.overdue_since is None:
            return 0
        return max(((on or today()) - self.overdue_since).days, 0)
