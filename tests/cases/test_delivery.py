"""Proof of delivery: what an outcome does to the limitation period (诉讼时效规定 第八条),
recorded one at a time, undone, and refused when wrong."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.delivery import operations as ops
from cases.delivery.models import Delivery, DeliveryStatus
from cases.delivery.rules import limitation_snapshot
from cases.documents.archive import archive_document
from cases.errors import DomainError, NotFound, PermissionDenied, ValidationError
from cases.register.keydates import KeyDate, KeyDateKind, add_key_date
from cases.register.models import Case
from cases.timeline.models import Attachment, Event, EventKind
from cases.timeline.storage import FileStore
from cases.users.models import Role

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)
DUE = date(2024, 3, 15)  # limitation ends 2027-03-15 with no interruption


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL)


@pytest.fixture
def case(session, make_case, legal) -> Case:
    claim = {
        "contract_ref": "HT-2024-007",
        "contract_title": "钢材购销合同",
        "principal": Decimal("250000.00"),
        "due_date": DUE.isoformat(),
    }
    case = make_case(actor=legal, claims=[claim])
    session.info["actor_id"] = legal.id
    return case


MADE = datetime(2026, 2, 27, 9, 0, tzinfo=BUSINESS_TZ)


def letter(session, actor, case, store, template="lawyer_letter", title="律师函", made=MADE):
    """A demand letter generated on ``case`` on ``made``."""
    doc = archive_document(
        session,
        actor,
        case,
        store,
        template=template,
        template_version="1",
        title=title,
        context={},
        docx=b"PK\x03\x04 letter",
    )
    doc.created_at = made
    session.flush()
    return doc


def limitation(session, case) -> date:
    (only,) = limitation_snapshot(session, case)
    return only[1]


def sending(doc, **kw):
    return {
        "document_id": doc.id,
        "carrier": "ems",
        "tracking_no": "1186 5432 1098 7",
        "sent_on": "2026-03-01",
        **kw,
    }


# ---- the rule, table-driven --------------------------------------------------------------------

SIGNED = {"status": "delivered", "outcome_on": "2026-03-04", "signer": "王会计"}
REFUSED = {"status": "refused", "outcome_on": "2026-03-04", "note": "前台拒收"}
RETURNED = {"status": "returned", "outcome_on": "2026-03-04", "note": "查无此人"}


@pytest.mark.parametrize(
    ("earlier", "outcome", "key_date", "before", "after"),
    [
        pytest.param(
            None,
            SIGNED,
            date(2026, 3, 4),
            date(2027, 3, 15),
            date(2029, 3, 5),  # 2029-03-04 is a Sunday
            id="第八条(二)-signed-for-interrupts-on-the-signed-date",
        ),
        pytest.param(
            None,
            REFUSED,
            date(2026, 3, 4),
            date(2027, 3, 15),
            date(2029, 3, 5),
            id="第八条(二)-refused-should-have-reached-interrupts-on-refusal",
        ),
        pytest.param(
            None,
            RETURNED,
            None,
            date(2027, 3, 15),
            date(2027, 3, 15),
            id="第八条(二)-returned-did-not-reach-no-interruption",
        ),
        pytest.param(
            date(2026, 6, 1),
            SIGNED,
            date(2026, 3, 4),
            date(2029, 6, 1),
            date(2029, 6, 1),
            id="第八条-out-of-order-recorded-but-does-not-move-the-date-back",
        ),
    ],
)
def test_outcome_moves_the_limitation_date(
    session, case, legal, store, earlier, outcome, key_date, before, after
):
    if earlier:
        add_key_date(session, legal, case, {"kind": "demand_delivered", "on": earlier})
    doc = letter(session, legal, case, store)
    delivery = ops.register_sending(session, legal, case, sending(doc))
    assert limitation(session, case) == before

    done = ops.record_outcome(session, legal, case, delivery, outcome)

    assert delivery.status == DeliveryStatus(outcome["status"])
    assert limitation(session, case) == after
    assert [(c.subject, c.before, c.after) for c in done.changes] == [
        ("HT-2024-007", before, after)
    ]
    if key_date is None:
        assert done.key_date is None
        assert delivery.key_date_id is None
    else:
        assert (done.key_date.kind, done.key_date.on) == (KeyDateKind.DEMAND_DELIVERED, key_date)
        assert delivery.key_date_id == done.key_date.id
        assert "EMS 1186543210987" in done.key_date.note
    entry = session.get(Event, delivery.outcome_event_id)
    assert entry.kind == EventKind.DOCUMENT
    assert entry.occurred_at.astimezone(BUSINESS_TZ).date() == date(2026, 3, 4)
    assert "第八条" in entry.summary
    if before != after:
        assert "2027年3月15日 → 2029年3月5日" in entry.summary
    elif key_date is not None:
        assert "已有更晚的中断事由" in entry.summary
        assert "诉讼时效届满日不变（2029年6月1日）" in entry.summary
    else:
        assert "不中断诉讼时效" in entry.summary


def test_the_new_end_rolls_over_a_statutory_holiday(session, make_case, legal):
    """Signed for on 2023-05-01: three years end on 2026-05-01, Labour Day (5月1日–5日), so
    the period ends on the first working day after it (民法典 第203条)."""
    claim = {
        "contract_ref": "HT-2021-001",
        "contract_title": "借款合同",
        "kind": "loan",
        "principal": Decimal("80000.00"),
        "due_date": "2021-06-30",
    }
    case = make_case(actor=legal, claims=[claim])
    assert limitation(session, case) == date(2024, 7, 1)  # 2024-06-30 is a Sunday
    done = ops.record_delivery(
        session,
        legal,
        case,
        {
            "title": "催收函",
            "carrier": "sf",
            "tracking_no": "SF1400235566",
            "sent_on": "2023-04-27",
        },
        {"status": "delivered", "outcome_on": "2023-05-01", "signer": "本人"},
    )
    assert limitation(session, case) == date(2026, 5, 6)
    (change,) = done.changes
    assert (change.before, change.after) == (date(2024, 7, 1), date(2026, 5, 6))
    entry = session.get(Event, done.delivery.outcome_event_id)
    assert "2024年7月1日 → 2026年5月6日" in entry.summary


# ---- undo --------------------------------------------------------------------------------------


def test_undo_removes_the_key_date_and_the_date_falls_back(session, case, legal, store):
    doc = letter(session, legal, case, store)
    done = ops.record_delivery(session, legal, case, sending(doc), SIGNED)
    delivery = done.delivery
    receipt = ops.attach_receipt(
        session,
        legal,
        case,
        delivery,
        store,
        ops.Receipt("回执.pdf", b"%PDF-1.4 r"),
        max_bytes=10**6,
    )
    events = (delivery.sent_event_id, delivery.outcome_event_id)
    assert limitation(session, case) == date(2029, 3, 5)

    undone = ops.remove_delivery(session, legal, case, delivery)

    assert [(c.before, c.after) for c in undone.changes] == [(date(2029, 3, 5), date(2027, 3, 15))]
    assert limitation(session, case) == date(2027, 3, 15)
    assert session.exec(select(Delivery)).all() == []
    assert session.exec(select(KeyDate).where(KeyDate.case_id == case.id)).all() == []
    assert [session.get(Event, e) for e in events] == [None, None]
    kept = session.get(Attachment, receipt.id)
    assert (kept.case_id, kept.event_id) == (case.id, None)  # the evidence stays on the case


def test_a_key_date_removed_by_hand_leaves_the_delivery_without_it(session, case, legal, store):
    from cases.register.keydates import remove_key_date

    done = ops.record_delivery(
        session, legal, case, sending(letter(session, legal, case, store)), SIGNED
    )
    remove_key_date(session, legal, case, done.key_date.id)
    session.expire_all()
    delivery = session.get(Delivery, done.delivery.id)
    assert delivery.key_date_id is None
    assert delivery.status == DeliveryStatus.DELIVERED
    ops.remove_delivery(session, legal, case, delivery)  # undo still works
    assert session.get(Delivery, done.delivery.id) is None


# ---- what is refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"tracking_no": "12 3"}, "tracking_no", "A tracking number is 6 to 40 letters and digits"),
        ({"tracking_no": ""}, "tracking_no", "This field is required"),
        ({"carrier": "dhl"}, "carrier", "Not one of the allowed values"),
        ({"sent_on": "2026-11-21"}, "sent_on", "This date cannot be in the future"),
        (
            {"sent_on": "2026-02-26"},
            "sent_on",
            "The letter was generated on %(date)s: it cannot have been sent before",
        ),
        ({"document_id": None}, "title", "Choose the letter sent, or give the document's title"),
    ],
    ids=[
        "tracking-format",
        "tracking-missing",
        "carrier",
        "future",
        "before-generated",
        "no-letter",
    ],
)
def test_a_bad_sending_is_refused(session, case, legal, store, change, field, message):
    doc = letter(session, legal, case, store)
    with pytest.raises(ValidationError) as caught:
        ops.register_sending(session, legal, case, sending(doc, **change))
    assert [m.msgid for m in caught.value.errors[field]] == [message]
    assert session.exec(select(Delivery)).all() == []


def test_only_this_cases_demand_letters(session, case, make_case, legal, store):
    other = make_case(actor=legal)
    foreign = letter(session, legal, other, store)
    complaint = letter(session, legal, case, store, template="complaint", title="民事起诉状")
    for doc in (foreign, complaint):
        with pytest.raises(ValidationError) as caught:
            ops.register_sending(session, legal, case, sending(doc))
        assert list(caught.value.errors) == ["document_id"]


def test_a_tracking_number_is_recorded_once_per_carrier(session, case, legal, store):
    doc = letter(session, legal, case, store)
    ops.register_sending(session, legal, case, sending(doc))
    with pytest.raises(ValidationError) as caught:
        ops.register_sending(session, legal, case, sending(doc, tracking_no="1186543210987"))
    assert list(caught.value.errors) == ["tracking_no"]
    again = ops.register_sending(session, legal, case, sending(doc, carrier="sf"))
    assert again.tracking_no == "1186543210987"  # another carrier's number space


@pytest.mark.parametrize(
    ("outcome", "field", "message"),
    [
        ({**SIGNED, "signer": " "}, "signer", "Who signed for it? (as on the receipt)"),
        (
            {**SIGNED, "outcome_on": "2026-02-28"},
            "outcome_on",
            "This is before the letter was sent (%(date)s)",
        ),
        ({**SIGNED, "outcome_on": "2026-11-21"}, "outcome_on", "This date cannot be in the future"),
        (
            {**SIGNED, "status": "sent"},
            "status",
            "Say whether it was signed for, refused or returned",
        ),
    ],
    ids=["signer", "before-sent", "future", "not-an-outcome"],
)
def test_a_bad_outcome_is_refused(session, case, legal, store, outcome, field, message):
    delivery = ops.register_sending(
        session, legal, case, sending(letter(session, legal, case, store))
    )
    with pytest.raises(ValidationError) as caught:
        ops.record_outcome(session, legal, case, delivery, outcome)
    assert [m.msgid for m in caught.value.errors[field]] == [message]
    assert delivery.status == DeliveryStatus.SENT
    assert session.exec(select(KeyDate)).all() == []


def test_an_outcome_is_recorded_once(session, case, legal, store):
    done = ops.record_delivery(
        session, legal, case, sending(letter(session, legal, case, store)), RETURNED
    )
    with pytest.raises(DomainError, match="already recorded"):
        ops.record_outcome(session, legal, case, done.delivery, SIGNED)


def test_both_at_once_checks_both_before_storing(session, case, legal, store):
    doc = letter(session, legal, case, store)
    with pytest.raises(ValidationError) as caught:
        ops.record_delivery(
            session, legal, case, sending(doc, tracking_no="x"), {**SIGNED, "signer": ""}
        )
    assert set(caught.value.errors) == {"tracking_no", "signer"}
    assert session.exec(select(Delivery)).all() == []


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT])
def test_finance_and_management_may_not_record(session, case, make_user, role, store, legal):
    doc = letter(session, legal, case, store)
    with pytest.raises(PermissionDenied):
        ops.register_sending(session, make_user(role), case, sending(doc))


def test_a_delivery_is_loaded_through_its_case(session, case, make_case, legal, store):
    done = ops.record_delivery(session, legal, case, sending(letter(session, legal, case, store)))
    other = make_case(actor=legal)
    with pytest.raises(NotFound):
        ops.get_delivery(session, other, done.delivery.id)
    assert ops.get_delivery(session, case, done.delivery.id) is done.delivery


def test_a_letter_from_a_bulk_run_links_the_delivery_to_the_run(session, case, legal, store):
    from cases.documents.bulk import BulkRunItem, ItemStatus
    from tests.factories import letter_run

    run = letter_run(session, legal, [case])
    doc = letter(session, legal, case, store)
    item = session.exec(select(BulkRunItem).where(BulkRunItem.run_id == run.id)).one()
    item.document_id, item.status = doc.id, ItemStatus.DONE
    session.flush()
    delivery = ops.register_sending(session, legal, case, sending(doc))
    assert delivery.run_id == run.id
    assert delivery.title == "律师函"
    sent = session.get(Event, delivery.sent_event_id)
    assert sent.summary == "《律师函》已寄出：中国邮政EMS 1186543210987，寄出日期 2026年3月1日。"
    assert sent.occurred_at == datetime(2026, 3, 1, 12, 0, tzinfo=BUSINESS_TZ)


def test_no_limitation_once_a_suit_is_filed(session, case, legal, store):
    add_key_date(session, legal, case, {"kind": "suit_filed", "on": date(2026, 2, 1)})
    done = ops.record_delivery(
        session, legal, case, sending(letter(session, legal, case, store)), SIGNED
    )
    assert done.changes == []
    assert (
        "本案当前不单独计算诉讼时效" in session.get(Event, done.delivery.outcome_event_id).summary
    )


def test_today_is_allowed(session, case, legal, store):
    doc = letter(session, legal, case, store)
    today = NOW.date().isoformat()
    done = ops.record_delivery(
        session, legal, case, sending(doc, sent_on=today), {**SIGNED, "outcome_on": today}
    )
    assert done.key_date.on == NOW.date()
