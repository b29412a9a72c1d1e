"""Write-off applications and their approval chain (issue 6, WORKFLOW.md stages 9–10).

Every path: approve, reject with a reason and resubmit, a second manager above the threshold,
self-approval and double approval refused, a stale page refused, the case written off and
kept open to recovery (账销案存), every step in the audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cases.audit.models import AuditAction, AuditEntry
from cases.base import today, utcnow
from cases.errors import DomainError, PermissionDenied, ValidationError
from cases.ledger.models import Payment, PaymentStatus
from cases.register import policies
from cases.register.models import Case, CaseStatus
from cases.register.operations import move_stage
from cases.register.stages import Action, Stage
from cases.timeline.models import Attachment, Event, EventKind
from cases.users.models import Role, User
from cases.writeoffs import operations as ops
from cases.writeoffs.models import (
    ApprovalPolicy,
    Decision,
    WriteOffApplication,
    WriteOffStatus,
    WriteOffStep,
)
from cases.writeoffs.queries import (
    approval_sheet,
    awaiting_decision,
    checklist_rows,
    recovered_after_writeoff,
)
from cases.writeoffs.reasons import WriteOffReason, checklist

D = Decimal
REASON = WriteOffReason.ENFORCEMENT_TERMINATED


def attach(session, case: Case, name: str = "裁定书.pdf") -> Attachment:
    row = Attachment(
        case_id=case.id,
        original_name=name,
        stored_name=uuid.uuid4().hex,
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    session.add(row)
    session.flush()
    return row


def draft(session, case: Case, reason=REASON, regime="enterprise", **overrides):
    """A complete draft: a file for every checklist item of the reason."""
    links = [
        {"item": item.key, "attachment_id": attach(session, case, f"{item.key}.pdf").id}
        for item in checklist(WriteOffReason(reason), regime)
    ]
    data = {
        "reason": reason,
        "reason_detail": "债务人无可供执行的财产，法院已裁定终结本次执行程序。",
        "legal_opinion": "经核查，债务人确无可供执行财产，建议核销，账销案存。",
        "evidence": links,
    }
    data.update(overrides)
    return data


@dataclass
class World:
    session: object
    case: Case
    legal: User
    finance: User
    finance2: User
    boss: User
    boss2: User

    def act(self, user: User) -> User:
        self.session.info["actor_id"] = user.id
        return user

    def apply(self, **overrides) -> WriteOffApplication:
        actor = self.act(self.legal)
        return ops.create_application(
            self.session, actor, self.case, draft(self.session, self.case, **overrides)
        )

    def submit(self, application, **kw) -> WriteOffApplication:
        return ops.submit(self.session, self.act(self.legal), application, **kw)

    def decide(self, user, application, decision=Decision.APPROVE, **kw) -> WriteOffStep:
        return ops.decide(self.session, self.act(user), application, decision, **kw)


@pytest.fixture
def world(session, make_case, make_user) -> World:
    case = make_case()
    legal = session.get(User, case.created_by_id)
    session.info["actor_id"] = legal.id
    move_stage(session, legal, case, Action.ACCEPT)
    move_stage(session, legal, case, Action.SUE)
    session.flush()
    return World(
        session,
        case,
        legal,
        make_user(Role.FINANCE),
        make_user(Role.FINANCE),
        make_user(Role.MANAGEMENT),
        make_user(Role.MANAGEMENT),
    )


def test_draft_computes_the_amount_and_keeps_the_computation(world):
    application = world.apply()
    assert application.status == WriteOffStatus.DRAFT
    assert application.regime == "enterprise"
    assert application.amount == application.computed_amount
    assert not application.amount_entered
    # principal outstanding plus interest claimed on the day
    computation = application.computation
    assert D(computation["principal"]) == D("120000.00")
    assert D(computation["principal"]) + D(computation["interest"]) == application.amount
    assert application.amount > D("120000.00")  # a sale overdue since 2025-06-30 accrues
    assert computation["as_of"] == today().isoformat()
    assert computation["total"]["rule"]


def test_approve_path_writes_the_case_off_and_keeps_it_open(world):
    s = world.session
    application = world.submit(world.apply())
    assert application.status == WriteOffStatus.SUBMITTED
    assert application.chain == ["finance", "management"]
    assert application.round_no == 1
    assert awaiting_decision(s, world.finance) == [application]
    assert awaiting_decision(s, world.boss) == []  # finance first

    step = world.decide(world.finance, application)
    assert (step.step_no, step.role, step.decision) == (1, Role.FINANCE, Decision.APPROVE)
    assert application.status == WriteOffStatus.IN_REVIEW
    assert world.case.stage == Stage.LITIGATION  # nothing happens before the last step
    assert awaiting_decision(s, world.boss) == [application]

    world.decide(world.boss, application, reason="同意核销")
    assert application.status == WriteOffStatus.APPROVED
    assert application.written_off_on == today()
    assert application.decided_at is not None
    # 账销案存: stage written off, status still active (searchable, open to recovery)
    case = world.case
    assert case.stage == Stage.WRITTEN_OFF
    assert case.status == CaseStatus.ACTIVE
    assert case.closed_on is None
    event = s.exec(
        select(Event)
        .where(Event.case_id == case.id, Event.kind == EventKind.STAGE_CHANGE)
        .order_by(Event.id.desc())
    ).first()
    assert (event.from_stage, event.to_stage, event.actor_id) == (
        "litigation",
        "written_off",
        world.boss.id,
    )
    sheet = approval_sheet(s, application)
    assert [(r.role, r.step.actor_id) for r in sheet] == [
        (Role.FINANCE, world.finance.id),
        (Role.MANAGEMENT, world.boss.id),
    ]


def test_every_step_is_audited_with_actor_and_time(world):
    s = world.session
    application = world.submit(world.apply())
    world.decide(world.finance, application)
    world.decide(world.boss, application)
    s.flush()
    entries = s.exec(
        select(AuditEntry).where(AuditEntry.case_id == world.case.id).order_by(AuditEntry.id)
    ).all()
    steps = [e for e in entries if e.entity == "writeoff_step"]
    assert [(e.action, e.actor_id) for e in steps] == [
        (AuditAction.CREATE, world.finance.id),
        (AuditAction.CREATE, world.boss.id),
    ]
    assert all(e.at is not None for e in steps)
    assert steps[1].changes["decision"] == [None, "approve"]
    statuses = [
        e.changes["status"][1]
        for e in entries
        if e.entity == "writeoff_application" and "status" in e.changes
    ]
    assert statuses == ["draft", "submitted", "in_review", "approved"]
    case_changes = [e for e in entries if e.entity == "case" and "stage" in e.changes]
    assert case_changes[-1].changes["stage"] == ["litigation", "written_off"]
    assert case_changes[-1].actor_id == world.boss.id
    evidence = [e for e in entries if e.entity == "writeoff_evidence"]
    assert len(evidence) == len(checklist(REASON, "enterprise"))


def test_reject_needs_a_reason_and_returns_to_the_applicant_who_resubmits(world):
    s = world.session
    application = world.submit(world.apply())
    world.decide(world.finance, application)
    with pytest.raises(ValidationError) as err:
        world.decide(world.boss, application, Decision.REJECT, reason="  ")
    assert err.value.errors["reason"][0].msgid == ops.REASON_NEEDED

    step = world.decide(world.boss, application, Decision.REJECT, reason="补充财产调查报告")
    assert step.reason == "补充财产调查报告"
    assert application.status == WriteOffStatus.REJECTED
    assert world.case.stage == Stage.LITIGATION
    assert awaiting_decision(s, world.boss) == []
    # nobody but the applicant changes it
    with pytest.raises(PermissionDenied):
        ops.submit(s, world.act(world.finance), application)

    data = draft(s, world.case, reason_detail="已补充财产调查情况。")
    ops.update_application(s, world.act(world.legal), application, data)
    assert application.reason_detail == "已补充财产调查情况。"
    world.submit(application)
    assert (application.status, application.round_no) == (WriteOffStatus.SUBMITTED, 2)
    # a new round: the same reviewer and manager decide again
    world.decide(world.finance, application)
    world.decide(world.boss, application)
    assert application.status == WriteOffStatus.APPROVED
    rounds = s.exec(
        select(WriteOffStep.round_no, WriteOffStep.decision)
        .where(WriteOffStep.application_id == application.id)
        .order_by(WriteOffStep.id)
    ).all()
    assert [tuple(r) for r in rounds] == [
        (1, Decision.APPROVE),
        (1, Decision.REJECT),
        (2, Decision.APPROVE),
        (2, Decision.APPROVE),
    ]


def test_an_approved_application_cannot_be_decided_again_or_changed(world):
    application = world.submit(world.apply())
    world.decide(world.finance, application)
    world.decide(world.boss, application)
    with pytest.raises(DomainError):
        world.decide(world.boss2, application)
    with pytest.raises(DomainError):
        ops.withdraw(world.session, world.act(world.legal), application)


@pytest.mark.parametrize(
    ("threshold", "chain"),
    [
        (None, ["finance", "management"]),
        (D("5000000.00"), ["finance", "management"]),  # the default, far above
        (D("100000.00"), ["finance", "management", "management"]),
    ],
    ids=["no-threshold", "below-threshold", "above-threshold-second-manager"],
)
def test_the_chain_follows_the_amount_threshold(world, threshold, chain):
    policy = ApprovalPolicy(second_management_above=threshold)
    application = world.submit(world.apply(), policy=policy)
    assert application.chain == chain


def test_the_threshold_itself_needs_no_second_manager(world):
    application = world.apply()
    policy = ApprovalPolicy(second_management_above=application.amount)
    assert world.submit(application, policy=policy).chain == ["finance", "management"]


def test_above_the_threshold_a_second_different_manager_approves(world):
    policy = ApprovalPolicy(second_management_above=D("100000.00"))
    application = world.submit(world.apply(), policy=policy)
    world.decide(world.finance, application)
    world.decide(world.boss, application)
    assert application.status == WriteOffStatus.IN_REVIEW
    assert world.case.stage == Stage.LITIGATION
    with pytest.raises(PermissionDenied) as err:
        world.decide(world.boss, application)  # the same manager twice
    assert err.value.message.msgid == ops.ALREADY_DECIDED
    assert awaiting_decision(world.session, world.boss) == []
    assert awaiting_decision(world.session, world.boss2) == [application]
    world.decide(world.boss2, application)
    assert application.status == WriteOffStatus.APPROVED
    assert world.case.stage == Stage.WRITTEN_OFF


def test_nobody_decides_two_steps_of_one_submission(world):
    policy = ApprovalPolicy(steps=(Role.FINANCE, Role.FINANCE, Role.MANAGEMENT))
    application = world.submit(world.apply(), policy=policy)
    world.decide(world.finance, application)
    with pytest.raises(PermissionDenied) as err:
        world.decide(world.finance, application)
    assert err.value.message.msgid == ops.ALREADY_DECIDED
    world.decide(world.finance2, application)
    assert application.status == WriteOffStatus.IN_REVIEW


def test_the_database_refuses_a_second_decision_on_one_position(world):
    s = world.session
    application = world.submit(world.apply())
    world.decide(world.finance, application)
    duplicate = WriteOffStep(
        application_id=application.id,
        case_id=application.case_id,
        round_no=1,
        step_no=1,
        role=Role.FINANCE,
        actor_id=world.finance2.id,
        decision=Decision.APPROVE,
    )
    savepoint = s.begin_nested()
    s.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        s.flush()
    savepoint.rollback()


def test_nobody_approves_their_own_application(world, monkeypatch):
    # Even where a manager may apply, they never approve their own application.
    monkeypatch.setitem(
        policies.CAPABILITIES, "writeoff.apply", frozenset({Role.LEGAL, Role.MANAGEMENT})
    )
    s = world.session
    data = draft(s, world.case)
    application = ops.create_application(s, world.act(world.boss), world.case, data)
    ops.submit(s, world.act(world.boss), application)
    world.decide(world.finance, application)
    assert awaiting_decision(s, world.boss) == []
    with pytest.raises(PermissionDenied) as err:
        world.decide(world.boss, application)
    assert err.value.message.msgid == ops.OWN_APPLICATION
    world.decide(world.boss2, application)
    assert application.status == WriteOffStatus.APPROVED


@pytest.mark.parametrize(
    ("step_role", "role"),
    [
        ("finance", Role.MANAGEMENT),
        ("finance", Role.LEGAL),
        ("finance", Role.COUNSEL),
        ("finance", Role.ADMIN),
        ("management", Role.FINANCE),
        ("management", Role.LEGAL),
        ("management", Role.ADMIN),
    ],
)
def test_only_the_role_a_step_requires_decides_it(world, make_user, step_role, role):
    application = world.submit(world.apply())
    if step_role == "management":
        world.decide(world.finance, application)
    with pytest.raises((PermissionDenied, DomainError)):
        world.decide(make_user(role), application)


def test_a_stale_page_is_refused(world):
    application = world.submit(world.apply())
    seen = application.version
    world.decide(world.finance, application, expected_version=seen)
    with pytest.raises(DomainError) as err:
        world.decide(world.boss, application, expected_version=seen)
    assert err.value.message.msgid == ops.CHANGED_MEANWHILE
    world.decide(world.boss, application, expected_version=application.version)
    assert application.status == WriteOffStatus.APPROVED


def test_submission_names_every_missing_item(world):
    s = world.session
    data = draft(s, world.case)
    data["evidence"] = data["evidence"][:1]  # only the contract
    data["legal_opinion"] = ""
    application = ops.create_application(s, world.act(world.legal), world.case, data)
    with pytest.raises(ValidationError) as err:
        world.submit(application)
    missing = [m.params["item"].msgid for m in err.value.errors["evidence"]]
    assert missing == [item.label for item in checklist(REASON, "enterprise")[1:]]
    assert err.value.errors["legal_opinion"][0].msgid == ops.OPINION_NEEDED
    assert application.status == WriteOffStatus.DRAFT
    rows = checklist_rows(s, application)
    assert [r.covered for r in rows] == [True] + [False] * (len(rows) - 1)


def test_evidence_rows_of_the_case_cover_items_but_not_other_cases_files(world, make_case):
    s = world.session
    from cases.register.models import Evidence

    evidence = s.exec(select(Evidence).where(Evidence.case_id == world.case.id)).first()
    if evidence is None:
        evidence = Evidence(case_id=world.case.id, kind="contract", title="购销合同")
        s.add(evidence)
        s.flush()
    data = draft(s, world.case)
    data["evidence"][0] = {"item": "contract", "evidence_id": evidence.id}
    application = ops.create_application(s, world.act(world.legal), world.case, data)

    other = make_case()
    bad = draft(s, other)
    with pytest.raises(ValidationError) as err:
        ops.update_application(s, world.act(world.legal), application, bad)
    assert err.value.errors["evidence"][0].msgid == ops.NOT_OF_CASE
    assert world.submit(application).status == WriteOffStatus.SUBMITTED


def test_an_item_off_the_checklist_is_refused(world):
    s = world.session
    data = draft(s, world.case)
    data["evidence"].append({"item": "death_or_missing", "attachment_id": attach(s, world.case).id})
    with pytest.raises(ValidationError) as err:
        ops.create_application(s, world.act(world.legal), world.case, data)
    assert err.value.errors["evidence"][0].msgid == ops.NOT_ON_CHECKLIST


def test_an_entered_amount_keeps_the_computation_and_needs_a_note(world):
    s = world.session
    with pytest.raises(ValidationError) as err:
        world.apply(amount=D("100000.00"))
    assert "amount_note" in err.value.errors
    with pytest.raises(ValidationError) as err:
        world.apply(amount=D("9999999.00"), amount_note="x")
    assert err.value.errors["amount"][0].msgid == ops.ABOVE_COMPUTED
    application = world.apply(amount=D("100000.00"), amount_note="按账面余额核销")
    assert application.amount == D("100000.00")
    assert application.amount_entered
    assert application.computed_amount > application.amount
    assert application.computation["principal"] == "120000.00"
    world.submit(application)
    assert application.amount == D("100000.00")  # kept on submission
    s.flush()


def test_one_application_in_the_works_per_case_and_withdrawal(world):
    s = world.session
    application = world.apply()
    with pytest.raises(DomainError) as err:
        world.apply()
    assert err.value.message.msgid == ops.ALREADY_OPEN
    world.submit(application)
    ops.withdraw(s, world.act(world.legal), application)
    assert application.status == WriteOffStatus.WITHDRAWN
    assert application.withdrawn_at is not None
    with pytest.raises(DomainError):
        world.decide(world.finance, application)
    assert world.apply().status == WriteOffStatus.DRAFT


def test_two_first_drafts_at_once_the_second_is_refused_not_a_crash(world, monkeypatch):
    """Two people open the first draft of one case at the same moment: both pre-checks find
    nothing, the unique index refuses the second insert, and its author is told an
    application is already in progress; the transaction goes on (the insert was in a
    savepoint)."""
    s = world.session
    data = draft(s, world.case)
    first = world.apply()  # the other request's insert, landed after our pre-check
    real = ops._open_application
    calls = []

    def before_the_other_insert(session, case_id):
        calls.append(case_id)
        return None if len(calls) == 1 else real(session, case_id)

    monkeypatch.setattr(ops, "_open_application", before_the_other_insert)
    with pytest.raises(DomainError) as err:
        ops.create_application(s, world.act(world.legal), world.case, data)
    assert err.value.message.msgid == ops.ALREADY_OPEN
    assert calls == [world.case.id, world.case.id]  # the pre-check, then after the refusal
    # the session is still usable: the first draft stands alone, and work goes on
    open_ones = s.exec(
        select(WriteOffApplication).where(WriteOffApplication.case_id == world.case.id)
    ).all()
    assert open_ones == [first]
    world.submit(first)
    s.flush()
    assert first.status == WriteOffStatus.SUBMITTED


def test_only_legal_and_admin_apply(world, make_user):
    s = world.session
    for role in (Role.FINANCE, Role.MANAGEMENT, Role.COUNSEL):
        with pytest.raises((PermissionDenied, DomainError)):
            ops.create_application(s, make_user(role), world.case, draft(s, world.case))
    admin = make_user(Role.ADMIN)
    assert ops.create_application(s, admin, world.case, draft(s, world.case)).applicant_id == (
        admin.id
    )


def test_a_case_in_intake_cannot_be_written_off(session, make_case, make_user):
    case = make_case()
    legal = session.get(User, case.created_by_id)
    with pytest.raises(DomainError):
        ops.create_application(session, legal, case, draft(session, case))


def test_a_closed_case_is_written_off_and_reopened_to_recovery(world):
    s = world.session
    move_stage(s, world.act(world.legal), world.case, Action.CLOSE)
    assert world.case.status == CaseStatus.CLOSED
    application = world.submit(world.apply())
    world.decide(world.finance, application)
    world.decide(world.boss, application)
    assert (world.case.stage, world.case.status) == (Stage.WRITTEN_OFF, CaseStatus.ACTIVE)
    assert world.case.closed_on is None


def _payment(session, case, received_on, amount, status=PaymentStatus.CONFIRMED) -> Payment:
    row = Payment(
        case_id=case.id,
        received_on=received_on,
        amount=amount,
        payer="债务人",
        status=status,
        confirmed_at=utcnow() if status == PaymentStatus.CONFIRMED else None,
    )
    session.add(row)
    session.flush()
    return row


def test_money_after_the_write_off_is_recovery_of_written_off_debt(world):
    s = world.session
    assert recovered_after_writeoff(s, world.case.id) is None
    before = _payment(s, world.case, today() - timedelta(days=10), D("1000.00"))
    application = world.submit(world.apply())
    world.decide(world.finance, application)
    world.decide(world.boss, application)
    after = _payment(s, world.case, today(), D("2500.50"))
    _payment(s, world.case, today(), D("700.00"), status=PaymentStatus.PENDING)
    recovery = recovered_after_writeoff(s, world.case.id)
    assert recovery.application_id == application.id
    assert recovery.written_off_on == today()
    assert [p.id for p in recovery.payments] == [after.id]
    assert before.id not in [p.id for p in recovery.payments]
    assert recovery.total == D("2500.50")
    assert recovery.still_written_off == application.amount - D("2500.50")
