"""Import every table model and the audit hook, so that ``SQLModel.metadata`` is complete."""

import cases.audit.trail  # noqa: F401  (registers the audit hook)
import cases.board.models  # noqa: F401
import cases.delivery.models  # noqa: F401
import cases.plans.models  # noqa: F401
import cases.portal.models  # noqa: F401
import cases.reports.ledger_exports  # noqa: F401
import cases.reports.targets  # noqa: F401
import cases.settlement.models  # noqa: F401
from cases.audit.models import AuditAction, AuditEntry
from cases.documents.archive import GeneratedDocument
from cases.documents.bulk import BulkRun, BulkRunItem
from cases.documents.versions import TemplateVersion
from cases.engagements.models import Engagement, FrameworkAgreement
from cases.interest.lpr import LprRate
from cases.ledger.models import Payment, PaymentMethod
from cases.parties.models import Contact, Creditor, Party, PartyKind
from cases.register.keydates import KeyDate, KeyDateKind
from cases.register.models import (
    Case,
    CaseGuarantor,
    CaseNumberCounter,
    CaseStatus,
    CaseTag,
    Claim,
    ClaimKind,
    CreditGrade,
    Evidence,
    EvidenceKind,
    GuaranteeKind,
    LoanClass,
    RiskLevel,
    Tag,
)
from cases.register.stages import Stage
from cases.timeline.models import Attachment, Channel, Event, EventKind
from cases.users.models import ApiToken, LawFirm, Role, User
from cases.writeoffs.models import WriteOffApplication, WriteOffEvidence, WriteOffStep

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditAction",
    "AuditEntry",
    "Case",
    "CaseGuarantor",
    "CaseNumberCounter",
    "CaseStatus",
    "CaseTag",
    "Channel",
    "Claim",
    "ClaimKind",
    "Contact",
    "CreditGrade",
    "Creditor",
    "Event",
    "EventKind",
    "Engagement",
    "Evidence",
    "EvidenceKind",
    "BulkRun",
    "BulkRunItem",
    "FrameworkAgreement",
    "GeneratedDocument",
    "GuaranteeKind",
    "KeyDate",
    "KeyDateKind",
    "LawFirm",
    "LoanClass",
    "LprRate",
    "Party",
    "PartyKind",
    "Payment",
    "PaymentMethod",
    "RiskLevel",
    "Role",
    "Stage",
    "Tag",
    "TemplateVersion",
    "User",
    "WriteOffApplication",
    "WriteOffEvidence",
    "WriteOffStep",
]
