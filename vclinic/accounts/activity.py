"""The organisation's audit trail as its admins read it: newest first, ids and staff names only.

The events themselves are written by :func:`vclinic.store.audit.record` with each change; this
module only reads them. Actors are the organisation's accounts, named for the admin reading;
targets stay ids (a target may be a patient's session or request).
"""

from __future__ import annotations

from typing import Any

from vclinic.store import AuditEvent, Store, User

#: Most events one page returns.
MAX_PAGE = 200


def _page(org_id: str, offset: int, limit: int) -> dict[str, Any]:
    query = AuditEvent.select().where(AuditEvent.organisation == org_id)
    rows = list(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
                .offset(offset).limit(limit))
    actor_ids = {r.actor_id for r in rows if r.actor_id}
    names = {u.id: u.name or "An account" for u in User.select(User.id, User.name).where(
        User.id.in_(list(actor_ids)), User.organisation == org_id)}
    return {"events": [{"id": r.id, "action": r.action, "actor_id": r.actor_id,
                        "actor_name": names.get(r.actor_id) if r.actor_id else None,
                        "target_ids": list(r.target_ids or []),
                        "created_at": r.created_at.isoformat()} for r in rows],
            "total": query.count(), "offset": offset, "limit": limit}


async def recent(store: Store, org_id: str, offset: int = 0, limit: int = 50) -> dict[str, Any]:
    """One page of the organisation's audit events, newest first, with ``total``."""
    page: dict[str, Any] = await store.run(_page, org_id, offset, min(limit, MAX_PAGE))
    return page
