"""Passwords and tokens: changing, resetting, and who may do which."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from werkzeug.security import check_password_hash

from cases.audit.models import AuditEntry
from cases.errors import PermissionDenied, ValidationError
from cases.users.admin import reset_password
from cases.users.models import ApiToken, Role
from cases.users.operations import (
    authenticate,
    change_password,
    issue_token,
    user_for_token,
)
from tests.conftest import PASSWORD


def test_a_changed_password_is_hashed_and_the_old_one_stops_working(session, make_user):
    user = make_user(Role.LEGAL)
    change_password(session, user, PASSWORD, "new-passphrase-2026")
    assert user.password_hash.startswith("scrypt:")
    assert "new-passphrase-2026" not in user.password_hash
    assert authenticate(session, user.email, PASSWORD) is None
    assert authenticate(session, user.email, "new-passphrase-2026") == user


def test_a_password_change_changes_the_session_stamp(session, make_user):
    user = make_user(Role.LEGAL)
    before = user.get_id()
    change_password(session, user, PASSWORD, "new-passphrase-2026")
    assert user.get_id() != before
    assert user.get_id().split(".")[0] == before.split(".")[0]  # same user, new stamp


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("wrong-password-x", "new-passphrase-2026", "current_password"),
        (PASSWORD, PASSWORD, "password"),
        (PASSWORD, "123456789", "password"),  # nine characters
    ],
    ids=["wrong-current", "unchanged", "too-short"],
)
def test_a_bad_change_is_refused_and_keeps_the_old_hash(session, make_user, current, new, field):
    user = make_user(Role.LEGAL)
    old_hash = user.password_hash
    with pytest.raises(ValidationError) as exc:
        change_password(session, user, current, new)
    assert list(exc.value.errors) == [field]
    assert user.password_hash == old_hash
    assert check_password_hash(user.password_hash, PASSWORD)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_an_admin_resets_someone_elses_password(session, make_user, role):
    victim = make_user(Role.FINANCE)
    old_hash = victim.password_hash
    with pytest.raises(PermissionDenied):
        reset_password(session, make_user(role), victim, "taken-over-2026")
    assert victim.password_hash == old_hash
    reset_password(session, make_user(Role.ADMIN), victim, "temporary-pass-2026")
    assert authenticate(session, victim.email, "temporary-pass-2026") == victim


def test_tokens_are_stored_hashed_and_found_by_their_value(session, make_user):
    user = make_user(Role.LEGAL)
    token = issue_token(session, user, "ERP sync")
    assert user_for_token(session, token) == user
    assert user_for_token(session, token + "x") is None


def test_token_use_is_stamped_at_most_once_per_period(session, make_user):
    user = make_user(Role.LEGAL)
    token = issue_token(session, user)
    row = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.last_used_at is None
    audited = len(session.exec(select(AuditEntry)).all())

    user_for_token(session, token)
    first = row.last_used_at
    user_for_token(session, token)

    assert first is not None
    assert row.last_used_at == first  # within the period: no second write
    row.last_used_at = first - timedelta(minutes=6)
    session.flush()
    user_for_token(session, token)
    assert row.last_used_at > first
    assert len(session.exec(select(AuditEntry)).all()) == audited  # stamps are not audited
