"""``flask users create`` and ``flask users token``: clean errors, and tokens that work."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cases.users.models import ApiToken, LawFirm, Role, User
from tests.conftest import PASSWORD


def _user(session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


def _refused(result) -> str:
    """The command failed the way a person should see it: a message, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    return result.output


def test_create_legal_user(runner, session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Li.Fa@Example.cn",
            "--role",
            "legal",
            "--name",
            "李法",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = _user(session, "li.fa@example.cn")
    assert user is not None
    assert (user.role, user.name, user.firm_id) == (Role.LEGAL, "李法", None)
    assert result.output == f"created user {user.id} li.fa@example.cn (legal)\n"
    assert PASSWORD not in user.password_hash


def test_create_counsel_creates_the_firm_once(runner, session):
    for email in ("a@firm.cn", "b@firm.cn"):
        result = runner.invoke(
            args=[
                "users",
                "create",
                email,
                "--role",
                "counsel",
                "--firm",
                "北京某某律师事务所",
                "--password",
                PASSWORD,
            ]
        )
        assert result.exit_code == 0, result.output
    firms = session.exec(select(LawFirm).where(LawFirm.name == "北京某某律师事务所")).all()
    assert len(firms) == 1
    assert _user(session, "a@firm.cn").firm_id == _user(session, "b@firm.cn").firm_id == firms[0].id


def test_password_can_be_typed_at_the_prompt(runner, session):
    result = runner.invoke(
        args=["users", "create", "prompt@example.cn", "--role", "finance"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert _user(session, "prompt@example.cn").role == Role.FINANCE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["not-an-email", "--role", "legal", "--password", PASSWORD],
            "email: Not a valid email address",
        ),
        (
            ["short@example.cn", "--role", "legal", "--password", "short"],
            "password: At least 10 characters",
        ),
        (
            ["lonely@example.cn", "--role", "counsel", "--password", PASSWORD],
            "firm_id: Outside counsel, and only outside counsel, belong to a law firm",
        ),
        (
            ["staff@example.cn", "--role", "legal", "--firm", "某律所", "--password", PASSWORD],
            "firm_id: Outside counsel, and only outside counsel, belong to a law firm",
        ),
    ],
)
def test_bad_input_is_refused_cleanly(runner, session, args, message):
    result = runner.invoke(args=["users", "create", *args])
    assert message in _refused(result)
    assert _user(session, args[0].lower()) is None
    assert session.exec(select(LawFirm).where(LawFirm.name == "某律所")).first() is None


def test_unknown_role_is_refused_by_click(runner):
    result = runner.invoke(
        args=["users", "create", "x@example.cn", "--role", "boss", "--password", PASSWORD]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output
    assert "Traceback" not in result.output


def test_duplicate_email_is_refused(runner, make_user):
    user = make_user(Role.LEGAL)
    result = runner.invoke(
        args=["users", "create", user.email.upper(), "--role", "legal", "--password", PASSWORD]
    )
    assert "email: A user with this email already exists" in _refused(result)


def test_printed_token_works_against_the_api(runner, client, session, make_user):
    user = make_user(Role.LEGAL)
    result = runner.invoke(args=["users", "token", user.email, "--label", "erp-sync"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("qs_")
    assert len(token) > 40

    stored = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.label == "erp-sync"
    assert token not in stored.token_hash  # only the hash is kept

    ok = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.get_json()["total"] == 0
    forged = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}x"})
    assert forged.status_code == 401


def test_token_for_unknown_user_is_refused(runner, session):
    output = _refused(runner.invoke(args=["users", "token", "nobody@example.cn"]))
    assert "no user nobody@example.cn" in output
    assert session.exec(select(ApiToken)).all() == []


def test_token_for_email_in_other_case(runner, client, make_user):
    user = make_user(Role.FINANCE, email="cashier@example.cn")
    result = runner.invoke(args=["users", "token", "Cashier@Example.CN"])
    assert result.exit_code == 0, result.output
    response = client.get(
        "/api/v1/cases", headers={"Authorization": f"Bearer {result.output.strip()}"}
    )
    assert response.status_code == 200
    assert user.email == "cashier@example.cn"


def test_demo_load_prints_every_login_with_its_firm_and_runs_once(runner, session):
    result = runner.invoke(args=["demo", "load", "--cases", "12"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "demo logins (password: qingshou-demo-2026):"
    users = session.exec(select(User).order_by(User.id)).all()
    assert len(lines) == 1 + len(users)
    firms = {firm.id: firm.name for firm in session.exec(select(LawFirm))}
    counsel = [u for u in users if u.role == Role.COUNSEL]
    assert {Role(r) for r in Role} <= {u.role for u in users}
    assert len({u.firm_id for u in counsel}) >= 3
    for user in counsel:
        line = next(line for line in lines if user.email in line)
        assert line.rstrip().endswith(firms[user.firm_id])

    again = runner.invoke(args=["demo", "load"])
    assert again.output.splitlines()[0] == "demo data already present"
    assert len(session.exec(select(User)).all()) == len(users)
