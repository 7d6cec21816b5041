"""The seam between sessions and the media plane: two typing Protocols and the grant.

``SessionAccess`` is implemented by the session model (``context.sessions``, a
:class:`vclinic.sessions.service.SessionService`): the media signalling asks it what a principal
may do before it lets them publish or receive. ``MediaControl`` is implemented by the media
signalling service (``context.media``, optional): the SessionActor calls it when roles or the
access level change, participants are removed, or the session closes, so a withdrawn permission
takes effect on the media at once, and to start and stop recording. Every ``MediaControl``
method must treat a session or participant it does not know as a no-op (but
``stop_recording``, which raises when nothing is recorded): the actor calls them whether or not
they have media.
"""

from __future__ import annotations

from typing import Any, Protocol

# The grant and the access Protocol are the media plane's words; the session model implements
# them, so they are defined once, on the media side, and re-exported here.
from vclinic.media.access import MediaGrant, SessionAccess
from vclinic.media.protocol import Permissions

__all__ = ["MediaControl", "MediaGrant", "SessionAccess"]


class MediaControl(Protocol):
    """Commands from the session model to the media plane; implemented by media signalling."""

    async def set_permissions(self, session_id: str, participant_id: str,
                              permissions: Permissions) -> None:
        """Apply new permissions now (a Viewer's tracks stop being forwarded)."""
        ...

    async def remove_participant(self, session_id: str, participant_id: str) -> None:
        """Drop the participant's peer connection and tracks."""
        ...

    async def close_room(self, session_id: str) -> None:
        """Close the session's room for everyone."""
        ...

    async def start_recording(self, session_id: str, directory: str) -> None:
        """Record the session's consenting participants into ``directory`` (one WebM each)."""
        ...

    async def stop_recording(self, session_id: str) -> dict[str, Any]:
        """Finish the recording: ``{"files": [{"handle", "path", "duration"}], "duration",
        "participants"}``; raises when the session is not being recorded (any more)."""
        ...
