"""Login, logout, rate limits, safe redirects."""

import pytest

from cases.users.models import Role
from tests.conftest import PASSWORD


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_with_right_password(client, make_user):
    user = make_user(Role.LEGAL)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_keeps_email_and_says_why(client, make_user):
    user = make_user(Role.LEGAL)
    response = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert user.email in page
    assert "邮箱或密码错误" in page
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, make_user, session):
    user = make_user(Role.LEGAL)
    user.is_active = False
    session.commit()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_login_ignores_unsafe_next(client, make_user, target):
    user = make_user(Role.LEGAL)
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_login_follows_safe_next(client, make_user):
    user = make_user(Role.LEGAL)
    response = client.post(
        "/login?next=/cases?stage=litigation", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/cases?stage=litigation"


def test_login_is_rate_limited(database_url, session_factory, make_user, tmp_path):
    from webapp import create_app

    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(tmp_path),
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "10 per minute",
        }
    )
    app.extensions["qingshou_db"].session_factory = session_factory
    client = app.test_client()
    user = make_user(Role.LEGAL)
    wrong = {"email": user.email, "password": "wrong-password"}
    codes = [client.post("/login", data=wrong).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]
    assert "尝试次数过多" in client.post("/login", data={}).get_data(as_text=True)


def test_password_change_ends_other_sessions(client, make_user, session):
    from cases.users.operations import set_password

    user = make_user(Role.LEGAL)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/").status_code == 200
    set_password(session, user, "another-long-password")
    session.commit()
    assert client.get("/").status_code == 302


def test_csrf_is_enforced_when_enabled(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(Role.LEGAL)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_pages_are_chinese_even_for_an_english_browser(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "登录" in page.get_data(as_text=True)


def test_language_choice_is_remembered_for_the_user(client, make_user, session):
    user = make_user(Role.LEGAL)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/lang/en", data={"next": "/"})
    assert "Log out" in client.get("/").get_data(as_text=True)
    session.expire_all()
    assert session.get(type(user), user.id).locale == "en"
    other = client.application.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "Log out" in other.get("/").get_data(as_text=True)


def test_language_switch_refuses_offsite_next(client):
    response = client.post("/lang/en", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


# ---- changing one's own password ------------------------------------------------------------


def _change(client, current=PASSWORD, new="a-brand-new-passphrase", confirm=None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def test_own_password_change_keeps_this_session_and_ends_the_others(app, client, make_user):
    user = make_user(Role.COUNSEL)
    other_browser = app.test_client()
    for c in (client, other_browser):
        c.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/account/password").status_code == 200

    response = _change(client)

    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays logged in
    assert other_browser.get("/").status_code == 302  # the other one is logged out
    client.post("/logout")
    assert _login(client, user.email, PASSWORD).status_code == 200  # old password refused
    assert _login(client, user.email, "a-brand-new-passphrase").status_code == 302


def _login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"current": "not-my-password"}, "current_password", "当前密码不正确"),
        ({"new": "short"}, "password", "至少 10 个字符"),
        ({"new": PASSWORD}, "password", "新密码不能与当前密码相同"),
        ({"confirm": "something-else-entirely"}, "confirm", "两次输入的新密码不一致"),
    ],
    ids=["wrong-current", "too-short", "unchanged", "confirm-differs"],
)
def test_bad_password_change_is_refused_in_chinese_and_changes_nothing(
    client, make_user, typed, field, message
):
    user = make_user(Role.LEGAL)
    _login(client, user.email, PASSWORD)

    response = _change(client, **typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" data-field="{field}">{message}</p>' in page
    client.post("/logout")
    assert _login(client, user.email, PASSWORD).status_code == 302  # still the old password
