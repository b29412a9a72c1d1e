"""Administration of the LPR table (RULES.md §5): list, add, correct, delete; admin only.

The test database is migrated, so ``lpr_rate`` holds the bundled ``lpr.csv`` (last row
2025-05-20, hence certainly current until 2025-06-19). Time is frozen (Beijing) so that "not in
the future" and "past the horizon" are deterministic.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlmodel import func, select

from cases.audit.models import AuditAction, AuditEntry
from cases.base import BUSINESS_TZ
from cases.interest.lpr import LprRate
from cases.users.models import Role

D = Decimal
OCTOBER = {"effective_date": "2025-10-20", "lpr_1y": "3.00", "lpr_5y": "3.50"}


def frozen(*ymd: int):
    return time_machine.travel(datetime(*ymd, 9, 30, tzinfo=BUSINESS_TZ), tick=False)


def _count(session) -> int:
    return session.exec(select(func.count(LprRate.id))).one()


def _row(session, day: date) -> LprRate | None:
    return session.exec(select(LprRate).where(LprRate.effective_date == day)).first()


def _audit(session, rate_id: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == "lpr_rate", AuditEntry.entity_id == rate_id)
        .order_by(AuditEntry.id)
    )
    return list(session.exec(query))


@frozen(2025, 6, 10)
def test_list_shows_the_seeded_rows_newest_first_and_the_horizon(client, login_as, session):
    login_as(Role.ADMIN)
    response = client.get("/admin/lpr")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('data-testid="lpr-row"') == _count(session) > 10  # the bundled CSV
    assert page.index("2025-05-20") < page.index("2024-10-21") < page.index("2019-08-20")
    assert "贷款市场报价利率（LPR）" in page
    assert "已录入的最新LPR：自2025年5月20日起，1年期3.00%，5年期以上3.50%" in page
    assert "可确定适用至2025年6月19日" in page
    assert 'data-testid="lpr-stale"' not in page  # 10 June: the May LPR is still current


@frozen(2025, 10, 21)
def test_a_missing_publication_is_pointed_out(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/admin/lpr").get_data(as_text=True)
    assert 'data-testid="lpr-stale"' in page
    assert "今天已晚于2025年6月19日：请录入本月的LPR" in page


@frozen(2025, 10, 21)
def test_admin_adds_a_row_audited(client, login_as, session):
    admin = login_as(Role.ADMIN)
    before = _count(session)
    response = client.post("/admin/lpr", data=OCTOBER)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/lpr")

    rate = _row(session, date(2025, 10, 20))
    assert (rate.lpr_1y, rate.lpr_5y, rate.created_by_id) == (D("3.00"), D("3.50"), admin.id)
    assert _count(session) == before + 1
    (entry,) = _audit(session, rate.id)
    assert (entry.action, entry.actor_id, entry.case_id) == (AuditAction.CREATE, admin.id, None)
    assert entry.changes["lpr_1y"] == [None, "3.00"]

    page = client.get("/admin/lpr").get_data(as_text=True)
    assert "已录入2025年10月20日的LPR。" in page
    assert "可确定适用至2025年11月19日" in page
    assert 'data-testid="lpr-stale"' not in page


@frozen(2025, 10, 21)
def test_duplicate_date_is_refused_with_a_field_error_and_the_typed_values_kept(
    client, login_as, session
):
    login_as(Role.ADMIN)
    before = _count(session)
    response = client.post(
        "/admin/lpr", data={"effective_date": "2025-05-20", "lpr_1y": "3.10", "lpr_5y": "3.60"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "该日期的LPR已录入" in page
    assert 'name="effective_date" value="2025-05-20"\n         aria-invalid="true"' in page
    assert 'value="3.10"' in page
    assert 'value="3.60"' in page
    assert _count(session) == before


@frozen(2025, 10, 21)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"effective_date": "", "lpr_1y": "", "lpr_5y": ""}, "此项必填"),
        ({**OCTOBER, "effective_date": "2025-11-20"}, "LPR的生效日期不能晚于今天"),
        ({**OCTOBER, "effective_date": "2025-10-15"}, "LPR于每月20日（遇节假日顺延）公布生效"),
        ({**OCTOBER, "lpr_1y": "3.005"}, "最多 2 位小数"),
        ({**OCTOBER, "lpr_5y": "3,50"}, "金额格式不正确"),
    ],
    ids=["blank", "future", "before-the-20th", "three-decimals", "not-a-number"],
)
def test_bad_input_is_reported_in_chinese(client, login_as, session, data, message):
    login_as(Role.ADMIN)
    before = _count(session)
    response = client.post("/admin/lpr", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(session) == before


@frozen(2025, 10, 21)
def test_admin_corrects_a_row_audited(client, login_as, session):
    admin = login_as(Role.ADMIN)
    client.post("/admin/lpr", data=OCTOBER)
    rate = _row(session, date(2025, 10, 20))

    page = client.get(f"/admin/lpr/{rate.id}").get_data(as_text=True)
    assert "更正2025年10月20日的LPR" in page
    assert 'value="2025-10-20"' in page
    assert 'value="3.00"' in page

    refused = client.post(f"/admin/lpr/{rate.id}", data={**OCTOBER, "lpr_1y": "abc"})
    assert refused.status_code == 422
    assert "金额格式不正确" in refused.get_data(as_text=True)
    assert 'value="abc"' in refused.get_data(as_text=True)

    response = client.post(f"/admin/lpr/{rate.id}", data={**OCTOBER, "lpr_1y": "2.95"})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(LprRate, rate.id).lpr_1y == D("2.95")
    create, update = _audit(session, rate.id)
    assert (update.action, update.actor_id) == (AuditAction.UPDATE, admin.id)
    assert update.changes == {"lpr_1y": ["3.00", "2.95"]}
    assert "已更正2025年10月20日的LPR。" in client.get("/admin/lpr").get_data(as_text=True)


@frozen(2025, 10, 21)
def test_correcting_to_a_date_on_file_is_refused(client, login_as, session):
    login_as(Role.ADMIN)
    client.post("/admin/lpr", data=OCTOBER)
    rate = _row(session, date(2025, 10, 20))
    response = client.post(
        f"/admin/lpr/{rate.id}", data={**OCTOBER, "effective_date": "2025-05-20"}
    )
    assert response.status_code == 422
    assert "该日期的LPR已录入" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(LprRate, rate.id).effective_date == date(2025, 10, 20)


@frozen(2025, 10, 21)
def test_admin_deletes_a_row_audited(client, login_as, session):
    admin = login_as(Role.ADMIN)
    client.post("/admin/lpr", data=OCTOBER)
    rate_id = _row(session, date(2025, 10, 20)).id

    response = client.post(f"/admin/lpr/{rate_id}/delete")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(LprRate, rate_id) is None
    create, delete = _audit(session, rate_id)
    assert (delete.action, delete.actor_id) == (AuditAction.DELETE, admin.id)
    assert delete.changes["effective_date"] == ["2025-10-20", None]
    page = client.get("/admin/lpr").get_data(as_text=True)
    assert "已删除2025年10月20日的LPR。" in page
    assert "可确定适用至2025年6月19日" in page  # the May row is the latest again


def test_unknown_row_is_404(client, login_as, session):
    login_as(Role.ADMIN)
    missing = (session.exec(select(func.max(LprRate.id))).one() or 0) + 1000
    assert client.get(f"/admin/lpr/{missing}").status_code == 404
    assert client.post(f"/admin/lpr/{missing}", data=OCTOBER).status_code == 404
    assert client.post(f"/admin/lpr/{missing}/delete").status_code == 404


@pytest.mark.parametrize("role", [Role.LEGAL, Role.COUNSEL, Role.FINANCE, Role.MANAGEMENT])
def test_only_admins_reach_the_lpr_table(client, login_as, session, role):
    login_as(role)
    rate = _row(session, date(2025, 5, 20))
    before = _count(session)
    assert client.get("/admin/lpr").status_code == 403
    assert client.post("/admin/lpr", data=OCTOBER).status_code == 403
    assert client.get(f"/admin/lpr/{rate.id}").status_code == 403
    assert client.post(f"/admin/lpr/{rate.id}", data={"lpr_1y": "9.99"}).status_code == 403
    assert client.post(f"/admin/lpr/{rate.id}/delete").status_code == 403
    session.expire_all()
    assert _count(session) == before
    assert session.get(LprRate, rate.id).lpr_1y == D("3.00")


@frozen(2025, 6, 10)
def test_the_page_speaks_english_when_asked(client, login_as):
    login_as(Role.ADMIN)
    client.post("/lang/en", data={"next": "/admin/lpr"})
    page = client.get("/admin/lpr").get_data(as_text=True)
    assert "Loan prime rate (LPR)" in page
    assert "Latest LPR on file: from" in page
    assert "One-year LPR (%)" in page


def test_the_admin_tabs_link_to_the_lpr_table(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/lpr"' in page
    assert "LPR利率" in page
