"""The case message thread: who reads and writes it, firm by firm; read markers, unread counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from cases.audit.models import AuditEntry
from cases.base import today
from cases.engagements.models import Engagement, EngagementStatus, FeeKind
from cases.errors import DomainError, PermissionDenied, ValidationError
from cases.portal.messages import mark_read, may_read, post_message, threads, unread_counts
from cases.portal.models import CaseMessage, Side
from cases.users.models import Role


@pytest.fixture
def people(make_user, make_firm):
    firm, other = make_firm("甲律师事务所"), make_firm("乙律师事务所")
    return {
        "firm": firm,
        "other_firm": other,
        "legal": make_user(Role.LEGAL),
        "admin": make_user(Role.ADMIN),
        "management": make_user(Role.MANAGEMENT),
        "finance": make_user(Role.FINANCE),
        "counsel": make_user(Role.COUNSEL, firm=firm),
        "colleague": make_user(Role.COUNSEL, firm=firm),
        "other_counsel": make_user(Role.COUNSEL, firm=other),
    }


@pytest.fixture
def case(make_case, people, session):
    made = make_case(actor=people["legal"], firm=people["firm"])
    session.info["actor_id"] = people["legal"].id
    return made


def say(session, who, case, body):
    session.info["actor_id"] = who.id
    return post_message(session, who, case, {"body": body})


def end_engagement(session, case):
    """What ending an engagement does to visibility: the case no longer names the firm."""
    for e in session.exec(select(Engagement).where(Engagement.case_id == case.id)):
        e.status, e.ends_on = EngagementStatus.ENDED, today()
    case.firm_id = None
    session.flush()


def engage(session, case, firm):
    session.add(
        Engagement(
            case_id=case.id,
            firm_id=firm.id,
            scope_litigation=True,
            starts_on=today(),
            claim_amount=case.claimed_principal,
            fee_kind=FeeKind.FIXED,
            fee_terms={"amount": "0"},
        )
    )
    case.firm_id = firm.id
    session.flush()


def bodies(session, reader, case) -> dict[str, list[str]]:
    found = threads(session, reader, case)
    return {t.firm.name: [m.message.body for m in t.messages] for t in found}


def test_both_sides_write_in_the_engaged_firms_thread(session, people, case):
    asked = say(session, people["legal"], case, "请报告开庭情况")
    answered = say(session, people["counsel"], case, "已于3月10日开庭")

    assert (asked.side, asked.firm_id, asked.read_by_legal_at is not None) == (
        Side.LEGAL,
        people["firm"].id,
        True,
    )
    assert asked.read_by_firm_at is None
    assert (answered.side, answered.read_by_firm_at is not None, answered.read_by_legal_at) == (
        Side.FIRM,
        True,
        None,
    )
    expected = {"甲律师事务所": ["请报告开庭情况", "已于3月10日开庭"]}
    for role in ("legal", "admin", "management", "counsel", "colleague"):
        assert bodies(session, people[role], case) == expected, role


def test_posting_is_audited(session, people, case):
    message = say(session, people["counsel"], case, "已立案")
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "case_message", AuditEntry.entity_id == message.id
        )
    ).one()
    assert entry.actor_id == people["counsel"].id
    assert entry.case_id == case.id


@pytest.mark.parametrize("role", ["other_counsel", "finance"])
def test_others_neither_read_nor_write(session, people, case, role):
    say(session, people["legal"], case, "内部沟通")
    assert not may_read(people[role], case)
    assert threads(session, people[role], case) == []
    with pytest.raises(PermissionDenied):
        say(session, people[role], case, "我也想说")


def test_management_reads_but_does_not_write(session, people, case):
    say(session, people["counsel"], case, "已申请执行")
    assert bodies(session, people["management"], case) == {"甲律师事务所": ["已申请执行"]}
    with pytest.raises(PermissionDenied):
        say(session, people["management"], case, "请加快")


def test_an_empty_message_is_refused(session, people, case):
    with pytest.raises(ValidationError) as caught:
        say(session, people["legal"], case, "   ")
    assert "body" in caught.value.errors


def test_a_case_without_a_firm_has_nobody_to_write_to(session, people, make_case):
    case = make_case(actor=people["legal"])
    with pytest.raises(DomainError):
        say(session, people["legal"], case, "有人吗")
    assert session.exec(select(CaseMessage).where(CaseMessage.case_id == case.id)).all() == []


def test_a_firm_no_longer_engaged_loses_the_thread(session, people, case):
    say(session, people["legal"], case, "请提交起诉状")
    say(session, people["counsel"], case, "已提交")
    end_engagement(session, case)

    assert not may_read(people["counsel"], case)
    assert threads(session, people["counsel"], case) == []
    assert unread_counts(session, people["counsel"]) == {}
    with pytest.raises(PermissionDenied):
        say(session, people["counsel"], case, "还在吗")
    # legal staff keep the old thread, read only: there is no firm to write to
    assert bodies(session, people["legal"], case) == {"甲律师事务所": ["请提交起诉状", "已提交"]}
    with pytest.raises(DomainError):
        say(session, people["legal"], case, "案件已收回")


def test_a_newly_engaged_firm_sees_only_its_own_thread(session, people, case):
    say(session, people["legal"], case, "给甲所的话")
    end_engagement(session, case)
    engage(session, case, people["other_firm"])
    say(session, people["other_counsel"], case, "乙所已接手")

    assert bodies(session, people["other_counsel"], case) == {"乙律师事务所": ["乙所已接手"]}
    assert bodies(session, people["legal"], case) == {
        "乙律师事务所": ["乙所已接手"],  # the current firm's thread first
        "甲律师事务所": ["给甲所的话"],
    }
    current = [t.current for t in threads(session, people["legal"], case)]
    assert current == [True, False]


def test_unread_counts_per_case_for_the_other_side(session, people, case, make_case):
    second = make_case(actor=people["legal"], firm=people["firm"])
    say(session, people["legal"], case, "一")
    say(session, people["legal"], case, "二")
    say(session, people["legal"], second, "三")
    say(session, people["counsel"], case, "回复")

    assert unread_counts(session, people["counsel"]) == {case.id: 2, second.id: 1}
    assert unread_counts(session, people["colleague"]) == {case.id: 2, second.id: 1}
    assert unread_counts(session, people["legal"], [case.id, second.id]) == {case.id: 1}
    assert unread_counts(session, people["admin"], [second.id]) == {}
    assert unread_counts(session, people["management"]) == {}
    assert unread_counts(session, people["other_counsel"]) == {}


def test_reading_marks_the_other_sides_messages_for_the_whole_side(session, people, case):
    say(session, people["legal"], case, "请回复")
    say(session, people["counsel"], case, "收到")

    new = [m.new for t in threads(session, people["colleague"], case) for m in t.messages]
    assert new == [True, False]
    assert mark_read(session, people["colleague"], case) == 1
    assert unread_counts(session, people["counsel"]) == {}  # one side: the whole firm
    assert unread_counts(session, people["legal"]) == {case.id: 1}
    assert mark_read(session, people["colleague"], case) == 0

    assert mark_read(session, people["management"], case) == 0  # reads, marks nothing
    assert unread_counts(session, people["legal"]) == {case.id: 1}
    assert mark_read(session, people["legal"], case) == 1
    assert unread_counts(session, people["admin"]) == {}
    stamps = session.exec(
        select(CaseMessage.read_by_firm_at, CaseMessage.read_by_legal_at).order_by(CaseMessage.id)
    ).all()
    assert all(a is not None and b is not None for a, b in stamps)


def test_a_reader_of_one_firm_marks_nothing_in_another_firms_thread(session, people, case):
    say(session, people["legal"], case, "给甲所")
    end_engagement(session, case)
    engage(session, case, people["other_firm"])
    say(session, people["legal"], case, "给乙所")

    assert mark_read(session, people["other_counsel"], case) == 1
    old = session.exec(select(CaseMessage).where(CaseMessage.body == "给甲所")).one()
    assert old.read_by_firm_at is None
    assert old.created_at <= old.read_by_legal_at + timedelta(seconds=1)
