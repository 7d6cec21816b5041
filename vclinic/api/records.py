"""The session model's records, for workflow routes: synchronous peewee functions.

Run each in the store's thread, ``await services().store.run(listing, org_id, user_id, "open")``
(``store.atomic`` for the ones that write). They check the organisation of every id they are
given and raise :class:`~vclinic.errors.NotFound` for another organisation's rows.
"""

from __future__ import annotations

from vclinic.sessions.creation import appointment, create_appointment
from vclinic.sessions.directory import listing, providers
from vclinic.sessions.model import Participant, TelehealthSession
from vclinic.sessions.patient import create_patient, file_content, files
from vclinic.sessions.patient import get as patient
from vclinic.sessions.patient import search as search_patients
from vclinic.sessions.schedule import listing as appointments
from vclinic.sessions.timing import MAX_MINUTES, end_time
from vclinic.store.cursor import DEFAULT_LIMIT, MAX_LIMIT, Page

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_MINUTES",
    "Page",
    "Participant",
    "TelehealthSession",
    "appointment",
    "appointments",
    "create_appointment",
    "create_patient",
    "end_time",
    "file_content",
    "files",
    "listing",
    "patient",
    "providers",
    "search_patients",
]
