"""The ``/ws`` message of the Virtual Clinic: ``virtual_clinic.watch``.

A dashboard sends it once connected (and again after a reconnect, or when a new session was
accepted). It subscribes the connection to the organisation's availability changes
(``virtual_clinic:<org_id>``) and to the ``session:<id>`` events of the caller's open Virtual
Clinic sessions, so that the provider sees "In Waiting Room" the moment the requester arrives.
The requests' own events reach every tab of the user on ``user:<id>`` without asking.
"""

from __future__ import annotations

from typing import Any

from vclinic.api import Connection, Forbidden, Inbound
from vclinic_virtual_clinic import directory, organisation


def _until_closed(event: dict[str, Any]) -> bool:
    return bool(event["type"] == "session.closed")


async def watch(conn: Connection, message: Inbound) -> dict[str, Any]:
    principal = conn.principal
    if principal.is_guest:
        raise Forbidden("Guests can only take part in the session they joined.",
                        code="guest_forbidden")
    store = conn.app.store
    settings = await store.run(organisation.read, principal.org_id)
    if not settings.enabled:
        raise Forbidden("Your organisation does not use the Virtual Clinic.",
                        code="workflow_disabled")
    conn.subscribe(f"virtual_clinic:{principal.org_id}")
    sessions = await store.run(directory.sessions, principal.org_id, principal.user_id)
    for session in sessions:
        conn.subscribe(f"session:{session['id']}", until=_until_closed)
    return {"sessions": [s["id"] for s in sessions]}


HANDLERS = {"virtual_clinic.watch": watch}
