"""Administration of users, law firms and creditors."""

import pytest
from sqlmodel import func, select

from cases.parties.models import Creditor
from cases.users.models import LawFirm, Role, User
from tests.factories import valid_uscc


@pytest.mark.parametrize("role", [Role.LEGAL, Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT])
@pytest.mark.parametrize("path", ["/admin/users", "/admin/firms", "/admin/creditors"])
def test_only_admins_reach_administration(client, login_as, role, path):
    login_as(role)
    assert client.get(path).status_code == 403
    assert client.post(path, data={"name": "x"}).status_code == 403


def test_admin_creates_counsel_in_a_firm(client, login_as, session, make_firm):
    login_as(Role.ADMIN)
    firm = make_firm("金诚律师事务所")
    session.commit()
    response = client.post(
        "/admin/users",
        data={
            "email": "New.Lawyer@Example.cn",
            "name": "王律师",
            "role": "counsel",
            "firm_id": str(firm.id),
            "password": "a-long-password",
        },
    )
    assert response.status_code == 302
    user = session.exec(select(User).where(User.email == "new.lawyer@example.cn")).one()
    assert (user.role, user.firm_id) == (Role.COUNSEL, firm.id)


def test_counsel_without_firm_is_refused_and_form_kept(client, login_as, session):
    login_as(Role.ADMIN)
    before = session.exec(select(func.count(User.id))).one()
    response = client.post(
        "/admin/users",
        data={
            "email": "nofirm@example.cn",
            "name": "赵律师",
            "role": "counsel",
            "firm_id": "",
            "password": "a-long-password",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "只有外部律师属于律师事务所" in page
    assert 'value="nofirm@example.cn"' in page
    assert 'value="a-long-password"' not in page
    assert session.exec(select(func.count(User.id))).one() == before


def test_short_password_and_bad_email_are_reported(client, login_as):
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users",
        data={"email": "not-an-email", "name": "钱", "role": "legal", "password": "short"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "邮箱地址格式不正确" in page
    assert "至少 10 个字符" in page


def test_admin_cannot_deactivate_self_but_can_deactivate_others(
    client, login_as, make_user, session
):
    admin = login_as(Role.ADMIN)
    other = make_user(Role.LEGAL)
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{other.id}/active", data={"active": "0"})
    session.expire_all()
    assert session.get(User, admin.id).is_active is True
    assert session.get(User, other.id).is_active is False


def test_creditor_needs_a_valid_uscc(client, login_as, session):
    login_as(Role.ADMIN)
    bad = valid_uscc(77)[:-1] + ("0" if valid_uscc(77)[-1] != "0" else "1")
    response = client.post("/admin/creditors", data={"name": "某某银行", "uscc": bad})
    assert response.status_code == 422
    assert "统一社会信用代码无效" in response.get_data(as_text=True)
    response = client.post(
        "/admin/creditors", data={"name": "某某银行", "uscc": valid_uscc(77), "is_bank": "y"}
    )
    assert response.status_code == 302
    creditor = session.exec(select(Creditor).where(Creditor.name == "某某银行")).one()
    assert creditor.is_bank is True


def test_duplicate_firm_name_is_refused(client, login_as, session):
    login_as(Role.ADMIN)
    assert client.post("/admin/firms", data={"name": "天平律师事务所"}).status_code == 302
    response = client.post("/admin/firms", data={"name": "天平律师事务所"})
    assert response.status_code == 422
    assert "已存在" in response.get_data(as_text=True)
    assert session.exec(select(func.count(LawFirm.id))).one() == 1


def test_admin_resets_a_password_and_the_users_sessions_end(app, client, login_as, make_user):
    from tests.conftest import PASSWORD

    user = make_user(Role.FINANCE)
    their_browser = app.test_client()
    their_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert their_browser.get("/").status_code == 200
    login_as(Role.ADMIN)

    short = client.post(f"/admin/users/{user.id}/password", data={"password": "short"})
    assert short.status_code == 303
    assert "至少 10 个字符" in client.get("/admin/users").get_data(as_text=True)
    assert their_browser.get("/").status_code == 200  # a refused reset changes nothing

    client.post(f"/admin/users/{user.id}/password", data={"password": "temporary-pass-2026"})

    assert their_browser.get("/").status_code == 302
    login = their_browser.post(
        "/login", data={"email": user.email, "password": "temporary-pass-2026"}
    )
    assert login.status_code == 302
