"""Synchronous peewee functions of the Visits plugin, run through ``store.run``/``store.atomic``.

Every function takes the caller's organisation and raises NotFound for another organisation's
ids. Bodies carry ids and what the schedule shows; errors carry no client data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vclinic.api import BadRequest, Conflict, NotFound, Organisation, User, UserRole, audit
from vclinic_visits import rules
from vclinic_visits.model import Client, ServiceCode, TimeRecord, Visit, VisitInvite, VisitSession


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# Clients and service codes ---------------------------------------------------------------------


def client_body(row: Client) -> dict[str, Any]:
    return {"id": row.id, "first_name": row.first_name, "last_name": row.last_name,
            "email": row.email, "phone": row.phone}


def get_client(org_id: str, client_id: str) -> Client:
    row = Client.get_or_none(Client.id == client_id, Client.organisation_id == org_id)
    if row is None:
        raise NotFound("There is no such client.", code="client_not_found")
    return row


def create_client(org_id: str, actor_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    row = Client.create(organisation_id=org_id, **fields)
    audit.record(org_id, actor_id, "visits.client_created", row.id)
    return client_body(row)


def update_client(org_id: str, actor_id: str, client_id: str,
                  fields: dict[str, Any]) -> dict[str, Any]:
    row = get_client(org_id, client_id)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    audit.record(org_id, actor_id, "visits.client_updated", row.id)
    return client_body(row)


def clients(org_id: str) -> list[dict[str, Any]]:
    rows = Client.select().where(Client.organisation_id == org_id).order_by(
        Client.last_name, Client.first_name, Client.id)
    return [client_body(r) for r in rows]


def code_body(row: ServiceCode) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name": row.name,
            "allows_virtual": row.allows_virtual}


def create_code(org_id: str, actor_id: str, code: str, name: str,
                allows_virtual: bool) -> dict[str, Any]:
    if ServiceCode.get_or_none(ServiceCode.organisation_id == org_id,
                               ServiceCode.code == code) is not None:
        raise Conflict(f"The service code {code} exists already.", code="service_code_exists")
    row = ServiceCode.create(organisation_id=org_id, code=code, name=name,
                             allows_virtual=allows_virtual)
    audit.record(org_id, actor_id, "visits.service_code_created", row.id)
    return code_body(row)


def update_code(org_id: str, actor_id: str, code_id: str,
                fields: dict[str, Any]) -> dict[str, Any]:
    row = ServiceCode.get_or_none(ServiceCode.id == code_id,
                                  ServiceCode.organisation_id == org_id)
    if row is None:
        raise NotFound("There is no such service code.", code="service_code_not_found")
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    audit.record(org_id, actor_id, "visits.service_code_updated", row.id)
    return code_body(row)


def codes(org_id: str) -> list[dict[str, Any]]:
    rows = ServiceCode.select().where(ServiceCode.organisation_id == org_id).order_by(
        ServiceCode.code)
    return [code_body(r) for r in rows]


def employees(org_id: str) -> list[dict[str, Any]]:
    """The organisation's active providers: who visits can be assigned to."""
    rows = (User.select(User.id, User.name).join(UserRole, on=(UserRole.user == User.id))
            .where(User.organisation == org_id, User.is_active, ~User.is_station,
                   UserRole.role == "provider").order_by(User.name, User.id))
    return [{"id": u.id, "name": u.name} for u in rows]


def check_employee(org_id: str, user_id: str) -> str:
    """``user_id`` if it is an active provider of the organisation; its name."""
    row = (User.select(User.id, User.name)
           .join(UserRole, on=(UserRole.user == User.id))
           .where(User.id == user_id, User.organisation == org_id, User.is_active,
                  ~User.is_station, UserRole.role == "provider").first())
    if row is None:
        raise BadRequest("The employee must be a provider of the organisation.",
                         code="invalid_employee")
    return str(row.name)


# Visits ----------------------------------------------------------------------------------------


def get_visit(org_id: str, visit_id: str) -> Visit:
    row = Visit.get_or_none(Visit.id == visit_id, Visit.organisation_id == org_id)
    if row is None:
        raise NotFound("There is no such visit.", code="visit_not_found")
    return row


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    problem = rules.check_times(starts_at, ends_at)
    if problem is not None:
        raise BadRequest(problem, code="invalid_times")


