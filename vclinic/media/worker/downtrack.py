"""One subscriber's copy of a published track, sent on a send-only transceiver it owns.

Owned by the subscribing :class:`~vclinic.media.worker.peer.Participant` (its "slots"); a slot is
reused for another track of the same kind. It rewrites SSRC, sequence number, timestamp, payload
type and header extensions per packet, answers NACKs from its own history, turns PLI/FIR into a
keyframe request to the publisher and keeps the subscriber's REMB. No frame is decoded or encoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
from typing import Any

from aiortc import RTCRtpTransceiver
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpParameters
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    HeaderExtensionsMap,
    RtcpPsfbPacket,
    RtcpRtpfbPacket,
    RtpPacket,
    unpack_remb_fci,
)

from vclinic.media import h264, vp8
from vclinic.media.worker.uptrack import UpTrack
from vclinic.media.worker.wire import Wire

HISTORY_SIZE = 512
#: Seconds between refreshes of the fields aiortc builds this stream's sender reports from.
REPORT_REFRESH = 0.05
_HEADER = struct.Struct("!BBHLL")
_HEADER_EXT = struct.Struct("!BBHLLHH")
_PADDING = (b"", b"\0", b"\0\0", b"\0\0\0")
#: The audio level element's value byte by (voice activity << 7 | level).
_LEVEL = tuple(bytes((n,)) for n in range(256))
_MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
_ABS_SEND_TIME_URI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
_AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
_FRAME_TICKS = {"audio": 960, "video": 3000}
_CLOCK = {"audio": 48000, "video": 90000}
#: Keyframe-start detection by the forwarder's codec name (video codecs only).
KEYFRAME_START = {"vp8": vp8.is_keyframe_start, "h264": h264.is_keyframe_start}


def wrap_rtx_bytes(data: bytes, payload_type: int, sequence_number: int, ssrc: int) -> bytes:
    """RFC 4588 retransmission of the RTP packet ``data`` (no padding, as the worker sends
    them): same marker, timestamp and header extensions; the original sequence number leads
    the payload. Byte for byte what aiortc's ``wrap_rtx`` then ``serialize`` would give."""
    header_length = 12 + 4 * (data[0] & 0x0F)
    if data[0] & 0x10:
        header_length += 4 + 4 * int.from_bytes(data[header_length + 2:header_length + 4], "big")
    return b"".join((
        bytes([data[0], (data[1] & 0x80) | payload_type]),
        sequence_number.to_bytes(2, "big"), data[4:8], ssrc.to_bytes(4, "big"),
        data[12:header_length], data[2:4], data[header_length:],
    ))


def _element_id(ext_id: int | None, length: int) -> bytes | None:
    """The first byte of a one-byte header extension element: ``b""`` when not negotiated,
    ``None`` when the element needs RFC 8285's two-byte form."""
    if not ext_id:
        return b""
    if not 1 <= ext_id <= 14 or not 1 <= length <= 16:
        return None
    return bytes([(ext_id << 4) | (length - 1)])


class SilentTrack(MediaStreamTrack):
    """The track of a subscriber's send-only transceiver: never yields, so aiortc never encodes."""

    def __init__(self, kind: str, track_id: str) -> None:
        super().__init__()
        self.kind = kind
        self._id = track_id

    async def recv(self) -> Any:
        await asyncio.Future()


