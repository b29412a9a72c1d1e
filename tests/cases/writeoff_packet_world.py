"""A write-off application with everything its packet shows, for the packet's tests and the
permission matrix: real files in the store, an evidence row on paper, a legal opinion file, a
first round returned by management, a second round approved, money before and after."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from cases.base import today
from cases.ledger.operations import record_payment
from cases.register.models import Case, Evidence, EvidenceKind
from cases.register.operations import move_stage
from cases.register.stages import Action
from cases.timeline.models import Attachment
from cases.timeline.operations import attach_file, log_event
from cases.timeline.storage import FileStore
from cases.users.models import User
from cases.writeoffs import operations as ops
from cases.writeoffs.models import Decision, WriteOffApplication, WriteOffStep
from cases.writeoffs.reasons import WriteOffReason

REASON = WriteOffReason.ENFORCEMENT_TERMINATED  # enterprise: contract, report, judgment, ruling
MB = 10**6
# A scan: 70 KB that do not compress, so the zip is sent in more than one chunk.
SCAN = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(2200))
# The file covering "judgment" has a name that tries to leave its folder.
FILES = {
    "contract": ("购销合同（2024）第7号.pdf", b"%PDF-1.4 contract " + SCAN),
    "report": ("核销申请报告.docx", b"PK\x03\x04 report"),
    "judgment": ("../../etc/民事判决书.pdf", b"%PDF-1.4 judgment"),
    "termination_ruling": ("终本裁定.jpg", b"\xff\xd8\xff ruling"),
}
OPINION = ("法律意见书.pdf", b"%PDF-1.4 opinion")
REJECTION = "请补充执行法院终本裁定的送达回证。"
# When the decisions were made (UTC): shown in China Standard Time, eight hours on.
DECIDED = {
    (1, 1): datetime(2026, 3, 2, 1, 5, tzinfo=UTC),  # 09:05
    (1, 2): datetime(2026, 3, 3, 2, 10, tzinfo=UTC),  # 10:10 rejected
    (2, 1): datetime(2026, 3, 9, 6, 30, tzinfo=UTC),  # 14:30
    (2, 2): datetime(2026, 3, 10, 7, 45, tzinfo=UTC),  # 15:45
}


@dataclass
class PacketWorld:
    case: Case
    application: WriteOffApplication
    files: dict[str, Attachment]
    opinion: Attachment
    evidence: Evidence
    legal: User
    finance: User
    boss: User


def act(session: Session, user: User) -> User:
    session.info["actor_id"] = user.id
    return user


def build_packet_world(
    session: Session,
    store: FileStore,
    case: Case,
    *,
    legal: User,
    finance: User,
    boss: User,
    approve: bool = True,
) -> PacketWorld:
    """``case`` (in intake, created by ``legal``) taken to suit, applied for, returned once,
    resubmitted and — with ``approve`` — written off; money before and after."""
    act(session, legal)
    move_stage(session, legal, case, Action.ACCEPT)
    move_stage(session, legal, case, Action.SUE)
    log_event(
        session,
        legal,
        case,
        {
            "kind": "contact",
            "channel": "phone",
            "occurred_at": f"{(today() - timedelta(days=40)).isoformat()}T10:00",
            "summary": "电话催收，债务人称无力偿还",
            "debtor_response": "公司已停业",
        },
    )
    finance_user = act(session, finance)
    record_payment(
        session,
        finance_user,
        case,
        {"received_on": today() - timedelta(days=30), "amount": "1000.00", "payer": "法院执行款"},
    )
    act(session, legal)
    files = {
        item: attach_file(session, legal, case, store, filename=name, data=data, max_bytes=MB)
        for item, (name, data) in FILES.items()
    }
    opinion = attach_file(
        session, legal, case, store, filename=OPINION[0], data=OPINION[1], max_bytes=MB
    )
    evidence = Evidence(
        case_id=case.id,
        kind=EvidenceKind.COURT_DOCUMENT,
        title="执行裁定书原件",
        is_original=True,
    )
    session.add(evidence)
    session.flush()
    links = [{"item": item, "attachment_id": row.id} for item, row in files.items()]
    links.append({"item": "termination_ruling", "evidence_id": evidence.id})
    application = ops.create_application(
        session,
        legal,
        case,
        {
            "reason": REASON,
            "reason_detail": "经强制执行，被执行人无可供执行的财产，法院裁定终结本次执行程序。",
            "legal_opinion": "债权已无法收回，符合核销条件，建议账销案存。",
            "legal_opinion_attachment_id": opinion.id,
            "evidence": links,
        },
    )
    ops.submit(session, legal, application)
    ops.decide(session, act(session, finance), application, Decision.APPROVE)
    ops.decide(session, act(session, boss), application, Decision.REJECT, reason=REJECTION)
    ops.submit(session, act(session, legal), application)
    ops.decide(session, act(session, finance), application, Decision.APPROVE, reason="账实相符")
    if approve:
        ops.decide(session, act(session, boss), application, Decision.APPROVE, reason="同意核销")
        finance_user = act(session, finance)
        record_payment(
            session,
            finance_user,
            case,
            {"received_on": today(), "amount": "2500.50", "payer": "担保人", "bank_ref": "R-77"},
        )
        act(session, legal)
        record_payment(
            session,
            legal,
            case,
            {"received_on": today(), "amount": "700.00", "payer": "债务人（未确认）"},
        )
    steps = select(WriteOffStep).where(WriteOffStep.application_id == application.id)
    for step in session.exec(steps):
        step.decided_at = DECIDED[(step.round_no, step.step_no)]
    session.flush()
    return PacketWorld(case, application, files, opinion, evidence, legal, finance, boss)
