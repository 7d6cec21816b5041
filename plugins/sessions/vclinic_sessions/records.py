"""Records a session links to: Search Providers, About Patient (patients and their Files) and
appointments with Create Telehealth Session. Practice users only; no patient data in URLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from quart import Blueprint, Response
from quart_schema import tag, validate_querystring, validate_request

from vclinic.api import current_principal, require, services, utcnow
from vclinic.api import records as rec
from vclinic_sessions.routes import PRACTICE, Access, ParticipantIn, in_utc, reminder_needed

blueprint = Blueprint("sessions_records", __name__, url_prefix="/api/v1")


class SearchQuery(BaseModel):
    q: str = Field(default="", max_length=100)


class AppointmentsQuery(BaseModel):
    #: Only appointments starting at or after ``since`` and before ``until`` (with a time zone).
    since: dt.datetime | None = None
    until: dt.datetime | None = None


class PatientBody(BaseModel):
    display_name: str = Field(min_length=1, max_length=200)
    external_ref: str = Field(default="", max_length=100)


class AppointmentBody(BaseModel):
    starts_at: dt.datetime
    patient_id: str | None = Field(default=None, min_length=1, max_length=32)
    provider_ids: list[str] = Field(min_length=1, max_length=20)


class FromAppointmentBody(BaseModel):
    #: The session's name as confirmed in the dialog; left out, "<UTC time> appointment".
    name: str | None = Field(default=None, max_length=200)
    access_level: Access = "invitation"
    #: The confirmed invite list; left out, everyone on the appointment is invited.
    participants: list[ParticipantIn] | None = Field(default=None, max_length=50)
    confirm_link_reminder: bool = False


@blueprint.get("/providers")
@tag(["sessions"])
@require(*PRACTICE)
@validate_querystring(SearchQuery)
async def providers(query_args: SearchQuery) -> dict[str, Any]:
    """Search Providers: colleagues at the practice whose name contains ``q``."""
    org_id = current_principal().org_id
    return {"providers": await services().store.run(rec.providers, org_id, query_args.q)}


@blueprint.post("/patients")
@tag(["patients"])
@require(*PRACTICE)
@validate_request(PatientBody)
async def create_patient(data: PatientBody) -> tuple[dict[str, Any], int]:
    principal = current_principal()
    row = await services().store.atomic(rec.create_patient, principal.org_id, data.display_name,
                                        data.external_ref)
    await services().sessions.audit(principal, "patient.created", str(row["id"]))
    return {"patient": row}, 201


@blueprint.post("/patients/search")
@tag(["patients"])
@require(*PRACTICE)
@validate_request(SearchQuery)
async def search_patients(data: SearchQuery) -> dict[str, Any]:
    """About Patient's and Scheduling's search: patients whose name contains ``q`` or whose
    reference is ``q``. A POST so that what the user typed (a patient's name) stays out of
    URLs, access logs and browser history."""
    principal = current_principal()
    found = await services().store.run(rec.search_patients, principal.org_id, data.q)
    await services().sessions.audit(principal, "patient.searched", *(p["id"] for p in found))
    return {"patients": found}


@blueprint.get("/patients/<patient_id>")
@tag(["patients"])
@require(*PRACTICE)
async def one_patient(patient_id: str) -> dict[str, Any]:
    """One patient (the session form's About Patient shows who is linked)."""
    principal = current_principal()
    found = await services().store.run(rec.patient, principal.org_id, patient_id)
    await services().sessions.audit(principal, "patient.viewed", patient_id)
    return {"patient": found}


@blueprint.get("/patients/<patient_id>/files")
@tag(["patients"])
@require(*PRACTICE)
async def files(patient_id: str) -> dict[str, Any]:
    """The patient's Files (captured images), newest first."""
    principal = current_principal()
    found = await services().store.run(rec.files, principal.org_id, patient_id)
    await services().sessions.audit(principal, "patient.files_listed", patient_id)
    return {"files": found}


@blueprint.get("/patients/<patient_id>/files/<file_id>")
@tag(["patients"])
@require(*PRACTICE)
async def file_content(patient_id: str, file_id: str) -> Response:
    principal = current_principal()
    content, kind = await services().store.run(rec.file_content, principal.org_id, patient_id,
                                               file_id)
    await services().sessions.audit(principal, "patient.file_viewed", patient_id, file_id)
    response = Response(content, content_type=kind)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.post("/appointments")
@tag(["appointments"])
@require(*PRACTICE)
@validate_request(AppointmentBody)
async def create_appointment(data: AppointmentBody) -> tuple[dict[str, Any], int]:
    org_id = current_principal().org_id
    row = await services().store.atomic(rec.create_appointment, org_id,
                                        in_utc(data.starts_at, "starts_at"), data.patient_id,
                                        data.provider_ids)
    return {"appointment": row}, 201


@blueprint.get("/appointments")
@tag(["appointments"])
@require(*PRACTICE)
@validate_querystring(AppointmentsQuery)
async def appointments(query_args: AppointmentsQuery) -> dict[str, Any]:
    """Provider → Scheduling: the practice's appointments the caller is one of the providers
    of, upcoming first (soonest first), then earlier ones (latest first)."""
    principal = current_principal()
    rows = await services().store.run(rec.appointments, principal.org_id, principal.user_id,
                                      utcnow(), in_utc(query_args.since, "since"),
                                      in_utc(query_args.until, "until"))
    # The schedule names patients: an access to each listed patient's record.
    patients = dict.fromkeys(row["patient"]["id"] for row in rows if row.get("patient"))
    await services().sessions.audit(principal, "appointments.listed", *patients)
    return {"appointments": rows}


@blueprint.get("/appointments/<appointment_id>")
@tag(["appointments"])
@require(*PRACTICE)
async def appointment(appointment_id: str) -> dict[str, Any]:
    """The Appointment Summary with the proposed telehealth session (access, invitees, roles)."""
    principal = current_principal()
    found = await services().store.run(rec.appointment, principal.org_id, appointment_id,
                                       principal.user_id)
    patient = found.get("patient")
    await services().sessions.audit(principal, "appointment.viewed", appointment_id,
                                    *([patient["id"]] if patient else []))
    return {"appointment": found}


@blueprint.post("/appointments/<appointment_id>/telehealth-session")
@tag(["appointments"])
@require(*PRACTICE)
@validate_request(FromAppointmentBody)
async def telehealth_session(appointment_id: str, data: FromAppointmentBody
                             ) -> tuple[dict[str, Any], int]:
    """Create Telehealth Session: OK starts it with the confirmed access level, invite list and
    roles, linked to the appointment's patient, and sends the invites."""
    reminder_needed(data.access_level, data.confirm_link_reminder)
    body = await services().sessions.create_from_appointment(
        current_principal(), appointment_id, data.access_level,
        None if data.participants is None
        else tuple((p.user_id, p.role) for p in data.participants), data.name)
    return body, 201
