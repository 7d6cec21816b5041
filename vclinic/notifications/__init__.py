"""In-portal notifications (the bell): stored until read, pushed live over ``/ws``.

A notification belongs to one user. Creating one stores it and publishes the event
``notification.created`` on the bus topic ``user:<id>``, which the gateway forwards to every tab
the user has open. Titles may name a session (chosen by clinicians) and are therefore never
logged; logs carry the notification and user ids only.
"""

from __future__ import annotations

from typing import Any

import peewee

from vclinic.actors import EventBus
from vclinic.errors import BadRequest
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.store import BaseModel, Store
from vclinic.store.field import JSONTextField, UTCDateTimeField, utcnow

log = get_logger("notifications")

#: Most notifications one listing returns (newest first).
PAGE = 50


class Notification(BaseModel):
    """One notification for one user; ``read_at`` is set when they mark it read."""

    id = peewee.CharField(max_length=32, primary_key=True, default=new_id)
    user_id = peewee.CharField(max_length=32, index=True)
    kind = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=300)
    data = JSONTextField(default=dict)
    created_at = UTCDateTimeField(default=utcnow)
    read_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "notifications"


def as_dict(row: Notification) -> dict[str, Any]:
    """The JSON shape of a notification, on the API and in the ``notification.created`` event."""
    return {
        "id": row.id, "kind": row.kind, "title": row.title, "data": row.data,
        "created_at": row.created_at.isoformat(),
        "read": row.read_at is not None,
    }


async def notify(store: Store, bus: EventBus, user_id: str, kind: str, title: str,
                 data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store a notification for ``user_id`` and push it to their open tabs."""
    row = await store.run(lambda: Notification.create(
        user_id=user_id, kind=kind, title=title[:300], data=data or {}))
    body = as_dict(row)
    bus.publish(f"user:{user_id}", {"type": "notification.created", "data": body})
    log.info("notification_created", notification_id=row.id, user_id=user_id, kind=kind)
    return body


def _listing(user_id: str, limit: int) -> dict[str, Any]:
    rows = (Notification.select().where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id).limit(limit))
    unread = (Notification.select().where(Notification.user_id == user_id,
                                          Notification.read_at.is_null()).count())
    return {"notifications": [as_dict(r) for r in rows], "unread": unread}


async def listing(store: Store, user_id: str, limit: int = PAGE) -> dict[str, Any]:
    """The user's newest notifications and how many are unread."""
    return await store.run(_listing, user_id, limit)


def _mark_read(user_id: str, ids: list[str] | None) -> int:
    query = Notification.update(read_at=utcnow()).where(
        Notification.user_id == user_id, Notification.read_at.is_null())
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return int(query.execute())


async def mark_read(store: Store, bus: EventBus, user_id: str,
                    ids: list[str] | None = None) -> int:
    """Mark the given notifications (or all, when ``ids`` is None) read; returns how many
    changed. Other tabs of the user are told, so their bells agree."""
    if ids is not None and (len(ids) > PAGE * 4 or not all(isinstance(i, str) for i in ids)):
        raise BadRequest("'ids' must be a list of at most 200 notification ids.")
    changed = await store.atomic(_mark_read, user_id, ids)
    state = await listing(store, user_id, 0)
    bus.publish(f"user:{user_id}", {"type": "notification.read",
                                    "data": {"ids": ids, "unread": state["unread"]}})
    return changed
