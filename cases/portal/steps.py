"""Progress steps of a case in court (诉讼、保全、执行) and the types of the files logged with them.

A progress entry on the timeline (``EventKind.PROGRESS``) names its step, so that the firms'
reports can be counted (time to judgment, to enforcement money) and filings and rulings found.
This module only names things; ``cases.portal.progress`` records the key dates a step implies.
"""

from __future__ import annotations

from cases.base import StrEnum
from cases.errors import N_


class ProgressStep(StrEnum):
    # Litigation (诉讼)
    FILING = "filing"  # 起诉 / 立案
    HEARING = "hearing"  # 开庭
    JUDGMENT_SERVED = "judgment_served"  # 判决书送达
    RULING_SERVED = "ruling_served"  # 裁定书送达
    MEDIATION = "mediation"  # 调解
    # Preservation (财产保全)
    PRESERVATION_APPLIED = "preservation_applied"  # 保全申请
    PRESERVATION_RULING = "preservation_ruling"  # 保全裁定
    PRESERVATION_MEASURES = "preservation_measures"  # 保全措施（查封、冻结、扣押）
    # Enforcement (强制执行)
    ENFORCEMENT_APPLIED = "enforcement_applied"  # 申请执行
    ENFORCEMENT_DOCKETED = "enforcement_docketed"  # 执行立案
    ENFORCEMENT_SEIZURE = "enforcement_seizure"  # 查封、冻结、扣划
    ENFORCEMENT_AUCTION = "enforcement_auction"  # 拍卖、变卖
    ENFORCEMENT_MONEY = "enforcement_money"  # 执行款到账
    ENFORCEMENT_TERMINATED = "enforcement_terminated"  # 终结本次执行程序（终本）
    OTHER = "other"


STEP_LABELS = {
    ProgressStep.FILING: N_("Suit filed / docketed (立案)"),
    ProgressStep.HEARING: N_("Hearing (开庭)"),
    ProgressStep.JUDGMENT_SERVED: N_("Judgment served (判决书送达)"),
    ProgressStep.RULING_SERVED: N_("Ruling served (裁定书送达)"),
    ProgressStep.MEDIATION: N_("Mediation (调解)"),
    ProgressStep.PRESERVATION_APPLIED: N_("Preservation applied for (保全申请)"),
    ProgressStep.PRESERVATION_RULING: N_("Preservation ruling (保全裁定)"),
    ProgressStep.PRESERVATION_MEASURES: N_("Preservation measures taken (保全措施)"),
    ProgressStep.ENFORCEMENT_APPLIED: N_("Enforcement applied for (申请执行)"),
    ProgressStep.ENFORCEMENT_DOCKETED: N_("Enforcement docketed (执行立案)"),
    ProgressStep.ENFORCEMENT_SEIZURE: N_("Seized, frozen or deducted (查封冻结扣划)"),
    ProgressStep.ENFORCEMENT_AUCTION: N_("Auction or sale (拍卖变卖)"),
    ProgressStep.ENFORCEMENT_MONEY: N_("Enforcement money received (执行款到账)"),
    ProgressStep.ENFORCEMENT_TERMINATED: N_("Enforcement terminated for now (终本)"),
    ProgressStep.OTHER: N_("Other progress"),
}

S = ProgressStep
STEP_GROUPS = (
    (N_("Litigation"), (S.FILING, S.HEARING, S.JUDGMENT_SERVED, S.RULING_SERVED, S.MEDIATION)),
    (N_("Preservation"), (S.PRESERVATION_APPLIED, S.PRESERVATION_RULING, S.PRESERVATION_MEASURES)),
    (
        N_("Enforcement"),
        (
            S.ENFORCEMENT_APPLIED,
            S.ENFORCEMENT_DOCKETED,
            S.ENFORCEMENT_SEIZURE,
            S.ENFORCEMENT_AUCTION,
            S.ENFORCEMENT_MONEY,
            S.ENFORCEMENT_TERMINATED,
        ),
    ),
    (N_("Other"), (S.OTHER,)),
)

# What was seized or frozen: the asset sets how long the measure lasts (民事诉讼法解释 第485条).
SEIZING_STEPS = frozenset({S.PRESERVATION_MEASURES, S.ENFORCEMENT_SEIZURE})


class SeizedAsset(StrEnum):
    DEPOSITS = "deposits"  # 银行存款 → 1 year
    MOVABLES = "movables"  # 动产 → 2 years
    IMMOVABLES = "immovables"  # 不动产、其他财产权 → 3 years


SEIZED_ASSET_LABELS = {
    SeizedAsset.DEPOSITS: N_("Bank deposits frozen (1 year)"),
    SeizedAsset.MOVABLES: N_("Movables seized (2 years)"),
    SeizedAsset.IMMOVABLES: N_("Real estate or property rights seized (3 years)"),
}

# The timeline's "filings and rulings" filter: what was filed with a court, and what a court
# decided or served — with files of those types.
FILING_STEPS = frozenset({S.FILING, S.PRESERVATION_APPLIED, S.ENFORCEMENT_APPLIED})
RULING_STEPS = frozenset(
    {
        S.JUDGMENT_SERVED,
        S.RULING_SERVED,
        S.MEDIATION,
        S.PRESERVATION_RULING,
        S.ENFORCEMENT_TERMINATED,
    }
)


class DocumentType(StrEnum):
    """What an uploaded file is, so that filings and rulings can be found among the files."""

    FILING = "filing"  # 起诉材料: 起诉状、申请书、证据目录
    RULING = "ruling"  # 裁判文书: 判决书、裁定书、调解书、支付令
    EVIDENCE = "evidence"  # 证据
    RECEIPT = "receipt"  # 回执、收据、送达回证
    OTHER = "other"


DOCUMENT_TYPE_LABELS = {
    DocumentType.FILING: N_("Filing (起诉材料)"),
    DocumentType.RULING: N_("Judgment or ruling (裁判文书)"),
    DocumentType.EVIDENCE: N_("Evidence"),
    DocumentType.RECEIPT: N_("Receipt or proof of service"),
    DocumentType.OTHER: N_("Other document"),
}
FILED_DOCUMENTS = frozenset({DocumentType.FILING, DocumentType.RULING})


def is_filing_or_ruling(step: str | None, doc_types: list[str | None]) -> bool:
    """Whether a timeline entry belongs under "filings and rulings"."""
    return (step is not None and (step in FILING_STEPS or step in RULING_STEPS)) or any(
        t in FILED_DOCUMENTS for t in doc_types if t is not None
    )
