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
import time
from typing import Any

from aiortc import RTCRtpTransceiver
from aiortc.clock import current_ntp_time
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
    wrap_rtx,
)

from vclinic.media import h264, vp8
from vclinic.media.worker.uptrack import UpTrack

HISTORY_SIZE = 512
_FRAME_TICKS = {"audio": 960, "video": 3000}
_CLOCK = {"audio": 48000, "video": 90000}
#: Keyframe-start detection by the forwarder's codec name (video codecs only).
KEYFRAME_START = {"vp8": vp8.is_keyframe_start, "h264": h264.is_keyframe_start}


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
        self._payload_types: dict[str, int] = {}
        self._rtx_pt: int | None = None
        self._rtx_seq = random.randrange(1 << 15)
        self._history: dict[int, RtpPacket] = {}
        self._source_ssrc: int | None = None
        self._seq_offset = 0
        self._ts_offset = 0
        self._last: tuple[int, int] | None = None
        self._last_sent = 0.0
        self._need_keyframe = True
        self._hook()

    def _hook(self) -> None:
        sender = self.sender
        send, handle_rtcp = sender.send, sender._handle_rtcp_packet

        async def capture_send(parameters: Any) -> None:
            self._params = parameters
            self._ext.configure(parameters)
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
                    await self._retransmit(seq)
            elif isinstance(packet, RtcpPsfbPacket):
                if packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR) and self.up is not None:
                    self.up.request_keyframe()
                elif packet.fmt == RTCP_PSFB_APP:
                    with contextlib.suppress(ValueError):
                        self.remb = unpack_remb_fci(packet.fci)[0]

        sender.send = capture_send  # type: ignore[method-assign]
        sender._handle_rtcp_packet = on_rtcp  # type: ignore[method-assign]

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

    async def write(self, packet: RtpPacket, codec: str) -> None:
        """Rewrite ``packet`` for this subscriber and send it."""
        pt = self._payload_types.get(codec)
        if self._params is None or pt is None:
            return
        if self._need_keyframe and self.kind == "video" and not self._keyframe(packet, codec):
            return
        self._need_keyframe = False
        if packet.ssrc != self._source_ssrc:
            self._rebase(packet)
        out = RtpPacket(
            payload_type=pt,
            marker=packet.marker,
            sequence_number=(packet.sequence_number + self._seq_offset) & 0xFFFF,
            timestamp=(packet.timestamp + self._ts_offset) & 0xFFFFFFFF,
            ssrc=self.sender._ssrc,
            payload=packet.payload,
        )
        out.extensions.mid = self.mid
        out.extensions.audio_level = packet.extensions.audio_level
        ntp = current_ntp_time()
        out.extensions.abs_send_time = (ntp >> 14) & 0x00FFFFFF
        self._last = (out.sequence_number, out.timestamp)
        self._last_sent = time.monotonic()
        self._history[out.sequence_number % HISTORY_SIZE] = out
        await self._send(out)
        self.bytes_out += len(out.payload)
        self.packets_out += 1
        # aiortc builds its sender reports from these private fields. Translate the publisher's
        # report (same NTP time, RTP timestamp shifted by this stream's offset) so subscribers
        # can line audio up with video; before the first report, use the forwarding time.
        sender = self.sender
        report = self.up.sender_report if self.up is not None else None
        if report is not None and report[0] == packet.ssrc:
            ntp, rtp_timestamp = report[1], (report[2] + self._ts_offset) & 0xFFFFFFFF
        else:
            rtp_timestamp = out.timestamp
        sender._RTCRtpSender__ntp_timestamp = ntp  # type: ignore[attr-defined]
        sender._RTCRtpSender__rtp_timestamp = rtp_timestamp  # type: ignore[attr-defined]
        sender._RTCRtpSender__packet_count += 1  # type: ignore[attr-defined]
        sender._RTCRtpSender__octet_count += len(out.payload)  # type: ignore[attr-defined]

    @staticmethod
    def _keyframe(packet: RtpPacket, codec: str) -> bool:
        detect = KEYFRAME_START.get(codec)
        return detect is not None and detect(packet.payload)

    def _rebase(self, packet: RtpPacket) -> None:
        """Map a new source's numbering onto this stream without a jump backwards."""
        if self._last is None:
            seq, ts = random.randrange(1 << 15), random.randrange(1 << 32)
        else:
            # Advance the clock by the pause, so the subscriber's playout stays in step.
            pause = int((time.monotonic() - self._last_sent) * _CLOCK[self.kind])
            seq = (self._last[0] + 1) & 0xFFFF
            ts = (self._last[1] + max(pause, _FRAME_TICKS[self.kind])) & 0xFFFFFFFF
        self._seq_offset = (seq - packet.sequence_number) & 0xFFFF
        self._ts_offset = (ts - packet.timestamp) & 0xFFFFFFFF
        self._source_ssrc = packet.ssrc

    async def _retransmit(self, seq: int) -> None:
        packet = self._history.get(seq % HISTORY_SIZE)
        if packet is None or packet.sequence_number != seq:
            return
        if self._rtx_pt is not None:
            packet = wrap_rtx(packet, self._rtx_pt, self._rtx_seq, self.sender._rtx_ssrc)
            self._rtx_seq = (self._rtx_seq + 1) & 0xFFFF
        await self._send(packet)

    async def _send(self, packet: RtpPacket) -> None:
        with contextlib.suppress(ConnectionError):
            await self.sender.transport._send_rtp(packet.serialize(self._ext))

    @property
    def rtt(self) -> float | None:
        return self.sender._RTCRtpSender__rtt  # type: ignore[attr-defined,no-any-return]