def create_visit(org_id: str, actor_id: str, client_id: str, employee_id: str,
                 service_code_id: str, starts_at: dt.datetime,
                 ends_at: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    _check_times(starts_at, ends_at)
    get_client(org_id, client_id)
    code = ServiceCode.get_or_none(ServiceCode.id == service_code_id,
                                   ServiceCode.organisation_id == org_id)
    if code is None:
        raise BadRequest("There is no such service code.", code="invalid_service_code")
    check_employee(org_id, employee_id)
    row = Visit.create(organisation_id=org_id, client_id=client_id, employee_id=employee_id,
                       service_code_id=service_code_id, starts_at=starts_at, ends_at=ends_at)
    audit.record(org_id, actor_id, "visits.visit_created", row.id)
    return visit_body(row, now)


def visit_body(row: Visit, now: dt.datetime, zone: str | None = None) -> dict[str, Any]:
    """What the schedule, the visit preview and the visit dialog show of a visit."""
    client = Client.get_by_id(row.client_id)
    code = ServiceCode.get_by_id(row.service_code_id)
    employee = User.get_or_none(User.id == row.employee_id)
    clock = TimeRecord.get_or_none(TimeRecord.visit_id == row.id)
    body: dict[str, Any] = {
        "id": row.id, "status": row.status,
        "client": {"id": client.id, "name": f"{client.first_name} {client.last_name}",
                   "has_email": bool(client.email)},
        "employee": {"id": row.employee_id, "name": employee.name if employee else ""},
        "service_code": code_body(code),
        "virtual": bool(code.allows_virtual),
        "starts_at": _iso(row.starts_at), "ends_at": _iso(row.ends_at),
        "link_expires_at": _iso(rules.link_expires_at(row.ends_at)),
        "link_open": rules.link_open(row.ends_at, now),
        "clock_in_at": _iso(clock.clock_in_at) if clock else None,
        "clock_out_at": _iso(clock.clock_out_at) if clock else None,
        "session_id": row.session_id,
        "session_ended": row.session_ended_at is not None,
        "last_invite_sent_at": _iso(row.last_invite_at),
        "resend_needed": bool(row.time_changed),
        "waiting_message": (rules.waiting_message(row.last_invite_at, zone)
                            if row.last_invite_at else None),
    }
    return body


def schedule(org_id: str, employee_id: str | None, client_id: str | None, day: dt.date,
             now: dt.datetime, zone: str | None) -> list[dict[str, Any]]:
    """The visits of one day in the viewer's time zone, of one employee or one client (or
    all: admins)."""
    start, end = rules.day_bounds(day, zone)
    query = Visit.select().where(Visit.organisation_id == org_id, Visit.starts_at < end,
                                 Visit.ends_at > start)
    if employee_id is not None:
        query = query.where(Visit.employee_id == employee_id)
    if client_id is not None:
        query = query.where(Visit.client_id == client_id)
    return [visit_body(r, now, zone) for r in query.order_by(Visit.starts_at, Visit.id)]


def visit_of_session(session_id: str) -> Visit | None:
    """The visit whose virtual session ``session_id`` is (or was), or None."""
    link = VisitSession.get_or_none(VisitSession.session_id == session_id)
    return None if link is None else Visit.get_or_none(Visit.id == link.visit_id)


def clocked_in(visit_id: str, employee_id: str) -> bool:
    """True while ``employee_id`` is clocked in to the visit (in, not yet out)."""
    return TimeRecord.select().where(
        TimeRecord.visit_id == visit_id, TimeRecord.employee_id == employee_id,
        TimeRecord.clock_out_at.is_null()).exists()


def visit_of_token(token_hash: str) -> tuple[str, str, int] | None:
    """The visit id, its organisation and the generation of an invite link, or None for an
    unknown link."""
    row = VisitInvite.get_or_none(VisitInvite.token_hash == token_hash)
    if row is None:
        return None
    visit = Visit.get_or_none(Visit.id == row.visit_id)
    return None if visit is None else (visit.id, visit.organisation_id, row.generation)


def org_timezone(org_id: str) -> str | None:
    """The organisation's time zone (its ``timezone`` setting, as the admin page sets it), or
    None until one is chosen."""
    org = Organisation.get_or_none(Organisation.id == org_id)
    zone = (org.settings or {}).get("timezone") if org is not None else None
    return zone if isinstance(zone, str) and zone else None
