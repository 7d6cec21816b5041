"""About Patient: the minimal patient records sessions link to, and their Files.

Synchronous peewee functions run through the store. Patients' names appear in API bodies for
the practice only, never in URLs, logs or error messages.
"""

from __future__ import annotations

from typing import Any

from vclinic.errors import BadRequest, Conflict, NotFound
from vclinic.sessions import recording
from vclinic.sessions.model import Participant, Patient, PatientFile, TelehealthSession
from vclinic.store import audit

#: Largest captured image accepted, in bytes (the HTTP body limit is 1 MiB).
CAPTURE_MAX_BYTES = 1024 * 1024 - 1024
_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def patient_body(row: Patient) -> dict[str, Any]:
    return {"id": row.id, "display_name": row.display_name, "external_ref": row.external_ref}


def create_patient(org_id: str, display_name: str, external_ref: str) -> dict[str, Any]:
    name = " ".join(display_name.split())
    if not 1 <= len(name) <= 200:
        raise BadRequest("A patient needs a name of 1 to 200 characters.")
    return patient_body(Patient.create(organisation=org_id, display_name=name,
                                       external_ref=external_ref.strip()[:100]))


def search(org_id: str, query: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = Patient.select().where(Patient.organisation == org_id)
    if query:
        rows = rows.where(Patient.display_name.contains(query) | (Patient.external_ref == query))
    return [patient_body(p) for p in rows.order_by(Patient.display_name).limit(limit)]


def _patient(org_id: str, patient_id: str) -> Patient:
    row = Patient.get_or_none(Patient.id == patient_id, Patient.organisation == org_id)
    if row is None:
        raise NotFound("There is no such patient.", code="patient_not_found")
    return row


def get(org_id: str, patient_id: str) -> dict[str, Any]:
    """One patient of the practice (About Patient shows the linked patient's name)."""
    return patient_body(_patient(org_id, patient_id))


def file_body(row: PatientFile) -> dict[str, Any]:
    return {"id": row.id, "content_type": row.content_type, "size": row.size,
            "session_id": row.session_id, "participant_id": row.participant_id,
            "captured_by": row.captured_by, "created_at": row.created_at.isoformat(),
            "url": f"/api/v1/patients/{row.patient_id}/files/{row.id}"}


def files(org_id: str, patient_id: str) -> list[dict[str, Any]]:
    """The patient's Files, newest first: captures, and the recordings of sessions linked to
    the patient (``kind`` ``recording``, downloaded from the session's recordings)."""
    patient = _patient(org_id, patient_id)
    rows = (PatientFile.select(*[f for f in PatientFile._meta.sorted_fields
                                 if f.name != "content"])
            .where(PatientFile.patient == patient.id).order_by(PatientFile.created_at.desc()))
    found = [{**file_body(r), "kind": "capture"} for r in rows]
    found += recording.patient_files(patient.id)
    return sorted(found, key=lambda f: f["created_at"], reverse=True)


def file_content(org_id: str, patient_id: str, file_id: str) -> tuple[bytes, str]:
    patient = _patient(org_id, patient_id)
    row = PatientFile.get_or_none(PatientFile.id == file_id, PatientFile.patient == patient.id)
    if row is None:
        raise NotFound("There is no such file.", code="file_not_found")
    return bytes(row.content), row.content_type


def check_image(content: bytes, content_type: str) -> str:
    """The image's content type if ``content`` is a PNG or JPEG of an accepted size."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in _SIGNATURES:
        raise BadRequest("Send the capture as image/png or image/jpeg.",
                         code="unsupported_image")
    if len(content) > CAPTURE_MAX_BYTES:
        raise BadRequest(f"The image is larger than {CAPTURE_MAX_BYTES} bytes.",
                         code="capture_too_large")
    if not content.startswith(_SIGNATURES[kind]):
        raise BadRequest("The file is not the image type it claims to be.",
                         code="unsupported_image")
    return kind


def save_capture(session_id: str, captured_by: str, participant_id: str | None,
                 content: bytes, content_type: str) -> dict[str, Any]:
    """Save an image captured in ``session_id`` to its linked patient's Files; the new file is
    an audit event (``patient.file_added``) of the same transaction."""
    session = TelehealthSession.get_by_id(session_id)
    if participant_id is not None and not Participant.select().where(
            Participant.id == participant_id, Participant.session == session_id).exists():
        raise NotFound("There is no such participant in this session.")
    if session.patient_id is None:
        raise Conflict("Link a patient in About Patient first; captures go to their Files.",
                       code="no_patient")
    row = PatientFile.create(patient=session.patient_id, content_type=content_type,
                             size=len(content), content=content, captured_by=captured_by,
                             session_id=session_id, participant_id=participant_id)
    audit.record(session.organisation_id, captured_by, "patient.file_added", session.patient_id,
                 row.id, session_id)
    return file_body(row)
