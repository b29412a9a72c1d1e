"""Engaging law firms on cases: the cap check, management's override, ending, changing terms,
framework agreements, and the rule that a firm sees a case only while actively engaged."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus
from cases.engagements.operations import (
    add_agreement,
    change_terms,
    end_engagement,
    engage,
    live_engagement,
    record_override,
    refuse_override,
    visible_engagements,
)
from cases.errors import DomainError, NotFound, PermissionDenied, ValidationError
from cases.imports.intake import import_cases
from cases.register import policies
from cases.register.operations import update_case
from cases.timeline.models import Event, EventKind
from cases.users.models import Role
from tests.cases.test_import import HEADER, row, xlsx

S = EngagementStatus
START = date(2026, 1, 5)


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL)


@pytest.fixture
def firm(make_firm):
    return make_firm("上海明理律师事务所")


@pytest.fixture
def lawyer(make_user, firm):
    return make_user(Role.COUNSEL, firm=firm, name="陈思远")


@pytest.fixture
def management(make_user):
    return make_user(Role.MANAGEMENT)


@pytest.fixture
def case(make_case, legal):
    """A case with a claim of 2,000,000 and no firm yet."""
    claims = [
        {
            "contract_ref": "HT-2",
            "contract_title": "借款合同",
            "principal": "2000000",
            "due_date": "2025-06-30",
        }
    ]
    return make_case(actor=legal, claims=claims)


def terms(lawyer, firm=None, **changes):
    data = {
        "lead_lawyer_id": lawyer.id,
        "scope_litigation": True,
        "starts_on": START,
        "fee_kind": "contingency",
        "fee_terms": {"rate": "0.15"},
    }
    if firm is not None:
        data["firm_id"] = firm.id
    return {**data, **changes}


def act(session, actor):
    session.info["actor_id"] = actor.id
    return actor


def test_terms_within_the_cap_engage_the_firm_at_once(session, legal, firm, lawyer, case):
    act(session, legal)
    engagement = engage(session, legal, case, terms(lawyer, firm))

    assert engagement.status == S.ACTIVE
    assert engagement.claim_amount == Decimal("2000000.00")  # the claimed principal
    assert case.firm_id == firm.id
    assert policies.get_visible_case(session, lawyer, case.id) is case
    note = session.exec(select(Event).where(Event.case_id == case.id, Event.kind == "note")).one()
    assert "上海明理律师事务所" in note.summary
    assert "主办律师陈思远" in note.summary
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "engagement", AuditEntry.action == "create")
    ).one()
    assert (audit.actor_id, audit.case_id) == (legal.id, case.id)


def test_terms_that_can_exceed_the_cap_wait_for_management(
    session, legal, firm, lawyer, management, case
):
    """20 percent of 2,000,000 = 400,000 against a cap of 330,000 (司发通〔2021〕87号 第(六)项)."""
    act(session, legal)
    engagement = engage(session, legal, case, terms(lawyer, firm, fee_terms={"rate": "0.2"}))

    assert engagement.status == S.AWAITING_OVERRIDE
    assert case.firm_id is None
    with pytest.raises(NotFound):
        policies.get_visible_case(session, lawyer, case.id)

    with pytest.raises(PermissionDenied):  # legal staff cannot override
        record_override(session, legal, case, engagement, "市场价")
    act(session, management)
    with pytest.raises(ValidationError) as caught:
        record_override(session, management, case, engagement, "   ")
    assert "reason" in caught.value.errors

    record_override(session, management, case, engagement, "框架协议招标确定的比例")

    assert engagement.status == S.ACTIVE
    assert engagement.cap_override_by_id == management.id
    assert engagement.cap_override_at is not None
    assert engagement.cap_override_reason == "框架协议招标确定的比例"
    assert case.firm_id == firm.id
    assert policies.get_visible_case(session, lawyer, case.id) is case
    with pytest.raises(DomainError):  # once only
        record_override(session, management, case, engagement, "again")


def test_refusing_the_override_ends_the_engagement(session, legal, firm, lawyer, management, case):
    act(session, legal)
    base = {"base": {"rate": "0.02"}, "contingency": {"rate": "0.12"}}
    engagement = engage(
        session, legal, case, terms(lawyer, firm, fee_kind="base_plus_contingency", fee_terms=base)
    )
    assert engagement.status == S.AWAITING_OVERRIDE  # the base exceeds the cap of nothing

    act(session, management)
    refuse_override(session, management, case, engagement, "基础费用过高")

    assert engagement.status == S.ENDED
    assert engagement.end_reason == "基础费用过高"
    assert engagement.cap_override_by_id is None
    assert case.firm_id is None
    assert live_engagement(session, case.id) is None
    act(session, legal)
    again = engage(session, legal, case, terms(lawyer, firm))  # may be engaged afresh
    assert again.status == S.ACTIVE


def test_one_live_engagement_per_case(session, legal, firm, lawyer, case, make_firm, make_user):
    act(session, legal)
    engage(session, legal, case, terms(lawyer, firm))
    other = make_firm()
    other_lawyer = make_user(Role.COUNSEL, firm=other)
    with pytest.raises(DomainError) as caught:
        engage(session, legal, case, terms(other_lawyer, other))
    assert caught.value.message.params == {"firm": "上海明理律师事务所"}
    assert case.firm_id == firm.id


def test_ending_takes_the_case_from_the_firm_at_once(session, legal, firm, lawyer, case):
    act(session, legal)
    engagement = engage(session, legal, case, terms(lawyer, firm))
    with pytest.raises(ValidationError) as caught:
        end_engagement(session, legal, case, engagement, today() + timedelta(days=1), "x")
    assert "on" in caught.value.errors
    with pytest.raises(ValidationError):
        end_engagement(session, legal, case, engagement, START - timedelta(days=1), "x")
    with pytest.raises(ValidationError):
        end_engagement(session, legal, case, engagement, today(), "")

    end_engagement(session, legal, case, engagement, today(), "更换律师事务所")

    assert (engagement.status, engagement.ends_on) == (S.ENDED, today())
    assert case.firm_id is None
    with pytest.raises(NotFound):
        policies.get_visible_case(session, lawyer, case.id)
    with pytest.raises(DomainError):
        end_engagement(session, legal, case, engagement, today(), "again")
    notes = session.exec(select(Event.summary).where(Event.kind == EventKind.NOTE)).all()
    assert any("解除对上海明理律师事务所的委托" in n for n in notes)


@pytest.mark.parametrize("who", ["other firm", "legal staff", "inactive"])
def test_the_lead_lawyer_is_an_active_lawyer_of_the_firm(
    session, legal, firm, case, make_user, make_firm, who
):
    if who == "other firm":
        lead = make_user(Role.COUNSEL, firm=make_firm())
    elif who == "legal staff":
        lead = make_user(Role.LEGAL)
    else:
        lead = make_user(Role.COUNSEL, firm=firm)
        lead.is_active = False
    act(session, legal)
    with pytest.raises(ValidationError) as caught:
        engage(session, legal, case, terms(lead, firm))
    assert list(caught.value.errors) == ["lead_lawyer_id"]
    assert live_engagement(session, case.id) is None


def test_contingency_refused_in_a_forbidden_matter(session, legal, firm, lawyer, case):
    """司发通〔2021〕87号 第(五)项: a contingency fee in a labour (unpaid wages) matter."""
    act(session, legal)
    with pytest.raises(ValidationError) as caught:
        engage(session, legal, case, terms(lawyer, firm, matter_type="unpaid_wages"))
    assert list(caught.value.errors) == ["matter_type"]
    fixed = terms(lawyer, firm, matter_type="unpaid_wages", fee_kind="fixed")
    fixed["fee_terms"] = {"amount": "8000"}
    assert engage(session, legal, case, fixed).status == S.ACTIVE  # a fixed fee is allowed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope_litigation": False}, "scope"),
        ({"ends_on": START - timedelta(days=1)}, "ends_on"),
        ({"matter_type": "no such matter"}, "matter_type"),
        ({"fee_terms": {"rate": "abc"}}, "fee_terms.rate"),
        (
            {
                "scope_enforcement": True,
                "fee_terms": {"stage_rates": {"litigation": "0.15"}},
            },
            "fee_terms.stage_rates",
        ),
    ],
    ids=["no scope", "ends before start", "unknown matter", "bad rate", "stage rate missing"],
)
def test_bad_terms_are_refused_by_field(session, legal, firm, lawyer, case, changes, field):
    act(session, legal)
    with pytest.raises(ValidationError) as caught:
        engage(session, legal, case, terms(lawyer, firm, **changes))
    assert field in caught.value.errors


def test_framework_agreement_must_be_the_firms_and_in_force(
    session, legal, firm, lawyer, case, make_firm, make_user
):
    act(session, legal)
    agreement = add_agreement(
        session,
        legal,
        firm,
        {
            "reference": "FW-2026-01",
            "signed_on": "2026-01-01",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    other = add_agreement(
        session,
        legal,
        make_firm(),
        {"reference": "FW-X", "signed_on": "2026-01-01", "starts_on": "2026-01-01"},
    )
    late = terms(lawyer, firm, framework_agreement_id=agreement.id, starts_on=date(2027, 1, 5))
    for data in (terms(lawyer, firm, framework_agreement_id=other.id), late):
        with pytest.raises(ValidationError) as caught:
            engage(session, legal, case, data)
        assert list(caught.value.errors) == ["framework_agreement_id"]
    engagement = engage(
        session, legal, case, terms(lawyer, firm, framework_agreement_id=agreement.id)
    )
    assert engagement.framework_agreement_id == agreement.id


def test_agreements_are_recorded_by_legal_staff_once_per_reference(
    session, legal, firm, lawyer, make_user
):
    data = {"reference": "FW-1", "signed_on": "2026-01-01", "starts_on": "2026-01-01"}
    with pytest.raises(PermissionDenied):
        add_agreement(session, lawyer, firm, data)
    act(session, legal)
    add_agreement(session, legal, firm, data)
    with pytest.raises(ValidationError) as caught:
        add_agreement(session, legal, firm, data)
    assert list(caught.value.errors) == ["reference"]
    with pytest.raises(ValidationError) as caught:
        add_agreement(session, legal, firm, {**data, "reference": "FW-2", "ends_on": "2025-01-01"})
    assert list(caught.value.errors) == ["ends_on"]


def test_only_engagement_managers_engage(session, firm, lawyer, case, make_user):
    for role in (Role.FINANCE, Role.MANAGEMENT, Role.COUNSEL):
        user = make_user(role, firm=firm if role == Role.COUNSEL else None)
        with pytest.raises(PermissionDenied):
            engage(session, user, case, terms(lawyer, firm))


def test_changed_terms_are_checked_again_and_an_old_override_lapses(
    session, legal, firm, lawyer, management, case
):
    act(session, legal)
    engagement = engage(session, legal, case, terms(lawyer, firm, fee_terms={"rate": "0.25"}))
    act(session, management)
    record_override(session, management, case, engagement, "同意")
    assert case.firm_id == firm.id

    # Not the fee: the override stands.
    act(session, legal)
    change_terms(
        session,
        legal,
        case,
        engagement,
        terms(lawyer, fee_terms={"rate": "0.25"}, expenses_note="差旅费据实报销"),
    )
    assert (engagement.status, engagement.cap_override_by_id) == (S.ACTIVE, management.id)

    # A higher rate: the override lapses, the firm loses the case until a new one.
    change_terms(session, legal, case, engagement, terms(lawyer, fee_terms={"rate": "0.3"}))
    assert engagement.status == S.AWAITING_OVERRIDE
    assert engagement.cap_override_by_id is engagement.cap_override_reason is None
    assert case.firm_id is None

    # Within the cap again: active without any override.
    change_terms(session, legal, case, engagement, terms(lawyer, fee_terms={"rate": "0.1"}))
    assert engagement.status == S.ACTIVE
    assert case.firm_id == firm.id


def test_a_firm_named_at_intake_is_engaged_with_its_terms_to_enter(
    session, legal, firm, lawyer, make_case
):
    case = make_case(actor=legal, firm=firm)

    engagement = live_engagement(session, case.id)
    assert (engagement.status, engagement.terms_pending) == (S.ACTIVE, True)
    assert engagement.firm_id == case.firm_id == firm.id
    assert engagement.lead_lawyer_id is None

    act(session, legal)
    change_terms(session, legal, case, engagement, terms(lawyer))
    assert engagement.terms_pending is False
    assert engagement.lead_lawyer_id == lawyer.id


def test_the_case_edit_does_not_change_the_firm(session, legal, firm, case, make_firm):
    act(session, legal)
    with pytest.raises(ValidationError) as caught:
        update_case(session, legal, case, {"firm_id": make_firm().id})
    assert list(caught.value.errors) == ["firm_id"]
    update_case(session, legal, case, {"firm_id": None, "summary": "同一律所"})  # unchanged
    assert case.firm_id is None


def test_an_import_naming_a_firm_engages_it(session, legal, firm, make_creditor):
    creditor = make_creditor(name="华东钢铁集团有限公司")
    content = xlsx([[*row("REF-1", creditor.name), firm.name]], [*HEADER, "律师事务所"])

    result = import_cases(session, legal, "cases.xlsx", content)

    assert result.errors == []
    engagement = session.exec(
        select(Engagement).where(Engagement.case_id == result.created[0].case_id)
    ).one()
    assert (engagement.firm_id, engagement.status, engagement.terms_pending) == (
        firm.id,
        S.ACTIVE,
        True,
    )


def test_counsel_see_only_their_own_firms_engagements(
    session, legal, firm, lawyer, case, make_firm, make_user
):
    other = make_firm()
    other_lawyer = make_user(Role.COUNSEL, firm=other)
    act(session, legal)
    first = engage(session, legal, case, terms(other_lawyer, other))
    end_engagement(session, legal, case, first, START, "更换")
    engage(session, legal, case, terms(lawyer, firm))

    assert len(visible_engagements(session, legal, case)) == 2
    assert [e.firm_id for e in visible_engagements(session, lawyer, case)] == [firm.id]
