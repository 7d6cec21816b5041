"""The sessions REST API: ``/api/v1/sessions`` (Provider → Telehealth, Start a Session).

Thin handlers: validate the body (quart-schema), then ask ``context.sessions``; the session
actor and SessionState decide and enforce roles. Chairs-only actions answer 403 ``not_chair``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from quart import Blueprint, Response, make_response, request, send_file
from quart_schema import document_response, tag, validate_querystring, validate_request

from vclinic.api import (
    STAFF_ROLES,
    BadRequest,
    NewSession,
    current_principal,
    require,
    services,
    utcnow,
)
from vclinic.api import records as rec

blueprint = Blueprint("sessions_api", __name__, url_prefix="/api/v1/sessions")

PRACTICE = STAFF_ROLES
Role = Literal["chair", "broadcaster", "viewer"]
Access = Literal["private", "internal", "invitation"]
_ID = Field(min_length=1, max_length=32)


class ParticipantIn(BaseModel):
    user_id: str = _ID
    role: Role = "broadcaster"


class CreateBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scheduled_at: dt.datetime | None = None
    access_level: Access = "invitation"
    participants: list[ParticipantIn] = Field(default_factory=list, max_length=50)
    patient_id: str | None = Field(default=None, min_length=1, max_length=32)
    #: When Time Left reaches zero (with a time zone), or ``duration_minutes`` from the start.
    ends_at: dt.datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=rec.MAX_MINUTES)
    #: The user confirmed that anyone they share the link with can join (Invitation only).
    confirm_link_reminder: bool = False


class SettingsBody(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    scheduled_at: dt.datetime | None = None
    access_level: Access | None = None
    patient_id: str | None = Field(default=None, min_length=1, max_length=32)
    #: A new end (``null`` removes it), or ``duration_minutes`` from now (or the start).
    ends_at: dt.datetime | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=rec.MAX_MINUTES)
    #: The Participants from Your Practice list as it should be (the session form's OK).
    participants: list[ParticipantIn] | None = Field(default=None, max_length=50)


class AddBody(BaseModel):
    participants: list[ParticipantIn] = Field(min_length=1, max_length=50)


class RoleBody(BaseModel):
    role: Role


class ListQuery(BaseModel):
    status: Literal["open", "closed", "all"] = "open"
    #: Sessions per page, and the ``next_cursor`` of the previous page (none: the first).
    limit: int = Field(default=rec.DEFAULT_LIMIT, ge=1, le=rec.MAX_LIMIT)
    cursor: str | None = Field(default=None, min_length=1, max_length=200)


class SessionsPage(BaseModel):
    sessions: list[dict[str, Any]]
    #: Sessions in the whole list (for this ``status``).
    total: int
    #: Pass as ``cursor`` for the next page; null on the last page.
    next_cursor: str | None


def in_utc(value: dt.datetime | None, field: str = "scheduled_at") -> dt.datetime | None:
    """``value`` in UTC; a time without a time zone is refused (naming ``field``)."""
    if value is not None and value.tzinfo is None:
        raise BadRequest(f"Give {field} with a time zone (e.g. 2020-04-15T09:30:00Z).",
                         code="invalid_body")
    return value.astimezone(dt.UTC) if value is not None else None


def reminder_needed(access_level: str, confirmed: bool) -> None:
    """Invitation sessions are created only once the user confirmed the reminder that anyone
    with the link can join."""
    if access_level == "invitation" and not confirmed:
        raise BadRequest("Confirm that anyone you share the session link with will be able to "
                         "join this session.", code="confirm_link_reminder")


@blueprint.post("")
@tag(["sessions"])
@require(*PRACTICE)
@validate_request(CreateBody)
async def create(data: CreateBody) -> tuple[dict[str, Any], int]:
    """Start a Session: the creator becomes its Session Chair; people added are notified."""
    principal = current_principal()
    reminder_needed(data.access_level, data.confirm_link_reminder)
    scheduled_at = in_utc(data.scheduled_at)
    ends_at = rec.end_time(data.ends_at, data.duration_minutes, scheduled_at, utcnow())
    body = await services().sessions.create(NewSession(
        org_id=principal.org_id, creator_id=principal.user_id, name=data.name,
        access_level=data.access_level, scheduled_at=scheduled_at, ends_at=ends_at,
        participants=tuple((p.user_id, p.role) for p in data.participants),
        patient_id=data.patient_id))
    return body, 201


@blueprint.get("")
@tag(["sessions"])
@require(*PRACTICE)
@validate_querystring(ListQuery)
@document_response(SessionsPage)
async def listing(query_args: ListQuery) -> dict[str, Any]:
    """The caller's sessions, newest first, a page at a time.

    Those they created or are on the participants list of; ``limit`` (1 to 200, default 50)
    per page: ``sessions``, ``total`` (in the whole list) and ``next_cursor``, to pass as
    ``cursor`` for the next page (null on the last). 400 ``invalid_cursor`` for a cursor the
    server did not hand out."""
    principal = current_principal()
    page = await services().store.run(rec.listing, principal.org_id, principal.user_id,
                                      query_args.status, query_args.limit, query_args.cursor)
    return {"sessions": page.items, "total": page.total, "next_cursor": page.next_cursor}


@blueprint.get("/<session_id>")
@tag(["sessions"])
@require(*PRACTICE, "guest")
async def detail(session_id: str) -> dict[str, Any]:
    """One session, its participants and the caller's role (guests: their own session only)."""
    return await services().sessions.detail(current_principal(), session_id)


