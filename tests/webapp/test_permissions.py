"""Role × endpoint matrix (after Indico's ``receipts/controllers/access_test.py``).

``MATRIX`` declares, for every (method, URL rule) of ``app.url_map`` except ``static``, what
each kind of visitor gets back:

- anonymous: pages redirect to /login, the API answers 401; /login, /lang/<code> and the
  OpenAPI document are open;
- a role without the capability: 403;
- outside counsel of *another* firm, on any URL naming the case: 404 (not even its existence);
- a role with the capability: the page (200), or — since the body is empty — 422 or a redirect.

``test_matrix_covers_every_endpoint`` fails when the app has a rule the table lacks (or the
table names one the app no longer has): a new endpoint must be added here, with its answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlmodel import select

from cases.documents import catalog
from cases.documents.archive import DOCX_TYPE
from cases.documents.bulk import RunStatus, start_run
from cases.documents.versions import TemplateVersion
from cases.interest.lpr import LprRate
from cases.register.keydates import add_key_date
from cases.register.models import Case
from cases.timeline.operations import attach_file
from cases.users.models import Role, User
from cases.users.operations import issue_token
from tests.webapp.matrix import AUTH, BAD, GO, HIDDEN, LOGIN, NO, OK, ROLES, areas

# (method, rule): answers for anonymous, admin, legal, counsel, other_counsel, finance, management
MATRIX: dict[tuple[str, str], tuple[str, ...]] = {
    # -- open -------------------------------------------------------------------------------
    ("GET", "/login"): (OK, GO, GO, GO, GO, GO, GO),
    ("POST", "/login"): (OK, GO, GO, GO, GO, GO, GO),  # re-rendered with errors (200)
    ("POST", "/lang/<code>"): (GO, GO, GO, GO, GO, GO, GO),
    ("GET", "/api/v1/openapi.json"): (OK, OK, OK, OK, OK, OK, OK),
    # -- any signed-in user -----------------------------------------------------------------
    ("POST", "/logout"): (LOGIN, GO, GO, GO, GO, GO, GO),
    ("GET", "/account/password"): (LOGIN, OK, OK, OK, OK, OK, OK),
    ("POST", "/account/password"): (LOGIN, BAD, BAD, BAD, BAD, BAD, BAD),
    ("GET", "/"): (LOGIN, OK, OK, OK, OK, OK, OK),
    ("GET", "/cases"): (LOGIN, OK, OK, OK, OK, OK, OK),
    # -- one case (case.view for all; counsel only of its firm) -----------------------------
    ("GET", "/cases/<int:case_id>"): (LOGIN, OK, OK, OK, HIDDEN, OK, OK),
    ("GET", "/cases/<int:case_id>/attachments/<int:attachment_id>"): (
        LOGIN,
        OK,
        OK,
        OK,
        HIDDEN,
        OK,
        OK,
    ),
    ("GET", "/api/v1/cases/<int:case_id>/statement"): (AUTH, OK, OK, OK, HIDDEN, OK, OK),
    ("GET", "/api/v1/cases/<int:case_id>/deadlines"): (AUTH, OK, OK, OK, HIDDEN, OK, OK),
    ("GET", "/cases/<int:case_id>/summary.pdf"): (LOGIN, OK, OK, OK, HIDDEN, OK, OK),
    # no 核销申请表 generated on the matrix's case: allowed roles are sent to generate it
    ("GET", "/cases/<int:case_id>/writeoff-packet.pdf"): (LOGIN, GO, GO, NO, HIDDEN, GO, GO),
    # -- case.create / case.edit / case.move_stage: admin and legal --------------------------
    ("GET", "/cases/new"): (LOGIN, OK, OK, NO, NO, NO, NO),
    ("POST", "/cases/new"): (LOGIN, BAD, BAD, NO, NO, NO, NO),
    ("GET", "/cases/<int:case_id>/edit"): (LOGIN, OK, OK, NO, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/edit"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/stage"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    # -- case.log_event / case.attach: admin, legal, counsel ---------------------------------
    ("POST", "/cases/<int:case_id>/events"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/attachments"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    # -- case.generate_document: admin, legal, counsel --------------------------------------
    ("GET", "/cases/<int:case_id>/documents/new"): (LOGIN, OK, OK, OK, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/documents/new"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("GET", "/documents/runs"): (LOGIN, OK, OK, OK, OK, NO, NO),
    ("GET", "/documents/runs/new"): (LOGIN, OK, OK, OK, OK, NO, NO),
    ("POST", "/documents/runs/new"): (LOGIN, BAD, BAD, BAD, BAD, NO, NO),
    # a run is its creator's (legal) and the admins': everyone else gets 404
    ("GET", "/documents/runs/<int:run_id>"): (LOGIN, OK, OK, HIDDEN, HIDDEN, NO, NO),
    ("GET", "/documents/runs/<int:run_id>/progress"): (LOGIN, OK, OK, HIDDEN, HIDDEN, NO, NO),
    ("POST", "/documents/runs/<int:run_id>/cancel"): (LOGIN, GO, GO, HIDDEN, HIDDEN, NO, NO),
    ("GET", "/documents/runs/<int:run_id>/download"): (LOGIN, OK, OK, HIDDEN, HIDDEN, NO, NO),
    # -- case.key_dates: admin, legal, counsel ------------------------------------------------
    ("POST", "/cases/<int:case_id>/key-dates"): (LOGIN, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/key-dates/<int:key_date_id>/delete"): (
        LOGIN,
        GO,
        GO,
        GO,
        HIDDEN,
        NO,
        NO,
    ),
    # -- payments: finance records (payment.confirm); admin, legal, counsel report ----------
    ("POST", "/cases/<int:case_id>/payments"): (LOGIN, BAD, BAD, BAD, HIDDEN, BAD, NO),
    # -- case.import: admin and legal -------------------------------------------------------
    ("GET", "/imports/"): (LOGIN, OK, OK, NO, NO, NO, NO),
    ("POST", "/imports/"): (LOGIN, BAD, BAD, NO, NO, NO, NO),
    ("GET", "/imports/template.xlsx"): (LOGIN, OK, OK, NO, NO, NO, NO),
    # -- calc.use: admin, legal, counsel -----------------------------------------------------
    ("GET", "/calc/"): (LOGIN, OK, OK, OK, OK, NO, NO),
    ("POST", "/api/v1/calc/court-costs"): (AUTH, BAD, BAD, BAD, BAD, NO, NO),
    ("POST", "/api/v1/calc/lawyer-fee"): (AUTH, BAD, BAD, BAD, BAD, NO, NO),
    ("POST", "/api/v1/calc/deadline"): (AUTH, BAD, BAD, BAD, BAD, NO, NO),
    ("POST", "/api/v1/calc/interest"): (AUTH, BAD, BAD, BAD, BAD, NO, NO),
    # -- administration: admin only ---------------------------------------------------------
    ("GET", "/admin/"): (LOGIN, GO, NO, NO, NO, NO, NO),
    ("GET", "/admin/users"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("POST", "/admin/users"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("POST", "/admin/users/<int:user_id>/active"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("POST", "/admin/users/<int:user_id>/password"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("GET", "/admin/firms"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("POST", "/admin/firms"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("GET", "/admin/creditors"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("POST", "/admin/creditors"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("GET", "/admin/lpr"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("POST", "/admin/lpr"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("GET", "/admin/lpr/<int:rate_id>"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("POST", "/admin/lpr/<int:rate_id>"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("POST", "/admin/lpr/<int:rate_id>/delete"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("GET", "/admin/templates"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("GET", "/admin/templates/<name>"): (LOGIN, OK, NO, NO, NO, NO, NO),
    ("POST", "/admin/templates/<name>"): (LOGIN, BAD, NO, NO, NO, NO, NO),
    ("POST", "/admin/templates/<name>/versions/<int:version_id>/activate"): (
        LOGIN,
        GO,
        NO,
        NO,
        NO,
        NO,
        NO,
    ),
    ("GET", "/admin/templates/<name>/versions/<int:version_id>/download"): (
        LOGIN,
        OK,
        NO,
        NO,
        NO,
        NO,
        NO,
    ),
    ("POST", "/admin/templates/<name>/shipped/activate"): (LOGIN, GO, NO, NO, NO, NO, NO),
    ("GET", "/admin/templates/<name>/shipped/download"): (LOGIN, OK, NO, NO, NO, NO, NO),
    # -- API v1 (bearer token; same capabilities, same 404 rule) -----------------------------
    ("GET", "/api/v1/cases"): (AUTH, OK, OK, OK, OK, OK, OK),
    ("POST", "/api/v1/cases"): (AUTH, BAD, BAD, NO, NO, NO, NO),
    ("GET", "/api/v1/cases/<int:case_id>"): (AUTH, OK, OK, OK, HIDDEN, OK, OK),
    ("POST", "/api/v1/cases/<int:case_id>/events"): (AUTH, BAD, BAD, BAD, HIDDEN, NO, NO),
    ("POST", "/api/v1/cases/<int:case_id>/payments"): (AUTH, BAD, BAD, BAD, HIDDEN, BAD, NO),
}
for _area in areas():
    assert not MATRIX.keys() & _area.ROWS.keys(), f"{_area.__name__} repeats rows"
    MATRIX.update(_area.ROWS)

IGNORED_ENDPOINTS = {"static"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in IGNORED_ENDPOINTS
        for method in rule.methods - IGNORED_METHODS
    }


def test_matrix_covers_every_endpoint(app):
    routes = app_routes(app)
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert missing == [], f"endpoints without expectations (add them to MATRIX): {missing}"
    assert stale == [], f"MATRIX rows for rules the app no longer has: {stale}"
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


# ---- the world every request runs against ----------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    case: Case
    attachment_id: int
    other_user: User
    rate_id: int  # a seeded LPR row (the migrations load the bundled lpr.csv)
    key_date_id: int
    run_id: int
    template_version_id: int  # an uploaded version of the lawyer's letter (not in use)
    extra: dict[str, int] = field(default_factory=dict)  # the areas' objects (matrix/*.py)

    def url(self, rule: str) -> str:
        values = {
            "case_id": self.case.id,
            "attachment_id": self.attachment_id,
            "user_id": self.other_user.id,
            "rate_id": self.rate_id,
            "key_date_id": self.key_date_id,
            "run_id": self.run_id,
            "name": "lawyer_letter",
            "version_id": self.template_version_id,
            "code": "zh",
            **self.extra,
        }
        url = rule
        for name, value in values.items():
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        assert "<" not in url, f"no test value for a parameter of {rule}: add it to World.url"
        return url


CHEAP_PASSWORDS = ("cases.users.operations.PASSWORD_METHOD", "pbkdf2:sha256:1000")


def build_world(app, session, make_user, make_firm, make_case) -> World:
    """Six users, one per role, a case engaged to the first counsel's firm, a file on it."""
    firm, other_firm = make_firm(), make_firm()
    users = {
        "admin": make_user(Role.ADMIN),
        "legal": make_user(Role.LEGAL),
        "counsel": make_user(Role.COUNSEL, firm=firm),
        "other_counsel": make_user(Role.COUNSEL, firm=other_firm),
        "finance": make_user(Role.FINANCE),
        "management": make_user(Role.MANAGEMENT),
    }
    case = make_case(actor=users["legal"], firm=firm)
    session.info["actor_id"] = users["legal"].id
    attachment = attach_file(
        session,
        users["legal"],
        case,
        app.extensions["qingshou_files"],
        filename="借款合同.pdf",
        data=b"%PDF-1.4 contract",
        max_bytes=10**6,
    )
    key_date = add_key_date(
        session, users["legal"], case, {"kind": "judgment_served", "on": date(2026, 1, 5)}
    )
    run = start_run(
        session,
        users["legal"],
        template="lawyer_letter",
        template_version="1",
        title="律师函",
        case_ids=[case.id],
    )
    run.status, run.zip_stored_name = RunStatus.DONE, zip_name(app)
    tokens = {role: issue_token(session, user, "matrix") for role, user in users.items()}
    other_user = make_user(Role.LEGAL)
    session.commit()
    rate_id = session.exec(select(LprRate.id).order_by(LprRate.effective_date)).first()
    version = template_version(app, session, users["admin"])
    world = World(
        users, tokens, case, attachment.id, other_user, rate_id, key_date.id, run.id, version
    )
    for area in areas():
        if hasattr(area, "setup"):
            world.extra.update(area.setup(app, session, world))
            session.commit()
    return world


