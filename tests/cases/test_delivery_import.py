"""A bulk run's deliveries from files: the sendings, then a courier's outcomes — every bad row
reported with its row number, nothing changed when any row is bad, a second upload harmless."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from cases.base import BUSINESS_TZ
from cases.delivery import bulk
from cases.delivery import operations as ops
from cases.delivery.models import Delivery, DeliveryStatus
from cases.delivery.rules import limitation_snapshot
from cases.documents.archive import archive_document
from cases.documents.bulk import BulkRunItem, ItemStatus, RunStatus
from cases.errors import NotFound
from cases.register.keydates import KeyDate
from cases.timeline.storage import FileStore
from cases.users.models import Role
from tests.factories import letter_run

DATA = Path(__file__).resolve().parent.parent / "data"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=BUSINESS_TZ)
MADE = datetime(2026, 2, 27, 9, 0, tzinfo=BUSINESS_TZ)
NUMBERS = [f"11860000000{n}{n}" for n in range(1, 8)]  # 1186000000011 … 77


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(session, make_case, make_user, make_firm, tmp_path):
    """Nine cases of one firm, a run of lawyer's letters over them (all generated)."""
    legal = make_user(Role.LEGAL)
    firm = make_firm()
    claim = {
        "contract_ref": "HT-2024-007",
        "contract_title": "钢材购销合同",
        "principal": Decimal("250000.00"),
        "due_date": "2024-03-15",
    }
    cases = [make_case(actor=legal, firm=firm, claims=[claim]) for _ in range(9)]
    session.info["actor_id"] = legal.id
    run = letter_run(session, legal, cases)
    store = FileStore(tmp_path / "files")
    items = session.exec(select(BulkRunItem).where(BulkRunItem.run_id == run.id)).all()
    by_case = {item.case_id: item for item in items}
    for case in cases:
        doc = archive_document(
            session,
            legal,
            case,
            store,
            template="lawyer_letter",
            template_version="1",
            title="律师函",
            context={},
            docx=b"PK\x03\x04 letter",
        )
        doc.created_at = MADE
        by_case[case.id].document_id, by_case[case.id].status = doc.id, ItemStatus.DONE
    run.status, run.done = RunStatus.DONE, len(cases)
    session.flush()
    return legal, firm, run, cases


def sent(session, world, numbers=NUMBERS):
    """Register a sending (EMS, 2026-03-01) of each case's letter under ``numbers``."""
    legal, _firm, run, cases = world
    letters = {letter.case_id: letter.document for letter in bulk.run_letters(session, run)}
    for case, number in zip(cases, numbers, strict=False):
        ops.register_sending(
            session,
            legal,
            case,
            {
                "document_id": letters[case.id].id,
                "carrier": "ems",
                "tracking_no": number,
                "sent_on": "2026-03-01",
            },
        )
    return {d.tracking_no: d for d in session.exec(select(Delivery))}


def statuses(session) -> dict[str, str]:
    return {d.tracking_no: d.status.value for d in session.exec(select(Delivery))}


def problems(result) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.column, e.message.msgid) for e in result.errors]


# ---- a courier's outcomes ------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["courier_outcomes.csv", "courier_outcomes_en.xlsx"])
def test_a_courier_file_records_every_outcome(session, world, sample):
    legal, _firm, run, cases = world
    sent(session, world, NUMBERS[:4])

    result = bulk.import_outcomes(session, legal, run, sample, (DATA / sample).read_bytes())

    assert problems(result) == []
    assert result.ignored_columns == []
    assert [(r.row, r.tracking_no, r.status, r.outcome_on) for r in result.recorded] == [
        (2, NUMBERS[0], DeliveryStatus.DELIVERED, date(2026, 3, 4)),
        (3, NUMBERS[1], DeliveryStatus.REFUSED, date(2026, 3, 5)),
        (4, NUMBERS[2], DeliveryStatus.RETURNED, date(2026, 3, 9)),
    ]
    assert [(r.row, r.status) for r in result.skipped] == [(5, "in_transit")]
    counts = [result.count(s) for s in DeliveryStatus] + [result.moved, result.in_transit]
    assert counts == [0, 1, 1, 1, 2, 1]
    assert statuses(session) == dict(
        zip(NUMBERS[:4], ["delivered", "refused", "returned", "sent"], strict=True)
    )
    keys = session.exec(select(KeyDate.case_id, KeyDate.on).order_by(KeyDate.on)).all()
    assert keys == [(cases[0].id, date(2026, 3, 4)), (cases[1].id, date(2026, 3, 5))]
    # 第八条: signed for and refused restart the 3 years; returned leaves the date alone
    ends = [limitation_snapshot(session, case)[0][1] for case in cases[:3]]
    assert ends == [date(2029, 3, 5), date(2029, 3, 5), date(2027, 3, 15)]
    assert [(c.before, c.after) for c in result.recorded[0].changes] == [
        (date(2027, 3, 15), date(2029, 3, 5))
    ]
    refused = session.exec(select(Delivery).where(Delivery.tracking_no == NUMBERS[1])).one()
    assert (refused.signer, refused.outcome_note) == (
        None,
        "收件人拒收" if "csv" in sample else "refused at reception",
    )


