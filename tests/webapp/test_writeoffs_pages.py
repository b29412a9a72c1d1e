"""Write-off applications on the pages (``webapp/blueprints/writeoffs.py``): the draft from the
case page with its evidence checklist (files uploaded or taken from the case), refusals that
keep the form and name what is missing, submission, the approvers' queue, the approval page
(finance, then management; a second manager above ``QS_WRITEOFF_SECOND_APPROVAL_ABOVE``),
rejection with a reason and resubmission, self-approval, double approval and a stale page
refused, withdrawal, counsel kept out, and the written-off case (账销案存) still open to money.

Rules: 财金〔2017〕90号 (banks) and 国家税务总局公告2011年第25号 第二十二至二十四条 (other
enterprises) choose the reasons and their checklists (``cases/writeoffs/reasons.py``).
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlmodel import select

from cases.ledger.models import Payment, PaymentStatus
from cases.register import policies
from cases.register.models import Case, CaseStatus, Evidence
from cases.register.operations import move_stage
from cases.register.stages import Action, Stage
from cases.timeline.models import Attachment
from cases.timeline.operations import attach_file
from cases.users.models import Role, User
from cases.writeoffs import operations as ops
from cases.writeoffs.models import Decision, WriteOffApplication, WriteOffStatus, WriteOffStep
from cases.writeoffs.reasons import WriteOffReason, checklist
from tests.conftest import PASSWORD  # noqa: F401  (the fixtures' password, for reference)
from tests.webapp.casefile_html import count, errors, flashes, options, section, values

REASON = WriteOffReason.ENFORCEMENT_TERMINATED
ITEMS = [item.key for item in checklist(REASON, "enterprise")]
LABELS = {item.key: item.label for item in checklist(REASON, "enterprise")}
PDF = b"%PDF-1.4 evidence"


# ---- the world: a case in litigation, and one user per role -----------------------------------


@dataclass
class World:
    app: object
    session: object
    case: Case
    legal: User
    finance: User
    boss: User
    boss2: User

    def client(self, user: User):
        """A test client logged in as ``user``, in English."""
        from flask_login.utils import _create_identifier

        client = self.app.test_client()
        with (
            client.session_transaction() as sess,
            self.app.test_request_context(environ_base=client.environ_base),
        ):
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess["_id"] = _create_identifier()
        client.post("/lang/en")
        return client

    def attach(self, name: str = "裁定书.pdf") -> Attachment:
        self.session.info["actor_id"] = self.legal.id
        row = attach_file(
            self.session,
            self.legal,
            self.case,
            self.app.extensions["qingshou_files"],
            filename=name,
            data=PDF,
            max_bytes=10**6,
        )
        self.session.commit()
        return row

    def application(self, user: User | None = None, **overrides) -> WriteOffApplication:
        """A complete draft made through the domain: a file for every checklist item."""
        user = user or self.legal
        links = [{"item": key, "attachment_id": self.attach(f"{key}.pdf").id} for key in ITEMS]
        data = {
            "reason": REASON,
            "reason_detail": "法院裁定终结本次执行程序，债务人无可供执行财产。",
            "legal_opinion": "经核查，债务人确无可供执行财产，建议核销，账销案存。",
            "evidence": links,
            **overrides,
        }
        self.session.info["actor_id"] = user.id
        application = ops.create_application(self.session, user, self.case, data)
        self.session.commit()
        return application

    def submitted(self, **kw) -> WriteOffApplication:
        application = self.application(**kw)
        self.session.info["actor_id"] = self.legal.id
        ops.submit(self.session, self.legal, application)
        self.session.commit()
        return application

    def reload(self, application: WriteOffApplication) -> WriteOffApplication:
        self.session.expire_all()
        return self.session.get(WriteOffApplication, application.id)


@pytest.fixture
def world(app, session, make_case, make_user) -> World:
    legal = make_user(Role.LEGAL, name="王法务")
    case = make_case(actor=legal, handler_id=legal.id)
    session.info["actor_id"] = legal.id
    move_stage(session, legal, case, Action.ACCEPT)
    move_stage(session, legal, case, Action.SUE)
    session.commit()
    return World(
        app,
        session,
        case,
        legal,
        make_user(Role.FINANCE, name="孙财务"),
        make_user(Role.MANAGEMENT, name="刘总"),
        make_user(Role.MANAGEMENT, name="赵总"),
    )


def form_data(world: World, action: str = "save", **fields) -> dict:
    """The application form as a person fills it in: reason, detail, opinion, and evidence
    (``ev.<item>.add`` an existing file, ``file.<item>`` an upload)."""
    data = {
        "reason": REASON.value,
        "reason_detail": "法院裁定终结本次执行程序，债务人无可供执行财产。",
        "legal_opinion": "建议核销，账销案存。",
        "legal_opinion_attachment_id": "",
        "amount": "",
        "amount_note": "",
        "action": action,
    }
    data.update(fields)
    return data


def upload(name: str = "文件.pdf", data: bytes = PDF):
    return (io.BytesIO(data), name)


def decide(client, application, decision="approve", version=None, reason=""):
    return client.post(
        f"/writeoffs/{application.id}/decide",
        data={
            "decision": decision,
            "version": str(application.version if version is None else version),
            "reason": reason,
        },
    )


def steps_of(world: World, application) -> list[tuple[int, str, int]]:
    rows = world.session.exec(
        select(WriteOffStep)
        .where(WriteOffStep.application_id == application.id)
        .order_by(WriteOffStep.id)
    ).all()
    return [(s.round_no, s.decision.value, s.actor_id) for s in rows]


# ---- the draft ------------------------------------------------------------------------------


def test_the_case_page_offers_the_application_to_legal_staff_only(world, make_user):
    page = world.client(world.legal).get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert f'href="/cases/{world.case.id}/writeoffs/new"' in page
    for user in (world.finance, world.boss, make_user(Role.ADMIN)):
        page = world.client(user).get(f"/cases/{world.case.id}").get_data(as_text=True)
        offered = f'href="/cases/{world.case.id}/writeoffs/new"' in page
        assert offered == (user.role == Role.ADMIN)


def test_a_case_at_intake_is_not_offered_a_write_off(world, make_case):
    case = make_case(actor=world.legal)  # stage intake: no write-off move from there
    page = world.client(world.legal).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/writeoffs/new" not in page
    form = world.client(world.legal).get(f"/cases/{case.id}/writeoffs/new")
    assert "cannot be written off" in form.get_data(as_text=True)
    refused = world.client(world.legal).post(
        f"/cases/{case.id}/writeoffs/new", data=form_data(world)
    )
    assert refused.status_code == 422
    assert count(world.session, WriteOffApplication) == 0


@pytest.mark.parametrize(
    ("is_bank", "offered", "not_offered"),
    [
        (False, "overdue_3y", "internal_evidence"),  # 公告2011年第25号 第二十三条
        (True, "internal_evidence", "overdue_3y"),  # 财金〔2017〕90号 第六条（内部证据）
    ],
    ids=["enterprise-SAT-25-2011", "bank-caijin-2017-90"],
)
def test_the_form_offers_the_reasons_of_the_creditors_regime(
    world, make_case, make_creditor, is_bank, offered, not_offered
):
    case = make_case(actor=world.legal, creditor=make_creditor(is_bank=is_bank))
    world.session.info["actor_id"] = world.legal.id
    move_stage(world.session, world.legal, case, Action.ACCEPT)
    world.session.commit()
    page = world.client(world.legal).get(f"/cases/{case.id}/writeoffs/new")
    assert page.status_code == 200
    reasons = options(page.get_data(as_text=True), "reason")
    assert offered in reasons
    assert not_offered not in reasons


def test_choosing_a_reason_shows_its_checklist_without_saving(world):
    client = world.client(world.legal)
    page = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, action="refresh", reason_detail="仍在填写"),
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for key in ITEMS:
        assert f'data-item="{key}"' in html
        assert f'name="file.{key}"' in html
    assert values(html)["reason_detail"] == "仍在填写"  # what was typed stays
    assert "第二十二条第（三）项" in html  # the provision the reason follows
    assert count(world.session, WriteOffApplication) == 0


def test_legal_saves_a_draft_with_files_uploaded_and_taken_from_the_case(world):
    contract = world.attach("借款合同.pdf")
    evidence = Evidence(case_id=world.case.id, kind="court_document", title="民事判决书")
    world.session.add(evidence)
    world.session.commit()
    client = world.client(world.legal)
    response = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(
            world,
            **{
                "ev.contract.add": f"attachment:{contract.id}",
                "ev.judgment.add": f"evidence:{evidence.id}",
                "file.termination_ruling": [upload("终本裁定书.pdf"), upload("财产调查.pdf")],
            },
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    application = world.session.exec(select(WriteOffApplication)).one()
    assert response.headers["Location"].endswith(f"/writeoffs/{application.id}")
    assert application.status == WriteOffStatus.DRAFT
    assert application.applicant_id == world.legal.id
    assert application.amount == application.computed_amount > Decimal("120000.00")
    links = {
        (row.item, row.attachment_id, row.evidence_id)
        for row in world.session.exec(
            select(ops.WriteOffEvidence).where(
                ops.WriteOffEvidence.application_id == application.id
            )
        )
    }
    uploaded = world.session.exec(
        select(Attachment).where(
            Attachment.case_id == world.case.id, Attachment.doc_type == "evidence"
        )
    ).all()
    assert sorted(a.original_name for a in uploaded) == ["终本裁定书.pdf", "财产调查.pdf"]
    assert links == {
        ("contract", contract.id, None),
        ("judgment", None, evidence.id),
        *(("termination_ruling", a.id, None) for a in uploaded),
    }
    # the draft's page and the edit form show what was given
    page = client.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    for shown in ("借款合同.pdf", "民事判决书", "终本裁定书.pdf"):
        assert shown in page
    assert flashes(page) == ["The write-off application has been saved as a draft."]
    edit = client.get(f"/writeoffs/{application.id}/edit").get_data(as_text=True)
    assert f'value="attachment:{contract.id}" checked' in edit
    assert f'value="evidence:{evidence.id}" checked' in edit


def test_submitting_with_missing_evidence_is_refused_naming_each_item(world):
    contract = world.attach("借款合同.pdf")
    client = world.client(world.legal)
    response = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, action="submit", **{"ev.contract.add": f"attachment:{contract.id}"}),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    missing = errors(html)["evidence"]
    assert missing == [f"Missing evidence: {LABELS[key]}" for key in ITEMS[1:]]
    assert values(html)["reason_detail"] == form_data(world)["reason_detail"]  # form kept
    assert f'value="attachment:{contract.id}" checked' in html  # the chosen file too
    assert count(world.session, WriteOffApplication) == 0  # nothing saved
    assert f'action="/cases/{world.case.id}/writeoffs/new"' in html  # still a new one


def test_a_reason_changed_without_its_checklist_is_shown_again_before_saving(world):
    client = world.client(world.legal)
    shown = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, reason="dissolved", shown_reason=REASON.value, action="save"),
    )
    assert shown.status_code == 422
    html = shown.get_data(as_text=True)
    assert errors(html)["__all__"][0].startswith("The reason was changed")
    assert 'data-item="licence_cancelled"' in html  # the new reason's own item
    assert 'data-item="termination_ruling"' not in html
    assert values(html)["shown_reason"] == "dissolved"
    assert count(world.session, WriteOffApplication) == 0
    saved = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, reason="dissolved", shown_reason="dissolved"),
    )
    assert saved.status_code == 303
    assert world.session.exec(select(WriteOffApplication)).one().reason == "dissolved"


def test_submitting_a_saved_draft_names_what_is_missing_and_keeps_it_a_draft(world):
    application = world.application()
    world.session.info["actor_id"] = world.legal.id
    data = {
        "reason": REASON,
        "reason_detail": application.reason_detail,
        "legal_opinion": "",
        "evidence": [{"item": "contract", "attachment_id": world.attach().id}],
    }
    ops.update_application(world.session, world.legal, application, data)
    world.session.commit()
    response = world.client(world.legal).post(f"/writeoffs/{application.id}/submit")
    assert response.status_code == 422
    found = errors(response.get_data(as_text=True))
    assert [f"Missing evidence: {LABELS[key]}" for key in ITEMS[1:]] == found["evidence"]
    assert found["legal_opinion"] == ["Give the legal opinion"]
    assert world.reload(application).status == WriteOffStatus.DRAFT


def test_a_legal_opinion_given_as_a_file_is_enough(world):
    opinion = world.attach("法律意见书.pdf")
    application = world.application(legal_opinion="", legal_opinion_attachment_id=opinion.id)
    response = world.client(world.legal).post(f"/writeoffs/{application.id}/submit")
    assert response.status_code == 303
    assert world.reload(application).status == WriteOffStatus.SUBMITTED
    page = world.client(world.boss).get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert f"/cases/{world.case.id}/attachments/{opinion.id}" in section(page, "legal-opinion")


def test_a_bank_applies_on_internal_evidence_with_files_uploaded_on_the_form(
    world, make_case, make_creditor
):
    """财金〔2017〕90号 第六条: where no court or government document can be had, a collection
    report and a legal opinion; the opinion is also uploaded as the application's opinion."""
    case = make_case(actor=world.legal, creditor=make_creditor(is_bank=True))
    world.session.info["actor_id"] = world.legal.id
    move_stage(world.session, world.legal, case, Action.ACCEPT)
    world.session.commit()
    items = [i.key for i in checklist(WriteOffReason.INTERNAL_EVIDENCE, "bank")]
    assert items == ["contract", "report", "collection_report", "legal_opinion"]
    client = world.client(world.legal)
    fields = {f"file.{key}": upload(f"{key}.pdf") for key in items}
    response = client.post(
        f"/cases/{case.id}/writeoffs/new",
        data=form_data(
            world,
            action="submit",
            reason="internal_evidence",
            legal_opinion="",
            opinion_file=upload("法律意见书.pdf"),
            **fields,
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, errors(response.get_data(as_text=True))
    application = world.session.exec(select(WriteOffApplication)).one()
    assert (application.status, application.regime) == (WriteOffStatus.SUBMITTED, "bank")
    opinion = world.session.get(Attachment, application.legal_opinion_attachment_id)
    assert opinion.original_name == "法律意见书.pdf"
    assert opinion.case_id == case.id


def test_a_refused_upload_is_named_beside_its_item_and_nothing_is_kept(world):
    response = world.client(world.legal).post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, **{"file.judgment": upload("判决书.exe", b"MZ...")}),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    found = errors(response.get_data(as_text=True))
    assert found["file.judgment"] == ["Files of type “.exe” are not accepted"]
    assert count(world.session, WriteOffApplication) == 0
    assert count(world.session, Attachment, Attachment.case_id == world.case.id) == 0


def test_another_amount_than_the_computed_one_needs_a_note(world):
    client = world.client(world.legal)
    links = {f"ev.{key}.add": f"attachment:{world.attach(f'{key}.pdf').id}" for key in ITEMS}
    refused = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, amount="100,000.00", **links),
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert errors(html)["amount_note"][0].startswith("Explain why the amount differs")
    assert values(html)["amount"] == "100,000.00"
    saved = client.post(
        f"/cases/{world.case.id}/writeoffs/new",
        data=form_data(world, amount="100,000.00", amount_note="扣除已计提部分", **links),
    )
    assert saved.status_code == 303
    application = world.session.exec(select(WriteOffApplication)).one()
    assert (application.amount, application.amount_entered) == (Decimal("100000.00"), True)
    page = client.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert "扣除已计提部分" in section(page, "writeoff")


