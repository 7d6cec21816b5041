"""Per-organisation settings of the Virtual Clinic, kept in the organisation's settings JSON.

The deployment's ``plugins`` setting says whether the workflow exists at all; on top of it each
organisation has it on or off:

- ``settings["workflows"]``: the workflows the organisation uses. When the key is absent the
  organisation uses every workflow the deployment enables (so a new deployment works at once);
  once an admin turns one off, the list is written out and only the workflows on it are used.
- ``settings["virtual_clinic"]``: ``decline_notes`` (providers may add a note when declining)
  and ``request_expiry_seconds`` (how long a request waits for an answer).

Synchronous peewee functions, run through ``store.run`` / ``store.atomic``. The dashboard-sections
hook, which may not do I/O, reads the same list from the principal (``uses_workflow``), which the
core loads with the sign-in session on every request.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from vclinic.api import NotFound, Organisation, audit

NAME = "virtual_clinic"
DEFAULT_EXPIRY_SECONDS = 120
MIN_EXPIRY_SECONDS = 1
MAX_EXPIRY_SECONDS = 3600

@dataclasses.dataclass(frozen=True)
class ClinicSettings:
    """What an organisation decided about its Virtual Clinic."""

    enabled: bool = True
    decline_notes: bool = True
    request_expiry_seconds: int = DEFAULT_EXPIRY_SECONDS

    def public(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _of(settings: dict[str, Any]) -> ClinicSettings:
    own = settings.get(NAME) or {}
    workflows = settings.get("workflows")
    expiry = own.get("request_expiry_seconds", DEFAULT_EXPIRY_SECONDS)
    return ClinicSettings(
        enabled=workflows is None or NAME in workflows,
        decline_notes=bool(own.get("decline_notes", True)),
        request_expiry_seconds=int(expiry) if isinstance(expiry, int) else DEFAULT_EXPIRY_SECONDS)


def read(org_id: str) -> ClinicSettings:
    org = Organisation.get_or_none(Organisation.id == org_id)
    if org is None:
        raise NotFound("There is no such organisation.")
    return _of(org.settings or {})


def write(org_id: str, actor_id: str, deployed: list[str], enabled: bool | None,
          decline_notes: bool | None, expiry: int | None) -> ClinicSettings:
    """Change the organisation's settings, audited as done by ``actor_id``; ``deployed`` are
    the workflows the deployment enables (written out as the organisation's list the first
    time one is turned off). Run it in a transaction (``store.atomic``)."""
    org = Organisation.get(Organisation.id == org_id)
    settings = dict(org.settings or {})
    if enabled is not None:
        workflows = list(settings.get("workflows", deployed))
        if enabled and NAME not in workflows:
            workflows.append(NAME)
        if not enabled:
            workflows = [w for w in workflows if w != NAME]
        settings["workflows"] = sorted(set(workflows))
    own = dict(settings.get(NAME) or {})
    if decline_notes is not None:
        own["decline_notes"] = decline_notes
    if expiry is not None:
        own["request_expiry_seconds"] = expiry
    settings[NAME] = own
    Organisation.update(settings=settings).where(Organisation.id == org_id).execute()
    audit.record(org_id, actor_id, "virtual_clinic.settings_changed", org_id)
    return _of(settings)
