"""The Visits REST API under ``/api/v1/visits`` (the client's link is in :mod:`link`).

Thin handlers: validate the body (quart-schema), then read through :mod:`record` or send a
command to the visit's VisitActor, which decides. Admins manage clients, service codes and
visits; employees (providers) see their schedule, clock in and out, invite and join.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, Field
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_request

from vclinic.api import (
    STAFF_ROLES,
    BadRequest,
    NotFound,
    current_principal,
    link_base,
    require,
    require_admin,
    services,
)
from vclinic_visits import message as m
from vclinic_visits import record, rules
from vclinic_visits.actor import KIND

blueprint = Blueprint("visits", __name__, url_prefix="/api/v1/visits")

_ID = Field(min_length=1, max_length=32)
#: An email address as the outbox accepts it (one @, no spaces); the SMTP server has the last word.
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EmailStr = Annotated[str, Field(max_length=254, pattern=_EMAIL)]
#: What a visit id can look like; anything else is 404 before it wakes an actor.
_VISIT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class ClientIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=3, max_length=40)


class ClientPatch(BaseModel):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, min_length=3, max_length=40)


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)
    allows_virtual: bool = False


class CodePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    allows_virtual: bool | None = None


class VisitIn(BaseModel):
    client_id: str = _ID
    employee_id: str = _ID
    service_code_id: str = _ID
    starts_at: dt.datetime
    ends_at: dt.datetime


class VisitPatch(BaseModel):
    """Reschedule (``starts_at``/``ends_at``) and/or reassign (``employee_id``)."""

    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    employee_id: str | None = Field(default=None, min_length=1, max_length=32)


class ClockOutIn(BaseModel):
    #: The employee saw the warning that the virtual session is still active.
    confirm: bool = False


class ScheduleQuery(BaseModel):
    #: The day to show, in ``tz`` (today there when left out).
    date: dt.date | None = None
    #: The viewer's IANA time zone, for the waiting message's HH:MM.
    tz: str | None = Field(default=None, max_length=64)
    client_id: str | None = Field(default=None, min_length=1, max_length=32)
    employee_id: str | None = Field(default=None, min_length=1, max_length=32)


def _utc(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise BadRequest(f"Give {field} with a time zone (e.g. 2026-12-04T09:30:00Z).",
                         code="invalid_times")
    return value.astimezone(dt.UTC)


def _fields(data: BaseModel) -> dict[str, Any]:
    values = {k: getattr(data, k) for k in data.model_fields_set}
    if "email" in values and values["email"] is not None:
        values["email"] = str(values["email"])
    return values


async def _call(visit_id: str, command: m.Command) -> dict[str, Any]:
    if _VISIT_ID.fullmatch(visit_id) is None:
        raise NotFound("There is no such visit.", code="visit_not_found")
    return await services().ref(KIND, visit_id).call(command)  # type: ignore[no-any-return]


def _base_url() -> str:
    return link_base()


# Clients and service codes (admins) ------------------------------------------------------------


@blueprint.post("/clients")
@tag(["visits"])
@require_admin
@validate_request(ClientIn)
async def create_client(data: ClientIn) -> tuple[dict[str, Any], int]:
    """Add a client (Demographics; the email is optional)."""
    p = current_principal()
    body = await services().store.atomic(record.create_client, p.org_id, p.user_id,
                                         _fields(data) | {"first_name": data.first_name,
                                                          "last_name": data.last_name})
    return {"client": body}, 201


@blueprint.get("/clients")
@tag(["visits"])
@require(*STAFF_ROLES)
async def list_clients() -> dict[str, Any]:
    """The organisation's clients."""
    return {"clients": await services().store.run(record.clients, current_principal().org_id)}


@blueprint.patch("/clients/<client_id>")
@tag(["visits"])
@require_admin
@validate_request(ClientPatch)
async def update_client(client_id: str, data: ClientPatch) -> dict[str, Any]:
    """Change a client's demographics (``email: null`` removes the email)."""
    fields = _fields(data)
    if not fields:
        raise BadRequest("Give at least one field to change.", code="invalid_body")
    for name in ("first_name", "last_name"):
        if name in fields and fields[name] is None:
            raise BadRequest("A client needs a first and a last name.", code="invalid_name")
    p = current_principal()
    body = await services().store.atomic(record.update_client, p.org_id, p.user_id, client_id,
                                         fields)
    return {"client": body}


@blueprint.post("/service-codes")
@tag(["visits"])
@require_admin
@validate_request(CodeIn)
async def create_code(data: CodeIn) -> tuple[dict[str, Any], int]:
    """Add a service code; ``allows_virtual`` makes its visits virtual visits."""
    p = current_principal()
    body = await services().store.atomic(record.create_code, p.org_id, p.user_id, data.code,
                                         data.name, data.allows_virtual)
    return {"service_code": body}, 201


@blueprint.get("/service-codes")
@tag(["visits"])
@require(*STAFF_ROLES)
async def list_codes() -> dict[str, Any]:
    """The organisation's service codes."""
    return {"service_codes": await services().store.run(record.codes,
                                                        current_principal().org_id)}


@blueprint.patch("/service-codes/<code_id>")
@tag(["visits"])
@require_admin
@validate_request(CodePatch)
async def update_code(code_id: str, data: CodePatch) -> dict[str, Any]:
    """Rename a service code or change whether it allows virtual visits."""
    fields = {k: v for k, v in _fields(data).items() if v is not None}
    if not fields:
        raise BadRequest("Give at least one field to change.", code="invalid_body")
    p = current_principal()
    body = await services().store.atomic(record.update_code, p.org_id, p.user_id, code_id,
                                         fields)
    return {"service_code": body}