def test_only_the_applicant_changes_submits_or_withdraws(world, make_user):
    application = world.application()
    other = make_user(Role.LEGAL)
    client = world.client(other)
    assert client.get(f"/writeoffs/{application.id}/edit").status_code == 403
    assert client.post(f"/writeoffs/{application.id}/submit").status_code == 403
    assert client.post(f"/writeoffs/{application.id}/withdraw").status_code == 403
    assert world.reload(application).status == WriteOffStatus.DRAFT


def test_the_applicant_withdraws_and_may_apply_again(world):
    application = world.submitted()
    client = world.client(world.legal)
    assert client.post(f"/writeoffs/{application.id}/withdraw").status_code == 303
    assert world.reload(application).status == WriteOffStatus.WITHDRAWN
    assert client.get(f"/writeoffs/{application.id}/edit").status_code == 303  # not any more
    page = client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    assert f'href="/cases/{world.case.id}/writeoffs/new"' in page


# ---- approval -------------------------------------------------------------------------------


def test_finance_then_management_approve_and_the_case_is_written_off(world):
    legal = world.client(world.legal)
    links = {f"ev.{key}.add": f"attachment:{world.attach(f'{key}.pdf').id}" for key in ITEMS}
    response = legal.post(
        f"/cases/{world.case.id}/writeoffs/new", data=form_data(world, action="submit", **links)
    )
    assert response.status_code == 303
    application = world.session.exec(select(WriteOffApplication)).one()
    assert application.status == WriteOffStatus.SUBMITTED
    assert application.chain == ["finance", "management"]  # below the default 5,000,000

    # finance: the queue, the page with every part a decision needs, then approve
    finance = world.client(world.finance)
    queue = finance.get("/writeoffs").get_data(as_text=True)
    assert f'data-application="{application.id}"' in section(queue, "awaiting-me")
    assert f'data-application="{application.id}"' not in section(
        world.client(world.boss).get("/writeoffs").get_data(as_text=True), "awaiting-me"
    )
    page = finance.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    for part in ("case-summary", "writeoff", "legal-opinion", "evidence-checklist"):
        assert f'id="{part}"' in page
    assert "建议核销" in section(page, "legal-opinion")
    assert section(page, "evidence-checklist").count('data-covered="yes"') == len(ITEMS)
    assert f"/cases/{world.case.id}/attachments/" in section(page, "evidence-checklist")
    assert "How computed" in section(page, "writeoff")
    assert 'data-testid="decision"' in page
    assert decide(finance, application).status_code == 303
    application = world.reload(application)
    assert application.status == WriteOffStatus.IN_REVIEW
    assert world.session.get(Case, world.case.id).stage == Stage.LITIGATION

    # management approves last: 已核销, 账销案存
    boss = world.client(world.boss)
    assert f'data-application="{application.id}"' in section(
        boss.get("/writeoffs").get_data(as_text=True), "awaiting-me"
    )
    assert decide(boss, application, reason="同意核销").status_code == 303
    application = world.reload(application)
    assert application.status == WriteOffStatus.APPROVED
    case = world.session.get(Case, world.case.id)
    assert (case.stage, case.status) == (Stage.WRITTEN_OFF, CaseStatus.ACTIVE)
    assert steps_of(world, application) == [
        (1, "approve", world.finance.id),
        (1, "approve", world.boss.id),
    ]
    page = boss.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    sheet = section(page, "approval")
    for shown in ("孙财务", "刘总", "同意核销"):
        assert shown in sheet
    assert 'data-testid="decision"' not in page
    casepage = legal.get(f"/cases/{world.case.id}").get_data(as_text=True)
    panel = section(casepage, "writeoffs")
    assert "Written off: kept on file and open to recovery" in panel
    assert re.search(r'data-testid="written-off-amount">\D*[\d,]+\.\d\d<', panel)
    assert f"/writeoffs/{application.id}" in panel


