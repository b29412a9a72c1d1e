"""The write-off packet's data (``cases.writeoffs.packet``) and its zip (``packet_zip``).

The packet cites the provision each reason follows (RULES.md §6: 财金〔2017〕90号 for banks,
国家税务总局公告2011年第25号 第二十二至二十四条 for other enterprises), keeps the amount's
computation, orders the timeline and the approvals (CST), marks money after the write-off as
recovery of written-off debt; the zip holds every file as stored, safely named, with a manifest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest

from cases.base import today
from cases.documents import context as doc_context
from cases.documents import schemas
from cases.documents.context import build_context
from cases.errors import ValidationError
from cases.money import rmb_upper
from cases.register.operations import move_stage
from cases.register.stages import Action
from cases.timeline.models import Attachment
from cases.timeline.storage import FileStore
from cases.users.models import Role, User
from cases.writeoffs import operations as ops
from cases.writeoffs import packet as packets
from cases.writeoffs.models import WriteOffStatus
from cases.writeoffs.packet_zip import (
    FILE_CHANGED,
    FILE_MISSING,
    FILE_OK,
    FILE_ON_PAPER,
    stream_zip,
    zip_plan,
)
from cases.writeoffs.reasons import RULES, WriteOffReason, checklist
from tests.cases.writeoff_packet_world import FILES, OPINION, REJECTION, build_packet_world

D = Decimal


@pytest.fixture
def store(tmp_path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def world(session, store, make_case, make_user):
    case = make_case()
    legal = session.get(User, case.created_by_id)
    return build_packet_world(
        session,
        store,
        case,
        legal=legal,
        finance=make_user(Role.FINANCE, name="钱财务"),
        boss=make_user(Role.MANAGEMENT, name="孙总"),
    )


def test_the_cover_and_form_carry_amount_reason_and_computation(session, world):
    application = world.application
    packet = packets.build(session, world.legal, application)
    assert packet.status == WriteOffStatus.APPROVED
    assert packet.amount == application.amount
    assert packet.amount_upper == rmb_upper(application.amount)
    assert packet.amount_upper.endswith(("分", "角", "整"))
    assert packet.reason_rule == (
        "国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》 第二十二条第（三）项"
    )
    assert packet.regime_rules.startswith("国家税务总局公告2011年第25号")
    assert packet.written_off_on == today()
    # the computation kept with the application, read back with Decimals
    assert packet.computed_principal == D("120000.00")  # the 1,000 paid went to interest first
    assert packet.computed_principal + packet.computed_interest == packet.computed_amount
    (step,) = packet.computation.steps
    assert step.params["principal"] == packet.computed_principal
    assert isinstance(step.value, Decimal)
    assert packet.legal_opinion.startswith("债权已无法收回")
    assert packet.opinion_file.name == OPINION[0]
    assert packet.opinion_file.sha256 == hashlib.sha256(OPINION[1]).hexdigest()
    assert packet.applicant == world.legal.name


def test_the_evidence_index_follows_the_reasons_checklist(session, world):
    packet = packets.build(session, world.legal, world.application)
    keys = [item.key for item in checklist(WriteOffReason.ENFORCEMENT_TERMINATED, "enterprise")]
    assert [row.key for row in packet.index] == keys
    assert [row.no for row in packet.index] == [1, 2, 3, 4]
    assert all(row.covered and row.status == packets.PROVIDED for row in packet.index)
    # numbered across the index: the NN of the zip
    assert [p.no for p in packet.proofs] == [1, 2, 3, 4, 5]
    ruling = packet.index[3]
    assert [p.file.name if p.file else p.evidence_title for p in ruling.proofs] == [
        "终本裁定.jpg",
        "执行裁定书原件",
    ]
    assert ruling.proofs[1].evidence_original is True
    contract = packet.index[0].proofs[0].file
    assert contract.sha256 == hashlib.sha256(FILES["contract"][1]).hexdigest()
    assert contract.size == len(FILES["contract"][1])


def test_an_item_covered_only_on_paper_or_not_at_all_says_so(session, make_case, make_user):
    case = make_case()
    legal = session.get(User, case.created_by_id)
    session.info["actor_id"] = legal.id
    move_stage(session, legal, case, Action.ACCEPT)
    evidence = packets.Evidence(case_id=case.id, kind="contract", title="合同原件")
    session.add(evidence)
    session.flush()
    application = ops.create_application(
        session,
        legal,
        case,
        {
            "reason": "overdue_3y",
            "reason_detail": "逾期三年以上，多次催收无果。",
            "evidence": [{"item": "contract", "evidence_id": evidence.id}],
        },
    )
    packet = packets.build(session, legal, application)
    statuses = {row.key: row.status for row in packet.index}
    assert statuses == {
        "contract": packets.ON_PAPER,
        "report": packets.MISSING,
        "special_report": packets.MISSING,
    }
    assert [row.key for row in packet.missing] == ["report", "special_report"]
    assert packet.rounds == ()  # a draft: nothing to approve yet
    assert packet.submitted_at is None


def test_the_approval_sheet_lists_every_round_with_names_and_china_time(session, world):
    packet = packets.build(session, world.legal, world.application)
    assert [(r.no, r.current) for r in packet.rounds] == [(1, False), (2, True)]
    first, second = packet.rounds
    assert [(s.role, s.name, s.approved, s.reason) for s in first.steps] == [
        ("Finance review", "钱财务", True, None),
        ("Management approval", "孙总", False, REJECTION),
    ]
    assert [s.decision for s in first.steps] == ["Agreed", "Not agreed: returned"]
    # 2026-03-03 02:10 UTC is 10:10 in Beijing
    assert [s.at.strftime("%m-%d %H:%M") for s in first.steps] == ["03-02 09:05", "03-03 10:10"]
    assert [s.at.strftime("%m-%d %H:%M") for s in second.steps] == ["03-09 14:30", "03-10 15:45"]
    assert [s.reason for s in second.steps] == ["账实相符", "同意核销"]
    assert all(str(s.at.tzinfo) == "Asia/Shanghai" for s in second.steps)


def test_steps_still_to_decide_are_listed_without_a_name(session, store, make_case, make_user):
    case = make_case()
    legal = session.get(User, case.created_by_id)
    world = build_packet_world(
        session,
        store,
        case,
        legal=legal,
        finance=make_user(Role.FINANCE),
        boss=make_user(Role.MANAGEMENT),
        approve=False,
    )
    packet = packets.build(session, legal, world.application)
    current = packet.rounds[-1]
    assert [(s.step_no, s.role, s.name) for s in current.steps] == [
        (1, "Finance review", world.finance.name),
        (2, "Management approval", None),
    ]
    assert packet.written_off_on is None
    assert not any(r.after_writeoff for r in packet.recoveries)


def test_recovery_history_marks_money_after_the_write_off(session, world):
    packet = packets.build(session, world.legal, world.application)
    # the payment only reported (not confirmed by finance) is not in it
    assert [(r.amount, r.after_writeoff) for r in packet.recoveries] == [
        (D("1000.00"), False),
        (D("2500.50"), True),
    ]
    assert packet.recovered == D("3500.50")
    assert packet.recovered_after_writeoff == D("2500.50")


def test_case_summary_timeline_and_stage_history_in_order(session, world):
    packet = packets.build(session, world.legal, world.application)
    assert packet.case_number == world.case.number
    assert packet.debtor.identifier  # 统一社会信用代码
    assert [(s.from_stage, s.to_stage) for s in packet.stage_history] == [
        (None, "Intake"),
        ("Intake", "Amicable collection"),
        ("Amicable collection", "Litigation"),
        ("Litigation", "Written off"),
    ]
    times = [t.at for t in packet.timeline]
    assert times == sorted(times)
    contact = next(t for t in packet.timeline if t.kind == "Collection contact")
    assert (contact.text, contact.channel, contact.debtor_response) == (
        "电话催收，债务人称无力偿还",
        "Phone",
        "公司已停业",
    )
    assert packet.claims[0].principal == D("120000.00")
    assert packet.total_due == packet.principal_due + packet.interest_due
    assert packet.engagements == ()  # no firm engaged on this case


# 财金〔2017〕90号 第六条 for banks; 公告2011年第25号 第二十二至二十四条 for other enterprises.
RULE_CASES = [
    pytest.param(
        True,
        "enforcement_terminated",
        "财金〔2017〕90号《金融企业呆账核销管理办法（2017年版）》 第六条",
        id="bank-enforcement-terminated-caijin-2017-90-art6",
    ),
    pytest.param(
        True,
        "internal_evidence",
        "财金〔2017〕90号《金融企业呆账核销管理办法（2017年版）》 第六条（内部证据）",
        id="bank-internal-evidence-caijin-2017-90-art6",
    ),
    pytest.param(
        False,
        "bankruptcy",
        "国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》 第二十二条第（二）项",
        id="enterprise-bankruptcy-sat-2011-25-art22-2",
    ),
    pytest.param(
        False,
        "overdue_3y",
        "国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》 第二十三条",
        id="enterprise-overdue-3y-sat-2011-25-art23",
    ),
    pytest.param(
        False,
        "small_overdue_1y",
        "国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》 第二十四条",
        id="enterprise-small-debt-sat-2011-25-art24",
    ),
    pytest.param(
        False,
        "restructuring",
        "国家税务总局公告2011年第25号《企业资产损失所得税税前扣除管理办法》 第二十二条第（六）项",
        id="enterprise-restructuring-sat-2011-25-art22-6",
    ),
]


@pytest.mark.parametrize(("is_bank", "reason", "rule"), RULE_CASES)
def test_the_packet_cites_the_provision_of_the_reason(
    session, make_case, make_creditor, is_bank, reason, rule
):
    case = make_case(creditor=make_creditor(is_bank=is_bank))
    legal = session.get(User, case.created_by_id)
    session.info["actor_id"] = legal.id
    move_stage(session, legal, case, Action.ACCEPT)
    application = ops.create_application(
        session,
        legal,
        case,
        {"reason": reason, "reason_detail": "详见核销报告。", "annual_revenue": "900000000"},
    )
    packet = packets.build(session, legal, application)
    assert packet.reason_rule == rule
    assert packet.regime == ("bank" if is_bank else "enterprise")
    # 第二十四条: the larger of 50,000 yuan and 1/10,000 of the annual revenue
    expected_limit = D("90000.00") if reason == "small_overdue_1y" else None
    assert packet.small_item_limit == expected_limit


# ---- names -------------------------------------------------------------------------------------

SAFE_NAMES = [
    ("购销合同（2024）第7号.pdf", "购销合同（2024）第7号.pdf"),
    ("../../etc/民事判决书.pdf", "民事判决书.pdf"),
    ("..\\..\\Windows\\判决.pdf", "判决.pdf"),
    ("/etc/passwd", "passwd"),
    ("..", "file"),
    ("", "file"),
    (" .hidden.pdf ", "hidden.pdf"),
    ('合同:第1号?"<>|*.pdf', "合同_第1号______.pdf"),
    ("发票\u202efdp.exe", "发票fdp.exe"),  # a right-to-left override cannot disguise the type
    ("行\x00\n\t.pdf", "行.pdf"),
]


@pytest.mark.parametrize(("name", "safe"), SAFE_NAMES)
def test_safe_names_stay_in_their_folder_and_keep_chinese(name, safe):
    assert packets.safe_name(name) == safe


def test_long_names_are_cut_keeping_the_extension():
    name = "很长的文件名" * 40 + ".pdf"
    safe = packets.safe_name(name)
    assert len(safe) == packets.NAME_LIMIT
    assert safe.endswith("名.pdf")


# ---- the zip ------------------------------------------------------------------------------------


def _zip(session, world, store, text=lambda s: s) -> tuple[zipfile.ZipFile, list[bytes]]:
    packet = packets.build(session, world.legal, world.application)
    plan = zip_plan(packet, store, b"%PDF-1.7 packet", "QS-核销申请材料.pdf", text)
    chunks = list(stream_zip(plan))
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks))), chunks


def _manifest(archive: zipfile.ZipFile) -> list[list[str]]:
    text = archive.read("index.csv").decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_zip_holds_the_pdf_every_file_and_a_manifest(session, world, store):
    archive, chunks = _zip(session, world, store)
    assert archive.testzip() is None
    assert archive.namelist() == [
        "QS-核销申请材料.pdf",
        "evidence/01-contract-购销合同（2024）第7号.pdf",
        "evidence/02-report-核销申请报告.docx",
        "evidence/03-judgment-民事判决书.pdf",
        "evidence/04-termination_ruling-终本裁定.jpg",
        "opinion/法律意见书.pdf",
        "index.csv",
    ]
    assert len(chunks) > 1  # written as it goes, not in one piece
    assert archive.read("QS-核销申请材料.pdf") == b"%PDF-1.7 packet"
    for number, (item, (name, data)) in enumerate(FILES.items(), 1):
        path = f"evidence/{number:02d}-{item}-{packets.safe_name(name)}"
        assert archive.read(path) == data
    assert archive.read("opinion/法律意见书.pdf") == OPINION[1]
    info = archive.getinfo("evidence/04-termination_ruling-终本裁定.jpg")
    assert info.compress_type == zipfile.ZIP_STORED  # a JPEG is not deflated again
    assert info.flag_bits & 0x800  # names flagged as UTF-8


def test_the_manifest_gives_every_files_checksum_as_written(session, world, store):
    archive, _chunks = _zip(session, world, store)
    header, *rows = _manifest(archive)
    assert header == ["No.", "What it is", "File name", "Path in the zip", "Size (bytes)",
                      "SHA-256", "Check"]  # fmt: skip
    by_path = {row[3]: row for row in rows if row[3]}
    for path in archive.namelist()[:-1]:
        data = archive.read(path)
        assert by_path[path][4] == str(len(data))
        assert by_path[path][5] == hashlib.sha256(data).hexdigest()
    judgment = by_path["evidence/03-judgment-民事判决书.pdf"]
    assert judgment[:3] == ["03", "The effective judgment, mediation statement or arbitral award",
                            "../../etc/民事判决书.pdf"]  # fmt: skip
    assert judgment[6] == FILE_OK
    paper = next(row for row in rows if row[0] == "05")
    assert (paper[2], paper[3], paper[6]) == ("执行裁定书原件", "", FILE_ON_PAPER)


def test_a_lost_or_altered_file_is_reported_and_the_zip_still_opens(session, world, store):
    store.path(world.files["report"].stored_name).unlink()
    store.path(world.files["contract"].stored_name).write_bytes(b"%PDF-1.4 altered")
    archive, _chunks = _zip(session, world, store)
    assert archive.testzip() is None
    assert "evidence/02-report-核销申请报告.docx" not in archive.namelist()
    rows = {row[0]: row for row in _manifest(archive)[1:] if row[0]}
    assert (rows["02"][3], rows["02"][6]) == ("", FILE_MISSING)
    assert rows["01"][6] == FILE_CHANGED
    assert archive.read(rows["01"][3]) == b"%PDF-1.4 altered"


def test_a_file_covering_two_items_is_included_once(session, store, world):
    application = world.application
    packet = packets.build(session, world.legal, application)
    # the opinion file also covers the report: one copy, two manifest rows
    opinion = world.opinion
    rows = list(packet.index)
    rows[1] = packets.IndexRow(
        2,
        "report",
        rows[1].label,
        (packets.Proof(2, "report", packets._file(opinion)),),
    )
    packet = packets.Packet(**{**packet.__dict__, "index": tuple(rows)})
    plan = zip_plan(packet, store, b"%PDF", "p.pdf")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream_zip(plan))))
    assert "opinion/法律意见书.pdf" not in archive.namelist()
    assert archive.read("evidence/02-report-法律意见书.pdf") == OPINION[1]
    paths = [row[3] for row in _manifest(archive)[1:]]
    assert paths.count("evidence/02-report-法律意见书.pdf") == 2


def test_manifest_cells_cannot_start_a_formula(session, world, store):
    row = session.get(Attachment, world.files["contract"].id)
    row.original_name = '=HYPERLINK("x")合同.pdf'
    session.flush()
    archive, _chunks = _zip(session, world, store)
    rows = {r[0]: r for r in _manifest(archive)[1:] if r[0]}
    assert rows["01"][2] == '\'=HYPERLINK("x")合同.pdf'
    assert rows["01"][3] == "evidence/01-contract-=HYPERLINK(_x_)合同.pdf"
    assert archive.read(rows["01"][3]).startswith(b"%PDF-1.4 contract")


def test_labels_are_translated_when_the_plan_is_made(session, world, store):
    archive, _chunks = _zip(session, world, store, text=lambda s: f"«{s}»")
    header, *rows = _manifest(archive)
    assert header[0] == "«No.»"
    assert rows[0][1] == "«Write-off packet (PDF)»"


# ---- which application a case's packet shows ----------------------------------------------------


def test_latest_application_skips_withdrawn_ones(session, make_case):
    case = make_case()
    legal = session.get(User, case.created_by_id)
    session.info["actor_id"] = legal.id
    assert packets.latest_application(session, case.id) is None
    move_stage(session, legal, case, Action.ACCEPT)
    data = {"reason": "overdue_3y", "reason_detail": "逾期三年以上。"}
    first = ops.create_application(session, legal, case, data)
    ops.withdraw(session, legal, first)
    assert packets.latest_application(session, case.id) == first  # nothing else
    second = ops.create_application(session, legal, case, data)
    assert packets.latest_application(session, case.id) == second
    ops.withdraw(session, legal, second)
    third = ops.create_application(session, legal, case, data, on=today() + timedelta(days=1))
    assert packets.latest_application(session, case.id) == third


# ---- one list of reasons for the 核销申请表 and the workflow ------------------------------------


def test_the_form_and_the_workflow_share_one_list_of_reasons():
    assert schemas.WriteoffReason is WriteOffReason
    assert set(doc_context.WRITEOFF_REASONS) == set(WriteOffReason)
    assert set(doc_context.WRITEOFF_EVIDENCE) == set(WriteOffReason)


FORM_FIELDS = {
    "reason_detail": "详见报告。",
    "recovery_steps": "多次催收。",
    "legal_opinion": "同意。",
}


@pytest.mark.parametrize(
    ("is_bank", "reason", "open_to_it"),
    [
        pytest.param(
            False, "restructuring", True, id="restructuring-enterprise-sat-2011-25-art22-6"
        ),
        pytest.param(True, "restructuring", False, id="restructuring-not-for-banks"),
        pytest.param(True, "internal_evidence", True, id="internal-evidence-bank-caijin-2017-90"),
        pytest.param(False, "internal_evidence", False, id="internal-evidence-not-for-enterprises"),
        pytest.param(True, "overdue_3y", False, id="overdue-3y-not-for-banks-sat-2011-25-art23"),
    ],
)
def test_the_form_offers_a_reason_to_the_regimes_the_workflow_does(
    session, make_case, make_creditor, is_bank, reason, open_to_it
):
    case = make_case(creditor=make_creditor(is_bank=is_bank))
    regime = "bank" if is_bank else "enterprise"
    assert RULES[WriteOffReason(reason)].applies_to(regime) is open_to_it
    fields = {"reason": reason, **FORM_FIELDS}
    if not open_to_it:
        with pytest.raises(ValidationError) as refused:
            build_context(session, case, "writeoff_application", on=today(), fields=fields)
        assert set(refused.value.errors) == {"reason"}
        return
    context = build_context(session, case, "writeoff_application", on=today(), fields=fields)
    assert context["reason"] == reason
    assert context["reason_label"] == doc_context.WRITEOFF_REASONS[WriteOffReason(reason)]
    names = [row["name"] for row in context["checklist"]]
    assert names[1:] == doc_context.WRITEOFF_EVIDENCE[WriteOffReason(reason)]
