"""A live server on its own fresh database, and the system Chromium driven by Playwright.

Each backend (SQLite, PostgreSQL; ``QS_TEST_DATABASES`` as for the other tests) gets its own
newly migrated database for the browser tests, never the shared ``database_url`` of the
rollback-based tests: a real server commits. The app keeps CSRF protection on, since a real
browser sends the token. Chromium is Debian's ``/usr/bin/chromium`` (Playwright's own browser
download is not available here); without it the tests fail, they never skip.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlmodel import select
from werkzeug.serving import make_server

from cases.db import transaction
from cases.ledger.operations import record_payment
from cases.migrate import upgrade
from cases.parties.models import Creditor
from cases.register.operations import create_case
from cases.users.models import Role, User
from cases.users.operations import create_user
from tests.browser.pages import Navigator
from tests.conftest import BACKENDS, PASSWORD, _pg_database
from tests.factories import valid_uscc

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session", params=BACKENDS)
def live_database_url(request, tmp_path_factory) -> Iterator[str]:
    """A fresh, migrated database of each backend, for the live server only."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'live.db'}"
        upgrade(url)
        yield url
    else:
        for url in _pg_database():
            upgrade(url)
            yield url


@pytest.fixture(scope="session")
def live_app(live_database_url, tmp_path_factory) -> Iterator[Flask]:
    from webapp import create_app

    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": live_database_url,
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("browser-uploads")),
            "RATELIMIT_ENABLED": False,
        }
    )
    assert app.config["WTF_CSRF_ENABLED"], "the browser tests run with CSRF protection on"
    yield app
    app.extensions["qingshou_db"].engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The app served by werkzeug on 127.0.0.1 and a free port, in a background thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not (CHROMIUM.is_file() and shutil.which(str(CHROMIUM))):
        pytest.fail(
            f"The browser tests drive the system Chromium at {CHROMIUM}, which is "
            "missing: install it with `scripts/bootstrap.sh --system`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server, request, tmp_path) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose language is Chinese, like our users'."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "call_report", None)
        if report is not None and report.failed:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            (tmp_path / "failure.html").write_text(page.content(), encoding="utf-8")
            print(f"browser state at failure saved under {tmp_path}")
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@dataclass
class World:
    """What the live database holds for one test: a legal user and a creditor."""

    legal_email: str
    password: str
    creditor_name: str


@pytest.fixture
def world(live_app) -> World:
    tag = uuid.uuid4().hex[:8]
    factory = live_app.extensions["qingshou_db"].session_factory
    with transaction(factory) as session:
        user = create_user(
            session,
            {
                "email": f"legal-{tag}@example.cn",
                "name": "王法务",
                "role": Role.LEGAL,
                "password": PASSWORD,
            },
        )
        session.info["actor_id"] = user.id
        creditor = Creditor(name=f"鼎泰实业集团有限公司{tag}", short_name="鼎泰集团")
        session.add(creditor)
    return World(legal_email=user.email, password=PASSWORD, creditor_name=creditor.name)


@pytest.fixture
def nav(page) -> Navigator:
    return Navigator(page)


def live_case(live_app, world: World, *, debtor: str, claims: list[dict], payments=()) -> int:
    """A case registered by the world's legal user straight in the live database (for tests
    that start on a case page), with optional payments recorded by finance; returns its id."""
    factory = live_app.extensions["qingshou_db"].session_factory
    with transaction(factory) as session:
        user = session.exec(select(User).where(User.email == world.legal_email)).one()
        session.info["actor_id"] = user.id
        creditor = session.exec(select(Creditor).where(Creditor.name == world.creditor_name)).one()
        payload = {
            "creditor_id": creditor.id,
            "debtor": {"kind": "company", "name": debtor, "uscc": valid_uscc()},
            "claims": claims,
        }
        case = create_case(session, user, payload)
        if payments:  # money recorded by finance is confirmed, so it counts
            finance = create_user(
                session,
                {
                    "email": f"finance-{uuid.uuid4().hex[:8]}@example.cn",
                    "name": "孙财务",
                    "role": Role.FINANCE,
                    "password": PASSWORD,
                },
            )
            session.info["actor_id"] = finance.id
        for payment in payments:
            record_payment(session, finance, case, {"payer": debtor, **payment})
        return case.id