def test_the_approval_chain_follows_the_configured_threshold(world, session_factory, tmp_path):
    from webapp import create_app

    def chain_under(setting: str) -> list[str]:
        app = create_app(
            {
                "ENV": "testing",
                "DATABASE_URL": world.app.extensions["qingshou_settings"].DATABASE_URL,
                "UPLOAD_DIR": str(tmp_path / "uploads"),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "WRITEOFF_SECOND_APPROVAL_ABOVE": setting,
            }
        )
        app.extensions["qingshou_db"].session_factory = session_factory
        world.app = app
        application = world.application()
        response = world.client(world.legal).post(f"/writeoffs/{application.id}/submit")
        assert response.status_code == 303
        chain = world.reload(application).chain
        world.session.info["actor_id"] = world.legal.id
        ops.withdraw(world.session, world.legal, world.reload(application))
        world.session.commit()
        return chain

    assert chain_under("5000000") == ["finance", "management"]
    assert chain_under("100000") == ["finance", "management", "management"]
    assert chain_under("none") == ["finance", "management"]


def test_the_setting_is_read_from_the_environment(monkeypatch):
    from webapp.config import Settings

    def above() -> Decimal | None:
        return Settings.load().WRITEOFF_SECOND_APPROVAL_ABOVE

    assert above() == Decimal("5000000.00")
    monkeypatch.setenv("QS_WRITEOFF_SECOND_APPROVAL_ABOVE", "200000")
    assert above() == Decimal("200000.00")
    monkeypatch.setenv("QS_WRITEOFF_SECOND_APPROVAL_ABOVE", "none")
    assert above() is None
    monkeypatch.setenv("QS_WRITEOFF_SECOND_APPROVAL_ABOVE", "五百万")
    with pytest.raises(RuntimeError, match="QS_WRITEOFF_SECOND_APPROVAL_ABOVE"):
        Settings.load()


