"""The ``/ws`` messages of sessions: ``session.enter`` and ``session.leave``.

Entering subscribes the connection to the bus topic ``session:<id>`` until the participant
leaves, is removed or the session closes, and registers a close hook so that a dropped socket
makes the participant ``reconnecting`` (then ``left`` after ``ws_grace_seconds``).
"""

from __future__ import annotations

from typing import Any

from vclinic.api import BadRequest, Connection, Forbidden, Inbound

#: connection id -> {session id: participant id} of the sessions each connection entered.
_ENTERED: dict[str, dict[str, str]] = {}


def _session_id(message: Any) -> str:
    session_id = message.data.get("session_id")
    if not isinstance(session_id, str) or not 0 < len(session_id) <= 32:
        raise BadRequest("'session_id' must be a session id.", code="bad_message")
    return session_id


async def enter(conn: Connection, message: Inbound) -> dict[str, Any]:
    session_id = _session_id(message)
    consent = message.data.get("consent_recording")
    if consent is not None and not isinstance(consent, bool):
        raise BadRequest("'consent_recording' must be true or false.", code="bad_message")
    sessions = conn.app.sessions
    reply: dict[str, Any] = await sessions.enter(conn.principal, session_id, conn.id, consent)
    participant_id = reply["you"]["id"]
    entered = _ENTERED.get(conn.id)
    if entered is None:
        entered = _ENTERED[conn.id] = {}
        conn.on_close(lambda: _closed(conn))
    entered[session_id] = participant_id

    def until(event: dict[str, Any]) -> bool:
        # Stop forwarding the session's events once this participant is out of it; a
        # participant who left and entered again keeps its subscription.
        data = event.get("data", {})
        if event["type"] == "session.closed" or (
                event["type"] == "session.removed" and data.get("participant_id") ==
                participant_id):
            entered.pop(session_id, None)
            return True
        return (event["type"] == "session.participant_left"
                and data.get("participant_id") == participant_id
                and session_id not in entered)

    conn.subscribe(f"session:{session_id}", until=until)
    return reply


async def leave(conn: Connection, message: Inbound) -> dict[str, Any]:
    session_id = _session_id(message)
    participant_id = _ENTERED.get(conn.id, {}).pop(session_id, None)
    if participant_id is None:
        raise Forbidden("Enter the session first.", code="not_in_session")
    await conn.app.sessions.leave(conn.principal, session_id, participant_id, conn.id)
    return {}


def _closed(conn: Any) -> None:
    for session_id, participant_id in _ENTERED.pop(conn.id, {}).items():
        conn.app.sessions.disconnected(session_id, participant_id, conn.id)


HANDLERS = {"session.enter": enter, "session.leave": leave}
