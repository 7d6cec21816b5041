"""The patient side of On-Demand: the public page's API (no sign-in) and the patient's socket.

"Meet Now" posts the patient's information to ``POST /api/v1/on_demand/orgs/<slug>/requests``,
which puts them in the queue at once and sets the ``vclinic_od`` cookie holding their patient
token (only its SHA-256 is stored). Everything after that is ``/api/v1/on_demand/patient...``,
authenticated by that cookie. The page keeps ``/on_demand/patient/ws`` open: while it is, the
patient is present; when it closes, the grace period starts, and a page that reconnects within
it (same cookie) keeps its place. When a provider claims the request the socket says so and the
page calls ``POST /api/v1/on_demand/patient/join`` to become a guest of the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import trio
from pydantic import BaseModel, Field
from quart import Blueprint, Response, jsonify, request, send_from_directory, websocket
from quart_schema import hide, tag, validate_request

from vclinic.api import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    VclinicError,
    get_logger,
    new_id,
    new_token,
    origin_allowed,
    protocol,
    services,
    set_session_cookie,
    token_hash,
)
from vclinic_on_demand import intake, queue, record
from vclinic_on_demand import message as m
from vclinic_on_demand.actor import patient_topic
from vclinic_on_demand.model import ACTIVE, QueueRequest

blueprint = Blueprint("on_demand_patient", __name__)
STATIC = Path(__file__).parent / "static"
log = get_logger("on_demand.patient")

PATIENT_COOKIE = "vclinic_od"
PATIENT_COOKIE_HOURS = 12


class PatientBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class AnswersBody(BaseModel):
    answers: dict[str, Any] = Field(min_length=1, max_length=intake.MAX_FIELDS)


@blueprint.get("/o/<slug>/calendar")
@hide
async def calendar(slug: str) -> Response:
    """The organisation's public-facing calendar page, with Meet Now."""
    await services().store.run(record.org_by_slug, slug)
    response: Response = await send_from_directory(STATIC, "calendar.html")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/api/v1/on_demand/orgs/<slug>")
@tag(["on_demand public"])
async def organisation(slug: str) -> dict[str, Any]:
    """The public page's data: the organisation's name and its setup guide."""
    org = await services().store.run(record.org_by_slug, slug)
    return {"organisation": {"name": org.name, "slug": org.slug},
            "fields": await services().store.run(record.fields, org.id)}


@blueprint.post("/api/v1/on_demand/orgs/<slug>/requests")
@tag(["on_demand public"])
@validate_request(PatientBody)
async def open_request(slug: str, data: PatientBody) -> tuple[Response, int]:
    """Meet Now, after "Enter the patient information": the patient is in the queue from now
    on (claimable during the setup guide) and gets the ``vclinic_od`` cookie."""
    app = services()
    name, email = intake.check_patient(data.name, data.email)
    org = await app.store.run(record.org_by_slug, slug)
    token, request_id = new_token(), new_id()
    status = await queue.call(app, org.id, m.Open(request_id, name, email, token_hash(token)))
    body = {"request_id": request_id, **status,
            "fields": await app.store.run(record.fields, org.id)}
    response = jsonify(body)
    response.set_cookie(PATIENT_COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=app.settings.secure_cookies, max_age=PATIENT_COOKIE_HOURS * 3600)
    return response, 201


async def _current(req: Any) -> QueueRequest:
    token = req.cookies.get(PATIENT_COOKIE, "")
    row = await services().store.run(record.by_token, token)
    if row is None:
        raise Unauthorized("Start again from the clinic's Meet Now page.", code="no_request")
    return row


def _final(row: QueueRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"request_id": row.id, "status": row.status}
    if row.status == "claimed":
        body["session_id"] = row.session_id
        body["join"] = "/api/v1/on_demand/patient/join"
    elif row.status == "declined":
        body["message"] = ("Your request was declined. We have emailed you; please try again "
                           "later or contact the clinic.")
    return body


async def status_of(row: QueueRequest) -> dict[str, Any]:
    if row.status in ACTIVE:
        try:
            status = await queue.call(services(), row.organisation_id, m.Status(row.id))
        except NotFound:
            row = await services().store.run(QueueRequest.get_by_id, row.id)
            return _final(row)
        return {"request_id": row.id, **status}
    return _final(row)


@blueprint.get("/api/v1/on_demand/patient")
@tag(["on_demand public"])
async def current() -> dict[str, Any]:
    """The patient's request: in the setup guide, waiting (position and an honest estimate:
    the median recent wait, or null while there is too little history), claimed (with the
    session to join), declined or abandoned."""
    return await status_of(await _current(request))


@blueprint.patch("/api/v1/on_demand/patient/answers")
@tag(["on_demand public"])
@validate_request(AnswersBody)
async def answers(data: AnswersBody) -> dict[str, Any]:
    """Save intake answers as they are given; staff see them live."""
    row = await _current(request)
    _active(row)
    fields = await services().store.run(record.fields, row.organisation_id)
    cleaned = tuple((k, intake.check_answer(fields, k, v)) for k, v in data.answers.items())
    status: dict[str, Any] = await queue.call(services(), row.organisation_id,
                                              m.Answer(row.id, cleaned))
    return {"request_id": row.id, **status}


