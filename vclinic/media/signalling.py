"""The ``/ws`` media signalling handlers: ``media.offer``, ``answer``, ``candidate``, ``state``.

Owned by the core: ``vclinic.server.app`` registers :data:`HANDLERS` beside the gateway's built-in
handlers, so no plugin can take these types. Each handler validates its data (types, sizes, SDP
sanity before any worker sees it), asks the session model for the principal's grant in the
session (``AppContext.sessions``; ``not_in_session`` otherwise) and hands the work to the node's
:class:`~vclinic.media.service.MediaService`. ``docs/protocol.md`` ("Media signalling") is the
contract.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any

from vclinic.errors import BadRequest, Forbidden, Unavailable
from vclinic.media import sdp as sdp_check
from vclinic.media.access import MediaGrant
from vclinic.media.service import MediaService

if TYPE_CHECKING:
    from vclinic.server.gateway import Connection, Handler
    from vclinic.server.protocol import Inbound

_ID = re.compile(r"^[\w-]{1,64}$")
_MID = re.compile(r"^[\w+/=.-]{1,32}$")
SOURCES = ("audio", "video", "screen")


def _session_id(data: dict[str, Any]) -> str:
    value = data.get("session_id")
    if not isinstance(value, str) or not _ID.match(value):
        raise BadRequest("'session_id' must be a session id.", code="invalid_session_id")
    return value


def _sdp(data: dict[str, Any]) -> str:
    value = data.get("sdp")
    if not isinstance(value, str):
        raise BadRequest("'sdp' must be a string holding an SDP description.",
                         code="invalid_sdp")
    sdp_check.validate(value)
    return value


def _sources(data: dict[str, Any]) -> dict[str, str]:
    value = data.get("sources", {})
    if value is None:
        return {}
    if (not isinstance(value, dict) or len(value) > sdp_check.MAX_MEDIA_SECTIONS
            or not all(isinstance(k, str) and _MID.match(k) for k in value)
            or not all(v in SOURCES for v in value.values())):
        raise BadRequest("'sources' must map mids to 'audio', 'video' or 'screen'.",
                         code="invalid_sources")
    return dict(value)


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false.", code="invalid_state")
    return value


def _service(conn: Connection) -> MediaService:
    service = getattr(conn.app, "media", None)
    if not isinstance(service, MediaService):
        raise Unavailable("Audio and video are not available on this server.", code="media_down")
    return service


async def _grant(conn: Connection, session_id: str) -> MediaGrant:
    sessions = getattr(conn.app, "sessions", None)
    if sessions is None:
        raise Forbidden("Enter the session first.", code="not_in_session")
    grant: MediaGrant = await sessions.media_grant(session_id, conn.principal)
    return grant


async def offer(conn: Connection, message: Inbound) -> dict[str, Any]:
    """``media.offer``: join the session's room on first use; reply with the answer SDP."""
    session_id = _session_id(message.data)
    sdp = _sdp(message.data)
    sources = _sources(message.data)
    service = _service(conn)
    grant = await _grant(conn, session_id)
    pid = grant.participant_id
    if await service.enter(session_id, grant, conn):
        conn.on_close(partial(service.detach, pid, conn))
    # Server offers that follow this answer wait until the reply is on the wire.
    conn.after_reply(service.hold(pid))
    return {"sdp": await service.offer(pid, sdp, sources)}


async def answer(conn: Connection, message: Inbound) -> dict[str, Any]:
    """``media.answer``: the client's answer to a ``media.server_offer``."""
    session_id = _session_id(message.data)
    sdp = _sdp(message.data)
    service = _service(conn)
    grant = await _grant(conn, session_id)
    await service.answer(grant.participant_id, sdp)
    return {}


async def candidate(conn: Connection, message: Inbound) -> dict[str, Any]:
    """``media.candidate``: a trickled ICE candidate (``null`` or ``""``: no more candidates)."""
    data = message.data
    session_id = _session_id(data)
    line = data.get("candidate")
    if line == "":
        line = None
    if isinstance(line, str):
        line = line.removeprefix("a=")
    if line is not None:
        sdp_check.validate_candidate(line)
    mid = data.get("sdp_mid")
    index = data.get("sdp_mline_index")
    if mid is not None and (not isinstance(mid, str) or not _MID.match(mid)):
        raise BadRequest("'sdp_mid' must be a mid or null.", code="invalid_candidate")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                              or not 0 <= index < sdp_check.MAX_MEDIA_SECTIONS):
        raise BadRequest("'sdp_mline_index' must be a small integer or null.",
                         code="invalid_candidate")
    service = _service(conn)
    grant = await _grant(conn, session_id)
    await service.candidate(grant.participant_id, line, mid, index)
    return {}


async def state(conn: Connection, message: Inbound) -> dict[str, Any]:
    """``media.state``: the participant's own mute and camera-off switches, shown to everyone."""
    session_id = _session_id(message.data)
    audio_muted = _bool(message.data, "audio_muted")
    video_muted = _bool(message.data, "video_muted")
    service = _service(conn)
    grant = await _grant(conn, session_id)
    await service.set_state(grant.participant_id, audio_muted, video_muted)
    return {}


async def ice_servers(conn: Connection, message: Inbound) -> dict[str, Any]:
    """``media.ice_servers``: STUN/TURN servers (with fresh TURN credentials) for a connection."""
    session_id = _session_id(message.data)
    service = _service(conn)
    grant = await _grant(conn, session_id)
    return service.ice_config(grant.participant_id)


HANDLERS: dict[str, Handler] = {
    "media.offer": offer,
    "media.answer": answer,
    "media.candidate": candidate,
    "media.state": state,
    "media.ice_servers": ice_servers,
}
