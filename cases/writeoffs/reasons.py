"""Why a debt may be written off, and the evidence each reason needs (RULES.md §6).

Two regimes, chosen by the creditor:

- a bank (``Creditor.is_bank``) follows 财政部《金融企业呆账核销管理办法（2017年版）》
  (财金〔2017〕90号): a write-off package explaining how the debt arose, why it is lost and
  what was done to recover it, plus the evidence of the reason; where no court or government
  document can be had, internal evidence (a collection report and a legal opinion);
- any other enterprise follows 国家税务总局公告2011年第25号 第二十二至二十四条 (tax deduction of
  bad debts): the contract and, by reason, the court's notice, judgment or ruling, the
  regulator's proof, the death or missing certificate, the restructuring agreement, the
  force-majeure statement, or a special report for debts overdue three years (第二十三条) or
  small debts overdue one year (第二十四条).

``checklist(reason, regime)`` is the list an application must cover before it is submitted:
the items every write-off needs (``COMMON_ITEMS``) followed by the reason's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cases.base import StrEnum
from cases.errors import N_


class Regime(StrEnum):
    BANK = "bank"  # 财金〔2017〕90号
    ENTERPRISE = "enterprise"  # 国家税务总局公告2011年第25号


BANK_RULES = "财金〔2017〕90号《金融企业呆账核销管理办法（2017年版）》"
TAX_NOTICE = "国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》"

REGIME_LABELS = {
    Regime.BANK: N_("Financial institution (Caijin [2017] No. 90)"),
    Regime.ENTERPRISE: N_("Enterprise (SAT Announcement No. 25 of 2011)"),
}


class WriteOffReason(StrEnum):
    # Also the reasons of the 核销申请表 template (``cases.documents.schemas.WriteoffReason``).
    BANKRUPTCY = "bankruptcy"
    DISSOLVED = "dissolved"  # licence cancelled or revoked, deregistered
    DEATH = "death"  # death, declared missing or dead, incapacity
    ENFORCEMENT_TERMINATED = "enforcement_terminated"
    OVERDUE_3Y = "overdue_3y"
    SMALL_OVERDUE_1Y = "small_overdue_1y"
    RESTRUCTURING = "restructuring"
    DISASTER = "disaster"  # force majeure: disaster, accident, war
    INTERNAL_EVIDENCE = "internal_evidence"  # banks: collection report + legal opinion


BOTH = frozenset(Regime)


@dataclass(frozen=True)
class EvidenceItem:
    key: str
    label: str  # English msgid
    regimes: frozenset[Regime] = BOTH


@dataclass(frozen=True)
class ReasonRule:
    reason: WriteOffReason
    label: str  # English msgid
    sources: dict[Regime, str]  # the regimes the reason exists in → the provision it follows
    items: tuple[EvidenceItem, ...]
    overdue_years: int | None = None  # overdue at least this long on submission

    def applies_to(self, regime: Regime) -> bool:
        return regime in self.sources


COMMON_ITEMS = (
    EvidenceItem(
        "contract",
        N_("The contract, agreement or other record the debt arises from"),
    ),
    EvidenceItem(
        "report",
        N_(
            "Write-off report: how the debt arose, why it is lost, the recovery steps taken "
            "against the debtor and guarantors, collateral disposed of, staff responsible"
        ),
    ),
)

# 公告2011年第25号 第二十四条: a small item is at most 50,000 yuan or 1/10,000 of annual revenue.
SMALL_ITEM_LIMIT = Decimal("50000.00")
SMALL_ITEM_REVENUE_SHARE = Decimal("0.0001")

_B, _E = Regime.BANK, Regime.ENTERPRISE
_R = WriteOffReason

RULES: dict[WriteOffReason, ReasonRule] = {
    rule.reason: rule
    for rule in (
        ReasonRule(
            _R.BANKRUPTCY,
            N_("Debtor bankrupt, closed, dissolved or revoked"),
            {_B: f"{BANK_RULES} 第六条", _E: f"{TAX_NOTICE} 第二十二条第（二）项"},
            (
                EvidenceItem(
                    "bankruptcy_notice",
                    N_(
                        "The court's bankruptcy or liquidation notice or ruling, or proof of "
                        "the closure, dissolution or revocation"
                    ),
                ),
                EvidenceItem(
                    "liquidation_result",
                    N_(
                        "What the liquidation paid out, or the ruling ending the bankruptcy "
                        "(or a note that it is unfinished 180 days after the declaration)"
                    ),
                ),
            ),
        ),
        ReasonRule(
            _R.DISSOLVED,
            N_("Business licence cancelled or revoked"),
            {_B: f"{BANK_RULES} 第六条", _E: f"{TAX_NOTICE} 第二十二条第（四）项"},
            (
                EvidenceItem(
                    "licence_cancelled",
                    N_(
                        "The market regulator's proof that the business licence was cancelled "
                        "or revoked"
                    ),
                ),
            ),
        ),
        ReasonRule(
            _R.DEATH,
            N_("Debtor dead, missing or without capacity"),
            {_B: f"{BANK_RULES} 第六条", _E: f"{TAX_NOTICE} 第二十二条第（五）项"},
            (
                EvidenceItem(
                    "death_or_missing",
                    N_(
                        "Death certificate, or the authority's or court's proof that the debtor "
                        "is missing, declared dead or without capacity"
                    ),
                ),
                EvidenceItem(
                    "estate",
                    N_("What was recovered from the debtor's property or estate"),
                    frozenset({_B}),
                ),
            ),
        ),
        ReasonRule(
            _R.ENFORCEMENT_TERMINATED,
            N_("Enforcement terminated for lack of property"),
            {_B: f"{BANK_RULES} 第六条", _E: f"{TAX_NOTICE} 第二十二条第（三）项"},
            (
                EvidenceItem(
                    "judgment",
                    N_("The effective judgment, mediation statement or arbitral award"),
                ),
                EvidenceItem(
                    "termination_ruling",
                    N_(
                        "The court's ruling terminating or suspending enforcement "
                        "(终结本次执行程序) for lack of property"
                    ),
                ),
            ),
        ),
        ReasonRule(
            _R.OVERDUE_3Y,
            N_("Overdue three years or more"),
            {_E: f"{TAX_NOTICE} 第二十三条"},
            (
                EvidenceItem(
                    "special_report",
                    N_(
                        "Special report on the debt overdue three years or more, "
                        "with the collection record"
                    ),
                ),
            ),
            overdue_years=3,
        ),
        ReasonRule(
            _R.SMALL_OVERDUE_1Y,
            N_("Small debt overdue one year or more"),
            {_E: f"{TAX_NOTICE} 第二十四条"},
            (
                EvidenceItem(
                    "special_report",
                    N_(
                        "Special report on the small debt overdue one year or more, "
                        "with the cost of collecting it"
                    ),
                ),
            ),
            overdue_years=1,
        ),
        ReasonRule(
            _R.RESTRUCTURING,
            N_("Debt restructuring"),
            {_E: f"{TAX_NOTICE} 第二十二条第（六）项"},
            (
                EvidenceItem("restructuring_agreement", N_("The debt restructuring agreement")),
                EvidenceItem(
                    "restructuring_tax",
                    N_("Statement of the tax the debtor paid on its restructuring gain"),
                ),
            ),
        ),
        ReasonRule(
            _R.DISASTER,
            N_("Disaster, accident, war or other force majeure"),
            {_B: f"{BANK_RULES} 第六条", _E: f"{TAX_NOTICE} 第二十二条第（七）项"},
            (
                EvidenceItem(
                    "disaster_statement",
                    N_("Statement of the debtor's losses from the disaster, accident or war"),
                ),
                EvidenceItem(
                    "compensation",
                    N_("What insurance or others paid for the loss"),
                    frozenset({_B}),
                ),
                EvidenceItem(
                    "waiver",
                    N_("Declaration giving up the claim"),
                    frozenset({_E}),
                ),
            ),
        ),
        ReasonRule(
            _R.INTERNAL_EVIDENCE,
            N_("Internal evidence with a legal opinion"),
            {_B: f"{BANK_RULES} 第六条（内部证据）"},
            (
                EvidenceItem(
                    "collection_report",
                    N_(
                        "Collection report, with the search for the debtor's and "
                        "guarantors' property"
                    ),
                ),
                EvidenceItem(
                    "legal_opinion",
                    N_("Legal opinion of the in-house legal department or an outside law firm"),
                ),
            ),
        ),
    )
}


def regime_for(is_bank: bool) -> Regime:
    return Regime.BANK if is_bank else Regime.ENTERPRISE


def checklist(reason: WriteOffReason, regime: Regime) -> tuple[EvidenceItem, ...]:
    """The items an application for ``reason`` under ``regime`` must cover, in order."""
    own = (item for item in RULES[reason].items if regime in item.regimes)
    return (*COMMON_ITEMS, *own)


def missing_items(
    reason: WriteOffReason, regime: Regime, provided: set[str] | frozenset[str]
) -> list[EvidenceItem]:
    """The checklist items no evidence was given for, in checklist order."""
    return [item for item in checklist(reason, regime) if item.key not in provided]


def reasons_for(regime: Regime) -> list[WriteOffReason]:
    """The reasons open to a creditor of ``regime``, in the order of ``WriteOffReason``."""
    return [reason for reason in WriteOffReason if RULES[reason].applies_to(regime)]


def small_item_limit(annual_revenue: Decimal | None) -> Decimal:
    """The larger of 50,000 yuan and 1/10,000 of the annual revenue (第二十四条), exact."""
    if annual_revenue is None:
        return SMALL_ITEM_LIMIT
    return max(SMALL_ITEM_LIMIT, annual_revenue * SMALL_ITEM_REVENUE_SHARE)
