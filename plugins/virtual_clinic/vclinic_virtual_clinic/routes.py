"""The Virtual Clinic REST API under ``/api/v1/virtual-clinic`` (docs/workflows/virtual_clinic.md).

Thin handlers: validate the body (quart-schema), check who is asking and that their
organisation uses the Virtual Clinic, then send a command to the provider's ProviderActor, which
decides. Requesters are users with the ``requester`` role and station accounts.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import trio
from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import tag, validate_request

from vclinic.api import Forbidden, Principal, current_principal, require, services
from vclinic_virtual_clinic import directory, organisation
from vclinic_virtual_clinic import message as m
from vclinic_virtual_clinic.actor import KIND
from vclinic_virtual_clinic.organisation import ClinicSettings

blueprint = Blueprint("virtual_clinic_api", __name__, url_prefix="/api/v1/virtual-clinic")

CALL_DEADLINE = 15.0
NOTE_MAX = 500
_ID = Field(min_length=1, max_length=32)


class AvailabilityBody(BaseModel):
    available: bool


class RequestBody(BaseModel):
    provider_id: str = _ID
    service_id: str | None = Field(default=None, min_length=1, max_length=32)


class AcceptBody(BaseModel):
    #: "Accept and Enter": the reply's ``next`` is the session's call page.
    enter: bool = False


class DeclineBody(BaseModel):
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class SettingsBody(BaseModel):
    enabled: bool | None = None
    decline_notes: bool | None = None
    request_expiry_seconds: int | None = Field(
        default=None, ge=organisation.MIN_EXPIRY_SECONDS, le=organisation.MAX_EXPIRY_SECONDS)


async def call(provider_id: str, command: Any) -> Any:
    """Send ``command`` to the provider's actor and wait for its answer."""
    ref = services().ref(KIND, provider_id)
    with trio.fail_after(CALL_DEADLINE):
        return await ref.call(command)


async def clinic() -> ClinicSettings:
    """The caller's organisation's settings; Forbidden when it does not use the workflow."""
    settings: ClinicSettings = await services().store.run(organisation.read,
                                                          current_principal().org_id)
    if not settings.enabled:
        raise Forbidden("Your organisation does not use the Virtual Clinic.",
                        code="workflow_disabled")
    return settings


def is_requester(principal: Principal) -> bool:
    return "requester" in principal.roles or bool(principal.is_station)


def requester_only() -> Principal:
    principal = current_principal()
    if not is_requester(principal):
        raise Forbidden("Only requesters and stations can request sessions.",
                        code="not_requester")
    return principal


def provider_only() -> Principal:
    principal = current_principal()
    if "provider" not in principal.roles:
        raise Forbidden("Only providers take session requests.", code="not_provider")
    return principal


async def provider_list(org_id: str) -> list[dict[str, Any]]:
    """The organisation's providers with their availability."""
    rows = await services().store.run(directory.providers, org_id)
    for row in rows:
        row["available"] = (await call(row["id"], m.Status()))["available"]
    return rows


async def outgoing(principal: Principal) -> list[dict[str, Any]]:
    """The requester's pending and undismissed requests, newest first."""
    found: list[dict[str, Any]] = []
    for row in await services().store.run(directory.providers, principal.org_id):
        found += (await call(row["id"], m.Status(principal.user_id)))["requests"]
    return sorted(found, key=lambda r: r["created_at"], reverse=True)


@blueprint.get("/dashboard")
@tag(["virtual_clinic"])
@require()
async def dashboard() -> dict[str, Any]:
    """Everything the caller's Virtual Clinic section shows: for providers their availability
    and incoming requests, for requesters the providers, services and their own requests, and
    for both their open Virtual Clinic sessions."""
    settings = await clinic()
    principal = current_principal()
    body: dict[str, Any] = {"decline_notes": settings.decline_notes,
                            "is_provider": "provider" in principal.roles,
                            "is_requester": is_requester(principal)}
    if body["is_provider"]:
        status = await call(principal.user_id, m.Status())
        body["available"] = status["available"]
        body["incoming"] = status["requests"]
    if body["is_requester"]:
        body["providers"] = await provider_list(principal.org_id)
        body["services"] = await services().store.run(directory.services, principal.org_id)
        body["outgoing"] = await outgoing(principal)
    body["sessions"] = await services().store.run(directory.sessions, principal.org_id,
                                                  principal.user_id)
    return body


@blueprint.get("/providers")
@tag(["virtual_clinic"])
@require()
async def providers() -> dict[str, Any]:
    """The Virtual Clinic's providers with their availability, and the Account Services to
    choose from (requesters)."""
    await clinic()
    principal = requester_only()
    return {"providers": await provider_list(principal.org_id),
            "services": await services().store.run(directory.services, principal.org_id)}


@blueprint.get("/availability")
@tag(["virtual_clinic"])
@require("provider")
async def get_availability() -> dict[str, Any]:
    await clinic()
    status = await call(current_principal().user_id, m.Status())
    return {"available": status["available"]}


@blueprint.put("/availability")
@tag(["virtual_clinic"])
@require("provider")
@validate_request(AvailabilityBody)
async def set_availability(data: AvailabilityBody) -> dict[str, Any]:
    """I Am Available / Unavailable for Sessions. Going unavailable declines every pending
    request (reason ``provider_went_unavailable``)."""
    await clinic()
    principal = provider_only()
    reply: dict[str, Any] = await call(principal.user_id, m.SetAvailability(
        principal.org_id, principal.name, data.available, time.time()))
    return reply


