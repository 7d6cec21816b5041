"""Reading the rows the Virtual Clinic needs: providers, Account Services and its sessions.

Synchronous peewee functions, run through ``store.run``. Names of users and services are shown
to people of the same organisation only; nothing here is logged.
"""

from __future__ import annotations

from typing import Any

from vclinic.api import BadRequest, NotFound, Service, User, UserRole
from vclinic.api.records import Participant, TelehealthSession
from vclinic_virtual_clinic.organisation import NAME

#: Participant states in which someone is in the session (docs/protocol.md, "Sessions").
PRESENT = ("connected", "reconnecting")


def providers(org_id: str) -> list[dict[str, Any]]:
    """The organisation's active providers, by name."""
    rows = (User.select(User.id, User.name).join(UserRole, on=(UserRole.user == User.id))
            .where(User.organisation == org_id, User.is_active, UserRole.role == "provider")
            .order_by(User.name, User.id))
    return [{"id": u.id, "name": u.name} for u in rows]


def provider_name(org_id: str, provider_id: str) -> str:
    """The name of an active provider of the organisation; NotFound otherwise."""
    for row in providers(org_id):
        if row["id"] == provider_id:
            return str(row["name"])
    raise NotFound("There is no such provider in your organisation.", code="provider_not_found")


def services(org_id: str) -> list[dict[str, Any]]:
    rows = (Service.select(Service.id, Service.name)
            .where(Service.organisation == org_id, Service.is_active).order_by(Service.name))
    return [{"id": s.id, "name": s.name} for s in rows]


def pick_service(org_id: str, service_id: str | None) -> tuple[str | None, str | None]:
    """The Account Service of a request: the one given, the only one, or none at all. With
    several, the requester has to choose."""
    offered = services(org_id)
    if service_id is None:
        if len(offered) > 1:
            raise BadRequest("Choose the Account Service of your request first.",
                             code="service_required")
        return (offered[0]["id"], offered[0]["name"]) if offered else (None, None)
    for service in offered:
        if service["id"] == service_id:
            return service["id"], service["name"]
    raise NotFound("There is no such Account Service.", code="service_not_found")


def label(state: str, chair_present: bool) -> str:
    """The status shown under a participant's name on the dashboards."""
    if state in PRESENT:
        return "In Meeting" if chair_present else "In Waiting Room"
    return "Left" if state == "left" else "Not Yet Arrived"


def sessions(org_id: str, user_id: str) -> list[dict[str, Any]]:
    """The open Virtual Clinic sessions the user is on, newest first, with who is there."""
    mine = (Participant.select(Participant.session)
            .where(Participant.user == user_id, ~Participant.removed))
    rows = list(TelehealthSession.select().where(
        TelehealthSession.organisation == org_id, TelehealthSession.workflow == NAME,
        TelehealthSession.status == "open", TelehealthSession.id.in_(mine))
        .order_by(TelehealthSession.created_at.desc()).limit(100))
    people: dict[str, list[Participant]] = {r.id: [] for r in rows}
    for p in Participant.select().where(Participant.session.in_(list(people)),
                                        ~Participant.removed):
        people[p.session_id].append(p)
    out = []
    for row in rows:
        chair_present = any(p.role == "chair" and p.state in PRESENT for p in people[row.id])
        you = next((p for p in people[row.id] if p.user_id == user_id), None)
        out.append({
            "id": row.id, "name": row.name, "created_at": row.created_at.isoformat(),
            "your_role": you.role if you else None,
            "url": f"/call?session={row.id}",
            "participants": [{"id": p.id, "display_name": p.display_name, "role": p.role,
                              "state": p.state, "status": label(p.state, chair_present)}
                             for p in people[row.id]],
        })
    return out


def is_participant(user_id: str, session_id: str) -> bool:
    return Participant.select().join(TelehealthSession).where(
        Participant.session == session_id, Participant.user == user_id, ~Participant.removed,
        TelehealthSession.workflow == NAME).exists()
