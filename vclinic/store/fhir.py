"""Audit rows as FHIR R4 ``AuditEvent`` resources, gathered in a ``Bundle`` (type collection).

What an integrator's SIEM or an auditor's tool reads from ``vclinic audit export``. Ids only, as
in the trail itself: agents and entities are identified by vclinic ids under
``IDENTIFIER_SYSTEM``; each event's hash travels as an extension so the export can be checked
against the trail.
"""

from __future__ import annotations

import uuid
from typing import Any

from vclinic.store.field import utcnow
from vclinic.store.model import AuditEvent

DCM = "http://dicom.nema.org/resources/ontology/DCM"
IDENTIFIER_SYSTEM = "urn:vclinic:id"
ACTION_SYSTEM = "urn:vclinic:audit-action"
HASH_EXTENSION = "urn:vclinic:audit-hash"
# Entries' fullUrl: a UUID derived from the event's id, the same in every export.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, IDENTIFIER_SYSTEM)

#: Event type (DICOM audit event ids, the codes FHIR's AuditEvent.type names) by action noun.
_TYPES = {
    "user": ("110114", "User Authentication"),
    "patient": ("110110", "Patient Record"),
    "recording": ("110110", "Patient Record"),
    "role": ("110136", "Security Roles Changed"),
    "access": ("110136", "Security Roles Changed"),
}
_APPLICATION = ("110100", "Application Activity")

#: FHIR AuditEvent.action (C, R, U, D, E) by the action's verb.
_ACTIONS = {
    "created": "C", "started": "C", "uploaded": "C", "captured": "C", "invited": "C",
    "viewed": "R", "searched": "R", "exported": "R", "downloaded": "R", "listed": "R",
    "files_listed": "R", "file_viewed": "R", "signin_failed": "E",
    "updated": "U", "changed": "U", "granted": "U", "revoked": "U", "stopped": "U",
    "role_changed": "U", "password_reset": "U", "deactivated": "U", "consented": "U",
    "admitted": "E", "deleted": "D", "removed": "D",
}


def audit_event(event: AuditEvent) -> dict[str, Any]:
    """One row as a FHIR R4 AuditEvent."""
    noun, _, verb = event.action.partition(".")
    code, display = _TYPES.get(noun, _APPLICATION)
    agent: dict[str, Any] = {"requestor": True}
    if event.actor_id:
        agent["who"] = {"identifier": {"system": IDENTIFIER_SYSTEM, "value": event.actor_id}}
    else:
        agent["who"] = {"display": "vclinic operator command"}
    return {
        "resourceType": "AuditEvent",
        # FHIR ids allow letters, digits, "-" and "."; vclinic ids use "_" too, never ".".
        "id": event.id.replace("_", "."),
        "type": {"system": DCM, "code": code, "display": display},
        "subtype": [{"system": ACTION_SYSTEM, "code": event.action}],
        "action": _ACTIONS.get(verb, "E"),
        "recorded": event.created_at.isoformat(timespec="milliseconds"),
        "outcome": "0",
        "agent": [agent],
        "source": {"observer": {"display": "vclinic"},
                   "type": [{"system": "http://terminology.hl7.org/CodeSystem/"
                             "security-source-type", "code": "4",
                             "display": "Application Server"}]},
        "entity": [{"what": {"identifier": {"system": IDENTIFIER_SYSTEM, "value": target}}}
                   for target in event.target_ids],
        "extension": [{"url": HASH_EXTENSION, "valueString": event.hash}],
    }


def audit_bundle(events: list[AuditEvent]) -> dict[str, Any]:
    """A Bundle (type ``collection``) of ``events`` in order."""
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": utcnow().isoformat(timespec="milliseconds"),
        "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid5(_NAMESPACE, event.id)}",
                   "resource": audit_event(event)} for event in events],
    }
