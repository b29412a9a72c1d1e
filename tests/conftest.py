"""Fixtures: every database test runs on SQLite and on PostgreSQL.

Each backend gets one freshly migrated database per test session (the migrations are
exercised every run); each test runs inside an outer transaction that is rolled back, and
the application's own commits become savepoint releases inside it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import make_engine
from cases.migrate import upgrade
from cases.parties.models import Creditor
from cases.register.operations import create_case
from cases.users.models import LawFirm, Role, User
from cases.users.operations import create_user
from tests.factories import case_payload

PG_ADMIN_URL = os.environ.get("QS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("QS_TEST_DATABASES", "sqlite,postgresql").split(",") if b]
PASSWORD = "correct-horse-battery"


def _pg_database() -> Iterator[str]:
    name = f"qs_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required for the test suite and is not reachable at {PG_ADMIN_URL}: "
            f"{exc.orig}. Start it (see README) or set QS_TEST_PG_URL.",
            pytrace=False,
        )
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
    else:
        for url in _pg_database():
            upgrade(url)
            yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def session_factory(connection: sa.Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection,
        class_=Session,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def session(session_factory) -> Iterator[Session]:
    """A session for arranging and asserting; sees what requests committed."""
    s = session_factory()
    s.info["actor_id"] = None
    yield s
    s.close()


@pytest.fixture
def app(database_url: str, session_factory, tmp_path):
    from webapp import create_app

    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.extensions["qingshou_db"].session_factory = session_factory
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- factories ----------------------------------------------------------------------------


@pytest.fixture
def cheap_passwords(monkeypatch):
    """Many users per test: a fast hash instead of scrypt, for tests that never check how
    strongly a password is kept (``pytestmark = pytest.mark.usefixtures("cheap_passwords")``)."""
    monkeypatch.setattr("cases.users.operations.PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def make_firm(session):
    def make(name: str | None = None) -> LawFirm:
        firm = LawFirm(name=name or f"测试律师事务所{uuid.uuid4().hex[:6]}")
        session.add(firm)
        session.flush()
        return firm

    return make


@pytest.fixture
def make_user(session, make_firm):
    def make(role: Role | str = Role.LEGAL, *, firm: LawFirm | None = None, **kw: Any) -> User:
        role = Role(role)
        if role == Role.COUNSEL and firm is None:
            firm = make_firm()
        user = create_user(
            session,
            {
                "email": kw.pop("email", f"{role.value}-{uuid.uuid4().hex[:8]}@example.cn"),
                "name": kw.pop("name", f"{role.value}用户"),
                "role": role,
                "firm_id": firm.id if firm else None,
                "password": kw.pop("password", PASSWORD),
                **kw,
            },
        )
        session.commit()
        return user

    return make


@pytest.fixture
def make_creditor(session):
    def make(**kw: Any) -> Creditor:
        creditor = Creditor(name=kw.pop("name", f"测试债权人{uuid.uuid4().hex[:6]}有限公司"), **kw)
        session.add(creditor)
        session.flush()
        return creditor

    return make


@pytest.fixture
def make_case(session, make_user, make_creditor):
    """``make_case(firm=..., **payload_overrides)``: a case created through the operation."""
    state: dict[str, Any] = {}

    def make(
        *,
        actor: User | None = None,
        firm: LawFirm | None = None,
        creditor: Creditor | None = None,
        **overrides: Any,
    ):
        if actor is None:
            actor = state.get("legal") or make_user(Role.LEGAL)
            state["legal"] = actor
        creditor = creditor or state.get("creditor") or make_creditor()
        state["creditor"] = creditor
        if firm is not None:
            overrides["firm_id"] = firm.id
        session.info["actor_id"] = actor.id
        case = create_case(session, actor, case_payload(creditor.id, **overrides))
        session.commit()
        return case

    return make


@pytest.fixture
def login_as(app, client, make_user):
    """Log the test client in as a new user of ``role`` (or as a given user); returns the user.

    Writes the Flask-Login session directly (as a real login would, including the "strong"
    session-protection identifier) to spare a password hash per test.
    """
    from flask_login.utils import _create_identifier

    def login(role: Role | str | User = Role.LEGAL, **kw: Any) -> User:
        user = role if isinstance(role, User) else make_user(role, **kw)
        with client.session_transaction() as sess:
            with app.test_request_context(
                environ_base=client.environ_base,
                headers={"User-Agent": client.environ_base.get("HTTP_USER_AGENT", "")},
            ):
                identifier = _create_identifier()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["_id"] = identifier
        return user

    return login


@pytest.fixture
def money():
    return Decimal
