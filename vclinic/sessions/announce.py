"""What the session actor tells plugins: its published events as domain events (ids only).

Owned by the session actor, which calls :func:`domain_events` for the events of each command
after they were stored and hands the results to ``PluginHost.emit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vclinic import events as e
from vclinic.sessions import message as m


def domain_events(session_id: str, published: list[Any], roles_before: Mapping[str, str],
                  roles_after: Mapping[str, str]) -> list[e.DomainEvent]:
    """The domain events for one command's ``published`` session events, plus a
    :class:`~vclinic.events.ParticipantRoleChanged` for every participant whose role changed."""
    found: list[e.DomainEvent] = []
    for event in published:
        match event:
            case m.ParticipantJoined(participant=person):
                found.append(e.ParticipantJoined(session_id, person["id"], person["role"],
                                                 person["kind"]))
            case m.ParticipantLeft(participant_id=pid):
                found.append(e.ParticipantLeft(session_id, pid))
            case m.ParticipantRemoved(participant_id=pid, reason=reason):
                found.append(e.ParticipantRemoved(session_id, pid, reason))
            case m.SessionClosed():
                found.append(e.SessionClosed(session_id))
    for pid, role in roles_after.items():
        if pid in roles_before and roles_before[pid] != role:
            found.append(e.ParticipantRoleChanged(session_id, pid, role))
    return found
