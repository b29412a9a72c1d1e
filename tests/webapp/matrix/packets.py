"""The write-off packet (``webapp/blueprints/packets.py``): ``case.writeoff_packet`` is admin,
legal, finance and management; counsel of the engaged firm see the case but not its write-off
(403), another firm's counsel not even the case (404).

The matrix's application is a draft with one file, on a second case engaged to the same firm
as the matrix's case (which stays free of applications: its ``/writeoff-packet.pdf`` still sends
to the 核销申请表 form, see ``test_permissions.MATRIX``)."""

from __future__ import annotations

from cases.register.operations import create_case, move_stage
from cases.register.stages import Action
from cases.timeline.operations import attach_file
from cases.writeoffs.operations import create_application
from tests.factories import case_payload
from tests.webapp.matrix import HIDDEN, LOGIN, NO, OK

ROWS = {
    ("GET", "/writeoffs/<int:application_id>/packet.pdf"): (LOGIN, OK, OK, NO, HIDDEN, OK, OK),
    ("GET", "/writeoffs/<int:application_id>/packet.zip"): (LOGIN, OK, OK, NO, HIDDEN, OK, OK),
}


def setup(app, session, world) -> dict[str, int]:
    legal = world.users["legal"]
    session.info["actor_id"] = legal.id
    case = create_case(
        session, legal, case_payload(world.case.creditor_id, firm_id=world.case.firm_id)
    )
    move_stage(session, legal, case, Action.ACCEPT)
    contract = attach_file(
        session,
        legal,
        case,
        app.extensions["qingshou_files"],
        filename="购销合同.pdf",
        data=b"%PDF-1.4 contract",
        max_bytes=10**6,
    )
    application = create_application(
        session,
        legal,
        case,
        {
            "reason": "overdue_3y",
            "reason_detail": "逾期三年以上，多次催收无果。",
            "evidence": [{"item": "contract", "attachment_id": contract.id}],
        },
    )
    return {"application_id": application.id}
