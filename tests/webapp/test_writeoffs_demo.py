"""The demo's write-offs (``cases/demo/extra_writeoffs.py``): one application in each state,
made by the demo users of each role, and the pages that show them to those users."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from cases.demo import load_demo
from cases.users.models import User
from cases.writeoffs.models import WriteOffApplication, WriteOffStatus
from cases.writeoffs.queries import awaiting_decision, recovered_after_writeoff
from tests.webapp.casefile_html import section


def test_the_demo_has_an_application_in_every_state_and_the_pages_show_them(
    app, client, session, login_as
):
    load_demo(session, cases=40)
    session.commit()
    applications = session.exec(select(WriteOffApplication)).all()
    assert Counter(a.status for a in applications) == {
        WriteOffStatus.DRAFT: 1,
        WriteOffStatus.SUBMITTED: 1,
        WriteOffStatus.IN_REVIEW: 1,
        WriteOffStatus.REJECTED: 1,
        WriteOffStatus.APPROVED: 2,
    }
    users = {u.email.split("@")[0]: u for u in session.exec(select(User))}
    approved = [a for a in applications if a.status == WriteOffStatus.APPROVED]
    recovered = [recovered_after_writeoff(session, a.case_id) for a in approved]
    assert sorted(bool(r.payments) for r in recovered) == [False, True]
    assert all(
        r.payments[0].recorded_by_id == users["finance1"].id for r in recovered if r.payments
    )
    assert len(awaiting_decision(session, users["finance1"])) == 1
    assert len(awaiting_decision(session, users["management1"])) == 1

    login_as(users["management1"])
    client.post("/lang/en")
    queue = client.get("/writeoffs").get_data(as_text=True)
    waiting = awaiting_decision(session, users["management1"])[0]
    assert f'data-application="{waiting.id}"' in section(queue, "awaiting-me")
    page = client.get(f"/writeoffs/{waiting.id}")
    assert page.status_code == 200
    assert 'data-testid="decision"' in page.get_data(as_text=True)
    for application in applications:
        assert client.get(f"/writeoffs/{application.id}").status_code == 200
    written_off = next(a for a, r in zip(approved, recovered, strict=True) if r.payments)
    panel = section(client.get(f"/cases/{written_off.case_id}").get_data(as_text=True), "writeoffs")
    assert 'data-testid="recovered-after-payments"' in panel