@blueprint.post("/api/v1/on_demand/patient/complete")
@tag(["on_demand public"])
async def complete() -> dict[str, Any]:
    """The setup guide is done: unclaimed, the patient waits in the virtual waiting room.
    400 ``intake_incomplete`` (``details.missing``) while required answers are missing."""
    row = await _current(request)
    _active(row)
    fields = await services().store.run(record.fields, row.organisation_id)
    required = tuple(f["key"] for f in fields if f["required"] and f["kind"] != "consent")
    consents = tuple(f["key"] for f in fields if f["required"] and f["kind"] == "consent")
    status: dict[str, Any] = await queue.call(services(), row.organisation_id,
                                              m.Complete(row.id, required, consents))
    return {"request_id": row.id, **status}


@blueprint.delete("/api/v1/on_demand/patient")
@tag(["on_demand public"])
async def leave() -> dict[str, Any]:
    """Leave the queue now."""
    row = await _current(request)
    _active(row)
    await queue.call(services(), row.organisation_id, m.Leave(row.id))
    return {"request_id": row.id, "status": "abandoned"}


@blueprint.post("/api/v1/on_demand/patient/join")
@tag(["on_demand public"])
async def join() -> Response:
    """After a claim: become a guest of the session (sets ``vclinic_session``) and go to it."""
    app = services()
    row = await _current(request)
    if row.status != "claimed" or row.participant_id is None or row.session_id is None:
        raise Conflict("Nobody has claimed your request yet.", code="not_claimed")
    cookie, csrf_token = await app.sessions.start_guest(row.session_id, row.participant_id)
    response = jsonify({"session_id": row.session_id, "participant_id": row.participant_id,
                        "csrf_token": csrf_token, "next": f"/preview?session={row.session_id}"})
    set_session_cookie(response, cookie)
    return response


def _active(row: QueueRequest) -> None:
    if row.status not in ACTIVE:
        raise Conflict("Your request is no longer in the queue.", code=f"request_{row.status}")


# The patient's socket ------------------------------------------------------------------------


@blueprint.websocket("/on_demand/patient/ws")
async def patient_socket() -> Response | None:
    """Presence and live events for the patient's page (the envelope of docs/protocol.md)."""
    app = services()
    if not origin_allowed(websocket, app.settings.origins):
        return _refuse(Forbidden("This page's origin may not connect.", code="bad_origin"))
    row = await app.store.run(record.by_token, websocket.cookies.get(PATIENT_COOKIE, ""))
    if row is None:
        return _refuse(Unauthorized("Start again from the clinic's Meet Now page.",
                                    code="no_request"))
    await websocket.accept()
    connection_id = new_id()
    seq = 0

    async def send(kind: str, data: dict[str, Any]) -> None:
        nonlocal seq
        seq += 1
        await websocket.send(protocol.event(seq, kind, data))

    connected = False
    try:
        async with app.runtime.bus.subscribe(patient_topic(row.id)) as events:
            status = await status_of(row)
            if status["status"] in ACTIVE:
                try:
                    status = {"request_id": row.id, **await queue.call(
                        app, row.organisation_id, m.Connect(row.id, connection_id))}
                    connected = True
                except VclinicError:
                    status = await status_of(await app.store.run(QueueRequest.get_by_id,
                                                                 row.id))
            await send("hello", {"protocol": protocol.PROTOCOL_VERSION,
                                 "connection_id": connection_id, "request": status})
            async with trio.open_nursery() as nursery:
                nursery.start_soon(_read, app, nursery)
                async for event in events:
                    if isinstance(event, dict):
                        await send(event["type"], event.get("data", {}))
                # The bus dropped this subscriber (it fell behind): close, so that the page
                # reconnects and reloads its state.
                nursery.cancel_scope.cancel()
    finally:
        if connected:
            try:
                queue.send_nowait(app, row.organisation_id, m.Disconnect(row.id, connection_id))
            except VclinicError as exc:
                log.warning("patient_disconnect_dropped", request_id=row.id, code=exc.code)
    return None


async def _read(app: Any, nursery: trio.Nursery) -> None:
    try:
        while True:
            raw = await websocket.receive()
            try:
                message = protocol.parse(raw, app.settings.ws_max_message_bytes)
            except protocol.ProtocolError as err:
                await websocket.send(protocol.error(err.txn, err))
                continue
            if message.type == "ping":
                await websocket.send(protocol.reply(message.txn, {"pong": True}))
            else:
                await websocket.send(protocol.error(message.txn, protocol.unknown_type(message)))
    finally:
        nursery.cancel_scope.cancel()


def _refuse(err: VclinicError) -> Response:
    body = jsonify({"error": err.to_dict()})
    body.status_code = err.status
    return body