@blueprint.patch("/<session_id>")
@tag(["sessions"])
@require(*PRACTICE)
@validate_request(SettingsBody)
async def update(session_id: str, data: SettingsBody) -> dict[str, Any]:
    """Change settings (chairs): name, date and time, access level (participants who no longer
    qualify are removed at once), About Patient, and the end Time Left counts down to
    (``ends_at``, ``null`` to remove it, or ``duration_minutes``); everyone in the session gets
    ``session.updated``. With ``participants`` the Participants from Your Practice list becomes
    exactly that (new people notified, roles set, people left out removed), all or nothing."""
    changes = {k: getattr(data, k) for k in data.model_fields_set}
    roster = changes.pop("participants", None)
    if not changes and roster is None:
        raise BadRequest("Give at least one setting to change.", code="invalid_body")
    if "name" in changes and changes["name"] is None:
        raise BadRequest("A session needs a name.", code="invalid_name")
    if "access_level" in changes and changes["access_level"] is None:
        raise BadRequest("The access level must be private, internal or invitation.",
                         code="invalid_access_level")
    if "scheduled_at" in changes:
        when = in_utc(changes["scheduled_at"])
        changes["scheduled_at"] = when.isoformat() if when else None
    if changes.get("duration_minutes") is None:
        changes.pop("duration_minutes", None)
    if "duration_minutes" in changes or changes.get("ends_at") is not None:
        scheduled = changes.get("scheduled_at")
        end = rec.end_time(changes.pop("ends_at", None), changes.pop("duration_minutes", None),
                              dt.datetime.fromisoformat(scheduled) if scheduled else None,
                              utcnow())
        changes["ends_at"] = end.isoformat() if end else None
    session = await services().sessions.update(
        current_principal(), session_id, changes,
        None if roster is None else [(p.user_id, p.role) for p in roster])
    return {"session": session}


@blueprint.post("/<session_id>/participants")
@tag(["sessions"])
@require(*PRACTICE)
@validate_request(AddBody)
async def add_participants(session_id: str, data: AddBody) -> tuple[dict[str, Any], int]:
    """Add Participants from Your Practice (chairs); each gets a notification."""
    body = await services().sessions.add_participants(
        current_principal(), session_id, [(p.user_id, p.role) for p in data.participants])
    return body, 201