@pytest.fixture
def low_threshold(app):
    app.extensions["qingshou_settings"].WRITEOFF_SECOND_APPROVAL_ABOVE = Decimal("100000.00")


def test_above_the_threshold_a_second_manager_approves_and_nobody_twice(world, low_threshold):
    application = world.application()
    assert world.client(world.legal).post(f"/writeoffs/{application.id}/submit").status_code == 303
    application = world.reload(application)
    assert application.chain == ["finance", "management", "management"]
    assert decide(world.client(world.finance), application).status_code == 303
    boss = world.client(world.boss)
    assert decide(boss, world.reload(application)).status_code == 303
    application = world.reload(application)
    assert application.status == WriteOffStatus.IN_REVIEW  # a second manager still to approve

    # the same manager again: refused, with the reason, and not offered the form
    page = boss.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert 'data-testid="decision"' not in page
    twice = decide(boss, application)
    assert twice.status_code == 403
    assert "You have already decided a step of this application" in twice.get_data(as_text=True)
    assert len(steps_of(world, application)) == 2

    assert decide(world.client(world.boss2), world.reload(application)).status_code == 303
    assert world.reload(application).status == WriteOffStatus.APPROVED


def test_a_stale_page_is_refused_and_nothing_changes(world, low_threshold):
    application = world.application()
    assert world.client(world.legal).post(f"/writeoffs/{application.id}/submit").status_code == 303
    decide(world.client(world.finance), world.reload(application))
    seen = world.reload(application).version  # both managers open the page now
    assert decide(world.client(world.boss), application, version=seen).status_code == 303
    stale = decide(world.client(world.boss2), application, version=seen)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone else changed this write-off application at the same time" in html
    assert len(steps_of(world, application)) == 2  # the stale decision wrote nothing
    assert world.reload(application).status == WriteOffStatus.IN_REVIEW
    # the page shown again carries the current version: deciding from it works
    current = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert int(current) == world.reload(application).version
    again = decide(world.client(world.boss2), application, version=int(current))
    assert again.status_code == 303
    assert world.reload(application).status == WriteOffStatus.APPROVED


