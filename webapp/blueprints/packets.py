"""The write-off packet of one application: its PDF, and a zip of the PDF with every evidence
file, the legal opinion's file and a manifest — one click each.

Both load the application through its case (``queries.get_application``: 404 for a case the
actor may not see, counsel of another firm included), then check ``case.writeoff_packet``
(403: counsel of the engaged firm, who see the case but not its write-off). Downloads are not
audited: the audit trail records changes, and nothing here changes anything (like every other
download of the case's files).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template
from flask_login import login_required

from cases.documents.pdf import html_to_pdf
from cases.register import policies
from cases.writeoffs import packet as packets
from cases.writeoffs.packet_zip import stream_zip, zip_plan
from cases.writeoffs.queries import get_application
from webapp.auth import actor
from webapp.blueprints.casefile import _pdf_response
from webapp.db import get_session
from webapp.i18n import tr

bp = Blueprint("packets", __name__)

CAPABILITY = "case.writeoff_packet"


def _packet(application_id: int) -> packets.Packet:
    session, user = get_session(), actor()
    application = get_application(session, user, application_id)
    policies.authorize(session, user, application.case_id, CAPABILITY)
    return packets.build(session, user, application)


def _render(packet: packets.Packet) -> str:
    return render_template("pdf/writeoff_packet.html", p=packet)


def _name(packet: packets.Packet, ext: str) -> str:
    return f"{packet.case_number}-核销申请材料-{packet.application_id}.{ext}"


@bp.get("/writeoffs/<int:application_id>/packet.pdf")
@login_required
def pdf(application_id: int):
    """The packet as one PDF: cover, application form, case summary, timeline, recovery
    history, evidence index and approval sheet (WeasyPrint, embedded font)."""
    packet = _packet(application_id)
    return _pdf_response(_render(packet), _name(packet, "pdf"))


@bp.get("/writeoffs/<int:application_id>/packet.zip")
@login_required
def download(application_id: int):
    """The PDF, the evidence files and a manifest in one zip, written while it is sent."""
    packet = _packet(application_id)
    store = current_app.extensions["qingshou_files"]
    document = html_to_pdf(_render(packet))
    plan = zip_plan(packet, store, document, _name(packet, "pdf"), tr)
    response = Response(stream_zip(plan), mimetype="application/zip")
    fallback = f"writeoff-packet-{packet.application_id}.zip"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(_name(packet, 'zip'))}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
