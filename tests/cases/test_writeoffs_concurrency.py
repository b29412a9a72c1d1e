"""Two people decide the same step of a write-off at the same time: only one decision passes.

Real concurrency needs real transactions on separate connections, so this module runs on a
freshly migrated database of its own per backend (never the shared, rolled-back one). The
first reviewer's transaction has written its decision but not committed when the second
reviewer's request reads the application and tries to decide; once the first commits, the
second is refused with ``CHANGED_MEANWHILE`` (PostgreSQL: the version no longer matches;
SQLite: the database moved on under its snapshot) and writes nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from cases.db import make_engine
from cases.errors import DomainError
from cases.migrate import upgrade
from cases.parties.models import Creditor
from cases.register.operations import create_case, move_stage
from cases.register.stages import Action
from cases.timeline.models import Attachment
from cases.users.models import Role, User
from cases.users.operations import create_user
from cases.writeoffs import operations as ops
from cases.writeoffs.models import Decision, WriteOffApplication, WriteOffStatus, WriteOffStep
from cases.writeoffs.reasons import WriteOffReason, checklist
from tests.conftest import PASSWORD, _pg_database
from tests.factories import case_payload

REASON = WriteOffReason.ENFORCEMENT_TERMINATED


@pytest.fixture(scope="module")
def own_engine(database_url, tmp_path_factory) -> Iterator[sa.Engine]:
    if database_url.startswith("sqlite"):
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('wo') / 'wo.db'}"])
    else:
        urls = _pg_database()
    for url in urls:
        upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _user(session: Session, role: Role, tag: str) -> User:
    return create_user(
        session,
        {
            "email": f"{role.value}-{tag}@example.cn",
            "name": f"{role.value}{tag}",
            "role": role,
            "password": PASSWORD,
        },
    )


@pytest.fixture
def submitted(own_engine) -> tuple[int, int, int]:
    """(application id, first reviewer id, second reviewer id), committed."""
    tag = str(time.monotonic_ns())
    with Session(own_engine, expire_on_commit=False) as s:
        legal = _user(s, Role.LEGAL, tag)
        f1, f2 = _user(s, Role.FINANCE, tag + "a"), _user(s, Role.FINANCE, tag + "b")
        s.info["actor_id"] = legal.id
        creditor = Creditor(name=f"并发测试债权人{tag}有限公司")
        s.add(creditor)
        s.flush()
        case = create_case(s, legal, case_payload(creditor.id))
        move_stage(s, legal, case, Action.ACCEPT)
        links = []
        for item in checklist(REASON, "enterprise"):
            row = Attachment(
                case_id=case.id,
                original_name=f"{item.key}.pdf",
                stored_name=f"{tag}-{item.key}",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
            )
            s.add(row)
            s.flush()
            links.append({"item": item.key, "attachment_id": row.id})
        data = {
            "reason": REASON,
            "reason_detail": "终结本次执行程序",
            "legal_opinion": "建议核销",
            "evidence": links,
        }
        application = ops.create_application(s, legal, case, data)
        ops.submit(s, legal, application)
        s.commit()
        return application.id, f1.id, f2.id


def _decide(engine: sa.Engine, application_id: int, actor_id: int) -> Session:
    """Open a request's session, decide, flush; the caller commits or rolls back."""
    s = Session(engine, expire_on_commit=False)
    s.info["actor_id"] = actor_id
    application = s.get(WriteOffApplication, application_id)
    ops.decide(s, s.get(User, actor_id), application, Decision.APPROVE)
    return s


def test_two_concurrent_decisions_on_one_step_only_one_passes(own_engine, submitted):
    application_id, first_id, second_id = submitted
    first = _decide(own_engine, application_id, first_id)  # written, not yet committed
    outcome: dict[str, BaseException | None] = {}

    def second_reviewer() -> None:
        s = Session(own_engine, expire_on_commit=False)
        try:
            s.info["actor_id"] = second_id
            application = s.get(WriteOffApplication, application_id)
            ops.decide(s, s.get(User, second_id), application, Decision.APPROVE)
            s.commit()
            outcome["error"] = None
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            s.rollback()
            outcome["error"] = exc
        finally:
            s.close()

    thread = threading.Thread(target=second_reviewer)
    thread.start()
    time.sleep(0.5)  # the second request is now waiting for the first one's row
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert not thread.is_alive()

    error = outcome["error"]
    assert isinstance(error, DomainError), repr(error)
    assert error.message.msgid == ops.CHANGED_MEANWHILE
    with Session(own_engine) as s:
        steps = s.exec(select(WriteOffStep).where(WriteOffStep.application_id == application_id))
        assert [(st.step_no, st.actor_id) for st in steps] == [(1, first_id)]
        application = s.get(WriteOffApplication, application_id)
        assert application.status == WriteOffStatus.IN_REVIEW
        assert application.version == 3  # created 1, submitted 2, one decision 3


def test_a_decision_made_on_a_stale_read_is_refused(own_engine, submitted):
    """Both reviewers opened the application; the second decides after the first committed."""
    application_id, first_id, second_id = submitted
    with Session(own_engine, expire_on_commit=False) as s:
        seen = s.get(WriteOffApplication, application_id).version
    first = _decide(own_engine, application_id, first_id)
    first.commit()
    first.close()
    with Session(own_engine, expire_on_commit=False) as s:
        s.info["actor_id"] = second_id
        application = s.get(WriteOffApplication, application_id)
        with pytest.raises(DomainError) as err:
            ops.decide(
                s,
                s.get(User, second_id),
                application,
                Decision.APPROVE,
                expected_version=seen,
            )
        assert err.value.message.msgid == ops.CHANGED_MEANWHILE
        s.rollback()
    with Session(own_engine) as s:
        count = s.exec(
            select(sa.func.count())
            .select_from(WriteOffStep)
            .where(WriteOffStep.application_id == application_id)
        ).one()
        assert count == 1


def test_the_amount_is_kept_exact(own_engine, submitted):
    application_id, _, _ = submitted
    with Session(own_engine) as s:
        application = s.get(WriteOffApplication, application_id)
        assert isinstance(application.amount, Decimal)
        assert application.amount == application.computed_amount