def template_version(app, session, admin: User) -> int:
    """An uploaded version 2 of the lawyer's letter (the shipped file, stored as is)."""
    data = catalog.get("lawyer_letter").path.read_bytes()
    stored = app.extensions["qingshou_files"].save(data, DOCX_TYPE)
    row = TemplateVersion(
        name="lawyer_letter",
        version="2",
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by_id=admin.id,
    )
    session.add(row)
    session.commit()
    return row.id


def zip_name(app) -> str:
    """A finished run's zip in the file store (an empty archive)."""
    store = app.extensions["qingshou_files"]
    return store.save(b"PK\x05\x06" + b"\x00" * 18, "application/zip").stored_name


@pytest.fixture
def world(app, session, monkeypatch, make_user, make_firm, make_case) -> World:
    # Seven users per test: a fast hash instead of scrypt (nothing here checks passwords).
    monkeypatch.setattr(*CHEAP_PASSWORDS)
    return build_world(app, session, make_user, make_firm, make_case)


def client_for(app, world: World, role: str, *, api: bool) -> FlaskClient:
    client = app.test_client()
    if role == "anonymous":
        return client
    if api:
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
        return client
    user = world.users[role]
    with (
        client.session_transaction() as sess,
        app.test_request_context(environ_base=client.environ_base),
    ):
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = _create_identifier()
    return client


