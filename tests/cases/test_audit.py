"""The audit trail: who changed what, when, with old and new values, in the same transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cases.audit.models import AuditAction, AuditEntry
from cases.audit.queries import for_case
from cases.audit.trail import MASK
from cases.db import transaction
from cases.errors import ValidationError
from cases.register.models import Case, Claim
from cases.register.operations import create_case, move_stage, update_case
from cases.register.stages import Action
from cases.users.models import ApiToken, Role, User
from cases.users.operations import issue_token, set_password
from tests.factories import case_payload, valid_uscc

IMMUTABLE = "audit entries are never changed or deleted"


def entries(
    session, *, entity: str, entity_id: int | None = None, action: AuditAction | None = None
) -> list[AuditEntry]:
    session.flush()
    stmt = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    return list(session.exec(stmt))


def only(rows: list[AuditEntry]) -> AuditEntry:
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture
def legal(session, make_user):
    user = make_user(Role.LEGAL)
    session.info["actor_id"] = user.id
    return user


# ---- create, update, delete ----------------------------------------------------------------


def test_create_records_actor_time_entity_case_and_new_values(session, legal, make_creditor):
    creditor = make_creditor()
    before = datetime.now(UTC)
    case = create_case(session, legal, case_payload(creditor.id, risk_level="high"))

    entry = only(entries(session, entity="case", entity_id=case.id, action=AuditAction.CREATE))
    assert entry.actor_id == legal.id
    assert before - timedelta(seconds=1) <= entry.at <= datetime.now(UTC)
    assert entry.at.tzinfo is not None
    assert entry.case_id == case.id
    assert entry.changes["number"] == [None, case.number]
    assert entry.changes["risk_level"] == [None, "high"]
    assert entry.changes["creditor_id"] == [None, creditor.id]

    claim = session.exec(select(Claim).where(Claim.case_id == case.id)).one()
    claim_entry = only(entries(session, entity="claim", entity_id=claim.id))
    assert claim_entry.case_id == case.id
    assert claim_entry.changes["principal"] == [None, "120000.00"]
    assert claim_entry.changes["due_date"] == [None, "2025-06-30"]


def test_update_records_old_and_new_values_only_for_changed_fields(session, legal, make_case):
    case = make_case(actor=legal)
    update_case(session, legal, case, {"risk_level": "high", "summary": "债务人经营困难"})
    update_case(session, legal, case, {"risk_level": "medium", "summary": "债务人经营困难"})

    updates = entries(session, entity="case", entity_id=case.id, action=AuditAction.UPDATE)
    first, second = updates[-2:]
    assert first.changes == {"risk_level": [None, "high"], "summary": [None, "债务人经营困难"]}
    assert second.changes == {"risk_level": ["high", "medium"]}
    assert {first.actor_id, second.actor_id} == {legal.id}
    assert first.case_id == second.case_id == case.id


def test_stage_move_is_audited(session, legal, make_case):
    case = make_case(actor=legal)
    move_stage(session, legal, case, Action.ACCEPT)
    entry = entries(session, entity="case", entity_id=case.id, action=AuditAction.UPDATE)[-1]
    assert entry.changes["stage"] == ["intake", "collection"]
    assert entry.actor_id == legal.id


def test_delete_records_the_old_values(session, legal, make_case):
    case = make_case(actor=legal)
    claim = session.exec(select(Claim).where(Claim.case_id == case.id)).one()
    claim_id = claim.id
    session.delete(claim)
    session.flush()

    entry = only(entries(session, entity="claim", entity_id=claim_id, action=AuditAction.DELETE))
    assert entry.case_id == case.id
    assert entry.actor_id == legal.id
    assert entry.changes["principal"] == ["120000.00", None]
    assert entry.changes["contract_title"] == ["购销合同", None]


def test_case_history_lists_newest_first(session, legal, make_case):
    case = make_case(actor=legal)
    update_case(session, legal, case, {"risk_level": "low"})
    history = for_case(session, case.id)
    assert history[0].action == AuditAction.UPDATE
    assert {e.entity for e in history} >= {"case", "claim", "event"}
    assert all(e.case_id == case.id for e in history)


def test_without_an_actor_the_entry_says_so(session, make_creditor):
    session.info["actor_id"] = None
    creditor = make_creditor(name="无人操作测试债权人有限公司")
    assert only(entries(session, entity="creditor", entity_id=creditor.id)).actor_id is None


# ---- secrets never in clear ----------------------------------------------------------------


def _all_changes_text(session) -> str:
    session.flush()
    return json.dumps([e.changes for e in session.exec(select(AuditEntry))], ensure_ascii=False)


def test_password_hash_is_masked(session, make_user):
    user = make_user(Role.FINANCE)
    created = only(entries(session, entity="app_user", entity_id=user.id))
    assert created.changes["password_hash"] == [None, MASK]

    old_hash = user.password_hash
    set_password(session, user, "a-brand-new-password")
    changed = only(
        entries(session, entity="app_user", entity_id=user.id, action=AuditAction.UPDATE)
    )
    assert changed.changes == {"password_hash": [MASK, MASK]}

    text = _all_changes_text(session)
    assert old_hash not in text
    assert user.password_hash not in text
    assert old_hash.split("$")[-1] not in text


def test_token_hash_is_masked(session, make_user):
    user = make_user(Role.LEGAL)
    token = issue_token(session, user, "ERP 对接")
    row = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    entry = only(entries(session, entity="api_token", entity_id=row.id))
    assert entry.changes["token_hash"] == [None, MASK]
    assert entry.changes["label"] == [None, "ERP 对接"]

    text = _all_changes_text(session)
    assert row.token_hash not in text
    assert token not in text


def test_deleting_a_user_masks_the_old_hash(session, make_user):
    user = make_user(Role.MANAGEMENT)
    user_id, password_hash = user.id, user.password_hash
    session.delete(user)
    session.flush()
    entry = only(entries(session, entity="app_user", entity_id=user_id, action=AuditAction.DELETE))
    assert entry.changes["password_hash"] == [MASK, None]
    assert password_hash not in _all_changes_text(session)


# ---- same transaction: a failed operation leaves no trace ----------------------------------


def test_failed_operation_leaves_neither_change_nor_audit(
    session, session_factory, legal, make_creditor
):
    creditor = make_creditor()
    session.commit()
    audit_before = session.exec(select(sa.func.count()).select_from(AuditEntry)).one()
    debtor = {"kind": "company", "name": "自保债务人有限公司", "uscc": valid_uscc()}
    payload = case_payload(
        creditor.id, external_ref="ROLLBACK-1", debtor=debtor, guarantors=[{"party": debtor}]
    )

    with (
        pytest.raises(ValidationError) as exc,
        transaction(session_factory, actor_id=legal.id) as unit,
    ):
        # The case, its claims and the debtor are flushed (and audited) before the
        # guarantor check refuses the payload.
        create_case(unit, unit.get(User, legal.id), payload)
    assert "guarantors" in exc.value.errors

    session.expire_all()
    assert session.exec(select(Case).where(Case.external_ref == "ROLLBACK-1")).first() is None
    assert session.exec(select(sa.func.count()).select_from(AuditEntry)).one() == audit_before


def test_the_flush_before_the_failure_did_write_audit_rows(session, legal, make_creditor):
    """The control for the test above: inside the unit, the entries exist until rollback."""
    creditor = make_creditor()
    debtor = {"kind": "company", "name": "自保债务人二有限公司", "uscc": valid_uscc()}
    payload = case_payload(
        creditor.id, external_ref="ROLLBACK-2", debtor=debtor, guarantors=[{"party": debtor}]
    )
    with pytest.raises(ValidationError):
        create_case(session, legal, payload)
    case = session.exec(select(Case).where(Case.external_ref == "ROLLBACK-2")).one()
    assert entries(session, entity="case", entity_id=case.id)


# ---- the database refuses to rewrite history -----------------------------------------------


@pytest.fixture
def audit_row(session, legal, make_case) -> AuditEntry:
    case = make_case(actor=legal)
    return entries(session, entity="case", entity_id=case.id)[0]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET actor_id = NULL WHERE id = :id",
        "UPDATE audit_entry SET changes = '{}' WHERE id = :id",
        "DELETE FROM audit_entry WHERE id = :id",
    ],
    ids=["update-actor", "update-changes", "delete"],
)
def test_database_refuses_to_change_audit_entries(session, connection, audit_row, statement):
    before = (audit_row.actor_id, audit_row.changes)
    with pytest.raises(sa.exc.DBAPIError, match=IMMUTABLE), connection.begin_nested():
        connection.execute(sa.text(statement), {"id": audit_row.id})
    row = connection.execute(
        sa.select(AuditEntry.actor_id, AuditEntry.changes).where(AuditEntry.id == audit_row.id)
    ).one()
    assert (row.actor_id, row.changes) == before


def test_orm_delete_of_an_audit_entry_is_refused(session, connection, audit_row):
    with pytest.raises(sa.exc.DBAPIError, match=IMMUTABLE), session.begin_nested():  # noqa: PT012
        session.delete(audit_row)
        session.flush()
    assert (
        connection.execute(
            sa.select(sa.func.count()).where(AuditEntry.id == audit_row.id)
        ).scalar_one()
        == 1
    )


def test_money_is_recorded_exactly(session, legal, make_creditor):
    creditor = make_creditor()
    payload = case_payload(creditor.id)
    payload["claims"][0]["principal"] = Decimal("98765432.10")
    case = create_case(session, legal, payload)
    # The totals are derived from the flushed claims, so they arrive as an update.
    entry = entries(session, entity="case", entity_id=case.id, action=AuditAction.UPDATE)[-1]
    assert entry.changes["claimed_principal"] == ["0.00", "98765432.10"]
    assert entry.changes["oldest_due_date"] == [None, "2025-06-30"]


def test_tag_changes_are_audited(session, legal, make_case):
    case = make_case(actor=legal, tags=["重点", "涉诉"])
    update_case(session, legal, case, {"tags": ["重点", "已保全"]})
    session.flush()
    links = [e for e in for_case(session, case.id) if e.entity == "case_tag"]
    removed = [e for e in links if e.action == AuditAction.DELETE]
    added = [e for e in links if e.action == AuditAction.CREATE]
    assert len(removed) == 1, "removing a tag left no trace"
    assert len(added) == 3  # two at intake, one now; the kept tag is not re-created
    assert removed[0].actor_id == legal.id
