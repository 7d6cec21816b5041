"""The media worker pipe protocol: message types and framing, shared by both ends of the pipe.

Owned by the media package; imported by the trio-side client and by the asyncio worker, so it
imports neither trio nor aiortc. Frames are a 4-byte big-endian length followed by one UTF-8 JSON
object ``{"v": VERSION, "type": ..., ...fields}``. The contract (modelled on Janus's ``plugin.h``)
is written out in ``docs/media.md``: the trio side sends requests, each carrying a ``txn``; the
worker acknowledges each at once (:class:`Ack`) and later sends exactly one :class:`Reply` or
:class:`ErrorReply` with the same ``txn``. Unsolicited :data:`Event` messages carry no ``txn``.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from dataclasses import dataclass
from typing import Any, ClassVar

from vclinic.errors import BadRequest, PayloadTooLarge

#: Version of this protocol; the worker announces it in :class:`Hello` and refuses other versions.
PROTOCOL_VERSION = 1
#: Largest frame either side accepts; SDP is capped far below this by :mod:`vclinic.media.sdp`.
MAX_FRAME_BYTES = 1 << 20
_HEADER = struct.Struct("!I")


@dataclass(frozen=True)
class Permissions:
    """What one participant may do in its room; enforced by the worker, changeable at any time."""

    audio: bool = True
    video: bool = True
    screen: bool = True
    subscribe: bool = True
    #: Handles whose video (camera and screen) this participant receives; ``None`` means everyone.
    video_from: tuple[str, ...] | None = None

    def may_publish(self, source: str) -> bool:
        return {"audio": self.audio, "video": self.video, "screen": self.screen}.get(source, False)

    def may_receive(self, publisher: str, source: str) -> bool:
        if not self.subscribe:
            return False
        if source == "audio" or self.video_from is None:
            return True
        return publisher in self.video_from


@dataclass(frozen=True)
class Message:
    """Base of every message on the pipe."""

    TYPE: ClassVar[str] = ""


@dataclass(frozen=True)
class Request(Message):
    """A command from the trio side; answered by an :class:`Ack`, then one reply."""

    txn: str


# Requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateRoom(Request):
    TYPE: ClassVar[str] = "create_room"
    room: str


@dataclass(frozen=True)
class DestroyRoom(Request):
    TYPE: ClassVar[str] = "destroy_room"
    room: str


@dataclass(frozen=True)
class Join(Request):
    """Create the per-participant handle; media flows after its first :class:`Offer`."""

    TYPE: ClassVar[str] = "join"
    room: str
    handle: str
    permissions: Permissions = Permissions()
    #: The participant consented to being recorded.
    consent: bool = False


@dataclass(frozen=True)
class Leave(Request):
    TYPE: ClassVar[str] = "leave"
    handle: str


@dataclass(frozen=True)
class Offer(Request):
    """A client's SDP offer; the reply carries ``{"sdp": answer}``.

    ``sources`` maps an m-line's mid to ``audio``, ``video`` or ``screen``; unmapped audio
    m-lines are ``audio``, the first unmapped video m-line is ``video`` and the next ``screen``.
    An offer whose ICE credentials differ from the current ones is an ICE restart.
    """

    TYPE: ClassVar[str] = "offer"
    handle: str
    sdp: str
    sources: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Answer(Request):
    """A client's answer to a :class:`ServerOffer`."""

    TYPE: ClassVar[str] = "answer"
    handle: str
    sdp: str


@dataclass(frozen=True)
class Candidate(Request):
    """A trickled remote ICE candidate (``candidate`` is the ``candidate:`` line, or ``None``)."""

    TYPE: ClassVar[str] = "candidate"
    handle: str
    candidate: str | None
    sdp_mid: str | None = None
    sdp_mline_index: int | None = None


@dataclass(frozen=True)
class SetPermissions(Request):
    TYPE: ClassVar[str] = "set_permissions"
    handle: str
    permissions: Permissions


