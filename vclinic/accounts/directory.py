"""Read views of an organisation for the API: its summary, Account Services and users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vclinic.accounts.organisation import timezone_of
from vclinic.errors import NotFound
from vclinic.store import Organisation, Service, Store, User, UserRole
from vclinic.store.cursor import (
    DEFAULT_LIMIT,
    Page,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)


def user_summary(user: User, roles: Iterable[str]) -> dict[str, Any]:
    """The JSON shape of a user (no password hash, no session)."""
    return {
        "id": user.id, "name": user.name, "email": user.email, "roles": sorted(roles),
        "is_station": bool(user.is_station), "is_active": bool(user.is_active),
    }


def _organisation(org_id: str) -> dict[str, Any]:
    org = Organisation.get_or_none(Organisation.id == org_id)
    if org is None:
        raise NotFound("This organisation no longer exists.")
    services = (Service.select().where(Service.organisation == org, Service.is_active)
                .order_by(Service.name))
    return {"id": org.id, "slug": org.slug, "name": org.name, "timezone": timezone_of(org),
            "services": [{"id": s.id, "name": s.name} for s in services]}


async def organisation_summary(store: Store, org_id: str) -> dict[str, Any]:
    """The organisation with its active Account Services."""
    return await store.run(_organisation, org_id)


def _users(org_id: str, limit: int, cursor: str | None) -> Page:
    query = User.select().where(User.organisation == org_id)
    total = query.count()
    if cursor is not None:
        last = query.where(User.id == decode_cursor(cursor)).first()
        if last is None:
            raise invalid_cursor()
        query = query.where((User.name > last.name) | ((User.name == last.name)
                                                        & (User.id > last.id)))
    users = list(query.order_by(User.name, User.id).limit(limit + 1))
    more, users = len(users) > limit, users[:limit]
    roles: dict[str, list[str]] = {}
    for row in UserRole.select().where(UserRole.user.in_([u.id for u in users])):
        roles.setdefault(row.user_id, []).append(row.role)
    return Page(items=[user_summary(u, roles.get(u.id, [])) for u in users],
                next_cursor=encode_cursor(users[-1].id) if more else None,
                total=total)


async def list_users(store: Store, org_id: str, limit: int = DEFAULT_LIMIT,
                     cursor: str | None = None) -> Page:
    """The organisation's users by name, one page of at most ``limit`` after ``cursor``
    (:mod:`vclinic.store.cursor`)."""
    return await store.run(_users, org_id, limit, cursor)
