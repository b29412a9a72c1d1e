"""The stage machine, against WORKFLOW.md "The path of a case" (stages 1–10).

``EXPECTED`` is written out here from WORKFLOW.md, independently of ``TRANSITIONS``; every
(stage, action) pair is tried through ``move_stage``: the rows give the stage the workflow
names, every other pair is refused with the message users read in Chinese.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from babel.support import Translations
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.errors import DomainError, PermissionDenied
from cases.register.models import CaseStatus
from cases.register.operations import move_stage
from cases.register.stages import TRANSITIONS, Action, Stage, actions_from, next_stage
from cases.timeline.models import Event, EventKind
from cases.users.models import Role, User

S, A = Stage, Action
ROOT = Path(__file__).resolve().parents[2]
ZH = Translations.load(str(ROOT / "webapp" / "translations"), ["zh"])

OPEN = (
    S.INTAKE,
    S.COLLECTION,
    S.DEMAND_LETTER,
    S.NEGOTIATION,
    S.PRESERVATION,
    S.LITIGATION,
    S.ENFORCEMENT,
)

# (from stage, action) → (to stage, where WORKFLOW.md says so)
EXPECTED: dict[tuple[Stage, Action], tuple[Stage, str]] = {
    (S.INTAKE, A.ACCEPT): (S.COLLECTION, "WORKFLOW-1-intake-then-2-collection"),
    (S.COLLECTION, A.SEND_LETTER): (S.DEMAND_LETTER, "WORKFLOW-3-demand-letter"),
    (S.COLLECTION, A.NEGOTIATE): (S.NEGOTIATION, "WORKFLOW-4-negotiation"),
    (S.DEMAND_LETTER, A.NEGOTIATE): (S.NEGOTIATION, "WORKFLOW-4-negotiation-after-letter"),
    (S.COLLECTION, A.PRESERVE): (S.PRESERVATION, "WORKFLOW-5-pre-suit-preservation"),
    (S.DEMAND_LETTER, A.PRESERVE): (S.PRESERVATION, "WORKFLOW-5-pre-suit-preservation"),
    (S.NEGOTIATION, A.PRESERVE): (S.PRESERVATION, "WORKFLOW-5-pre-suit-preservation"),
    (S.COLLECTION, A.SUE): (S.LITIGATION, "WORKFLOW-6-litigation"),
    (S.DEMAND_LETTER, A.SUE): (S.LITIGATION, "WORKFLOW-6-litigation"),
    (S.NEGOTIATION, A.SUE): (S.LITIGATION, "WORKFLOW-6-litigation"),
    (S.PRESERVATION, A.SUE): (S.LITIGATION, "WORKFLOW-5-sue-within-30-days-of-preservation"),
    (S.LITIGATION, A.NEGOTIATE): (S.NEGOTIATION, "WORKFLOW-6-mediation-or-settlement"),
    (S.NEGOTIATION, A.AGREEMENT_BROKEN): (S.LITIGATION, "WORKFLOW-path-broken-agreement"),
    (S.LITIGATION, A.ENFORCE): (S.ENFORCEMENT, "WORKFLOW-7-enforcement-of-judgment"),
    (S.NEGOTIATION, A.ENFORCE): (S.ENFORCEMENT, "WORKFLOW-7-mediation-statement-enforceable"),
    (S.ENFORCEMENT, A.NEGOTIATE): (S.NEGOTIATION, "WORKFLOW-7-settlement-in-enforcement"),
    **{(s, A.CLOSE): (S.CLOSED, "WORKFLOW-8-closure") for s in OPEN},
    (S.WRITTEN_OFF, A.CLOSE): (S.CLOSED, "WORKFLOW-10-written-off-case-finally-closed"),
    **{(s, A.WRITE_OFF): (S.WRITTEN_OFF, "WORKFLOW-9-write-off") for s in OPEN[1:]},
    (S.CLOSED, A.WRITE_OFF): (S.WRITTEN_OFF, "WORKFLOW-9-write-off-after-closure"),
    (S.CLOSED, A.REOPEN): (S.COLLECTION, "WORKFLOW-path-case-may-step-back"),
}

STAGE_ZH = {
    S.INTAKE: "移交立案",
    S.COLLECTION: "非诉催收",
    S.DEMAND_LETTER: "律师函",
    S.NEGOTIATION: "还款协议",
    S.PRESERVATION: "财产保全",
    S.LITIGATION: "诉讼",
    S.ENFORCEMENT: "执行",
    S.CLOSED: "已结案",
    S.WRITTEN_OFF: "已核销",
}
ACTION_ZH = {
    A.ACCEPT: "接收移交，开始催收",
    A.SEND_LETTER: "发送律师函",
    A.NEGOTIATE: "协商还款协议",
    A.PRESERVE: "申请财产保全",
    A.SUE: "提起诉讼或仲裁",
    A.ENFORCE: "申请强制执行",
    A.AGREEMENT_BROKEN: "协议违约：转入诉讼",
    A.CLOSE: "结案",
    A.REOPEN: "重新立案",
    A.WRITE_OFF: "核销（已审批）",
}

PAIRS = list(itertools.product(Stage, Action))


def _pair_id(pair: tuple[Stage, Action]) -> str:
    stage, action = pair
    row = EXPECTED.get(pair)
    return f"{stage.value}-{action.value}-" + (row[1] if row else "WORKFLOW-path-refused")


def zh(message) -> str:
    return message.render(ZH.gettext)


def _put_in(session, case, stage: Stage) -> None:
    case.stage = stage
    if stage == S.CLOSED:
        case.status, case.closed_on = CaseStatus.CLOSED, date(2025, 12, 31)
    session.flush()


def _actor(session, case) -> User:
    """The legal staff member who registered the case."""
    return session.get(User, case.created_by_id)


def _stage_events(session, case) -> list[Event]:
    stmt = (
        select(Event)
        .where(Event.case_id == case.id, Event.kind == EventKind.STAGE_CHANGE)
        .order_by(Event.id)
    )
    return list(session.exec(stmt))


def test_transition_table_is_the_workflow():
    assert {pair: to for pair, (to, _) in EXPECTED.items()} == TRANSITIONS


@pytest.mark.parametrize("pair", PAIRS, ids=[_pair_id(p) for p in PAIRS])
def test_next_stage_for_every_pair(pair):
    stage, action = pair
    if pair in EXPECTED:
        assert next_stage(stage, action) == EXPECTED[pair][0]
    else:
        with pytest.raises(DomainError) as exc:
            next_stage(stage, action)
        assert zh(exc.value.message) == (
            f"处于“{STAGE_ZH[stage]}”阶段的案件不能“{ACTION_ZH[action]}”。"
        )


@pytest.mark.parametrize("pair", PAIRS, ids=[_pair_id(p) for p in PAIRS])
def test_move_stage_for_every_pair(session, make_case, pair):
    stage, action = pair
    case = make_case()
    legal = _actor(session, case)
    _put_in(session, case, stage)
    before = len(_stage_events(session, case))

    if pair in EXPECTED:
        event = move_stage(session, legal, case, action, approved=True)
        assert case.stage == EXPECTED[pair][0]
        assert (event.from_stage, event.to_stage) == (stage.value, EXPECTED[pair][0].value)
    else:
        with pytest.raises(DomainError) as exc:
            move_stage(session, legal, case, action, approved=True)
        assert zh(exc.value.message) == (
            f"处于“{STAGE_ZH[stage]}”阶段的案件不能“{ACTION_ZH[action]}”。"
        )
        assert case.stage == stage
        assert len(_stage_events(session, case)) == before


WRITE_OFF_FROM = [s for (s, a) in EXPECTED if a == A.WRITE_OFF]


@pytest.mark.parametrize(
    "stage",
    WRITE_OFF_FROM,
    ids=[f"WORKFLOW-9-approved-only-from-{s.value}" for s in WRITE_OFF_FROM],
)
def test_write_off_is_refused_without_approval(session, make_case, stage):
    case = make_case()
    _put_in(session, case, stage)
    with pytest.raises(DomainError) as exc:
        move_stage(session, _actor(session, case), case, A.WRITE_OFF)
    assert zh(exc.value.message) == "此操作须经审批通过。"
    assert case.stage == stage


def test_write_off_is_never_offered_as_a_button_WORKFLOW_9():
    for stage in Stage:
        assert A.WRITE_OFF not in actions_from(stage)
    assert A.WRITE_OFF in actions_from(S.LITIGATION, include_approval_only=True)


def test_move_writes_a_stage_change_event_with_from_and_to(session, make_case):
    case = make_case()
    legal = _actor(session, case)
    event = move_stage(session, legal, case, A.ACCEPT, note="  材料齐全，已对账  ")
    session.commit()

    events = _stage_events(session, case)
    assert events[-1].id == event.id
    assert (event.kind, event.from_stage, event.to_stage) == (
        EventKind.STAGE_CHANGE,
        "intake",
        "collection",
    )
    assert event.actor_id == legal.id
    assert event.summary == "材料齐全，已对账"
    assert case.last_activity_at is not None


def test_move_without_note_uses_the_stage_label(session, make_case):
    case = make_case()
    event = move_stage(session, _actor(session, case), case, A.ACCEPT)
    assert event.summary == "Amicable collection"
    assert ZH.gettext(event.summary) == "非诉催收"


@time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=BUSINESS_TZ), tick=False)
def test_closing_sets_status_and_business_date_WORKFLOW_8(session, make_case):
    case = make_case()
    legal = _actor(session, case)
    move_stage(session, legal, case, A.ACCEPT)
    move_stage(session, legal, case, A.CLOSE)
    assert (case.stage, case.status) == (S.CLOSED, CaseStatus.CLOSED)
    # 23:30 in Beijing is 15:30 UTC: the business date, not the UTC one, is the closing date.
    assert case.closed_on == date(2026, 3, 31)


def test_closing_on_a_given_date(session, make_case):
    case = make_case()
    move_stage(session, _actor(session, case), case, A.CLOSE, on=date(2026, 1, 15))
    assert case.closed_on == date(2026, 1, 15)


def test_reopening_clears_closure_WORKFLOW_path_steps_back(session, make_case):
    case = make_case()
    legal = _actor(session, case)
    move_stage(session, legal, case, A.CLOSE, on=date(2026, 1, 15))
    event = move_stage(session, legal, case, A.REOPEN)
    assert (case.stage, case.status, case.closed_on) == (S.COLLECTION, CaseStatus.ACTIVE, None)
    assert (event.from_stage, event.to_stage) == ("closed", "collection")


def test_write_off_keeps_the_case_open_for_recovery_WORKFLOW_10(session, make_case):
    case = make_case()
    legal = _actor(session, case)
    move_stage(session, legal, case, A.ACCEPT)
    move_stage(session, legal, case, A.WRITE_OFF, approved=True)
    assert (case.stage, case.status, case.closed_on) == (S.WRITTEN_OFF, CaseStatus.ACTIVE, None)


def test_unknown_action_is_refused_in_chinese(session, make_case):
    case = make_case()
    with pytest.raises(DomainError) as exc:
        move_stage(session, _actor(session, case), case, "fly")
    assert zh(exc.value.message) == "未知的阶段操作“fly”。"
    assert case.stage == S.INTAKE


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT])
def test_only_legal_and_admin_move_stages(session, make_case, make_user, role):
    case = make_case()
    with pytest.raises(PermissionDenied):
        move_stage(session, make_user(role), case, A.ACCEPT)
    assert case.stage == S.INTAKE


def test_admin_may_move_stages(session, make_case, make_user):
    case = make_case()
    move_stage(session, make_user(Role.ADMIN), case, A.ACCEPT)
    assert case.stage == S.COLLECTION
