"""Security headers on every kind of response, pages that obey the CSP, and CSRF on every form."""

from __future__ import annotations

import re

import pytest

from tests.webapp.test_permissions import (
    CHEAP_PASSWORDS,
    MATRIX,
    World,
    build_world,
    client_for,
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


@pytest.fixture
def world(app, session, monkeypatch, make_user, make_firm, make_case) -> World:
    """The permission matrix's world: one user per role, a case of counsel's firm, a file."""
    monkeypatch.setattr(*CHEAP_PASSWORDS)
    return build_world(app, session, make_user, make_firm, make_case)


def assert_secure_headers(response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in CSP_DIRECTIVES:
        assert directive in csp, directive
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


@pytest.mark.parametrize(
    ("role", "path", "code"),
    [
        ("anonymous", "/login", 200),
        ("anonymous", "/", 302),
        ("anonymous", "/api/v1/cases", 401),
        ("anonymous", "/api/v1/openapi.json", 200),
        ("legal", "/cases", 200),
        ("legal", "/cases/{case_id}", 200),
        ("legal", "/cases/{case_id}/attachments/{attachment_id}", 200),
        ("legal", "/cases/999999", 404),
        ("finance", "/cases/new", 403),
        ("legal", "/api/v1/cases/{case_id}", 200),
        ("legal", "/api/v1/cases/999999", 404),
    ],
    ids=[
        "login",
        "redirect",
        "api-401",
        "openapi",
        "list",
        "detail",
        "download",
        "page-404",
        "page-403",
        "api-200",
        "api-404",
    ],
)
def test_every_kind_of_response_has_the_security_headers(app, world, role, path, code):
    api = path.startswith("/api/")
    client = client_for(app, world, role, api=api)
    response = client.get(path.format(case_id=world.case.id, attachment_id=world.attachment_id))
    assert response.status_code == code
    assert_secure_headers(response)


def test_downloads_are_never_sniffed_or_cached(app, world):
    client = client_for(app, world, "legal", api=False)
    response = client.get(f"/cases/{world.case.id}/attachments/{world.attachment_id}")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only_and_same_site(app, client, make_user):
    from tests.conftest import PASSWORD

    user = make_user("legal")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# ---- pages obey the CSP: no inline script, style or event handler -----------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<[^>]+\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"<[^>]+\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]
HTML_PAGES = sorted(
    rule
    for (method, rule), row in MATRIX.items()
    if method == "GET" and not rule.startswith("/api/")
)


@pytest.mark.parametrize("rule", HTML_PAGES)
def test_pages_have_no_inline_script_or_style(app, world, rule):
    role = "anonymous" if rule == "/login" else "admin"
    response = client_for(app, world, role, api=False).get(world.url(rule))
    if response.mimetype != "text/html":  # a download, a document or a redirect
        assert response.status_code in (200, 302, 303)
        return
    page = response.get_data(as_text=True)
    found = [what for pattern, what in INLINE if pattern.search(page)]
    assert found == [], f"{rule}: {found}"


# ---- CSRF -------------------------------------------------------------------------------------

FORM_POSTS = sorted(
    rule for (method, rule) in MATRIX if method == "POST" and not rule.startswith("/api/")
)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the login form has no CSRF token"
    return match.group(1)


@pytest.mark.parametrize("rule", FORM_POSTS)
def test_form_posts_without_a_csrf_token_are_refused(csrf_app, world, rule):
    client = client_for(csrf_app, world, "admin", api=False)
    response = client.post(world.url(rule), data={})
    assert response.status_code == 400
    bad = client.post(world.url(rule), data={"csrf_token": "forged"})
    assert bad.status_code == 400


def test_a_valid_csrf_token_is_accepted(csrf_app):
    """The control for the test above: with the form's token the same POST goes through."""
    client = csrf_app.test_client()
    response = client.post("/lang/en", data={"csrf_token": _token(client)})
    assert response.status_code == 302


def test_the_api_needs_no_csrf_token(csrf_app, world):
    client = client_for(csrf_app, world, "counsel", api=True)
    response = client.post(
        f"/api/v1/cases/{world.case.id}/events",
        json={
            "kind": "contact",
            "channel": "phone",
            "occurred_at": "2025-03-01T10:00:00",
            "summary": "电话催收，债务人承诺月底前还款",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def test_the_api_with_only_a_session_cookie_is_still_refused(csrf_app, world):
    client = client_for(csrf_app, world, "legal", api=False)
    response = client.post(f"/api/v1/cases/{world.case.id}/events", json={})
    assert response.status_code == 401