def test_the_same_file_again_changes_nothing(session, world):
    legal, _firm, run, _cases = world
    sent(session, world, NUMBERS[:4])
    content = (DATA / "courier_outcomes.csv").read_bytes()
    bulk.import_outcomes(session, legal, run, "courier_outcomes.csv", content)
    keys = session.exec(select(KeyDate.id)).all()

    again = bulk.import_outcomes(session, legal, run, "courier_outcomes.csv", content)

    assert problems(again) == []
    assert again.recorded == []
    assert [r.row for r in again.skipped] == [2, 3, 4, 5]
    assert session.exec(select(KeyDate.id)).all() == keys


def test_every_bad_row_is_reported_and_nothing_is_recorded(session, world):
    legal, _firm, run, cases = world
    deliveries = sent(session, world)
    ops.record_outcome(
        session,
        legal,
        cases[5],
        deliveries[NUMBERS[5]],
        {"status": "delivered", "outcome_on": "2026-03-04", "signer": "吴九"},
    )
    before = statuses(session)
    keys = session.exec(select(KeyDate.id)).all()

    content = (DATA / "courier_outcomes_bad.csv").read_bytes()
    result = bulk.import_outcomes(session, legal, run, "courier_outcomes_bad.csv", content)

    assert problems(result) == [
        (2, "运单号", "No sending of this run has this tracking number"),
        (3, "签收时间", "Not a valid date (YYYY-MM-DD)"),
        (4, "签收时间", "This date cannot be in the future"),
        (5, "状态", "Not one of the allowed values: %(allowed)s"),
        (6, "签收人", "Who signed for it? (as on the receipt)"),
        (7, "签收时间", "This is before the letter was sent (%(date)s)"),
        (8, "状态", "Already recorded differently: %(status)s on %(date)s"),
        (9, "运单号", "This field is required"),
        (11, "运单号", "The same tracking number is on row %(row)s"),
    ]
    assert result.errors[-1].message.params == {"row": 10}
    assert result.recorded == []
    assert statuses(session) == before
    assert session.exec(select(KeyDate.id)).all() == keys


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (
            "签收人,备注\n张三,\n".encode(),
            "Required columns are missing from the first row: %(columns)s. Use the headers "
            "of the import template.",
        ),
        ("运单号,状态\n".encode(), "The file has no data rows below the header."),
    ],
    ids=["empty", "no-tracking-column", "header-only"],
)
def test_a_file_that_cannot_be_read_is_refused_whole(session, world, content, message):
    legal, _firm, run, _cases = world
    result = bulk.import_outcomes(session, legal, run, "results.csv", content)
    assert problems(result) == [(None, None, message)]


def test_a_carrier_column_tells_equal_numbers_apart(session, world):
    """EMS and SF number their parcels independently: a bare number matching both is refused."""
    legal, _firm, run, cases = world
    sent(session, world, NUMBERS[:1])  # EMS, on the first case
    ops.register_sending(
        session,
        legal,
        cases[1],
        {
            "document_id": None,
            "title": "催收函",
            "carrier": "sf",
            "tracking_no": NUMBERS[0],
            "sent_on": "2026-03-01",
        },
    )
    session.exec(select(Delivery).where(Delivery.carrier == "sf")).one().run_id = run.id
    session.flush()
    row = f"{NUMBERS[0]},已签收,2026-03-04,王会计\n"
    ambiguous = bulk.import_outcomes(
        session, legal, run, "r.csv", f"运单号,状态,签收时间,签收人\n{row}".encode()
    )
    assert problems(ambiguous) == [
        (2, "运单号", "Several carriers have this tracking number: add a carrier column")
    ]
    named = bulk.import_outcomes(
        session,
        legal,
        run,
        "r.csv",
        f"运单号,状态,签收时间,签收人,快递公司\n{row[:-1]},顺丰\n".encode(),
    )
    assert problems(named) == []
    assert [r.case_id for r in named.recorded] == [cases[1].id]
    by_carrier = {d.carrier.value: d.status.value for d in session.exec(select(Delivery))}
    assert by_carrier == {"ems": "sent", "sf": "delivered"}


# ---- registering the sendings --------------------------------------------------------------------


def filled(session, run, rows: dict[int, list[str]]) -> bytes:
    """The run's sendings template with cells filled in by row number (2 = first data row)."""
    lines = list(csv.reader(io.StringIO(bulk.sendings_template(session, run).decode("utf-8-sig"))))
    for number, cells in rows.items():
        lines[number - 1][3 : 3 + len(cells)] = cells
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    return out.getvalue().encode("utf-8-sig")


