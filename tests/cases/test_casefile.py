"""Reading a case file (cases.register.casefile): what the case page is built from."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from cases.base import BUSINESS_TZ
from cases.errors import NotFound
from cases.ledger.operations import record_payment
from cases.register import casefile
from cases.register.operations import move_stage
from cases.timeline.operations import attach_file, log_event
from cases.timeline.storage import FileStore
from cases.users.models import Role
from tests.factories import valid_ric

PDF = b"%PDF-1.4 test"


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


@pytest.fixture
def legal(make_user, session):
    user = make_user(Role.LEGAL, name="周法务")
    session.info["actor_id"] = user.id
    return user


def test_load_gathers_claims_parties_timeline_payments_and_files(session, make_case, legal, store):
    case = make_case(
        actor=legal,
        claims=[
            {
                "contract_ref": "A-1",
                "contract_title": "买卖合同",
                "principal": "100.10",
                "due_date": "2025-01-31",
            },
            {
                "contract_ref": "A-2",
                "contract_title": "买卖合同",
                "principal": "50.05",
                "due_date": "2024-12-31",
            },
        ],
        guarantors=[{"party": {"kind": "person", "name": "担保人甲", "id_number": valid_ric()}}],
    )
    contact = log_event(
        session,
        legal,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "summary": "电话催收",
            "occurred_at": datetime(2025, 3, 1, 10, 0, tzinfo=BUSINESS_TZ),
        },
    )
    payment = record_payment(
        session, legal, case, {"received_on": "2025-04-01", "amount": "20.00", "payer": "债务人"}
    )
    on_contact = attach_file(
        session,
        legal,
        case,
        store,
        filename="录音.mp3",
        data=b"ID3...",
        max_bytes=2**20,
        event=contact,
    )
    loose = attach_file(session, legal, case, store, filename="合同.pdf", data=PDF, max_bytes=2**20)

    file = casefile.load(session, case)

    assert [c.contract_ref for c in file.claims] == ["A-1", "A-2"]
    assert file.principal_total == Decimal("150.15")
    assert [party.name for _, party in file.guarantors] == ["担保人甲"]
    assert file.debtor.id == case.debtor_id
    assert file.creditor.id == case.creditor_id
    assert [entry.event.kind for entry in file.timeline] == ["stage_change", "payment", "contact"]
    assert file.timeline[1].payment == payment
    assert file.timeline[2].attachments == [on_contact]
    assert file.timeline[2].actor_name == "周法务"
    assert {a.id for a in file.documents} == {on_contact.id, loose.id}
    assert file.payments == [payment]
    assert file.user_name(payment.recorded_by_id) == "周法务"
    assert file.claim_ref(file.claims[1].id) == "A-2"


def test_overdue_days_and_aging_count_from_the_oldest_due_date(session, make_case, legal):
    case = make_case(
        actor=legal,
        claims=[
            {
                "contract_ref": "B-1",
                "contract_title": "借款合同",
                "principal": "10",
                "due_date": "2025-01-01",
            }
        ],
    )

    file = casefile.load(session, case)

    assert file.overdue_days(date(2024, 12, 1)) == 0
    assert file.aging(date(2024, 12, 1)) == "Not yet due"
    assert file.overdue_days(date(2025, 1, 31)) == 30
    assert file.aging(date(2025, 1, 31)) == "0–30 days"
    assert file.overdue_days(date(2026, 6, 1)) == 516
    assert file.aging(date(2026, 6, 1)) == "1–2 years"


def test_overdue_days_stop_once_the_principal_is_recovered(session, make_case, make_user, legal):
    case = make_case(
        actor=legal,
        claims=[
            {
                "contract_ref": "B-1",
                "contract_title": "借款合同",
                "principal": "10",
                "due_date": "2025-01-01",
            }
        ],
    )
    record_payment(  # recorded by finance: confirmed money
        session,
        make_user(Role.FINANCE),
        case,
        {"received_on": "2025-03-01", "amount": "10.00", "payer": "债务人", "method": "cash"},
    )

    file = casefile.load(session, case)

    assert (file.overdue_days(date(2026, 6, 1)), file.aging(date(2026, 6, 1))) == (0, None)
    assert case.oldest_due_date == date(2025, 1, 1)


def test_a_stage_note_is_the_text_typed_not_the_default(session, make_case, legal):
    case = make_case(actor=legal)
    move_stage(session, legal, case, "accept")
    move_stage(session, legal, case, "send_letter", note="律师函已EMS寄出")

    notes = [entry.note for entry in casefile.load(session, case).timeline]

    assert notes == ["律师函已EMS寄出", None, None]


def test_audit_trail_is_newest_first_with_actor_names(session, make_case, legal):
    case = make_case(actor=legal)
    move_stage(session, legal, case, "accept")

    rows = casefile.audit_trail(session, case.id)

    assert rows[0].entry.at >= rows[-1].entry.at
    assert {row.actor_name for row in rows} == {"周法务"}
    assert {"case", "claim", "event"} <= {row.entry.entity for row in rows}


def test_a_file_is_found_only_through_its_own_case(session, make_case, legal, store):
    mine, other = make_case(actor=legal), make_case(actor=legal)
    attachment = attach_file(
        session, legal, other, store, filename="x.pdf", data=PDF, max_bytes=2**20
    )

    assert casefile.case_attachment(session, other, attachment.id) == attachment
    with pytest.raises(NotFound):
        casefile.case_attachment(session, mine, attachment.id)
    with pytest.raises(NotFound):
        casefile.case_attachment(session, mine, attachment.id + 1000)


def test_handlers_are_the_active_legal_staff(session, make_user, make_creditor, make_firm):
    active = make_user(Role.LEGAL, name="甲")
    gone = make_user(Role.LEGAL, name="乙")
    gone.is_active = False
    make_user(Role.FINANCE)
    make_user(Role.ADMIN)
    creditor, firm = make_creditor(), make_firm()

    choices = casefile.case_choices(session)

    assert [u.id for u in choices.handlers] == [active.id]
    assert creditor in choices.creditors
    assert firm in choices.firms
    # A case's own handler stays on offer after leaving, so an edit does not drop it unseen.
    offered = casefile.case_choices(session, handler_id=gone.id).handlers
    assert {u.id for u in offered} == {active.id, gone.id}


def test_timeline_breaks_ties_by_newest_entry(session, make_case, legal):
    case = make_case(actor=legal)
    at = datetime.now(BUSINESS_TZ) - timedelta(hours=1)
    first = log_event(session, legal, case, {"kind": "note", "summary": "一", "occurred_at": at})
    second = log_event(session, legal, case, {"kind": "note", "summary": "二", "occurred_at": at})

    notes = [e.event.id for e in casefile.load(session, case).timeline if e.event.kind == "note"]

    assert notes == [second.id, first.id]
