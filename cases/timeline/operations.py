"""Logging what happened on a case, and keeping its files."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cases.errors import N_, ValidationError
from cases.plans.promises import record_promises
from cases.portal.progress import record_step_key_dates
from cases.portal.steps import DocumentType
from cases.register import policies
from cases.register.models import Case
from cases.register.operations import touch
from cases.timeline.models import Attachment, Event, EventCreate
from cases.timeline.storage import FileStore, check_upload
from cases.users.models import User
from cases.validation import parse


def log_event(
    session: Session, actor: User, case: Case, data: EventCreate | dict[str, Any]
) -> Event:
    """A contact record, progress report or note, by hand."""
    policies.require(actor, "case.log_event")
    data = parse(EventCreate, data)
    event = Event.model_validate(data, update={"case_id": case.id, "actor_id": actor.id})
    session.add(event)
    touch(case)
    session.flush()
    record_step_key_dates(session, actor, case, event)  # a court step starts its deadlines
    record_promises(session, event, repeat=data.promise_repeat, times=data.promise_times)
    return event


def attach_file(
    session: Session,
    actor: User,
    case: Case,
    store: FileStore,
    *,
    filename: str,
    data: bytes,
    max_bytes: int,
    event: Event | None = None,
    doc_type: DocumentType | str | None = None,
) -> Attachment:
    """Keep an uploaded file on the case (optionally on one of its events), typed (filing,
    ruling, evidence …) when the uploader said what it is."""
    policies.require(actor, "case.attach")
    if doc_type is not None and doc_type not in set(DocumentType):
        raise ValidationError.single("doc_type", N_("Not one of the allowed values"))
    content_type = check_upload(filename, data, max_bytes=max_bytes)
    return keep_file(
        session, actor, case, store, filename, data, content_type, event=event, doc_type=doc_type
    )


def keep_file(
    session: Session,
    actor: User,
    case: Case,
    store: FileStore,
    filename: str,
    data: bytes,
    content_type: str,
    *,
    event: Event | None = None,
    doc_type: DocumentType | str | None = None,
) -> Attachment:
    """Store ``data`` and list it among the case's files. No checks: the caller checked the
    upload (``attach_file``) or made the file itself (generated documents)."""
    stored = store.save(data, content_type)
    attachment = Attachment(
        case_id=case.id,
        event_id=event.id if event else None,
        original_name=filename[-255:],
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        doc_type=DocumentType(doc_type) if doc_type is not None else None,
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    touch(case)
    session.flush()
    return attachment
