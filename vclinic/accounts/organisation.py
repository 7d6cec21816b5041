"""Creating organisations; the accounts package owns this logic, the store only the rows."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from typing import Any

import peewee

from vclinic.errors import BadRequest, Conflict, NotFound
from vclinic.store import Organisation, Store, audit

SLUG_MAX = 50
#: The time zone of an organisation that has not chosen one.
DEFAULT_TIMEZONE = "UTC"
NAME_MAX = 200
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A URL-safe slug for ``name``: "Démo Clinic!" -> "demo-clinic"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "org"


def clean_name(name: str, what: str) -> str:
    """``name`` stripped, or BadRequest if it is empty or longer than NAME_MAX."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise BadRequest(f"{what} must be 1 to {NAME_MAX} characters long", field="name")
    return cleaned


def _free_slug(base: str) -> str:
    taken = {
        row.slug
        for row in Organisation.select(Organisation.slug).where(
            (Organisation.slug == base) | Organisation.slug.startswith(base + "-")
        )
    }
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _create(name: str) -> Organisation:
    org: Organisation = Organisation.create(slug=_free_slug(slugify(name)), name=name)
    return org


async def create_org(store: Store, name: str) -> Organisation:
    """Create an organisation called ``name`` with a unique slug ("-2", "-3"... on a clash)."""
    name = clean_name(name, "Organisation name")
    # Two creations racing for one slug: the loser picks the next free one.
    for _ in range(5):
        try:
            return await store.atomic(_create, name)
        except peewee.IntegrityError:
            continue
    raise Conflict("Could not find a free address for this organisation; try another name")


async def get_org(store: Store, slug: str) -> Organisation | None:
    """The organisation with ``slug``, or None."""
    org: Organisation | None = await store.run(
        Organisation.get_or_none, Organisation.slug == slug
    )
    return org


def timezone_of(org: Organisation) -> str:
    """The organisation's IANA time zone (``settings["timezone"]``), UTC until one is chosen."""
    zone = (org.settings or {}).get("timezone")
    return zone if isinstance(zone, str) and zone else DEFAULT_TIMEZONE


def check_timezone(zone: str) -> str:
    """``zone`` if it is an IANA time zone name ("Europe/Paris"), else BadRequest."""
    zone = zone.strip()
    if zone not in zoneinfo.available_timezones():
        raise BadRequest("Choose a time zone from the list, like Europe/Paris.",
                         code="invalid_timezone", field="timezone")
    return zone


def _update(org_id: str, actor_id: str, name: str | None, zone: str | None) -> dict[str, Any]:
    org: Organisation | None = Organisation.get_or_none(Organisation.id == org_id)
    if org is None:
        raise NotFound("This organisation no longer exists.")
    settings = dict(org.settings or {})
    if zone is not None:
        settings["timezone"] = zone
    changes: dict[str, Any] = {"settings": settings}
    if name is not None:
        changes["name"] = name
    Organisation.update(**changes).where(Organisation.id == org_id).execute()
    audit.record(org_id, actor_id, "organisation.updated", org_id)
    return {"id": org.id, "slug": org.slug, "name": name or org.name,
            "timezone": zone or timezone_of(org)}


async def update_org(store: Store, org_id: str, actor_id: str, name: str | None = None,
                     timezone: str | None = None) -> dict[str, Any]:
    """Rename the organisation and/or set its time zone (the slug, in its public links, stays).

    Raises BadRequest (empty or long name, unknown time zone) or NotFound.
    """
    cleaned = clean_name(name, "Organisation name") if name is not None else None
    zone = check_timezone(timezone) if timezone is not None else None
    return await store.atomic(_update, org_id, actor_id, cleaned, zone)
