"""The staff ``/ws`` message of On-Demand: ``on_demand.subscribe``.

An admin, or a provider who is On-Call, subscribes their connection to the organisation's queue
(bus topic ``on_demand:<org id>``) and receives ``on_demand.request_added``, ``_updated`` and
``_removed`` as they happen; the reply is the first page of the queue. A provider's
subscription ends with their ``on_demand.off_call`` (they switched Off-Call); they subscribe
again when they switch back.
"""

from __future__ import annotations

from typing import Any

from vclinic.api import BadRequest, Connection, Forbidden, Inbound
from vclinic_on_demand import message as m
from vclinic_on_demand import queue, record
from vclinic_on_demand.actor import check_claimer, staff_topic
from vclinic_on_demand.routes import MAX_PAGE


async def subscribe(conn: Connection, message: Inbound) -> dict[str, Any]:
    principal = conn.principal
    if principal.is_guest:
        raise Forbidden("Guests cannot see the queue.", code="guest_forbidden")
    limit = message.data.get("limit", 50)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise BadRequest(f"'limit' must be 1 to {MAX_PAGE}.", code="bad_message")
    is_admin = "admin" in principal.roles
    check_claimer(is_admin, is_admin or await conn.app.store.run(record.is_on_call,
                                                                  principal.user_id))
    user_id = principal.user_id

    def went_off_call(event: dict[str, Any]) -> bool:
        # A provider's subscription ends when they switch Off-Call (admins see the queue always).
        return (event.get("type") == "on_demand.off_call"
                and event.get("data", {}).get("user_id") == user_id)

    conn.subscribe(staff_topic(principal.org_id), None if is_admin else went_off_call)
    reply: dict[str, Any] = await queue.call(conn.app, principal.org_id, m.Listing(0, limit))
    return reply


HANDLERS = {"on_demand.subscribe": subscribe}
