"""Codec choices on the worker's transceivers: only what the SFU forwards.

Audio is Opus; video is the room's codec (``vp8`` or ``h264``, see
:meth:`~vclinic.media.worker.room.Room.settle_video_codec`) with its RTX. H.264 is the
packetization-mode 1, Constrained Baseline format (``42e01f``), never mode 0.

Used by :class:`~vclinic.media.worker.peer.Participant`. Relies on ``RTCRtpTransceiver._codecs``,
which aiortc 1.16 fills in ``setRemoteDescription`` and uses in ``createAnswer`` and for the
receiver's parameters, so trimming it after the remote offer is applied decides the answer.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import aiortc.codecs as aiortc_codecs
from aiortc import RTCRtpSender, RTCRtpTransceiver, rtcpeerconnection
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters

from vclinic.media import h264

#: Video codecs a room may use, by the lower-case encoding name the forwarder uses.
VIDEO_CODECS = ("vp8", "h264")


def _mime(kind: str, video_codec: str) -> str:
    return "audio/opus" if kind == "audio" else f"video/{video_codec}"


def _matches(codec: Any, kind: str, video_codec: str) -> bool:
    """``codec`` (parameters or capability) is the one forwarded for ``kind`` in this room."""
    if codec.mimeType.lower() != _mime(kind, video_codec):
        return False
    return kind == "audio" or video_codec != "h264" or h264.forwardable(
        {k: str(v) for k, v in codec.parameters.items()})


def restrict_codecs(transceiver: RTCRtpTransceiver, video_codec: str) -> None:
    """Keep only the forwarded codec (and its RTX) on a transceiver the client offered."""
    main = [c for c in transceiver._codecs if _matches(c, transceiver.kind, video_codec)]
    if not main:
        return
    pts = {c.payloadType for c in main}
    rtx = [
        c for c in transceiver._codecs
        if c.mimeType.lower().endswith("/rtx") and c.parameters.get("apt") in pts
    ]
    keep = main[0].payloadType
    transceiver._codecs = main[:1] + [c for c in rtx if c.parameters.get("apt") == keep]


def forwarded_preferences(kind: str, video_codec: str) -> list[Any]:
    """Codec preferences for the worker's own send-only transceivers: the room's video codec
    + RTX, or Opus."""
    caps = RTCRtpSender.getCapabilities(kind).codecs
    main = [c for c in caps if _matches(c, kind, video_codec)][:1]
    return main + [c for c in caps if c.mimeType.lower() == f"{kind}/rtx"]


class CodecPlan:
    """Payload types and header-extension ids of one connection's bundle, for the worker's offers.

    aiortc's ``createOffer`` re-assigns every transceiver's codecs and extensions from the module
    defaults (opus 96, VP8 97, mid id 1, ...), which would renumber what a browser chose in its own
    offer (opus 111, mid id 4, ...): the browser would then send with numbers the worker's
    receivers do not know, or reject the offer for reusing an id. The plan learns the client's
    numbers and fills the rest without collisions; :meth:`applied` swaps it in around one
    ``createOffer`` call, which has no ``await`` inside, so no other connection sees it.
    """

    def __init__(self) -> None:
        self.video_codec = "vp8"
        self.payload_types: dict[str, int] = {}
        self.extension_ids: dict[str, int] = {}

    def learn(self, transceiver: RTCRtpTransceiver) -> None:
        """Adopt the numbers negotiated on a transceiver the client offered."""
        for codec in transceiver._codecs:
            if codec.payloadType is not None:
                self.payload_types.setdefault(codec.mimeType.lower(), codec.payloadType)
        for ext in transceiver._headerExtensions:
            self.extension_ids.setdefault(ext.uri, ext.id)

    def _payload_type(self, mime: str, default: int) -> int:
        if mime not in self.payload_types:
            used = set(self.payload_types.values())
            free = [pt for pt in range(96, 128) if pt not in used]
            self.payload_types[mime] = default if default not in used else free[0]
        return self.payload_types[mime]

    def _extension_id(self, uri: str, default: int) -> int:
        if uri not in self.extension_ids:
            used = set(self.extension_ids.values())
            free = [i for i in range(1, 15) if i not in used]
            self.extension_ids[uri] = default if default not in used else free[0]
        return self.extension_ids[uri]

    def codecs(self) -> dict[str, list[RTCRtpCodecParameters]]:
        out: dict[str, list[RTCRtpCodecParameters]] = {}
        for kind in ("audio", "video"):
            main = next(c for c in aiortc_codecs.CODECS[kind]
                        if _matches(c, kind, self.video_codec))
            chosen = copy.deepcopy(main)
            mime = _mime(kind, self.video_codec)
            chosen.payloadType = self._payload_type(mime, main.payloadType or 96)
            out[kind] = [chosen]
            rtx = next((c for c in aiortc_codecs.CODECS[kind]
                        if c.mimeType.lower() == f"{kind}/rtx"
                        and c.parameters.get("apt") == main.payloadType), None)
            if rtx is not None:
                extra = copy.deepcopy(rtx)
                extra.payloadType = self._payload_type(f"{kind}/rtx", rtx.payloadType or 97)
                extra.parameters = {"apt": chosen.payloadType}
                out[kind].append(extra)
        return out

    def extensions(self) -> dict[str, list[RTCRtpHeaderExtensionParameters]]:
        return {
            kind: [
                RTCRtpHeaderExtensionParameters(id=self._extension_id(e.uri, e.id), uri=e.uri)
                for e in aiortc_codecs.HEADER_EXTENSIONS[kind]
            ]
            for kind in ("audio", "video")
        }

    @contextlib.contextmanager
    def applied(self, video_codec: str) -> Iterator[None]:
        """Make aiortc's next ``createOffer`` use this plan, with ``video_codec`` for video."""
        self.video_codec = video_codec
        saved = rtcpeerconnection.CODECS, rtcpeerconnection.HEADER_EXTENSIONS
        rtcpeerconnection.CODECS = self.codecs()  # type: ignore[misc]
        rtcpeerconnection.HEADER_EXTENSIONS = self.extensions()  # type: ignore[misc]
        try:
            yield
        finally:
            rtcpeerconnection.CODECS, rtcpeerconnection.HEADER_EXTENSIONS = saved  # type: ignore[misc]
