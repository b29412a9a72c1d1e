"""Review of the write-off pages: object-level holes (another case's files and evidence rows,
counsel), decisions out of turn or on a closed application, and the amount written off
against the debt as it stands when the approval completes."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from cases.base import today
from cases.ledger.operations import record_payment
from cases.register.models import Case, Evidence
from cases.timeline.models import Attachment
from cases.timeline.operations import attach_file
from cases.users.models import Role
from cases.writeoffs.models import WriteOffApplication, WriteOffStatus, WriteOffStep
from cases.writeoffs.operations import computed_amount
from tests.webapp.casefile_html import count, errors
from tests.webapp.test_writeoffs_pages import ITEMS, PDF, World, decide, form_data
from tests.webapp.test_writeoffs_pages import world as _world_of_pages  # noqa: F401


@pytest.fixture
def world(_world_of_pages) -> World:  # noqa: F811  (the imported fixture, by name)
    """The world of ``test_writeoffs_pages``: a case in litigation and one user per role."""
    return _world_of_pages


def _other_case_file(world: World, make_case) -> tuple[Case, Attachment]:
    other = make_case(actor=world.legal)
    world.session.info["actor_id"] = world.legal.id
    row = attach_file(
        world.session,
        world.legal,
        other,
        world.app.extensions["qingshou_files"],
        filename="别案.pdf",
        data=PDF,
        max_bytes=10**6,
    )
    world.session.commit()
    return other, row


def test_another_cases_file_or_evidence_row_cannot_be_cited(world, make_case):
    other, foreign = _other_case_file(world, make_case)
    evidence = Evidence(case_id=other.id, title="别案证据", kind="other", is_original=True)
    world.session.add(evidence)
    world.session.commit()
    client = world.client(world.legal)
    url = f"/cases/{world.case.id}/writeoffs/new"
    for field, value in (
        (f"ev.{ITEMS[0]}.add", f"attachment:{foreign.id}"),
        (f"ev.{ITEMS[0]}.0", f"evidence:{evidence.id}"),
        ("legal_opinion_attachment_id", str(foreign.id)),
        ("legal_opinion_attachment_id", f"attachment:{foreign.id}"),
    ):
        response = client.post(url, data=form_data(world, **{field: value}))
        assert response.status_code == 422, (field, value)
        assert count(world.session, WriteOffApplication) == 0


def test_counsel_of_the_firm_see_no_amount_on_the_written_off_case(world, make_user, make_firm):
    firm = make_firm()
    world.session.info["actor_id"] = world.legal.id
    case = world.session.get(Case, world.case.id)
    case.firm_id = firm.id
    world.session.commit()
    application = world.submitted()
    decide(world.client(world.finance), world.reload(application))
    decide(world.client(world.boss), world.reload(application))
    application = world.reload(application)
    assert application.status == WriteOffStatus.APPROVED
    counsel = world.client(make_user(Role.COUNSEL, firm=firm))
    page = counsel.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert "written-off-amount" not in page
    assert f"/writeoffs/{application.id}" not in page
    for url in (
        f"/writeoffs/{application.id}",
        f"/writeoffs/{application.id}/packet.pdf",
        f"/writeoffs/{application.id}/packet.zip",
        f"/writeoffs/{application.id}/edit",
    ):
        assert counsel.get(url).status_code == 403, url
    for url in ("decide", "submit", "withdraw", "edit"):
        assert counsel.post(f"/writeoffs/{application.id}/{url}").status_code == 403, url


def test_finance_cannot_take_the_management_step_nor_decide_twice(world):
    application = world.submitted()
    finance = world.client(world.finance)
    assert decide(finance, world.reload(application)).status_code == 303
    again = decide(finance, world.reload(application))
    assert again.status_code == 403
    assert len(world.session.exec(select(WriteOffStep)).all()) == 1
    assert world.reload(application).status == WriteOffStatus.IN_REVIEW


def test_no_decision_without_the_version_shown(world):
    application = world.submitted()
    finance = world.client(world.finance)
    for version in ("", "abc", "999"):
        response = finance.post(
            f"/writeoffs/{application.id}/decide",
            data={"decision": "approve", "version": version, "reason": ""},
        )
        assert response.status_code == 409, version
    assert world.session.exec(select(WriteOffStep)).all() == []


def test_a_decided_application_is_neither_decided_again_nor_changed(world):
    application = world.submitted()
    decide(world.client(world.finance), world.reload(application))
    decide(world.client(world.boss), world.reload(application))
    application = world.reload(application)
    assert application.status == WriteOffStatus.APPROVED
    assert decide(world.client(world.boss2), application).status_code == 422
    legal = world.client(world.legal)
    assert legal.get(f"/writeoffs/{application.id}/edit").status_code == 303
    posted = legal.post(
        f"/writeoffs/{application.id}/edit", data=form_data(world, reason_detail="改")
    )
    assert posted.status_code == 303
    assert legal.post(f"/writeoffs/{application.id}/withdraw").status_code == 422
    assert legal.post(f"/writeoffs/{application.id}/submit").status_code == 422
    after = world.reload(application)
    assert (after.status, after.reason_detail, after.version) == (
        WriteOffStatus.APPROVED,
        application.reason_detail,
        application.version,
    )


def test_text_typed_by_people_is_escaped(world):
    application = world.application(reason_detail="<script>alert(1)</script>")
    page = world.client(world.boss).get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_zip_names_stay_in_their_folder(world):
    session = world.session
    application = world.application()
    evidence = session.exec(select(Attachment).where(Attachment.case_id == world.case.id)).first()
    evidence.original_name = "../../../etc/=cmd|' /C calc'!A0.pdf"
    session.commit()
    data = world.client(world.boss).get(f"/writeoffs/{application.id}/packet.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = archive.read("index.csv").decode("utf-8-sig")
    assert all(".." not in n.split("/") and not n.startswith("/") for n in names), names
    assert all(len(n.split("/")) <= 2 for n in names), names
    assert "\n=" not in manifest
    assert ",=" not in manifest


def _pay(world: World, amount: str, on) -> None:
    world.session.info["actor_id"] = world.finance.id
    case = world.session.get(Case, world.case.id)
    record_payment(
        world.session,
        world.finance,
        case,
        {"received_on": on, "amount": amount, "payer": "债务人", "method": "bank_transfer"},
    )
    world.session.commit()


def test_the_write_off_never_exceeds_what_is_owed_when_approved(world):
    """Money confirmed while the application waits lowers the debt: the last approval may not
    write off more than is owed that day (the application goes back to be corrected)."""
    application = world.submitted()
    amount = world.reload(application).amount
    decide(world.client(world.finance), world.reload(application))
    _pay(world, "10000.00", world.reload(application).submitted_at.date())
    owed, _ = computed_amount(world.session, world.session.get(Case, world.case.id), today())
    assert owed < amount
    response = decide(world.client(world.boss), world.reload(application))
    assert response.status_code == 422
    assert "owed" in " ".join(errors(response.get_data(as_text=True)).get("__all__", []))
    after = world.reload(application)
    assert after.status == WriteOffStatus.IN_REVIEW
    assert world.session.get(Case, world.case.id).stage != "written_off"
    # a rejection still goes through, back to the applicant who corrects the amount
    assert decide(world.client(world.boss), after, "reject", reason="已回款").status_code == 303
