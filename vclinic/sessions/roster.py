"""The in-memory roster of one session: its settings (``Info``) and participants (``Person``),
as SessionState holds them and as ``/ws`` and the API show them. Owned by SessionState."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass
class Person:
    """One participant as the state sees it."""

    id: str
    user_id: str | None
    display_name: str
    role: str
    kind: str
    listed: bool
    state: str = "invited"
    removed: bool = False
    consent_recording: bool = False
    connections: set[str] = dataclasses.field(default_factory=set)
    epoch: int = 0

    def public(self) -> dict[str, Any]:
        """The participant as ``/ws`` and the API show it (no user id, no email)."""
        return {"id": self.id, "display_name": self.display_name, "role": self.role,
                "kind": self.kind, "listed": self.listed, "state": self.state,
                "consent_recording": self.consent_recording,
                "audio_muted": False, "video_muted": False}


@dataclasses.dataclass
class Info:
    """The session's own settings."""

    id: str
    org_id: str
    name: str
    access_level: str
    status: str
    created_by: str | None = None
    scheduled_at: str | None = None
    ends_at: str | None = None
    patient_id: str | None = None
    workflow: str = "sessions"

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "access_level": self.access_level,
                "status": self.status, "scheduled_at": self.scheduled_at,
                "ends_at": self.ends_at, "patient_linked": self.patient_id is not None,
                "workflow": self.workflow}