def request(client: FlaskClient, method: str, url: str, *, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.open(url, method=method, json={})
    return client.open(url, method=method, data={})


def _to_login(response) -> bool:
    location = response.headers.get("Location", "")
    return urlsplit(location).path == "/login" and "next=" in location


def matches(expected: str, response) -> bool:
    code = response.status_code
    redirect = code in (302, 303) and not _to_login(response)
    if expected == OK:
        return code == 200
    if expected == BAD:
        return code == 422 or redirect
    if expected == GO:
        return redirect
    if expected == LOGIN:
        return code == 302 and _to_login(response)
    return code == int(expected)


def _rows() -> Iterator[Any]:
    for (method, rule), answers in MATRIX.items():
        for role, expected in zip(ROLES, answers, strict=True):
            yield pytest.param(method, rule, role, expected, id=f"{method} {rule} {role}")


@pytest.mark.parametrize(("method", "rule", "role", "expected"), list(_rows()))
def test_role_gets_the_expected_answer(app, world, method, rule, role, expected):
    api = rule.startswith("/api/")
    client = client_for(app, world, role, api=api)
    response = request(client, method, world.url(rule), api=api)
    assert matches(expected, response), (
        f"{method} {rule} as {role}: expected {expected}, got {response.status_code} "
        f"{response.headers.get('Location', '')}"
    )
    if expected in (AUTH, NO, HIDDEN) and api:
        assert response.is_json
        assert response.json["error"]["code"] == int(expected)


# ---- the same 404 rule everywhere -------------------------------------------------------------


@pytest.fixture
def other_firm_case(app, session, world, make_firm, make_case):
    """A case engaged to a third firm, with a file of its own."""
    case = make_case(actor=world.users["legal"], firm=make_firm())
    attachment = attach_file(
        session,
        world.users["legal"],
        case,
        app.extensions["qingshou_files"],
        filename="判决书.pdf",
        data=b"%PDF-1.4 ruling",
        max_bytes=10**6,
    )
    session.commit()
    return case, attachment.id


@pytest.mark.parametrize("role", ["admin", "legal", "counsel", "finance"])
def test_a_file_is_only_served_under_its_own_case(app, world, other_firm_case, role):
    """Another case's attachment id under a visible case's URL is 404, for every role."""
    _, foreign_attachment = other_firm_case
    client = client_for(app, world, role, api=False)
    url = f"/cases/{world.case.id}/attachments/{foreign_attachment}"
    assert client.get(url).status_code == 404
    own = client.get(f"/cases/{world.case.id}/attachments/{world.attachment_id}")
    assert own.status_code == 200
    assert own.data == b"%PDF-1.4 contract"


CSRF_VALUE = re.compile(r'(?<=name="csrf_token" )value="[^"]*"')  # signed with a timestamp


@pytest.mark.parametrize(
    ("api", "path"),
    [
        (False, "/cases/{id}"),
        (False, "/cases/{id}/edit"),
        (True, "/api/v1/cases/{id}"),
    ],
    ids=["page", "edit-page", "api"],
)
def test_another_firms_case_looks_exactly_like_no_case(app, world, other_firm_case, api, path):
    client = client_for(app, world, "counsel", api=api)
    foreign, _ = other_firm_case
    answers = []
    for case_id in (foreign.id, foreign.id + 10_000):  # hidden, then absent
        response = client.get(path.format(id=case_id))
        assert response.status_code == 404
        # The page links back to its own URL (language switch) and carries a CSRF token
        # stamped with the current second: those parts differ by design.
        page = response.get_data(as_text=True).replace(f"/cases/{case_id}", "/cases/ID")
        answers.append(CSRF_VALUE.sub('value="CSRF"', page))
    hidden, absent = answers
    assert hidden == absent
    assert foreign.number not in hidden


@pytest.mark.parametrize("api", [False, True], ids=["list-page", "api-list"])
def test_lists_show_counsel_only_their_firms_cases(app, world, other_firm_case, api):
    foreign, _ = other_firm_case
    url = "/api/v1/cases" if api else "/cases"
    seen = {}
    for role in ("counsel", "other_counsel", "legal"):
        seen[role] = client_for(app, world, role, api=api).get(url).get_data(as_text=True)
    assert world.case.number in seen["counsel"]
    assert foreign.number not in seen["counsel"]
    assert world.case.number not in seen["other_counsel"]
    assert foreign.number not in seen["other_counsel"]
    assert world.case.number in seen["legal"]
    assert foreign.number in seen["legal"]


# ---- API authentication -----------------------------------------------------------------------


def test_api_ignores_the_session_cookie(app, world):
    client = client_for(app, world, "legal", api=False)
    assert client.get("/cases").status_code == 200
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "token", ["", "qs_not-a-real-token", "Basic abc"], ids=["empty", "unknown", "wrong-scheme"]
)
def test_api_refuses_bad_tokens(app, token):
    client = app.test_client()
    header = token if token.startswith("Basic") else f"Bearer {token}"
    assert client.get("/api/v1/cases", headers={"Authorization": header}).status_code == 401


def test_api_refuses_the_token_of_a_deactivated_user(app, session, world):
    client = client_for(app, world, "finance", api=True)
    assert client.get("/api/v1/cases").status_code == 200
    world.users["finance"].is_active = False
    session.commit()
    assert client.get("/api/v1/cases").status_code == 401


def test_pages_refuse_a_deactivated_user(app, session, world):
    client = client_for(app, world, "legal", api=False)
    assert client.get(f"/cases/{world.case.id}").status_code == 200
    world.users["legal"].is_active = False
    session.commit()
    response = client.get(f"/cases/{world.case.id}")
    assert response.status_code == 302
    assert _to_login(response)