def test_the_template_lists_the_runs_letters(session, world):
    _legal, _firm, run, cases = world
    rows = list(csv.reader(io.StringIO(bulk.sendings_template(session, run).decode("utf-8-sig"))))
    assert rows[0] == ["案件编号", "债务人", "文书", "运单号", "快递公司", "寄出日期"]
    assert sorted(r[0] for r in rows[1:]) == sorted(c.number for c in cases)
    assert {r[2] for r in rows[1:]} == {"律师函"}


def test_sendings_from_the_filled_template(session, world):
    legal, _firm, run, cases = world
    content = filled(
        session,
        run,
        {2: [NUMBERS[0]], 3: [NUMBERS[1], "顺丰", "2026-03-02"], 4: [NUMBERS[2], "", "2026/3/3"]},
    )
    result = bulk.import_sendings(
        session, legal, run, "寄送.csv", content, carrier="ems", sent_on=date(2026, 3, 1)
    )
    assert problems(result) == []
    assert len(result.registered) == 3
    assert result.unsent == [5, 6, 7, 8, 9, 10]  # the letters not posted
    rows = session.exec(select(Delivery).order_by(Delivery.tracking_no)).all()
    assert [(d.carrier.value, d.sent_on, d.run_id, d.title) for d in rows] == [
        ("ems", date(2026, 3, 1), run.id, "律师函"),
        ("sf", date(2026, 3, 2), run.id, "律师函"),
        ("ems", date(2026, 3, 3), run.id, "律师函"),
    ]
    again = bulk.import_sendings(
        session, legal, run, "寄送.csv", content, carrier="ems", sent_on=date(2026, 3, 1)
    )
    assert (problems(again), len(again.registered), len(again.skipped)) == ([], 0, 3)


def test_every_bad_sending_is_reported_and_nothing_is_registered(session, world, make_case):
    legal, firm, run, cases = world
    failed = session.exec(select(BulkRunItem).where(BulkRunItem.case_id == cases[6].id)).one()
    failed.status, failed.document_id = ItemStatus.FAILED, None
    outsider = make_case(actor=legal, firm=firm)
    ops.register_sending(
        session,
        legal,
        cases[0],
        {"title": "催收函", "carrier": "ems", "tracking_no": NUMBERS[6], "sent_on": "2026-02-01"},
    )
    lines = [
        "案件编号,运单号,快递公司,寄出日期",
        f"{cases[0].number},{NUMBERS[0]},,",  # 2: good
        f"{outsider.number},{NUMBERS[1]},,",  # 3: not in the run
        f"{cases[0].number},{NUMBERS[2]},,",  # 4: the same case again
        f"{cases[1].number},{NUMBERS[0]},,",  # 5: the same tracking number again
        f"{cases[2].number},12-3,,",  # 6: not a tracking number
        f"{cases[3].number},{NUMBERS[3]},DHL,",  # 7: unknown carrier
        f"{cases[4].number},{NUMBERS[4]},,2026-12-01",  # 8: in the future
        f"{cases[5].number},{NUMBERS[5]},,2026-02-01",  # 9: before the letter was made
        f"{cases[6].number},{NUMBERS[5]}9,,",  # 10: its letter failed
        f"{cases[7].number},{NUMBERS[6]},,",  # 11: recorded on another delivery
        f"{cases[8].number},,,2026-03-01",  # 12: a date but no tracking number
        f"{cases[8].number},,,",  # 13: not sent: left out
    ]
    result = bulk.import_sendings(
        session,
        legal,
        run,
        "s.csv",
        "\n".join(lines).encode(),
        carrier="ems",
        sent_on=date(2026, 3, 1),
    )
    assert problems(result) == [
        (3, "案件编号", "This case is not in this run"),
        (4, "案件编号", "The same case is on row %(row)s"),
        (5, "运单号", "The same tracking number is on row %(row)s"),
        (6, "运单号", "A tracking number is 6 to 40 letters and digits"),
        (7, "快递公司", "Not one of the allowed values: %(allowed)s"),
        (8, "寄出日期", "This date cannot be in the future"),
        (9, "寄出日期", "The letter was generated on %(date)s: it cannot have been sent before"),
        (10, "案件编号", "No letter was generated for this case in this run"),
        (11, "运单号", "This tracking number is already recorded for this carrier."),
        (12, "运单号", "This field is required"),
    ]
    assert result.registered == []
    assert [d.tracking_no for d in session.exec(select(Delivery))] == [NUMBERS[6]]


# ---- who may -------------------------------------------------------------------------------------


def test_a_run_is_reached_only_while_every_case_is_visible(session, world, make_user, make_firm):
    legal, firm, _run, cases = world
    counsel = make_user(Role.COUNSEL, firm=firm)
    own = letter_run(session, counsel, cases[:2])
    assert bulk.run_for_deliveries(session, counsel, own.id) is own
    with pytest.raises(NotFound):
        bulk.run_for_deliveries(session, counsel, _run.id)  # legal's run
    cases[1].firm_id = make_firm().id  # the engagement moved to another firm
    session.flush()
    with pytest.raises(NotFound):
        bulk.run_for_deliveries(session, counsel, own.id)
    assert bulk.run_for_deliveries(session, legal, _run.id) is _run
