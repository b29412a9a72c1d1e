"""The terms the demo's law firms are engaged on: the mix the department's panel contracts use
(seed 001/003) — 4–5 percent of the claim, 20–30 percent contingency flat or tiered, or a base
of 1–3 percent of the claim plus 10–15 percent contingency; a fixed fee on small claims.

Contingency rates above the 司发通〔2021〕87号 第(六)项 tiers (18 percent below 1,000,000) and
any base paid up front can exceed the cap: the loader has management record an override with
the reason drawn here.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from cases.register.stages import Action

A = Action
EXPENSES = (
    "差旅费、查档费、公证费、鉴定费等办案实际支出，据实凭票报销，不计入律师费",
    "异地办案差旅费按公司差旅标准据实报销；诉讼费、保全费由委托人直接缴纳",
)
OVERRIDE_REASONS = (
    "风险代理比例系框架协议招标确定的统一标准，经总经理办公会审议同意执行",
    "本案债务人财产线索少、回收难度大，经管理层审议同意按约定比例执行风险代理",
    "基础费用用于覆盖律师事务所先期办案成本，经分管领导审批同意",
    "该比例与同类案件外聘律师市场报价一致，已经法律合规委员会审议通过",
)
TIERS = (
    [["1000000", "0.3"], [None, "0.2"]],
    [["500000", "0.25"], ["2000000", "0.22"], [None, "0.2"]],
    # the statutory tiers themselves: never above the cap
    [["1000000", "0.18"], ["5000000", "0.15"], [None, "0.12"]],
)


def _scope(action: Action) -> dict[str, bool]:
    """What the firm is engaged for, from the move it is engaged before."""
    if action == A.ENFORCE:
        return {"scope_enforcement": True}
    if action in (A.SUE, A.PRESERVE, A.AGREEMENT_BROKEN):
        return {"scope_litigation": True, "scope_enforcement": True}
    return {"scope_non_litigation": True, "scope_litigation": True}


def engagement_terms(
    rng: random.Random, action: Action, principal: Decimal, on: date
) -> dict[str, Any]:
    """An engagement's data (``EngagementTerms`` fields but the lead lawyer), and the reason
    management would give to override the cap."""
    kind = rng.choices(
        ["claim_percentage", "contingency", "tiered", "base_plus_contingency", "fixed"],
        weights=[3, 3, 2, 3, 1 if principal >= 300_000 else 4],
    )[0]
    terms: dict[str, Any]
    if kind == "claim_percentage":
        terms = {"rate": rng.choice(["0.04", "0.045", "0.05"])}
    elif kind == "contingency":
        terms = {"rate": rng.choice(["0.2", "0.25", "0.3"])}
    elif kind == "tiered":
        kind, terms = "contingency", {"tiers": rng.choice(TIERS)}
    elif kind == "base_plus_contingency":
        terms = {
            "base": {"rate": rng.choice(["0.01", "0.02", "0.03"])},
            "contingency": {"rate": rng.choice(["0.1", "0.12", "0.15"])},
        }
    else:
        terms = {"amount": str(rng.choice([8000, 10000, 15000, 20000]))}
    special = rng.random() < 0.7
    return {
        **_scope(action),
        "starts_on": on,
        "authority": "special" if special else "general",
        "fee_kind": kind,
        "fee_terms": terms,
        "expenses_note": rng.choice(EXPENSES),
        "override_reason": rng.choice(OVERRIDE_REASONS),
    }