@blueprint.post("/requests")
@tag(["virtual_clinic"])
@require()
@validate_request(RequestBody)
async def request_session(data: RequestBody) -> tuple[dict[str, Any], int]:
    """Request Session Now. A request to an unavailable provider is declined at once
    (status ``declined``, reason ``provider_unavailable``)."""
    settings = await clinic()
    principal = requester_only()
    store = services().store
    name = await store.run(directory.provider_name, principal.org_id, data.provider_id)
    service_id, service_name = await store.run(directory.pick_service, principal.org_id,
                                               data.service_id)
    now = time.time()
    request = await call(data.provider_id, m.RequestSession(
        request_id=uuid.uuid4().hex, org_id=principal.org_id, provider_name=name,
        requester_id=principal.user_id, requester_name=principal.name, service_id=service_id,
        service_name=service_name, now=now, expires_at=now + settings.request_expiry_seconds))
    return {"request": request}, 201


@blueprint.get("/requests")
@tag(["virtual_clinic"])
@require()
async def requests() -> dict[str, Any]:
    """Providers: the pending requests to them. Requesters: their own requests."""
    await clinic()
    principal = current_principal()
    body: dict[str, Any] = {}
    if "provider" in principal.roles:
        body["incoming"] = (await call(principal.user_id, m.Status()))["requests"]
    if is_requester(principal):
        body["outgoing"] = await outgoing(principal)
    return body


@blueprint.post("/requests/<request_id>/accept")
@tag(["virtual_clinic"])
@require("provider")
@validate_request(AcceptBody)
async def accept(request_id: str, data: AcceptBody) -> dict[str, Any]:
    """Accept (or Accept and Enter): creates the session. A request another tab accepted
    first answers 409 ``request_already_accepted``."""
    await clinic()
    principal = provider_only()
    reply: dict[str, Any] = await call(principal.user_id,
                                       m.Accept(request_id, data.enter, time.time()))
    await services().sessions.audit(principal, "request.admitted", request_id,
                                    str(reply["session_id"]))
    return reply


@blueprint.post("/requests/<request_id>/decline")
@tag(["virtual_clinic"])
@require("provider")
@validate_request(DeclineBody)
async def decline(request_id: str, data: DeclineBody) -> dict[str, Any]:
    """Decline, with a note to the requester when the organisation has notes enabled."""
    settings = await clinic()
    principal = provider_only()
    note = (data.note or "").strip() or None
    if note is not None and not settings.decline_notes:
        raise Forbidden("Your organisation has notes on declined requests turned off.",
                        code="notes_disabled")
    request = await call(principal.user_id, m.Decline(request_id, note, time.time()))
    return {"request": request}


@blueprint.post("/providers/<provider_id>/requests/<request_id>/cancel")
@tag(["virtual_clinic"])
@require()
async def cancel(provider_id: str, request_id: str) -> dict[str, Any]:
    """The requester withdraws a pending request; the provider's alert goes away."""
    await clinic()
    principal = requester_only()
    await services().store.run(directory.provider_name, principal.org_id, provider_id)
    request = await call(provider_id, m.Cancel(request_id, principal.user_id, time.time()))
    return {"request": request}


@blueprint.post("/providers/<provider_id>/requests/<request_id>/dismiss")
@tag(["virtual_clinic"])
@require()
async def dismiss(provider_id: str, request_id: str) -> dict[str, Any]:
    """Dismiss a declined or expired request, so that the provider can be asked again."""
    await clinic()
    principal = requester_only()
    await services().store.run(directory.provider_name, principal.org_id, provider_id)
    await call(provider_id, m.Dismiss(request_id, principal.user_id))
    return {}


@blueprint.get("/sessions")
@tag(["virtual_clinic"])
@require()
async def sessions() -> dict[str, Any]:
    """The caller's open Virtual Clinic sessions with each participant's status
    ("Not Yet Arrived", "In Waiting Room", "In Meeting", "Left")."""
    await clinic()
    principal = current_principal()
    return {"sessions": await services().store.run(directory.sessions, principal.org_id,
                                                   principal.user_id)}


@blueprint.get("/settings")
@tag(["virtual_clinic"])
@require("admin")
async def get_settings() -> dict[str, Any]:
    """The organisation's Virtual Clinic settings (admins)."""
    settings = await services().store.run(organisation.read, current_principal().org_id)
    return {"settings": settings.public()}


@blueprint.patch("/settings")
@tag(["virtual_clinic"])
@require("admin")
@validate_request(SettingsBody)
async def change_settings(data: SettingsBody) -> dict[str, Any]:
    """Turn the Virtual Clinic on or off for the organisation, allow notes on declined
    requests, and set how long a request waits before it expires (admins)."""
    deployed = [p.name for p in services().plugins.installed() if p.enabled]
    principal = current_principal()
    settings = await services().store.atomic(
        organisation.write, principal.org_id, principal.user_id, deployed, data.enabled,
        data.decline_notes, data.request_expiry_seconds)
    return {"settings": settings.public()}