def test_nobody_approves_their_own_application(world, monkeypatch):
    monkeypatch.setitem(
        policies.CAPABILITIES, "writeoff.apply", frozenset({Role.LEGAL, Role.MANAGEMENT})
    )
    application = world.application(user=world.boss)
    boss = world.client(world.boss)
    assert boss.post(f"/writeoffs/{application.id}/submit").status_code == 303
    decide(world.client(world.finance), world.reload(application))
    application = world.reload(application)
    assert f'data-application="{application.id}"' not in section(
        boss.get("/writeoffs").get_data(as_text=True), "awaiting-me"
    )
    assert 'data-testid="decision"' not in boss.get(f"/writeoffs/{application.id}").get_data(
        as_text=True
    )
    own = decide(boss, application)
    assert own.status_code == 403
    assert "Nobody may approve their own write-off application" in own.get_data(as_text=True)
    assert world.reload(application).status == WriteOffStatus.IN_REVIEW
    assert decide(world.client(world.boss2), application).status_code == 303


def test_a_step_is_decided_only_in_its_turn_and_role(world):
    application = world.submitted()
    early = decide(world.client(world.boss), application)  # finance reviews first
    assert early.status_code == 403
    assert len(steps_of(world, application)) == 0
    assert decide(world.client(world.legal), application).status_code == 403


