"""The evidence each write-off reason needs, per RULES.md §6: banks under 财金〔2017〕90号
(《金融企业呆账核销管理办法（2017年版）》), other enterprises under 国家税务总局公告2011年第25号
第二十二至二十四条. Every test id names the notice and article it follows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.base import today
from cases.deadlines import add_months
from cases.errors import ValidationError
from cases.register.operations import move_stage
from cases.register.stages import Action
from cases.users.models import User
from cases.writeoffs import operations as ops
from cases.writeoffs.reasons import (
    RULES,
    Regime,
    WriteOffReason,
    checklist,
    missing_items,
    reasons_for,
    small_item_limit,
)
from tests.cases.test_writeoffs import draft

R, B, E = WriteOffReason, Regime.BANK, Regime.ENTERPRISE
COMMON = ["contract", "report"]

# (reason, regime) → the reason's own items, after the contract and the write-off report.
EXPECTED = {
    (R.BANKRUPTCY, E): (["bankruptcy_notice", "liquidation_result"], "25号-第二十二条第二项"),
    (R.BANKRUPTCY, B): (["bankruptcy_notice", "liquidation_result"], "90号-第六条-破产"),
    (R.DISSOLVED, E): (["licence_cancelled"], "25号-第二十二条第四项"),
    (R.DISSOLVED, B): (["licence_cancelled"], "90号-第六条-吊销注销"),
    (R.DEATH, E): (["death_or_missing"], "25号-第二十二条第五项"),
    (R.DEATH, B): (["death_or_missing", "estate"], "90号-第六条-死亡失踪"),
    (R.ENFORCEMENT_TERMINATED, E): (
        ["judgment", "termination_ruling"],
        "25号-第二十二条第三项",
    ),
    (R.ENFORCEMENT_TERMINATED, B): (
        ["judgment", "termination_ruling"],
        "90号-第六条-终结本次执行",
    ),
    (R.OVERDUE_3Y, E): (["special_report"], "25号-第二十三条-逾期三年"),
    (R.SMALL_OVERDUE_1Y, E): (["special_report"], "25号-第二十四条-小额逾期一年"),
    (R.RESTRUCTURING, E): (
        ["restructuring_agreement", "restructuring_tax"],
        "25号-第二十二条第六项-债务重组",
    ),
    (R.DISASTER, E): (["disaster_statement", "waiver"], "25号-第二十二条第七项-不可抗力"),
    (R.DISASTER, B): (["disaster_statement", "compensation"], "90号-第六条-自然灾害"),
    (R.INTERNAL_EVIDENCE, B): (
        ["collection_report", "legal_opinion"],
        "90号-内部证据-法律意见书",
    ),
}
NOT_OPEN = {
    (R.OVERDUE_3Y, B): "90号-无逾期三年条款",
    (R.SMALL_OVERDUE_1Y, B): "90号-无小额条款",
    (R.RESTRUCTURING, B): "RULES§6-重组仅列于25号",
    (R.INTERNAL_EVIDENCE, E): "25号-无内部证据条款",
}


@pytest.mark.parametrize(
    ("reason", "regime", "items"),
    [(r, g, items) for (r, g), (items, _) in EXPECTED.items()],
    ids=[cite for _, cite in EXPECTED.values()],
)
def test_checklist_per_reason(reason, regime, items):
    assert [item.key for item in checklist(reason, regime)] == COMMON + items
    assert RULES[reason].applies_to(regime)
    source = RULES[reason].sources[regime]
    assert ("财金〔2017〕90号" if regime == B else "国家税务总局公告2011年第25号") in source


def test_every_reason_and_regime_is_covered():
    pairs = set(EXPECTED) | set(NOT_OPEN)
    assert pairs == {(r, g) for r in R for g in Regime}
    assert reasons_for(E) == [r for r in R if (r, E) in EXPECTED]
    assert reasons_for(B) == [r for r in R if (r, B) in EXPECTED]


@pytest.mark.parametrize(("reason", "regime"), list(NOT_OPEN), ids=list(NOT_OPEN.values()))
def test_reasons_closed_to_a_regime(reason, regime):
    assert not RULES[reason].applies_to(regime)


@pytest.mark.parametrize(
    ("reason", "regime"), list(EXPECTED), ids=[c for _, c in EXPECTED.values()]
)
def test_missing_items_name_every_uncovered_item(reason, regime):
    everything = [item.key for item in checklist(reason, regime)]
    assert [i.key for i in missing_items(reason, regime, set())] == everything
    assert missing_items(reason, regime, set(everything)) == []
    assert [i.key for i in missing_items(reason, regime, {"contract"})] == everything[1:]


@pytest.mark.parametrize(
    ("revenue", "limit"),
    [
        (None, Decimal("50000.00")),
        (Decimal("100000000.00"), Decimal("50000.00")),  # 1/10,000 = 10,000 < 50,000
        (Decimal("800000000.00"), Decimal("80000.0000")),  # 1/10,000 = 80,000 > 50,000
    ],
    ids=["25号-第二十四条-五万元", "25号-第二十四条-取较高者", "25号-第二十四条-收入万分之一"],
)
def test_small_item_limit(revenue, limit):
    assert small_item_limit(revenue) == limit


# ---- the rules applied on submission ------------------------------------------------------


def _case(session, make_case, make_creditor, *, bank=False, due="2025-06-30", principal="120000"):
    creditor = make_creditor(is_bank=bank)
    claim = {
        "contract_ref": "HT-WO-1",
        "contract_title": "借款合同" if bank else "购销合同",
        "kind": "loan" if bank else "sale",
        "principal": Decimal(principal),
        "due_date": due,
    }
    case = make_case(creditor=creditor, claims=[claim])
    legal = session.get(User, case.created_by_id)
    move_stage(session, legal, case, Action.ACCEPT)
    return case, legal


def _submit(session, case, legal, reason, regime, **overrides):
    data = draft(session, case, reason=reason, regime=regime, **overrides)
    application = ops.create_application(session, legal, case, data)
    return ops.submit(session, legal, application)


def test_internal_evidence_is_refused_to_an_enterprise_25号(session, make_case, make_creditor):
    case, legal = _case(session, make_case, make_creditor)
    data = draft(session, case, reason=R.INTERNAL_EVIDENCE, regime=B)
    with pytest.raises(ValidationError) as err:
        ops.create_application(session, legal, case, data)
    assert err.value.errors["reason"][0].msgid == ops.REASON_NOT_OPEN


def test_a_bank_writes_off_on_internal_evidence_90号(session, make_case, make_creditor):
    case, legal = _case(session, make_case, make_creditor, bank=True)
    application = _submit(session, case, legal, R.INTERNAL_EVIDENCE, B)
    assert application.regime == B
    assert application.status == "submitted"


@pytest.mark.parametrize(
    ("months", "ok"),
    [(-36, True), (-35, False)],
    ids=["25号-第二十三条-逾期满三年", "25号-第二十三条-未满三年"],
)
def test_overdue_three_years(session, make_case, make_creditor, months, ok):
    due = add_months(today(), months)
    case, legal = _case(session, make_case, make_creditor, due=due.isoformat())
    if ok:
        assert _submit(session, case, legal, R.OVERDUE_3Y, E).status == "submitted"
    else:
        with pytest.raises(ValidationError) as err:
            _submit(session, case, legal, R.OVERDUE_3Y, E)
        assert err.value.errors["reason"][0].msgid == ops.OVERDUE_YEARS


@pytest.mark.parametrize(
    ("principal", "revenue", "ok"),
    [
        ("40000", None, True),
        ("60000", None, False),
        ("60000", Decimal("900000000.00"), True),  # limit 90,000
    ],
    ids=["25号-第二十四条-五万以内", "25号-第二十四条-超五万", "25号-第二十四条-收入万分之一以内"],
)
def test_small_overdue_item(session, make_case, make_creditor, principal, revenue, ok):
    case, legal = _case(session, make_case, make_creditor, due="2025-01-31", principal=principal)
    kw = {"annual_revenue": revenue, "amount": Decimal(principal), "amount_note": "仅核销本金"}
    if ok:
        assert _submit(session, case, legal, R.SMALL_OVERDUE_1Y, E, **kw).status == "submitted"
    else:
        with pytest.raises(ValidationError) as err:
            _submit(session, case, legal, R.SMALL_OVERDUE_1Y, E, **kw)
        assert err.value.errors["amount"][0].msgid == ops.SMALL_ITEM
