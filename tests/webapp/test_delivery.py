"""Proof of delivery on the case page: register a sending, record its outcome (or both at
once) with the receipt, see the limitation date move (old → new) and the key date link to the
delivery, undo; refused forms keep what was typed; another firm's counsel sees nothing."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.delivery.models import Delivery, DeliveryStatus
from cases.delivery.operations import record_delivery
from cases.documents.archive import archive_document
from cases.register.keydates import KeyDate, KeyDateKind
from cases.timeline.models import Attachment, Event
from cases.users.models import LawFirm, Role
from tests.webapp.casefile_html import count, errors, flashes, section, values

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)
CLAIM = {
    "contract_ref": "HT-2024-007",
    "contract_title": "钢材购销合同",
    "principal": Decimal("250000.00"),
    "due_date": "2024-03-15",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def firm(make_firm):
    return make_firm("金诚律师事务所")


@pytest.fixture
def case(make_case, firm):
    return make_case(firm=firm, claims=[CLAIM])


@pytest.fixture
def letter(app, session, case, make_user):
    legal = make_user(Role.LEGAL)
    session.info["actor_id"] = legal.id
    doc = archive_document(
        session,
        legal,
        case,
        app.extensions["qingshou_files"],
        template="lawyer_letter",
        template_version="1",
        title="律师函",
        context={},
        docx=b"PK\x03\x04 letter",
    )
    doc.created_at = datetime(2026, 2, 27, 9, 0, tzinfo=BUSINESS_TZ)
    session.commit()
    return doc


def sending(letter, **fields):
    return {
        "document_id": str(letter.id),
        "title": "",
        "carrier": "ems",
        "tracking_no": "1186 5432 1098 7",
        "sent_on": "2026-03-01",
        "status": "",
        "outcome_on": "",
        "signer": "",
        "note": "",
        **fields,
    }


def page(client, case) -> str:
    return client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_panel_offers_the_cases_letters(client, login_as, case, letter):
    login_as(Role.LEGAL)
    panel = section(page(client, case), "delivery")
    assert "送达证明" in panel
    form = values(panel)
    assert form["document_id"] == str(letter.id)
    assert (form["carrier"], form["sent_on"]) == ("ems", "2026-11-20")
    assert "律师函（第 1 稿，2026年2月27日）" in panel


def test_register_then_record_the_outcome_and_see_the_date_move(
    client, login_as, session, case, letter
):
    login_as(Role.COUNSEL, firm=case_firm(session, case))
    response = client.post(f"/cases/{case.id}/deliveries", data=sending(letter))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#delivery-" + str(delivery_id(session)))
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已登记寄送：律师函，中国邮政EMS 1186543210987，2026年3月1日 寄出。" in flashes(shown)
    assert "律师函》已寄出" in section(shown, "timeline")

    receipt = (io.BytesIO(b"%PDF-1.4 signed receipt"), "签收回执.pdf")
    response = client.post(
        f"/cases/{case.id}/deliveries/{delivery_id(session)}/outcome",
        data={
            "status": "delivered",
            "outcome_on": "2026-03-04",
            "signer": "王会计",
            "file": receipt,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(shown) == [
        "2026年3月4日 由 王会计 签收。 诉讼时效中断（诉讼时效规定 第八条），自该日起重新计算。 "
        "诉讼时效届满日：HT-2024-007 2027年3月15日 → 2029年3月5日。"
    ]
    delivery = session.exec(select(Delivery)).one()
    assert delivery.status == DeliveryStatus.DELIVERED
    key = session.get(KeyDate, delivery.key_date_id)
    assert (key.kind, key.on) == (KeyDateKind.DEMAND_DELIVERED, date(2026, 3, 4))
    deadlines = section(shown, "deadlines")
    assert "2029年3月5日" in deadlines
    assert f'href="#delivery-{delivery.id}"' in deadlines  # the key date links to the delivery
    assert f"/attachments/{delivery.receipt_id}" in deadlines  # and to the receipt
    timeline = section(shown, "timeline")
    assert "2027年3月15日 → 2029年3月5日" in timeline
    assert "签收回执.pdf" in timeline
    assert session.get(Attachment, delivery.receipt_id).event_id == delivery.outcome_event_id


def case_firm(session, case):
    return session.get(LawFirm, case.firm_id)


def delivery_id(session) -> int:
    return session.exec(select(Delivery.id)).one()


def test_both_at_once_refused_returns_no_interruption(client, login_as, session, case, letter):
    login_as(Role.LEGAL)
    data = sending(letter, status="returned", outcome_on="2026-03-09", note="查无此人")
    shown = client.post(f"/cases/{case.id}/deliveries", data=data, follow_redirects=True)
    messages = flashes(shown.get_data(as_text=True))
    assert messages[1] == (
        "2026年3月9日 退回未妥投。 诉讼时效不中断（诉讼时效规定 第八条：文书未到达债务人）。"
    )
    assert count(session, KeyDate) == 0


def test_a_refused_form_keeps_what_was_typed_and_stores_nothing(
    client, login_as, session, case, letter
):
    login_as(Role.LEGAL)
    before = (count(session, Delivery), count(session, Event))
    data = sending(letter, tracking_no="12", status="delivered", outcome_on="2026-03-04")
    response = client.post(f"/cases/{case.id}/deliveries", data=data)
    assert response.status_code == 422
    panel = section(response.get_data(as_text=True), "delivery")
    assert errors(panel) == {
        "tracking_no": ["运单号应为6至40位字母或数字"],
        "signer": ["请填写签收人（以回执为准）"],
    }
    typed = values(panel)
    assert (typed["tracking_no"], typed["status"], typed["outcome_on"]) == (
        "12",
        "delivered",
        "2026-03-04",
    )
    assert (count(session, Delivery), count(session, Event)) == before


def test_an_outcome_before_the_sending_is_refused_beside_its_field(
    client, login_as, session, case, letter
):
    user = login_as(Role.LEGAL)
    session.info["actor_id"] = user.id
    done = record_delivery(session, user, case, {**sending(letter), "document_id": letter.id})
    session.commit()
    response = client.post(
        f"/cases/{case.id}/deliveries/{done.delivery.id}/outcome",
        data={"status": "refused", "outcome_on": "2026-02-28"},
    )
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert errors(section(shown, "delivery")) == {"outcome_on": ["早于寄出日期（2026-03-01）"]}
    assert "open>" in section(shown, "delivery").split(f"delivery-{done.delivery.id}")[1]
    session.expire_all()
    assert session.get(Delivery, done.delivery.id).status == DeliveryStatus.SENT


def test_a_second_outcome_is_refused(client, login_as, session, case, letter):
    user = login_as(Role.LEGAL)
    session.info["actor_id"] = user.id
    outcome = {"status": "delivered", "outcome_on": "2026-03-04", "signer": "王会计"}
    done = record_delivery(
        session, user, case, {**sending(letter), "document_id": letter.id}, outcome
    )
    session.commit()
    response = client.post(
        f"/cases/{case.id}/deliveries/{done.delivery.id}/outcome",
        data={"status": "returned", "outcome_on": "2026-03-05"},
    )
    assert response.status_code == 422
    assert "该邮件的送达结果已登记。如需更正，请撤销这条送达记录后重新登记。" in flashes(
        response.get_data(as_text=True)
    )


def test_undo_removes_the_record_and_the_date_falls_back(client, login_as, session, case, letter):
    user = login_as(Role.LEGAL)
    session.info["actor_id"] = user.id
    outcome = {"status": "refused", "outcome_on": "2026-03-04"}
    done = record_delivery(
        session, user, case, {**sending(letter), "document_id": letter.id}, outcome
    )
    session.commit()
    response = client.post(f"/cases/{case.id}/deliveries/{done.delivery.id}/delete")
    assert response.status_code == 303
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(shown) == [
        "送达记录 1186543210987 及其关键日期已撤销。 "
        "诉讼时效届满日：HT-2024-007 2029年3月5日 → 2027年3月15日。"
    ]
    assert (count(session, Delivery), count(session, KeyDate)) == (0, 0)


def test_a_receipt_added_later(client, login_as, session, case, letter):
    user = login_as(Role.COUNSEL, firm=case_firm(session, case))
    session.info["actor_id"] = user.id
    outcome = {"status": "delivered", "outcome_on": "2026-03-04", "signer": "王会计"}
    done = record_delivery(
        session, user, case, {**sending(letter), "document_id": letter.id}, outcome
    )
    session.commit()
    url = f"/cases/{case.id}/deliveries/{done.delivery.id}/receipt"
    bad = client.post(
        url, data={"file": (io.BytesIO(b"MZ"), "回执.exe")}, content_type="multipart/form-data"
    )
    assert bad.status_code == 422
    assert errors(section(bad.get_data(as_text=True), "delivery")) == {
        "file": ["不接受“.exe”类型的文件"]
    }
    good = client.post(
        url,
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n..."), "回执.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    session.expire_all()
    receipt = session.get(Attachment, session.get(Delivery, done.delivery.id).receipt_id)
    assert (receipt.original_name, receipt.case_id) == ("回执.png", case.id)


# ---- who may ------------------------------------------------------------------------------------


def test_another_firms_counsel_gets_404_everywhere(
    client, login_as, session, case, letter, make_firm
):
    user = login_as(Role.LEGAL)
    session.info["actor_id"] = user.id
    done = record_delivery(session, user, case, {**sending(letter), "document_id": letter.id})
    session.commit()
    login_as(Role.COUNSEL, firm=make_firm())
    base = f"/cases/{case.id}/deliveries"
    for url in (
        base,
        f"{base}/{done.delivery.id}/outcome",
        f"{base}/{done.delivery.id}/receipt",
        f"{base}/{done.delivery.id}/delete",
    ):
        assert client.post(url, data=sending(letter)).status_code == 404, url
    assert count(session, Delivery) == 1


def test_a_delivery_of_another_case_is_404(
    client, login_as, session, case, letter, make_case, firm
):
    user = login_as(Role.LEGAL)
    session.info["actor_id"] = user.id
    done = record_delivery(session, user, case, {**sending(letter), "document_id": letter.id})
    other = make_case(firm=firm)
    session.commit()
    response = client.post(f"/cases/{other.id}/deliveries/{done.delivery.id}/delete")
    assert response.status_code == 404
    assert count(session, Delivery) == 1


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_finance_and_management_see_but_do_not_record(
    client, login_as, session, case, letter, role
):
    user = login_as(Role.LEGAL)
    session.info["actor_id"] = user.id
    record_delivery(session, user, case, {**sending(letter), "document_id": letter.id})
    session.commit()
    login_as(role)
    panel = section(page(client, case), "delivery")
    assert "1186543210987" in panel
    assert "delivery-form" not in panel
    assert client.post(f"/cases/{case.id}/deliveries", data=sending(letter)).status_code == 403
