"""The seam between media signalling and the session model: who may take part in a session's media.

The sessions component owns the real :class:`SessionAccess` (it knows participants, roles and
consents) and puts it on the ``AppContext`` as ``sessions``; the ``/ws`` media handlers call it on
every message, so a participant removed from a session loses its media at its next message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from vclinic.accounts import Principal
from vclinic.media.protocol import Permissions


@dataclass(frozen=True)
class MediaGrant:
    """What a principal may do in one session's media: its participant id and permissions."""

    participant_id: str
    permissions: Permissions
    #: The participant consented to being recorded.
    consent_recording: bool = False


class SessionAccess(Protocol):
    """Whether a principal takes part in a session; implemented by the sessions component."""

    async def media_grant(self, session_id: str, principal: Principal) -> MediaGrant:
        """The principal's grant in ``session_id``; raises ``Forbidden(code="not_in_session")``."""
        ...