@blueprint.patch("/<session_id>/participants/<participant_id>")
@tag(["sessions"])
@require(*PRACTICE)
@validate_request(RoleBody)
async def change_role(session_id: str, participant_id: str, data: RoleBody) -> dict[str, Any]:
    """Change a participant's role (chairs); the media plane applies it at once."""
    participant = await services().sessions.change_role(current_principal(), session_id,
                                                        participant_id, data.role)
    return {"participant": participant}


@blueprint.delete("/<session_id>/participants/<participant_id>")
@tag(["sessions"])
@require(*PRACTICE)
async def remove_participant(session_id: str, participant_id: str) -> Response:
    """Remove a participant (chairs): they leave the call and may not come back."""
    await services().sessions.remove_participant(current_principal(), session_id, participant_id)
    return await make_response("", 204)  # type: ignore[return-value]


@blueprint.post("/<session_id>/close")
@tag(["sessions"])
@require(*PRACTICE)
async def close(session_id: str) -> dict[str, Any]:
    """Close the session for everyone (chairs); its links stop working."""
    return {"session": await services().sessions.close(current_principal(), session_id)}


@blueprint.get("/<session_id>/links")
@tag(["sessions"])
@require(*PRACTICE)
async def links(session_id: str) -> dict[str, Any]:
    """The guest link to share and the colleagues' sign-in address (Camera Preview)."""
    return await services().sessions.links(current_principal(), session_id)


@blueprint.post("/<session_id>/links/rotate")
@tag(["sessions"])
@require(*PRACTICE)
async def rotate(session_id: str) -> dict[str, Any]:
    """Replace the guest link (chairs): the old one stops working."""
    return await services().sessions.rotate_link(current_principal(), session_id)


@blueprint.post("/<session_id>/captures")
@tag(["sessions"])
@require(*PRACTICE)
async def capture(session_id: str) -> tuple[dict[str, Any], int]:
    """Save an image captured from a participant's video (chairs; body: the PNG or JPEG bytes,
    ``?participant_id=`` whose video) to the linked patient's Files."""
    participant_id = request.args.get("participant_id") or None
    content = await request.get_data(cache=False, as_text=False, parse_form_data=False)
    body = await services().sessions.capture(current_principal(), session_id, participant_id,
                                             content, request.headers.get("Content-Type", ""))
    return {"file": body}, 201


@blueprint.post("/<session_id>/recording")
@tag(["sessions"])
@require(*PRACTICE)
async def start_recording(session_id: str) -> tuple[dict[str, Any], int]:
    """Start recording (chairs; the session must be live). Only participants who consented are
    recorded, each to a WebM (VP8 + Opus) without re-encoding; everyone in the session gets
    ``session.recording``. 409 ``already_recording``, ``session_not_live``; 503 ``media_down``."""
    return {"recording": await services().sessions.start_recording(current_principal(),
                                                                   session_id)}, 201


@blueprint.delete("/<session_id>/recording")
@tag(["sessions"])
@require(*PRACTICE)
async def stop_recording(session_id: str) -> dict[str, Any]:
    """Stop recording (chairs): the stored recording, with its files, duration and the people
    in it. 409 ``not_recording``."""
    return {"recording": await services().sessions.stop_recording(current_principal(), session_id)}


@blueprint.get("/<session_id>/recordings")
@tag(["sessions"])
@require(*PRACTICE)
async def recordings(session_id: str) -> dict[str, Any]:
    """The session's recordings, newest first (its providers and the practice's
    administrators; 403 ``recording_forbidden`` for others)."""
    return {"recordings": await services().sessions.recordings(current_principal(), session_id)}


@blueprint.get("/<session_id>/recordings/<recording_id>/files/<file_id>")
@tag(["sessions"])
@require(*PRACTICE)
async def recording_file(session_id: str, recording_id: str, file_id: str) -> Response:
    """Download one participant's WebM of a recording (as for the listing)."""
    path, name = await services().sessions.recording_file(current_principal(), session_id,
                                                          recording_id, file_id)
    response = await send_file(path, mimetype="video/webm", as_attachment=True,
                               attachment_filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
