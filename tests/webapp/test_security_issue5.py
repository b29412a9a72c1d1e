"""Security review of the issue 5 areas (engagements, recoveries, plans, deadlines board,
delivery, portal): objects are loaded through their case, an ended engagement takes the case
away at once everywhere, and another firm's fee requests stay its own.

The role × endpoint matrix (``test_permissions.py``) checks each URL with the objects of the
matrix's own case; here the same URLs name the objects of *another* case under the matrix
case's URL, and the matrix counsel is checked again after their firm's engagement ended.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from cases.base import today
from cases.delivery.models import Delivery
from cases.delivery.operations import record_delivery
from cases.documents.archive import archive_document
from cases.documents.bulk import BulkRunItem, ItemStatus, RunStatus
from cases.engagements import operations as engagements
from cases.engagements.models import Engagement, EngagementStatus
from cases.parties.models import Party
from cases.register.keydates import add_key_date
from cases.register.models import Case
from cases.settlement.models import FeeExpense, FeeRequest
from cases.timeline.operations import attach_file
from cases.users.models import Role
from cases.users.operations import issue_token
from tests.factories import letter_run
from tests.webapp.casefile_html import section
from tests.webapp.matrix import BAD, GO, OK, ROLES, areas
from tests.webapp.test_permissions import MATRIX, build_world, client_for, matches, request

PARAM = re.compile(r"<(?:int:)?(\w+)>")
ALLOWED = (OK, BAD, GO)
CASE_RULES = sorted(
    (method, rule) for (method, rule) in MATRIX if rule.startswith("/cases/<int:case_id>/")
)
# Rules that name an object of the case besides the case itself (<int:plan_id> …).
OBJECT_RULES = [
    (method, rule)
    for method, rule in CASE_RULES
    if [name for name in PARAM.findall(rule) if name != "case_id"]
]


@pytest.fixture
def world(app, session, monkeypatch, make_user, make_firm, make_case):
    monkeypatch.setattr("cases.users.operations.PASSWORD_METHOD", "pbkdf2:sha256:1000")
    return build_world(app, session, make_user, make_firm, make_case)


@pytest.fixture
def foreign(app, session, world, make_user, make_firm, make_case) -> dict[str, int]:
    """The same kinds of objects as the matrix's, on a case engaged to a third firm: their ids
    by URL parameter name."""
    firm = make_firm()
    counsel = make_user(Role.COUNSEL, firm=firm)
    case = make_case(actor=world.users["legal"], firm=firm)
    other = replace(world, case=case, users={**world.users, "counsel": counsel}, extra={})
    ids: dict[str, int] = {}
    for area in areas():
        if area.__name__.endswith(".delivery") or not hasattr(area, "setup"):
            continue
        ids.update(area.setup(app, session, other))
        session.commit()
    legal = world.users["legal"]
    session.info["actor_id"] = legal.id
    done = record_delivery(
        session,
        legal,
        case,
        {"title": "催收函", "carrier": "ems", "tracking_no": "9900000000001", "sent_on": today()},
    )
    key_date = add_key_date(
        session, legal, case, {"kind": "judgment_served", "on": date(2026, 1, 5)}
    )
    attachment = attach_file(
        session,
        legal,
        case,
        app.extensions["qingshou_files"],
        filename="判决书.pdf",
        data=b"%PDF-1.4 ruling",
        max_bytes=10**6,
    )
    ids.update(delivery_id=done.delivery.id, key_date_id=key_date.id, attachment_id=attachment.id)
    session.commit()
    return ids


def _rows_for_swap():
    for method, rule in OBJECT_RULES:
        answers = dict(zip(ROLES, MATRIX[(method, rule)], strict=True))
        for role in ("admin", "legal", "counsel", "finance", "management"):
            if answers[role] in ALLOWED:
                yield pytest.param(method, rule, role, id=f"{method} {rule} {role}")


@pytest.mark.parametrize(("method", "rule", "role"), list(_rows_for_swap()))
def test_another_cases_object_under_this_cases_url_is_not_found(
    app, world, foreign, method, rule, role
):
    """Every role allowed on the object of the matrix's case gets 404 for the same kind of
    object of another case named under the matrix case's URL (loaded through the case)."""
    names = [name for name in PARAM.findall(rule) if name != "case_id"]
    missing = [name for name in names if name not in foreign]
    assert missing == [], f"no object of another case for {missing}: add it to ``foreign``"
    fields = {name: foreign[name] for name in names if name not in world.extra}
    extra = {**world.extra, **{name: foreign[name] for name in names if name in world.extra}}
    url = replace(world, extra=extra, **fields).url(rule)
    assert url != world.url(rule)
    api = rule.startswith("/api/")
    response = request(client_for(app, world, role, api=api), method, url, api=api)
    assert response.status_code == 404, f"{method} {url} as {role}: {response.status_code}"


