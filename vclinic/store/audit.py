"""Writing the audit trail: one row per action, naming ids only.

Call :func:`record` inside the same ``store.atomic`` function as the change it describes, so the
change and its audit row commit or roll back together.
"""

from __future__ import annotations

import re

from vclinic.store.model import AuditEvent

_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def record(
    org_id: str | None, actor_id: str | None, action: str, *target_ids: str
) -> AuditEvent:
    """Append an audit event (synchronous: run it through ``Store.run`` or ``Store.atomic``).

    ``action`` is a dotted verb like ``"user.created"``; free text is refused because it could
    carry patient data.
    """
    if not _ACTION.match(action) or len(action) > 64:
        raise ValueError("audit action must look like 'thing.done'")
    event: AuditEvent = AuditEvent.create(
        organisation=org_id, actor_id=actor_id, action=action, target_ids=list(target_ids)
    )
    return event
