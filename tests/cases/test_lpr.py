"""The LPR table (RULES.md §5): seeded from the bundled CSV, kept current by an admin.

Runs on SQLite and PostgreSQL. Time is frozen on 21 October 2025 (Beijing), the day after an
LPR publication, so that "not in the future" is deterministic.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from cases.audit.models import AuditAction, AuditEntry
from cases.base import BUSINESS_TZ
from cases.errors import PermissionDenied, ValidationError
from cases.interest import lpr_interest
from cases.interest.lpr import (
    DUPLICATE_DATE,
    LprRate,
    add_rate,
    delete_rate,
    get_rate,
    list_rates,
    load_series,
    update_rate,
)
from cases.users.models import Role

D = Decimal
BUNDLED_CSV = Path(__file__).resolve().parents[2] / "cases" / "interest" / "lpr.csv"
FROZEN = time_machine.travel(datetime(2025, 10, 21, 9, 30, tzinfo=BUSINESS_TZ), tick=False)
OCTOBER = {"effective_date": "2025-10-20", "lpr_1y": "3.00", "lpr_5y": "3.50"}


def _csv() -> list[tuple[date, Decimal, Decimal]]:
    with BUNDLED_CSV.open(encoding="utf-8") as fh:
        return [
            (date.fromisoformat(r["effective_date"]), D(r["lpr_1y"]), D(r["lpr_5y_plus"]))
            for r in csv.DictReader(fh)
        ]


@pytest.fixture
def admin(session, make_user):
    user = make_user(Role.ADMIN)
    session.info["actor_id"] = user.id
    return user


def _audit(session, rate_id: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == "lpr_rate", AuditEntry.entity_id == rate_id)
        .order_by(AuditEntry.id)
    )
    return list(session.exec(query))


def test_the_seeded_rows_are_the_bundled_csv(session):
    rows = session.exec(select(LprRate).order_by(LprRate.effective_date)).all()
    assert [(r.effective_date, r.lpr_1y, r.lpr_5y) for r in rows] == _csv()
    assert all(r.created_by_id is None for r in rows)  # seeded, not entered
    series = load_series(session)
    assert [(r.effective_date, r.lpr_1y, r.lpr_5y) for r in series] == _csv()
    assert series.rate_on(date(2023, 6, 20)) == D("3.55")  # RULES.md §5 lpr.csv
    assert [r.effective_date for r in list_rates(session)][:2] == [  # newest first
        date(2025, 5, 20),
        date(2024, 10, 21),
    ]


@FROZEN
def test_an_admin_adds_a_row_and_computations_use_it(session, admin):
    before = lpr_interest(
        D("1000000"), date(2025, 10, 1), date(2025, 10, 31), lpr=load_series(session)
    )
    assert before.warnings  # past the last published LPR (2025-05-20)

    rate = add_rate(session, admin, OCTOBER)
    assert (rate.effective_date, rate.lpr_1y, rate.lpr_5y) == (date(2025, 10, 20), D("3"), D("3.5"))
    assert rate.created_by_id == admin.id
    (entry,) = _audit(session, rate.id)
    assert (entry.action, entry.actor_id) == (AuditAction.CREATE, admin.id)
    assert entry.changes["lpr_1y"] == [None, "3.00"]

    series = load_series(session)
    assert series.last_date == date(2025, 10, 20)
    assert series.known_until == date(2025, 11, 19)
    after = lpr_interest(D("1000000"), date(2025, 10, 1), date(2025, 10, 31), lpr=series)
    assert after.warnings == ()


@FROZEN
def test_an_admin_corrects_and_deletes_a_row_audited(session, admin):
    rate = add_rate(session, admin, OCTOBER)
    update_rate(session, admin, rate, {"lpr_1y": "2.95"})
    assert (rate.lpr_1y, rate.lpr_5y) == (D("2.95"), D("3.50"))
    assert load_series(session).rate_on(date(2025, 10, 20)) == D("2.95")

    rate_id = rate.id
    delete_rate(session, admin, rate)
    assert session.get(LprRate, rate_id) is None
    assert load_series(session).last_date == date(2025, 5, 20)
    assert load_series(session).rate_on(date(2025, 10, 20)) == D("3.00")

    create, update, delete = _audit(session, rate_id)
    assert (create.action, update.action, delete.action) == (
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    )
    assert update.changes == {"lpr_1y": ["3.00", "2.95"]}
    assert delete.changes["effective_date"] == ["2025-10-20", None]
    assert {e.actor_id for e in (create, update, delete)} == {admin.id}


@FROZEN
@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_an_admin_changes_the_lpr_table(session, make_user, role):
    user = make_user(role)
    seeded = get_rate(session, session.exec(select(LprRate.id)).first())
    with pytest.raises(PermissionDenied):
        add_rate(session, user, OCTOBER)
    with pytest.raises(PermissionDenied):
        update_rate(session, user, seeded, {"lpr_1y": "9.99"})
    with pytest.raises(PermissionDenied):
        delete_rate(session, user, seeded)
    assert load_series(session).last_date == date(2025, 5, 20)
    assert seeded.lpr_1y != D("9.99")


@FROZEN
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"effective_date": "2025-05-20"}, "effective_date"),  # already on file (the CSV's last)
        ({"effective_date": "2025-11-20"}, "effective_date"),  # the future
        ({"effective_date": "2025-10-22"}, "effective_date"),  # tomorrow is the future too
        ({"effective_date": "2019-07-22"}, "effective_date"),  # before the first LPR
        ({"effective_date": "2025-10-15"}, "effective_date"),  # LPR takes effect on the 20th+
        ({"effective_date": "20.10.2025"}, "effective_date"),
        ({"lpr_1y": "0"}, "lpr_1y"),
        ({"lpr_1y": "-3.00"}, "lpr_1y"),
        ({"lpr_5y": "100"}, "lpr_5y"),
        ({"lpr_1y": "3.005"}, "lpr_1y"),  # at most 2 decimal places
        ({"lpr_5y": "abc"}, "lpr_5y"),
        ({"lpr_5y": None}, "lpr_5y"),
    ],
    ids=[
        "duplicate",
        "future",
        "tomorrow",
        "before-2019-08-20",
        "before-the-20th",
        "not-a-date",
        "zero",
        "negative",
        "hundred",
        "three-decimals",
        "not-a-number",
        "none",
    ],
)
def test_invalid_rows_are_refused_with_field_errors(session, admin, changes, field):
    count = len(list_rates(session))
    with pytest.raises(ValidationError) as exc:
        add_rate(session, admin, {**OCTOBER, **changes})
    assert list(exc.value.errors) == [field]
    assert len(list_rates(session)) == count


@FROZEN
def test_duplicate_date_message_and_update_to_a_taken_date(session, admin):
    with pytest.raises(ValidationError) as exc:
        add_rate(session, admin, {**OCTOBER, "effective_date": "2025-05-20"})
    assert [m.msgid for m in exc.value.errors["effective_date"]] == [DUPLICATE_DATE]
    rate = add_rate(session, admin, OCTOBER)
    with pytest.raises(ValidationError) as exc:
        update_rate(session, admin, rate, {"effective_date": "2025-05-20"})
    assert [m.msgid for m in exc.value.errors["effective_date"]] == [DUPLICATE_DATE]
    # keeping its own date is not a duplicate
    update_rate(session, admin, rate, {"effective_date": "2025-10-20", "lpr_5y": "3.45"})
    assert rate.lpr_5y == D("3.45")
    assert rate.effective_date == date(2025, 10, 20)
