"""Creating organisations; the accounts package owns this logic, the store only the rows."""

from __future__ import annotations

import re
import unicodedata

import peewee

from vclinic.errors import BadRequest, Conflict
from vclinic.store import Organisation, Store

SLUG_MAX = 50
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
