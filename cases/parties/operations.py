"""Creating and finding parties. A party is one legal person, shared by all its cases."""

from __future__ import annotations

from sqlmodel import Session, select

from cases.parties.models import Contact, ContactCreate, Party, PartyCreate, PartyKind


def find_party(session: Session, data: PartyCreate) -> Party | None:
    if data.kind == PartyKind.COMPANY:
        return session.exec(select(Party).where(Party.uscc == data.uscc)).first()
    return session.exec(select(Party).where(Party.id_number == data.id_number)).first()


def upsert_party(session: Session, data: PartyCreate) -> Party:
    """The party with this identifier, created if new; typed particulars fill in blanks."""
    party = find_party(session, data)
    if party is None:
        party = Party.model_validate(data)
        session.add(party)
    else:
        for field in ("legal_representative", "phone", "email", "address"):
            value = getattr(data, field)
            if value and not getattr(party, field):
                setattr(party, field, value)
    session.flush()
    return party


def add_contact(session: Session, party: Party, data: ContactCreate) -> Contact:
    contact = Contact.model_validate(data, update={"party_id": party.id})
    session.add(contact)
    session.flush()
    return contact
