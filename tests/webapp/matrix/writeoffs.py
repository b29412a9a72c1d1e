"""Write-off applications (``webapp/blueprints/writeoffs.py``): legal staff and admins apply
(``writeoff.apply``), finance reviews, management approves; counsel never see applications
(403; another firm's: 404). The application's own pages belong to its applicant for changes
(another legal user or an admin: 403).

The matrix's application is a complete draft by the world's legal user, on a second case
engaged to the same firm as the matrix's case (so that the matrix's case stays free for the
other areas): deciding a draft is refused (422), submitting or withdrawing it redirects.
"""

from __future__ import annotations

from cases.register.operations import create_case, move_stage
from cases.register.stages import Action
from cases.timeline.operations import attach_file
from cases.writeoffs.operations import create_application
from cases.writeoffs.reasons import WriteOffReason, checklist
from tests.factories import case_payload
from tests.webapp.matrix import BAD, HIDDEN, LOGIN, NO, OK

ROWS = {
    ("GET", "/writeoffs"): (LOGIN, OK, OK, NO, NO, OK, OK),
    ("GET", "/writeoffs/<int:writeoff_id>"): (LOGIN, OK, OK, NO, HIDDEN, OK, OK),
    ("GET", "/cases/<int:case_id>/writeoffs/new"): (LOGIN, OK, OK, NO, HIDDEN, NO, NO),
    ("POST", "/cases/<int:case_id>/writeoffs/new"): (LOGIN, BAD, BAD, NO, HIDDEN, NO, NO),
    ("GET", "/writeoffs/<int:writeoff_id>/edit"): (LOGIN, NO, OK, NO, HIDDEN, NO, NO),
    ("POST", "/writeoffs/<int:writeoff_id>/edit"): (LOGIN, NO, BAD, NO, HIDDEN, NO, NO),
    ("POST", "/writeoffs/<int:writeoff_id>/submit"): (LOGIN, NO, BAD, NO, HIDDEN, NO, NO),
    ("POST", "/writeoffs/<int:writeoff_id>/withdraw"): (LOGIN, NO, BAD, NO, HIDDEN, NO, NO),
    ("POST", "/writeoffs/<int:writeoff_id>/decide"): (LOGIN, NO, NO, NO, HIDDEN, BAD, BAD),
}


def setup(app, session, world) -> dict[str, int]:
    """A complete draft of the world's legal user on a case of the engaged firm."""
    legal = world.users["legal"]
    session.info["actor_id"] = legal.id
    payload = case_payload(world.case.creditor_id, firm_id=world.case.firm_id)
    case = create_case(session, legal, payload)
    move_stage(session, legal, case, Action.ACCEPT)
    reason = WriteOffReason.ENFORCEMENT_TERMINATED
    links = []
    for item in checklist(reason, "enterprise"):
        file = attach_file(
            session,
            legal,
            case,
            app.extensions["qingshou_files"],
            filename=f"{item.key}.pdf",
            data=b"%PDF-1.4 evidence",
            max_bytes=10**6,
        )
        links.append({"item": item.key, "attachment_id": file.id})
    application = create_application(
        session,
        legal,
        case,
        {
            "reason": reason,
            "reason_detail": "法院裁定终结本次执行程序。",
            "legal_opinion": "建议核销。",
            "evidence": links,
        },
    )
    return {"writeoff_id": application.id}