def test_rejection_needs_a_reason_and_returns_it_to_the_applicant_who_resubmits(world):
    application = world.submitted()
    finance = world.client(world.finance)
    bare = decide(finance, application, decision="reject", reason="  ")
    assert bare.status_code == 422
    assert errors(bare.get_data(as_text=True))["reason"] == ["Give the reason for rejecting"]
    assert world.reload(application).status == WriteOffStatus.SUBMITTED
    done = decide(finance, application, decision="reject", reason="请补充财产调查报告")
    assert done.status_code == 303
    application = world.reload(application)
    assert application.status == WriteOffStatus.REJECTED

    legal = world.client(world.legal)
    mine = legal.get("/writeoffs").get_data(as_text=True)
    assert f'data-application="{application.id}"' in section(mine, "mine")
    assert "Returned to the applicant" in section(mine, "mine")
    page = legal.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert "请补充财产调查报告" in section(page, "approval")
    edit = legal.get(f"/writeoffs/{application.id}/edit")
    assert edit.status_code == 200
    form = values(edit.get_data(as_text=True))
    assert form["reason"] == REASON.value
    changed = {k: v for k, v in form.items() if k.startswith("ev.") and v}
    changed = {k: v for k, v in changed.items() if not k.endswith(".add")}
    # the checkbox values are read back from the page as ticked ("y"): send the real values
    html = edit.get_data(as_text=True)
    links = dict(re.findall(r'name="(ev\.[a-z_]+\.\d+)" value="([a-z]+:\d+)" checked', html))
    assert len(links) == len(ITEMS) == len(changed)
    resubmit = legal.post(
        f"/writeoffs/{application.id}/edit",
        data=form_data(world, action="submit", reason_detail="已补充财产调查情况。", **links),
    )
    assert resubmit.status_code == 303
    application = world.reload(application)
    assert (application.status, application.round_no) == (WriteOffStatus.SUBMITTED, 2)
    assert application.reason_detail == "已补充财产调查情况。"
    # a new round: finance decides again; the earlier round stays on the page
    assert decide(finance, application).status_code == 303
    page = finance.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert 'data-testid="earlier-steps"' in page
    assert steps_of(world, application) == [
        (1, "reject", world.finance.id),
        (2, "approve", world.finance.id),
    ]


