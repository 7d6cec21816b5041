"""Reading a session into a SessionState and writing back what the state marked dirty.

Synchronous peewee code, run by the SessionActor through ``store.run`` / ``store.atomic``.
"""

from __future__ import annotations

import datetime as dt

from vclinic.sessions import recording
from vclinic.sessions.model import GuestSession, Participant, TelehealthSession
from vclinic.sessions.state import Info, Person, SessionState
from vclinic.store import audit
from vclinic.store.field import iso, utcnow


def load(session_id: str) -> SessionState | None:
    """The state of ``session_id`` from its rows, or None when there is no such session."""
    row = TelehealthSession.get_or_none(TelehealthSession.id == session_id)
    if row is None:
        return None
    info = Info(id=row.id, org_id=row.organisation_id, name=row.name,
                access_level=row.access_level, status=row.status,
                created_by=row.created_by_id, scheduled_at=iso(row.scheduled_at),
                ends_at=iso(row.ends_at), patient_id=row.patient_id, workflow=row.workflow)
    people = [
        Person(id=p.id, user_id=p.user_id, display_name=p.display_name, role=p.role,
               kind=p.kind, listed=bool(p.listed), state=p.state, removed=bool(p.removed),
               consent_recording=bool(p.consent_recording))
        for p in Participant.select().where(Participant.session == session_id)
        .order_by(Participant.created_at, Participant.id)
    ]
    state = SessionState(info, people)
    state.recording = recording.active(session_id)
    return state


def save(state: SessionState) -> None:
    """Write the session, the dirty participants and the pending audit events; end guests'
    cookie sessions that may no longer be used (removed guests, a closed session). Run inside
    one transaction."""
    now = utcnow()
    info = state.info
    if state.info_dirty:
        TelehealthSession.update(
            name=info.name, access_level=info.access_level, status=info.status,
            scheduled_at=dt.datetime.fromisoformat(info.scheduled_at)
            if info.scheduled_at else None,
            ends_at=dt.datetime.fromisoformat(info.ends_at) if info.ends_at else None,
            patient_id=info.patient_id,
            closed_at=now if info.status == "closed" else None,
        ).where(TelehealthSession.id == info.id).execute()
        if info.status == "closed":
            GuestSession.delete().where(GuestSession.session == info.id).execute()
    for pid in sorted(state.dirty):
        person = state.people[pid]
        fields = dict(display_name=person.display_name, role=person.role, listed=person.listed,
                      state=person.state, removed=person.removed,
                      consent_recording=person.consent_recording)
        row = Participant.get_or_none(Participant.id == pid)
        if row is None:
            Participant.create(id=pid, session=info.id, user=person.user_id, kind=person.kind,
                               joined_at=now if person.state == "connected" else None,
                               **fields)
        else:
            if person.state == "connected" and row.joined_at is None:
                fields["joined_at"] = now
            if person.state == "left" and row.state != "left":
                fields["left_at"] = now
            Participant.update(**fields).where(Participant.id == pid).execute()
        if person.removed and person.kind == "guest":
            GuestSession.delete().where(GuestSession.participant == pid).execute()
    for actor_id, action in state.audits:
        audit.record(info.org_id, actor_id, action, info.id)
    state.audits.clear()
    state.dirty.clear()
    state.info_dirty = False