# ---- an ended engagement takes the case away at once ------------------------------------------


def _end_engagement(session, world) -> None:
    legal = world.users["legal"]
    session.info["actor_id"] = legal.id
    live = session.exec(
        select(Engagement).where(
            Engagement.case_id == world.case.id, Engagement.status != EngagementStatus.ENDED
        )
    ).one()
    engagements.end_engagement(session, legal, world.case, live, today(), "委托期满")
    session.commit()


def _counsel_rows():
    for method, rule in CASE_RULES:
        answers = dict(zip(ROLES, MATRIX[(method, rule)], strict=True))
        if answers["counsel"] in ALLOWED:
            yield pytest.param(method, rule, id=f"{method} {rule}")


@pytest.mark.parametrize(("method", "rule"), list(_counsel_rows()))
def test_counsel_lose_every_case_url_when_the_engagement_ends(app, session, world, method, rule):
    api = rule.startswith("/api/")
    client = client_for(app, world, "counsel", api=api)
    url = world.url(rule)
    assert matches(
        dict(zip(ROLES, MATRIX[(method, rule)], strict=True))["counsel"],
        request(client, method, url, api=api),
    )
    _end_engagement(session, world)
    response = request(client, method, url, api=api)
    assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_ended_engagement_leaves_no_trace_in_counsels_lists_and_feed(app, session, world):
    """The deadlines board, the ICS feed, the portal, the plan alerts, the case list and the
    API's case list stop naming the case as soon as the engagement ends."""
    number = world.case.number
    pages = ("/deadlines", "/portal", "/plans/alerts", "/cases", "/notifications")
    client = client_for(app, world, "counsel", api=False)
    api = client_for(app, world, "counsel", api=True)
    feed = f"/calendar/{world.extra['feed_token']}.ics"
    before = {url: client.get(url).get_data(as_text=True) for url in pages}
    assert number in before["/deadlines"]
    assert number in before["/portal"]
    assert number in app.test_client().get(feed).get_data(as_text=True)
    _end_engagement(session, world)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert number not in response.get_data(as_text=True), url
    assert number not in app.test_client().get(feed).get_data(as_text=True)
    assert number not in api.get("/api/v1/cases").get_data(as_text=True)


# ---- another firm's fee requests --------------------------------------------------------------


def test_the_next_firm_sees_neither_the_earlier_firms_fee_requests_nor_their_statements(
    app, session, world, make_user, make_firm
):
    """The case's earlier firm requested fees; the firm engaged next sees the case but not
    that request (its fee terms and computation are the earlier firm's business): not on the
    case page, 404 on its page and its PDF. Legal staff still see it."""
    fee_request_id = world.extra["fee_request_id"]
    assert session.get(FeeRequest, fee_request_id).firm_id == world.users["counsel"].firm_id
    _end_engagement(session, world)
    next_firm = make_firm()
    newcomer = make_user(Role.COUNSEL, firm=next_firm)
    session.info["actor_id"] = world.users["legal"].id
    engagements.engage_pending(session, world.users["legal"], world.case, next_firm.id)
    session.commit()

    base = f"/cases/{world.case.id}/fee-requests/{fee_request_id}"
    client = client_for(
        app, replace(world, users={**world.users, "counsel": newcomer}), "counsel", api=False
    )
    page = client.get(f"/cases/{world.case.id}")
    assert page.status_code == 200
    assert base not in page.get_data(as_text=True)
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/statement.pdf").status_code == 404

    receipt = session.exec(
        select(FeeExpense.receipt_id).where(FeeExpense.fee_request_id == fee_request_id)
    ).one()
    receipt_url = f"/cases/{world.case.id}/attachments/{receipt}"
    assert receipt_url not in page.get_data(as_text=True)  # nor the expense receipts
    assert client.get(receipt_url).status_code == 404

    legal = client_for(app, world, "legal", api=False)
    page = legal.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert base in section(page, "fee-requests")
    assert receipt_url in page
    assert legal.get(base).status_code == 200
    assert legal.get(receipt_url).status_code == 200