@dataclass(frozen=True)
class SetState(Request):
    """Mirror the participant's own mute and camera-off switches."""

    TYPE: ClassVar[str] = "set_state"
    handle: str
    audio_muted: bool
    video_muted: bool


@dataclass(frozen=True)
class StartRecording(Request):
    TYPE: ClassVar[str] = "start_recording"
    room: str
    directory: str


@dataclass(frozen=True)
class StopRecording(Request):
    """Reply: ``{"files": [{"handle", "path", "duration"}], "duration", "participants"}``."""

    TYPE: ClassVar[str] = "stop_recording"
    room: str


@dataclass(frozen=True)
class GetStatus(Request):
    """Reply: ``{"pid", "rooms", "participants", "encoders", "decoders"}``."""

    TYPE: ClassVar[str] = "status"


@dataclass(frozen=True)
class Shutdown(Request):
    TYPE: ClassVar[str] = "shutdown"


# Replies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack(Message):
    TYPE: ClassVar[str] = "ack"
    txn: str


@dataclass(frozen=True)
class Reply(Message):
    TYPE: ClassVar[str] = "reply"
    txn: str
    data: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class ErrorReply(Message):
    """A failed request: the :class:`vclinic.errors.VclinicError` code, message and status."""

    TYPE: ClassVar[str] = "error"
    txn: str
    code: str
    message: str
    status: int = 500


# Events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hello(Message):
    """First frame a worker writes; the trio side checks ``version``."""

    TYPE: ClassVar[str] = "hello"
    version: int
    pid: int


@dataclass(frozen=True)
class ServerOffer(Message):
    """The worker renegotiates: relay ``sdp`` to the client and send back its :class:`Answer`.

    ``tracks`` maps each sending mid to ``{"handle", "source"}`` of the publisher it carries;
    mids missing from it carry nothing any more.
    """

    TYPE: ClassVar[str] = "server_offer"
    room: str
    handle: str
    sdp: str
    tracks: dict[str, dict[str, str]]


@dataclass(frozen=True)
class TrackPublished(Message):
    TYPE: ClassVar[str] = "track_published"
    room: str
    handle: str
    source: str


@dataclass(frozen=True)
class TrackUnpublished(Message):
    TYPE: ClassVar[str] = "track_unpublished"
    room: str
    handle: str
    source: str


@dataclass(frozen=True)
class TrackRevoked(Message):
    """A publisher lost the permission for ``source``; tell it to stop sending."""

    TYPE: ClassVar[str] = "track_revoked"
    room: str
    handle: str
    source: str


@dataclass(frozen=True)
class ConnectionState(Message):
    TYPE: ClassVar[str] = "connection_state"
    room: str
    handle: str
    state: str


@dataclass(frozen=True)
class ParticipantState(Message):
    TYPE: ClassVar[str] = "participant_state"
    room: str
    handle: str
    audio_muted: bool
    video_muted: bool


@dataclass(frozen=True)
class Stats(Message):
    """Periodic per-participant figures: bit/s in and out, fraction lost (0..1), RTT seconds."""

    TYPE: ClassVar[str] = "stats"
    room: str
    handle: str
    bitrate_in: int
    bitrate_out: int
    packets_lost: int
    loss: float
    rtt: float | None


@dataclass(frozen=True)
class NegotiationFailed(Message):
    """A negotiation missed its deadline or failed; the client must send a fresh offer."""

    TYPE: ClassVar[str] = "negotiation_failed"
    room: str
    handle: str
    reason: str


Event = (
    Hello | ServerOffer | TrackPublished | TrackUnpublished | TrackRevoked | ConnectionState
    | ParticipantState | Stats | NegotiationFailed
)

_TYPES: dict[str, type[Message]] = {
    cls.TYPE: cls
    for cls in (
        CreateRoom, DestroyRoom, Join, Leave, Offer, Answer, Candidate, SetPermissions, SetState,
        StartRecording, StopRecording, GetStatus, Shutdown, Ack, Reply, ErrorReply, Hello,
        ServerOffer, TrackPublished, TrackUnpublished, TrackRevoked, ConnectionState,
        ParticipantState, Stats, NegotiationFailed,
    )
}