@blueprint.get("/employees")
@tag(["visits"])
@require(*STAFF_ROLES)
async def list_employees() -> dict[str, Any]:
    """The employees visits can be assigned to (the organisation's providers)."""
    return {"employees": await services().store.run(record.employees,
                                                    current_principal().org_id)}


# Visits ---------------------------------------------------------------------------------------


@blueprint.post("")
@tag(["visits"])
@require_admin
@validate_request(VisitIn)
async def create_visit(data: VisitIn) -> tuple[dict[str, Any], int]:
    """Schedule a visit of an employee (a provider) to a client."""
    p = current_principal()
    starts_at, ends_at = _utc(data.starts_at, "starts_at"), _utc(data.ends_at, "ends_at")
    assert starts_at is not None and ends_at is not None
    body = await services().store.atomic(
        record.create_visit, p.org_id, p.user_id, data.client_id, data.employee_id,
        data.service_code_id, starts_at, ends_at, services().clock.now())
    return {"visit": body}, 201


@blueprint.get("")
@tag(["visits"])
@require(*STAFF_ROLES)
@validate_querystring(ScheduleQuery)
async def schedule(query_args: ScheduleQuery) -> dict[str, Any]:
    """The schedule of one day in the caller's time zone (``tz``): the caller's own visits;
    admins may ask for any employee's (``employee_id``) or client's (``client_id``), or
    everyone's. Virtual visits have ``virtual: true``."""
    p = current_principal()
    employee_id: str | None = p.user_id
    if p.has_role("admin"):
        employee_id = query_args.employee_id
    elif query_args.employee_id not in (None, p.user_id) or query_args.client_id:
        raise BadRequest("Only administrators can see other schedules.", code="not_admin")
    now = services().clock.now()
    day = query_args.date or rules.today(now, query_args.tz)
    rows = await services().store.run(record.schedule, p.org_id, employee_id,
                                      query_args.client_id, day, now, query_args.tz)
    return {"date": day.isoformat(), "visits": rows}


@blueprint.get("/<visit_id>")
@tag(["visits"])
@require(*STAFF_ROLES)
@validate_querystring(ScheduleQuery)
async def detail(visit_id: str, query_args: ScheduleQuery) -> dict[str, Any]:
    """The visit dialog ("More Details"): the visit, its clock times, its invite and session
    state, and the waiting message in the caller's time zone (``tz``)."""
    p = current_principal()

    now = services().clock.now()

    def read() -> dict[str, Any]:
        return record.visit_body(record.get_visit(p.org_id, visit_id), now, query_args.tz)

    return {"visit": await services().store.run(read)}


@blueprint.patch("/<visit_id>")
@tag(["visits"])
@require_admin
@validate_request(VisitPatch)
async def change(visit_id: str, data: VisitPatch) -> dict[str, Any]:
    """Reschedule or reassign. A new time makes the old invite link stop working: when an
    invite had gone out, ``message`` tells to resend it (``POST .../invite`` at once)."""
    if not data.model_fields_set:
        raise BadRequest("Give a new time or a new employee.", code="invalid_body")
    return await _call(visit_id, m.Change(
        current_principal(), _utc(data.starts_at, "starts_at"), _utc(data.ends_at, "ends_at"),
        data.employee_id))


@blueprint.post("/<visit_id>/cancel")
@tag(["visits"])
@require_admin
async def cancel(visit_id: str) -> dict[str, Any]:
    """Cancel the visit: its invite links stop working."""
    return await _call(visit_id, m.Cancel(current_principal()))


@blueprint.post("/<visit_id>/invite")
@tag(["visits"])
@require(*STAFF_ROLES)
async def invite(visit_id: str) -> dict[str, Any]:
    """Send invite to client (and Resend invite to client): emails the link to the video call
    and creates the visit's virtual session. 403 ``not_assigned``, 409 ``no_email``, 410
    ``link_expired``."""
    return await _call(visit_id, m.Invite(current_principal(), _base_url(), email=True))


@blueprint.post("/<visit_id>/invite-link")
@tag(["visits"])
@require(*STAFF_ROLES)
async def invite_link(visit_id: str) -> dict[str, Any]:
    """Copy invite link: the link to the video call (creates the virtual session)."""
    return await _call(visit_id, m.Invite(current_principal(), _base_url(), email=False))


@blueprint.post("/<visit_id>/clock-in")
@tag(["visits"])
@require(*STAFF_ROLES)
async def clock_in(visit_id: str) -> dict[str, Any]:
    """Clock in to the visit (the assigned employee)."""
    return await _call(visit_id, m.ClockIn(current_principal()))


@blueprint.post("/<visit_id>/clock-out")
@tag(["visits"])
@require(*STAFF_ROLES)
@validate_request(ClockOutIn)
async def clock_out(visit_id: str, data: ClockOutIn) -> dict[str, Any]:
    """Clock out. While the virtual session is active: 409 ``session_still_active`` (the
    warning) unless ``confirm``, which also ends the virtual session."""
    return await _call(visit_id, m.ClockOut(current_principal(), data.confirm))


@blueprint.post("/<visit_id>/join")
@tag(["visits"])
@require(*STAFF_ROLES)
async def join(visit_id: str) -> dict[str, Any]:
    """Join video session: where to go (``next``). 403 ``not_clocked_in`` until clocked in,
    410 ``link_expired`` after the end + 15 minutes, 410 ``session_over``."""
    return await _call(visit_id, m.Join(current_principal()))


@blueprint.post("/<visit_id>/end")
@tag(["visits"])
@require(*STAFF_ROLES)
async def end(visit_id: str) -> dict[str, Any]:
    """The employee hangs up: the virtual session is over for good (the client's link too)."""
    return await _call(visit_id, m.End(current_principal()))


__all__ = ["blueprint"]
