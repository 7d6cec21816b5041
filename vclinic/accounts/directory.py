"""Read views of an organisation for the API: its summary, Account Services and users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vclinic.accounts.organisation import timezone_of
from vclinic.errors import NotFound
from vclinic.store import Organisation, Service, Store, User, UserRole


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


def _users(org_id: str) -> list[dict[str, Any]]:
    users = list(User.select().where(User.organisation == org_id).order_by(User.name))
    roles: dict[str, list[str]] = {}
    for row in UserRole.select().where(UserRole.user.in_([u.id for u in users])):
        roles.setdefault(row.user_id, []).append(row.role)
    return [user_summary(u, roles.get(u.id, [])) for u in users]


async def list_users(store: Store, org_id: str) -> list[dict[str, Any]]:
    """Every user of the organisation, by name."""
    return await store.run(_users, org_id)