def to_wire(message: Message) -> dict[str, Any]:
    """The JSON object for ``message``."""
    body = dataclasses.asdict(message)
    return {"v": PROTOCOL_VERSION, "type": message.TYPE, **body}


def from_wire(obj: Any) -> Message:
    """Parse one decoded JSON object into its message; raises :class:`BadRequest`."""
    if not isinstance(obj, dict):
        raise BadRequest("media message is not an object")
    if obj.get("v") != PROTOCOL_VERSION:
        raise BadRequest("unsupported media protocol version", code="unsupported_version")
    cls = _TYPES.get(obj.get("type", ""))
    if cls is None:
        raise BadRequest("unknown media message type", code="unknown_type")
    # Unknown fields are ignored: a newer peer may add optional ones within a version.
    fields = {f.name for f in dataclasses.fields(cls)}
    args = {k: v for k, v in obj.items() if k in fields}
    perms = args.get("permissions")
    if isinstance(perms, dict):
        video_from = perms.get("video_from")
        if video_from is not None:
            perms = {**perms, "video_from": tuple(video_from)}
        args["permissions"] = Permissions(**perms)
    try:
        return cls(**args)
    except TypeError as exc:
        raise BadRequest("missing fields in media message") from exc


def encode_frame(message: Message) -> bytes:
    """One length-prefixed frame holding ``message``."""
    data = json.dumps(to_wire(message), separators=(",", ":")).encode()
    if len(data) > MAX_FRAME_BYTES:
        raise PayloadTooLarge("media message too large")
    return _HEADER.pack(len(data)) + data


class FrameDecoder:
    """Sans-IO splitter of a byte stream into decoded JSON objects; one per pipe reader."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes | bytearray) -> list[Any]:
        """Add bytes; return every complete frame's JSON object (``None`` for invalid JSON).

        Raises :class:`PayloadTooLarge` on an oversized frame: the stream cannot be trusted
        after that, so the reader should drop the pipe.
        """
        self._buffer += data
        out: list[Any] = []
        while len(self._buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer)
            if length > MAX_FRAME_BYTES:
                raise PayloadTooLarge("media frame too large")
            if len(self._buffer) < _HEADER.size + length:
                break
            raw = bytes(self._buffer[_HEADER.size:_HEADER.size + length])
            del self._buffer[:_HEADER.size + length]
            try:
                out.append(json.loads(raw))
            except ValueError:
                out.append(None)  # framing is intact; the receiver refuses this one message
        return out


@dataclass(frozen=True)
class WorkerConfig:
    """Start-up settings of a worker, passed as JSON in its ``--config`` argument."""

    #: Addresses to gather host candidates on; ``None`` lets aioice pick (tests: 127.0.0.1).
    host_addresses: tuple[str, ...] | None = None
    #: STUN/TURN URLs the worker itself uses; empty means host candidates only.
    ice_servers: tuple[str, ...] = ()
    #: Seconds between two ``stats`` events per participant.
    stats_seconds: float = 2.0
    #: Deadline of one negotiation step (applying an offer, waiting for an answer).
    negotiation_seconds: float = 10.0
    #: Use H.264 for a room's video when every participant's offer supports it (else VP8).
    prefer_h264: bool = False
    #: UDP ports (first, last) ICE sockets bind to; ``None``: any free port.
    udp_ports: tuple[int, int] | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> WorkerConfig:
        raw = json.loads(text)
        hosts = raw.get("host_addresses")
        return cls(
            host_addresses=tuple(hosts) if hosts is not None else None,
            ice_servers=tuple(raw.get("ice_servers", ())),
            stats_seconds=float(raw.get("stats_seconds", 2.0)),
            negotiation_seconds=float(raw.get("negotiation_seconds", 10.0)),
            prefer_h264=raw.get("prefer_h264", False) is True,
            udp_ports=(int(raw["udp_ports"][0]), int(raw["udp_ports"][1]))
            if raw.get("udp_ports") else None,
        )