def test_a_decision_on_a_draft_is_refused(world):
    application = world.application()
    response = decide(world.client(world.finance), application)
    assert response.status_code == 422
    assert "cannot be changed this way now" in response.get_data(as_text=True)


# ---- who sees what ------------------------------------------------------------------------------


def test_counsel_are_kept_out(world, make_user, make_firm, make_case):
    firm = make_firm()
    engaged = make_case(actor=world.legal, firm=firm)
    world.session.info["actor_id"] = world.legal.id
    move_stage(world.session, world.legal, engaged, Action.ACCEPT)
    world.session.commit()
    world.case = engaged
    application = world.application()
    own = world.client(make_user(Role.COUNSEL, firm=firm))
    other = world.client(make_user(Role.COUNSEL))
    assert own.get("/writeoffs").status_code == 403
    assert other.get("/writeoffs").status_code == 403
    assert own.get(f"/writeoffs/{application.id}").status_code == 403
    assert other.get(f"/writeoffs/{application.id}").status_code == 404
    assert other.post(f"/writeoffs/{application.id}/decide", data={}).status_code == 404
    assert own.get(f"/cases/{engaged.id}/writeoffs/new").status_code == 403
    assert other.get(f"/cases/{engaged.id}/writeoffs/new").status_code == 404
    page = own.get(f"/cases/{engaged.id}").get_data(as_text=True)
    assert 'id="writeoffs"' not in page  # a draft is the company's business


