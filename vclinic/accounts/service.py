"""An organisation's Account Services (the lines of care a Virtual Clinic request names):
adding, renaming and removing them, each change audited in its own transaction.

Removing a service hides it (``is_active`` false) rather than deleting the row, so requests
and sessions that named it keep their history; adding a removed name again brings it back.
"""

from __future__ import annotations

from typing import Any

import peewee

from vclinic.accounts.organisation import clean_name
from vclinic.errors import Conflict, NotFound
from vclinic.store import Service, Store, audit

TAKEN = "The organisation already has an Account Service with this name."


def service_body(row: Service) -> dict[str, Any]:
    return {"id": row.id, "name": row.name}


def _of_org(org_id: str, service_id: str) -> Service:
    row: Service | None = Service.get_or_none(Service.id == service_id,
                                              Service.organisation == org_id, Service.is_active)
    if row is None:
        raise NotFound("There is no such Account Service.", code="service_not_found")
    return row


def _same_name(org_id: str, name: str) -> Service | None:
    row: Service | None = Service.get_or_none(Service.organisation == org_id,
                                              Service.name == name)
    return row


def _add(org_id: str, actor_id: str, name: str) -> dict[str, Any]:
    row = _same_name(org_id, name)
    if row is not None and row.is_active:
        raise Conflict(TAKEN, code="service_exists")
    if row is None:
        row = Service.create(organisation=org_id, name=name)
    else:
        Service.update(is_active=True).where(Service.id == row.id).execute()
    audit.record(org_id, actor_id, "service.added", row.id)
    return service_body(row)


def _rename(org_id: str, actor_id: str, service_id: str, name: str) -> dict[str, Any]:
    row = _of_org(org_id, service_id)
    if row.name == name:
        return service_body(row)
    clash = _same_name(org_id, name)
    if clash is not None:
        if clash.is_active:
            raise Conflict(TAKEN, code="service_exists")
        # A removed service holds the name only for history: free it.
        Service.delete().where(Service.id == clash.id).execute()
    Service.update(name=name).where(Service.id == row.id).execute()
    row.name = name
    audit.record(org_id, actor_id, "service.renamed", row.id)
    return service_body(row)


def _remove(org_id: str, actor_id: str, service_id: str) -> None:
    row = _of_org(org_id, service_id)
    Service.update(is_active=False).where(Service.id == row.id).execute()
    audit.record(org_id, actor_id, "service.removed", row.id)


async def add_service(store: Store, org_id: str, actor_id: str, name: str) -> dict[str, Any]:
    """Add the Account Service ``name``; Conflict ``service_exists`` if it is already there."""
    name = clean_name(name, "Service name")
    try:
        return await store.atomic(_add, org_id, actor_id, name)
    except peewee.IntegrityError:
        raise Conflict(TAKEN, code="service_exists") from None


async def rename_service(store: Store, org_id: str, actor_id: str, service_id: str,
                         name: str) -> dict[str, Any]:
    """Rename an Account Service; NotFound, or Conflict when another one has that name."""
    name = clean_name(name, "Service name")
    try:
        return await store.atomic(_rename, org_id, actor_id, service_id, name)
    except peewee.IntegrityError:
        raise Conflict(TAKEN, code="service_exists") from None


async def remove_service(store: Store, org_id: str, actor_id: str, service_id: str) -> None:
    """Remove an Account Service from what requesters can pick; NotFound if there is none."""
    await store.atomic(_remove, org_id, actor_id, service_id)