class DownTrack:
    """One subscriber's copy of an UpTrack, sent on a send-only transceiver it owns."""

    def __init__(self, transceiver: RTCRtpTransceiver) -> None:
        self.transceiver = transceiver
        self.sender = transceiver.sender
        self.kind = transceiver.kind
        self.up: UpTrack | None = None
        self.remb: int | None = None
        self.bytes_out = 0
        self.packets_out = 0
        self._params: RTCRtpParameters | None = None
        self._ext = HeaderExtensionsMap()
        self._one_byte = True
        self._wire: Wire | Any = None
        self._ssrc = self.sender._ssrc
        #: One-byte header extension elements: mid and the abs-send-time id (``_ext_head``),
        #: then the 3 abs-send-time bytes, then the audio level element.
        self._ext_head = b""
        self._abs_send_time_id = b""
        self._audio_level_id = b""
        self._payload_types: dict[str, int] = {}
        self._rtx_pt: int | None = None
        self._rtx_seq = random.randrange(1 << 15)
        #: Sent packets by ``seq % HISTORY_SIZE``: (sequence number, unprotected bytes).
        self._history: dict[int, tuple[int, bytes]] = {}
        self._source_ssrc: int | None = None
        self._seq_offset = 0
        self._ts_offset = 0
        #: The last sequence number and timestamp sent (``None`` before the first packet).
        self._last_seq: int | None = None
        self._last_timestamp = 0
        self._last_sent = 0.0
        self._report_due = 0.0
        self._need_keyframe = True
        self._hook()

    def _hook(self) -> None:
        sender = self.sender
        send, handle_rtcp = sender.send, sender._handle_rtcp_packet

        async def capture_send(parameters: Any) -> None:
            self._wire = Wire(sender.transport)
            self._params = parameters
            self._ext.configure(parameters)
            self._configure_extensions(parameters)
            main = parameters.codecs[0].payloadType if parameters.codecs else None
            for codec in parameters.codecs:
                name = codec.name.lower()
                if name == "rtx":
                    if codec.parameters.get("apt") == main:
                        self._rtx_pt = codec.payloadType
                else:
                    self._payload_types.setdefault(name, codec.payloadType)
            await send(parameters)
            if self.up is not None:
                self.up.request_keyframe()

        async def on_rtcp(packet: Any) -> None:
            await handle_rtcp(packet)
            if isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
                for seq in packet.lost:
                    self._retransmit(seq)
            elif isinstance(packet, RtcpPsfbPacket):
                if packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR) and self.up is not None:
                    self.up.request_keyframe()
                elif packet.fmt == RTCP_PSFB_APP:
                    with contextlib.suppress(ValueError):
                        self.remb = unpack_remb_fci(packet.fci)[0]

        sender.send = capture_send  # type: ignore[method-assign]
        sender._handle_rtcp_packet = on_rtcp  # type: ignore[method-assign]

    def _configure_extensions(self, parameters: Any) -> None:
        """Precompute this stream's one-byte header extension elements (RFC 8285)."""
        ids = {e.uri: e.id for e in parameters.headerExtensions}
        mid = (self.mid or "").encode()
        mid_id = _element_id(ids.get(_MID_URI), len(mid)) if mid else b""
        abs_id = _element_id(ids.get(_ABS_SEND_TIME_URI), 3)
        level_id = _element_id(ids.get(_AUDIO_LEVEL_URI), 1)
        # Rare two-byte ids: aiortc's serializer writes those; the fast one covers the rest.
        self._one_byte = None not in (mid_id, abs_id, level_id)
        self._abs_send_time_id = abs_id or b""
        self._ext_head = (mid_id or b"") + (mid if mid_id else b"") + self._abs_send_time_id
        self._audio_level_id = level_id or b""

    @property
    def mid(self) -> str | None:
        return self.transceiver.mid

    def attach(self, up: UpTrack) -> None:
        """Start carrying ``up`` (a reused slot keeps its SSRC and continues its numbering)."""
        self.detach()
        self.up = up
        self._need_keyframe = True
        self._source_ssrc = None
        up.downtracks.add(self)
        if self._params is not None:
            up.request_keyframe()

    def wait_for_keyframe(self) -> None:
        """Resume after a pause: restart on a keyframe and renumber without a gap.

        A gap would make the subscriber NACK packets nobody has and, in aiortc's jitter
        buffer, hold every later frame until 512 packets have passed.
        """
        self._need_keyframe = True
        self._source_ssrc = None

    def detach(self) -> None:
        if self.up is not None:
            self.up.downtracks.discard(self)
            self.up = None

    def write(self, packet: RtpPacket, codec: str, ntp: int, now: float) -> None:
        """Rewrite ``packet`` for this subscriber and send it.

        ``ntp`` (NTP time) and ``now`` (monotonic) are taken once per incoming packet by the
        UpTrack and shared by all its subscribers. This runs once per packet per subscriber:
        it keeps to local variables and precomputed bytes.
        """
        pt = self._payload_types.get(codec)
        if pt is None:  # not negotiated yet (the payload types come with ``sender.send``)
            return
        if self._need_keyframe:
            if self.kind == "video" and not self._keyframe(packet, codec):
                return
            self._need_keyframe = False
        if packet.ssrc != self._source_ssrc:
            self._rebase(packet, now)
        seq = (packet.sequence_number + self._seq_offset) & 0xFFFF
        timestamp = (packet.timestamp + self._ts_offset) & 0xFFFFFFFF
        payload = packet.payload
        if self._one_byte:
            second = pt | 0x80 if packet.marker else pt
            level = packet.extensions.audio_level
            if level is not None and self._audio_level_id:
                tail = self._audio_level_id + _LEVEL[(level[0] << 7) | (level[1] & 0x7F)]
            else:
                tail = b""
            if self._abs_send_time_id:
                elements = b"".join((self._ext_head, ((ntp >> 14) & 0xFFFFFF).to_bytes(3, "big"),
                                     tail))
            else:
                elements = self._ext_head + tail
            if elements:
                pad = -len(elements) % 4
                data = b"".join((_HEADER_EXT.pack(0x90, second, seq, timestamp, self._ssrc,
                                                  0xBEDE, (len(elements) + pad) >> 2),
                                 elements, _PADDING[pad], payload))
            else:
                data = _HEADER.pack(0x80, second, seq, timestamp, self._ssrc) + payload
        else:
            data = self._serialize_two_byte(packet, pt, seq, timestamp, (ntp >> 14) & 0xFFFFFF)
        self._last_seq = seq
        self._last_timestamp = timestamp
        self._last_sent = now
        self._history[seq % HISTORY_SIZE] = (seq, data)
        if not self._wire.send(data):
            return
        self.bytes_out += len(payload)
        self.packets_out += 1
        if now >= self._report_due:
            self._refresh_sender_report(packet.ssrc, ntp, timestamp, now)

    @staticmethod
    def _keyframe(packet: RtpPacket, codec: str) -> bool:
        detect = KEYFRAME_START.get(codec)
        return detect is not None and detect(packet.payload)

    def _refresh_sender_report(self, ssrc: int, ntp: int, timestamp: int, now: float) -> None:
        """Feed aiortc's sender reports (built from these private fields about once a second).

        Translates the publisher's report (same NTP time, RTP timestamp shifted by this stream's
        offset) so subscribers can line audio up with video; before the first report, uses the
        forwarding time. Refreshed every :data:`REPORT_REFRESH` seconds, not per packet.
        """
        self._report_due = now + REPORT_REFRESH
        report = self.up.sender_report if self.up is not None else None
        if report is not None and report[0] == ssrc:
            ntp, timestamp = report[1], (report[2] + self._ts_offset) & 0xFFFFFFFF
        sender = self.sender
        sender._RTCRtpSender__ntp_timestamp = ntp  # type: ignore[attr-defined]
        sender._RTCRtpSender__rtp_timestamp = timestamp  # type: ignore[attr-defined]
        sender._RTCRtpSender__packet_count = self.packets_out  # type: ignore[attr-defined]
        sender._RTCRtpSender__octet_count = self.bytes_out  # type: ignore[attr-defined]

    def _serialize_two_byte(self, packet: RtpPacket, pt: int, seq: int, timestamp: int,
                            abs_send_time: int) -> bytes:
        """Header extensions that need RFC 8285's two-byte form (a long mid or a high id, rare):
        aiortc's serializer writes them."""
        out = RtpPacket(payload_type=pt, marker=packet.marker, sequence_number=seq,
                        timestamp=timestamp, ssrc=self._ssrc, payload=packet.payload)
        out.extensions.mid = self.mid
        out.extensions.audio_level = packet.extensions.audio_level
        out.extensions.abs_send_time = abs_send_time
        return out.serialize(self._ext)

    def _rebase(self, packet: RtpPacket, now: float) -> None:
        """Map a new source's numbering onto this stream without a jump backwards."""
        if self._last_seq is None:
            seq, ts = random.randrange(1 << 15), random.randrange(1 << 32)
        else:
            # Advance the clock by the pause, so the subscriber's playout stays in step.
            pause = int((now - self._last_sent) * _CLOCK[self.kind])
            seq = (self._last_seq + 1) & 0xFFFF
            ts = (self._last_timestamp + max(pause, _FRAME_TICKS[self.kind])) & 0xFFFFFFFF
        self._seq_offset = (seq - packet.sequence_number) & 0xFFFF
        self._ts_offset = (ts - packet.timestamp) & 0xFFFFFFFF
        self._source_ssrc = packet.ssrc

    def _retransmit(self, seq: int) -> None:
        sent = self._history.get(seq % HISTORY_SIZE)
        if sent is None or sent[0] != seq:
            return
        data = sent[1]
        if self._rtx_pt is not None:
            data = wrap_rtx_bytes(data, self._rtx_pt, self._rtx_seq, self.sender._rtx_ssrc)
            self._rtx_seq = (self._rtx_seq + 1) & 0xFFFF
        self._wire.send(data)

    @property
    def rtt(self) -> float | None:
        return self.sender._RTCRtpSender__rtt  # type: ignore[attr-defined,no-any-return]