def test_the_written_off_case_stays_searchable_and_open_to_money(world, make_user, make_firm):
    application = world.submitted()
    decide(world.client(world.finance), world.reload(application))
    decide(world.client(world.boss), world.reload(application))
    assert world.reload(application).status == WriteOffStatus.APPROVED
    case_id = world.case.id

    legal = world.client(world.legal)
    debtor = world.session.get(Case, case_id)
    listing = legal.get("/cases", query_string={"q": debtor.number}).get_data(as_text=True)
    assert f"/cases/{case_id}" in listing

    # money still comes in: reported by legal, confirmed by finance
    reported = legal.post(
        f"/cases/{case_id}/payments",
        data={
            "received_on": world.reload(application).written_off_on.isoformat(),
            "amount": "8,000.00",
            "payer": "债务人股东",
            "method": "bank_transfer",
            "bank_ref": f"WO-{uuid.uuid4().hex[:8]}",
        },
    )
    assert reported.status_code == 303
    payment = world.session.exec(select(Payment).where(Payment.case_id == case_id)).one()
    assert payment.status == PaymentStatus.PENDING
    confirmed = world.client(world.finance).post(f"/cases/{case_id}/payments/{payment.id}/confirm")
    assert confirmed.status_code in (302, 303)
    world.session.expire_all()
    assert world.session.get(Payment, payment.id).status == PaymentStatus.CONFIRMED

    panel = section(legal.get(f"/cases/{case_id}").get_data(as_text=True), "writeoffs")
    assert re.search(r'data-testid="recovered-after">\D*8,000\.00<', panel)
    assert "债务人股东" in panel
    page = legal.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert 'data-testid="after-writeoff"' in section(page, "recovery-history")
    assert re.search(r'data-testid="recovered-after">\D*8,000\.00<', page)


def test_the_queue_lists_my_applications_by_status(world):
    draft = world.application()
    page = world.client(world.legal).get("/writeoffs").get_data(as_text=True)
    mine = section(page, "mine")
    assert f'data-application="{draft.id}"' in mine
    assert "Draft" in mine
    assert 'id="awaiting-me"' not in page  # legal staff decide nothing
    for user in (world.finance, world.boss):
        page = world.client(user).get("/writeoffs").get_data(as_text=True)
        assert 'id="mine"' not in page
        assert 'id="awaiting-me"' in page


def test_the_pages_speak_chinese_by_default(world):
    application = world.submitted()
    client = world.client(world.finance)
    client.post("/lang/zh")
    page = client.get(f"/writeoffs/{application.id}").get_data(as_text=True)
    assert "核销申请" in page
    assert "法律意见" in page
    assert "证据清单" in page
    queue = client.get("/writeoffs").get_data(as_text=True)
    assert "待我审批" in queue


def test_decisions_are_audited_with_actor_and_time(world):
    from cases.audit.models import AuditEntry

    application = world.submitted()
    decide(world.client(world.finance), world.reload(application))
    entries = world.session.exec(
        select(AuditEntry).where(
            AuditEntry.case_id == world.case.id, AuditEntry.entity == "writeoff_step"
        )
    ).all()
    assert [(e.actor_id, e.changes["decision"][1]) for e in entries] == [
        (world.finance.id, Decision.APPROVE.value)
    ]
    assert entries[0].at is not None
