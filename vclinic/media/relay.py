"""How media worker events become ``/ws`` events: pure functions used by the MediaService.

Owned by the media package. A worker event either concerns one participant's own connection
(:func:`sink_event`: offers to answer, connection state, renegotiation, revocation) or everyone
in the session (:func:`session_event`, published on ``session:<id>``: mute state, connection
state, tracks). Per-participant stats are gathered per room (:func:`stats_entry`) and published
as one ``media.stats`` event per room and interval (:func:`room_stats_event`), so that a room of
N participants costs N messages per interval rather than N². Worker handles are participant
ids and rooms are session ids; the wire names them ``participant_id`` and ``session_id``.
``docs/protocol.md`` lists every event.
"""

from __future__ import annotations

from typing import Any

from vclinic.media import protocol as p


def sink_event(event: object) -> tuple[str, str, dict[str, Any]] | None:
    """``(participant_id, type, data)`` for the participant's connection, or None."""
    match event:
        case p.ServerOffer(room=room, handle=handle, sdp=sdp, tracks=tracks):
            return handle, "media.server_offer", {
                "session_id": room, "sdp": sdp,
                "tracks": {mid: {"participant_id": t.get("handle"), "source": t.get("source")}
                           for mid, t in tracks.items()},
            }
        case p.ConnectionState(room=room, handle=handle, state=state):
            return handle, "media.connection_state", {"session_id": room, "state": state}
        case p.NegotiationFailed(room=room, handle=handle, reason=reason):
            # Clients only need to know whether the call's codec changed; other failures
            # (answer timeouts, rejected offers) all mean "offer again".
            told = reason if reason == "codec_changed" else "negotiation_failed"
            return handle, "media.renegotiate", {"session_id": room, "reason": told}
        case p.TrackRevoked(room=room, handle=handle, source=source):
            return handle, "media.revoked", {"session_id": room, "source": source}
    return None


def session_event(event: object) -> tuple[str, str, dict[str, Any]] | None:
    """``(session_id, type, data)`` for everyone in the session, or None."""
    match event:
        case p.ParticipantState(room=room, handle=handle, audio_muted=audio, video_muted=video):
            return room, "media.participant_state", {
                "session_id": room, "participant_id": handle,
                "audio_muted": audio, "video_muted": video}
        case p.ConnectionState(room=room, handle=handle, state=state):
            return room, "media.participant_connection", {
                "session_id": room, "participant_id": handle, "state": state}
        case p.TrackPublished(room=room, handle=handle, source=source):
            return room, "media.track", {"session_id": room, "participant_id": handle,
                                         "source": source, "live": True}
        case p.TrackUnpublished(room=room, handle=handle, source=source):
            return room, "media.track", {"session_id": room, "participant_id": handle,
                                         "source": source, "live": False}
    return None


def stats_entry(stats: p.Stats) -> dict[str, Any]:
    """One participant's figures, as listed in a ``media.stats`` event."""
    return {"participant_id": stats.handle, "bitrate_in": stats.bitrate_in,
            "bitrate_out": stats.bitrate_out, "packets_lost": stats.packets_lost,
            "loss": stats.loss, "rtt": stats.rtt}


def room_stats_event(session_id: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``media.stats`` bus event of one room: every participant that reported since the
    previous one."""
    return {"type": "media.stats", "data": {"session_id": session_id, "participants": entries}}