def test_the_next_firms_counsel_do_not_see_the_earlier_engagement(
    app, session, world, make_user, make_firm
):
    """Control of the engagement rule the fee requests now follow: another firm's engagement
    on the same case is left out for counsel (API)."""
    old = world.extra["engagement_id"]
    _end_engagement(session, world)
    next_firm = make_firm()
    newcomer = make_user(Role.COUNSEL, firm=next_firm)
    session.info["actor_id"] = world.users["legal"].id
    engagements.engage_pending(session, world.users["legal"], world.case, next_firm.id)
    session.commit()
    token = issue_token(session, newcomer, "security")
    session.commit()
    api = client_for(
        app, replace(world, tokens={**world.tokens, "counsel": token}), "counsel", api=True
    )
    body = api.get(f"/api/v1/cases/{world.case.id}/engagement").get_json()
    assert body["live"]["firm"]["id"] == next_firm.id
    assert old not in (body["live"]["id"], *[row["id"] for row in body["past"]])


# ---- lists and filters never reach another firm's cases ---------------------------------------


def test_counsel_filtering_lists_by_another_firm_or_handler_get_nothing_of_it(
    app, session, world, foreign
):
    """``?firm_id=`` / ``?firm=`` / ``?handler=`` naming the third firm's case: counsel of the
    matrix's firm still see only their own firm's cases on every list."""
    other = session.exec(
        select(Case)
        .where(Case.firm_id.is_not(None), Case.firm_id != world.case.firm_id)
        .order_by(Case.id)
    ).first()
    assert other is not None
    firm, handler = other.firm_id, other.handler_id
    urls = [
        f"/cases?firm_id={firm}",
        f"/cases?handler_id={handler}&firm_id={firm}",
        f"/deadlines?firm={firm}&horizon=all",
        f"/deadlines?handler={handler}&horizon=all",
        "/deadlines?handler=all&horizon=all",
        f"/plans/alerts?firm_id={firm}",
        f"/portal?firm_id={firm}",
        f"/notifications?firm_id={firm}",
    ]
    client = client_for(app, world, "counsel", api=False)
    legal = client_for(app, world, "legal", api=False)
    assert other.number in legal.get(f"/cases?firm_id={firm}").get_data(as_text=True)
    assert other.number in legal.get("/deadlines?handler=all&horizon=all").get_data(as_text=True)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert other.number not in response.get_data(as_text=True), url
    api = client_for(app, world, "counsel", api=True)
    assert other.number not in api.get(f"/api/v1/cases?firm_id={firm}").get_data(as_text=True)


# ---- the bulk run's list of letters is safe to open in Excel ----------------------------------


def test_the_list_of_letters_cannot_carry_a_formula_into_excel(
    app, session, client, login_as, make_case, make_firm
):
    """A debtor named ``=HYPERLINK(…)`` (typed or imported) is written as text ('=…) in the
    CSV offered for download, and the file filled in and uploaded again still registers."""
    legal = login_as(Role.LEGAL)
    case = make_case(actor=legal, firm=make_firm())
    session.get(Party, case.debtor_id).name = '=HYPERLINK("http://evil.example","点击")'
    session.info["actor_id"] = legal.id
    run = letter_run(session, legal, [case])
    doc = archive_document(
        session,
        legal,
        case,
        app.extensions["qingshou_files"],
        template="lawyer_letter",
        template_version="1",
        title="-律师函",
        context={},
        docx=b"PK\x03\x04 letter",
    )
    item = session.exec(select(BulkRunItem).where(BulkRunItem.run_id == run.id)).one()
    item.document_id, item.status = doc.id, ItemStatus.DONE
    run.status = RunStatus.DONE
    session.commit()

    listed = client.get(f"/documents/runs/{run.id}/deliveries/sendings.csv")
    rows = list(csv.reader(io.StringIO(listed.data.decode("utf-8-sig"))))
    assert rows[1][:3] == [case.number, '\'=HYPERLINK("http://evil.example","点击")', "'-律师函"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    rows[1][3] = "1186000000099"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = {"file": (io.BytesIO(out.getvalue().encode("utf-8-sig")), "寄送.csv")}
    data.update(carrier="ems", sent_on=today().isoformat())
    response = client.post(
        f"/documents/runs/{run.id}/deliveries/sendings",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert session.exec(select(Delivery).where(Delivery.case_id == case.id)).one()
