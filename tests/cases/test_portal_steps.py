"""Progress steps: the rules of a step, the key dates a court step records, typed files."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from cases.base import BUSINESS_TZ, today
from cases.errors import ValidationError
from cases.portal.steps import ProgressStep, is_filing_or_ruling
from cases.register.keydates import KeyDate, add_key_date
from cases.timeline.models import Attachment, EventKind
from cases.timeline.operations import attach_file, log_event
from cases.users.models import Role

DAY = date(2026, 3, 10)
AT = datetime(2026, 3, 10, 9, 30, tzinfo=BUSINESS_TZ)


def step(name: str, **more) -> dict:
    return {"kind": "progress", "occurred_at": AT, "summary": "进展", "step": name, **more}


@pytest.fixture
def legal(make_user):
    return make_user(Role.LEGAL)


@pytest.fixture
def case(make_case, legal, session):
    made = make_case(actor=legal)
    session.info["actor_id"] = legal.id
    return made


def key_dates(session, case) -> list[tuple[str, date]]:
    rows = session.exec(
        select(KeyDate).where(KeyDate.case_id == case.id).order_by(KeyDate.kind, KeyDate.on)
    ).all()
    return [(row.kind.value, row.on) for row in rows]


# 民事诉讼法(2023) 第104条 (pre-suit preservation), 第171条 (appeal), 第250条 (enforcement);
# 民法典 第195条 (interruption); 民诉法解释 第485条 (freeze periods).
KEY_DATE_CASES = [
    pytest.param("filing", {}, [("suit_filed", DAY)], id="filing-suit_filed-第195条"),
    pytest.param("hearing", {}, [], id="hearing-none"),
    pytest.param("judgment_served", {}, [("judgment_served", DAY)], id="judgment-15-days-第171条"),
    pytest.param("ruling_served", {}, [("ruling_served", DAY)], id="ruling-10-days-第171条"),
    pytest.param("mediation", {}, [], id="mediation-none"),
    pytest.param("preservation_applied", {}, [], id="preservation-application-none"),
    pytest.param(
        "preservation_measures",
        {"seized_asset": "deposits"},
        [("freeze_deposit", DAY), ("presuit_preservation", DAY)],
        id="preservation-before-suit-第104条-and-freeze-第485条",
    ),
    pytest.param(
        "preservation_measures",
        {},
        [("presuit_preservation", DAY)],
        id="preservation-before-suit-asset-unsaid",
    ),
    pytest.param(
        "enforcement_applied", {}, [("enforcement_applied", DAY)], id="enforcement-第250条"
    ),
    pytest.param(
        "enforcement_seizure",
        {"seized_asset": "immovables"},
        [("freeze_immovable", DAY)],
        id="seizure-real-estate-3-years-第485条",
    ),
    pytest.param(
        "enforcement_seizure",
        {"seized_asset": "movables"},
        [("freeze_movable", DAY)],
        id="seizure-movables-2-years-第485条",
    ),
    pytest.param("enforcement_money", {}, [], id="enforcement-money-none"),
    pytest.param("enforcement_terminated", {}, [], id="terminated-none"),
    pytest.param("other", {}, [], id="other-none"),
]


@pytest.mark.parametrize(("name", "more", "expected"), KEY_DATE_CASES)
def test_a_court_step_records_its_key_date(session, legal, case, name, more, expected):
    event = log_event(session, legal, case, step(name, **more))

    assert event.kind == EventKind.PROGRESS
    assert event.step == ProgressStep(name)
    assert key_dates(session, case) == sorted(expected)


def test_preservation_after_a_suit_is_not_pre_suit(session, legal, case):
    add_key_date(session, legal, case, {"kind": "suit_filed", "on": DAY - timedelta(days=40)})

    log_event(session, legal, case, step("preservation_measures", seized_asset="movables"))

    assert key_dates(session, case) == [
        ("freeze_movable", DAY),
        ("suit_filed", DAY - timedelta(days=40)),
    ]


def test_a_suit_filed_later_does_not_make_earlier_preservation_in_suit(session, legal, case):
    add_key_date(session, legal, case, {"kind": "suit_filed", "on": DAY + timedelta(days=5)})

    log_event(session, legal, case, step("preservation_measures"))

    assert ("presuit_preservation", DAY) in key_dates(session, case)


def test_a_key_date_already_there_is_not_recorded_twice(session, legal, case):
    add_key_date(session, legal, case, {"kind": "judgment_served", "on": DAY})

    log_event(session, legal, case, step("judgment_served"))
    log_event(session, legal, case, step("judgment_served", summary="又一份送达回证"))

    assert key_dates(session, case) == [("judgment_served", DAY)]


def test_the_key_date_notes_the_court_case_number(session, legal, case):
    log_event(session, legal, case, step("filing", court_case_no="(2026)京0105民初1234号"))

    row = session.exec(select(KeyDate).where(KeyDate.case_id == case.id)).one()
    assert row.note == "据进展记录自动记录（(2026)京0105民初1234号）"
    assert row.created_by_id == legal.id


def test_the_key_date_is_the_business_day_of_the_step(session, legal, case):
    late = datetime(2026, 3, 10, 23, 30, tzinfo=BUSINESS_TZ)  # 15:30 UTC, still the 10th
    log_event(session, legal, case, step("judgment_served", occurred_at=late))
    assert key_dates(session, case) == [("judgment_served", DAY)]


def test_progress_without_a_step_is_other(session, legal, case):
    event = log_event(session, legal, case, {**step("other"), "step": None})
    assert event.step == ProgressStep.OTHER
    assert key_dates(session, case) == []


BAD_STEPS = [
    pytest.param(
        {"kind": "contact", "channel": "phone", "step": "filing"}, "step", id="step-on-a-contact"
    ),
    pytest.param(
        {"kind": "note", "step": None, "court_case_no": "(2026)"}, "court_case_no", id="no-on-note"
    ),
    pytest.param(
        {"kind": "note", "step": None, "seized_asset": "deposits"},
        "seized_asset",
        id="asset-on-a-note",
    ),
    pytest.param(
        {"step": "hearing", "seized_asset": "deposits"}, "seized_asset", id="asset-on-hearing"
    ),
    pytest.param({"step": "appeal"}, "step", id="unknown-step"),
    pytest.param({"step": "filing", "court_case_no": "号" * 65}, "court_case_no", id="long-no"),
]


@pytest.mark.parametrize(("more", "field"), BAD_STEPS)
def test_a_bad_step_is_refused_and_records_nothing(session, legal, case, more, field):
    with pytest.raises(ValidationError) as caught:
        log_event(session, legal, case, {**step("filing"), **more})
    assert field in caught.value.errors
    assert key_dates(session, case) == []


def test_a_future_step_is_refused(session, legal, case):
    tomorrow = datetime.combine(today() + timedelta(days=1), datetime.min.time(), BUSINESS_TZ)
    with pytest.raises(ValidationError) as caught:
        log_event(session, legal, case, step("judgment_served", occurred_at=tomorrow))
    assert "occurred_at" in caught.value.errors
    assert key_dates(session, case) == []


# ---- typed files ----------------------------------------------------------------------------


def test_a_file_keeps_its_document_type(app, session, legal, case):
    event = log_event(session, legal, case, step("judgment_served"))
    store = app.extensions["qingshou_files"]

    ruling = attach_file(
        session,
        legal,
        case,
        store,
        filename="判决书.pdf",
        data=b"%PDF-1.7 judgment",
        max_bytes=10**6,
        event=event,
        doc_type="ruling",
    )
    plain = attach_file(
        session, legal, case, store, filename="a.txt", data=b"hello", max_bytes=10**6
    )

    assert session.get(Attachment, ruling.id).doc_type == "ruling"
    assert session.get(Attachment, plain.id).doc_type is None


def test_an_unknown_document_type_is_refused_before_anything_is_stored(app, session, legal, case):
    store = app.extensions["qingshou_files"]
    with pytest.raises(ValidationError) as caught:
        attach_file(
            session,
            legal,
            case,
            store,
            filename="x.pdf",
            data=b"%PDF-1.7 x",
            max_bytes=10**6,
            doc_type="verdict",
        )
    assert "doc_type" in caught.value.errors
    assert session.exec(select(Attachment).where(Attachment.case_id == case.id)).all() == []


FILTER_CASES = [
    pytest.param("filing", [], True, id="filing-step"),
    pytest.param("judgment_served", [], True, id="judgment-step"),
    pytest.param("enforcement_terminated", [], True, id="terminated-ruling"),
    pytest.param("hearing", [], False, id="hearing"),
    pytest.param("hearing", ["ruling"], True, id="hearing-with-a-ruling-file"),
    pytest.param(None, ["filing", None], True, id="contact-with-a-filing"),
    pytest.param(None, ["evidence", "receipt", None], False, id="evidence-only"),
]


@pytest.mark.parametrize(("name", "types", "expected"), FILTER_CASES)
def test_filings_and_rulings_filter(name, types, expected):
    assert is_filing_or_ruling(name, types) is expected
