"""A published track: one publisher receiver's RTP fanned out to subscribers' DownTracks.

Owned by the publishing :class:`~vclinic.media.worker.peer.Participant`; lives until the track is
withdrawn or its connection replaced. It replaces the receiver's ``_handle_rtp_packet`` with a
forwarder's share of it (REMB, statistics, RTX unwrapping, NACKs; no depacketizing, jitter buffer
or decoder), and hands each packet to its sinks (recorders) and DownTracks. It keeps the
publisher's last sender report for SR translation, asks the publisher for keyframes
(rate-limited) and caps aiortc's REMB at the slowest subscriber.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiortc import RTCRtpReceiver
from aiortc.clock import current_ntp_time
from aiortc.rtcrtpreceiver import StreamStatistics
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpPsfbPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
    unwrap_rtx,
)

from vclinic.log import get_logger

if TYPE_CHECKING:
    from vclinic.media.worker.downtrack import DownTrack

log = get_logger("media.uptrack")

#: Least time between two keyframe requests sent to one publisher track.
KEYFRAME_INTERVAL = 0.5


class UpTrack:
    """One published track (``audio``, ``video`` or ``screen``) of one publisher."""

    def __init__(self, publisher: str, source: str, kind: str, receiver: RTCRtpReceiver) -> None:
        self.publisher = publisher
        self.source = source
        self.kind = kind
        self.receiver = receiver
        self.allowed = True
        self.muted = False
        self.closed = False
        self.downtracks: set[DownTrack] = set()
        self.sinks: list[Callable[[RtpPacket, str], None]] = []
        self.bytes_in = 0
        self.media_ssrc: int | None = None
        #: The publisher's last sender report: (ssrc, NTP time, RTP timestamp).
        self.sender_report: tuple[int, int, int] | None = None
        self.keyframe_requests_sent = 0
        self._codecs: dict[int, Any] = {}
        self._rtx: dict[int, int] = {}
        self._last_keyframe_request = -KEYFRAME_INTERVAL
        self._pending_request: asyncio.TimerHandle | None = None
        self._attach()

    def _attach(self) -> None:
        receiver = self.receiver
        receive, send_rtcp, handle_rtcp = (
            receiver.receive, receiver._send_rtcp, receiver._handle_rtcp_packet,
        )

        async def capture_receive(parameters: Any) -> None:
            self._codecs = {c.payloadType: c for c in parameters.codecs}
            self._rtx = {e.rtx.ssrc: e.ssrc for e in parameters.encodings if e.rtx}
            await receive(parameters)

        async def on_rtp(packet: RtpPacket, arrival_time_ms: int) -> None:
            await self._receive(packet, arrival_time_ms)

        async def on_rtcp(packet: Any) -> None:
            await handle_rtcp(packet)
            if isinstance(packet, RtcpSrPacket):
                info = packet.sender_info
                self.sender_report = (packet.ssrc, info.ntp_timestamp, info.rtp_timestamp)

        async def capped_rtcp(packet: Any) -> None:
            # aiortc's own REMB to the publisher: never promise more than subscribers accept.
            if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
                cap = self.downlink_estimate()
                if cap is not None:
                    bitrate, ssrcs = unpack_remb_fci(packet.fci)
                    packet.fci = pack_remb_fci(min(bitrate, cap), ssrcs)
            await send_rtcp(packet)

        receiver.receive = capture_receive  # type: ignore[method-assign]
        receiver._handle_rtp_packet = on_rtp  # type: ignore[method-assign]
        receiver._send_rtcp = capped_rtcp  # type: ignore[method-assign]
        receiver._handle_rtcp_packet = on_rtcp  # type: ignore[method-assign]

    @property
    def forwarding(self) -> bool:
        return self.allowed and not self.muted and not self.closed

    def set_allowed(self, allowed: bool) -> None:
        resumed = allowed and not self.allowed
        self.allowed = allowed
        if resumed:
            self._restart_downtracks()

    def set_muted(self, muted: bool) -> None:
        resumed = self.muted and not muted
        self.muted = muted
        if resumed:
            self._restart_downtracks()

    def _restart_downtracks(self) -> None:
        """After a pause subscribers' decoders lack references: restart them on a keyframe."""
        for down in self.downtracks:
            down.wait_for_keyframe()
        self.request_keyframe()

    def downlink_estimate(self) -> int | None:
        estimates = [d.remb for d in self.downtracks if d.remb is not None]
        return min(estimates) if estimates else None

    async def _receive(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        """aiortc's ``RTCRtpReceiver._handle_rtp_packet`` minus everything a forwarder discards.

        Kept: the uplink bandwidth estimate (REMB to the publisher), the receive statistics
        behind receiver reports and ``getStats``, RTX unwrapping and NACKs for lost packets.
        Dropped: payload parsing, the jitter buffer and handing frames to the decoder thread,
        whose queue wake-ups were two fifths of the worker's CPU; the thread itself waits on
        an empty queue until the receiver stops. The receiver's fields are aiortc 1.16's.
        """
        receiver: Any = self.receiver
        if not receiver._enabled:
            return
        rtcp_ssrc = receiver._RTCRtpReceiver__rtcp_ssrc
        estimator = receiver._RTCRtpReceiver__remote_bitrate_estimator
        if estimator is not None and packet.extensions.abs_send_time is not None:
            remb = estimator.add(
                abs_send_time=packet.extensions.abs_send_time, arrival_time_ms=arrival_time_ms,
                payload_size=len(packet.payload) + packet.padding_size, ssrc=packet.ssrc)
            if rtcp_ssrc is not None and remb is not None:
                await receiver._send_rtcp(RtcpPsfbPacket(
                    fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0, fci=pack_remb_fci(*remb)))
        codec = self._codecs.get(packet.payload_type)
        if codec is None:
            return
        streams = receiver._RTCRtpReceiver__remote_streams
        stream = streams.get(packet.ssrc)
        if stream is None:
            stream = streams[packet.ssrc] = StreamStatistics(codec.clockRate)
        stream.add(packet)
        if codec.name.lower() == "rtx":
            ssrc = self._rtx.get(packet.ssrc)
            apt = codec.parameters.get("apt")
            if ssrc is None or apt not in self._codecs or len(packet.payload) < 2:
                return
            packet = unwrap_rtx(packet, payload_type=apt, ssrc=ssrc)
            codec = self._codecs[apt]
        nacks = receiver._RTCRtpReceiver__nack_generator
        if nacks is not None and nacks.add(packet):
            await receiver._send_rtcp_nack(packet.ssrc, sorted(nacks.missing))
        self._forward(packet, codec.name.lower())

    def _forward(self, packet: RtpPacket, name: str) -> None:
        self.media_ssrc = packet.ssrc
        self.bytes_in += len(packet.payload)
        for sink in self.sinks:
            sink(packet, name)
        if not self.forwarding or not self.downtracks:
            return
        # Taken once per packet for all subscribers (abs-send-time, sender reports, pauses).
        ntp, now = current_ntp_time(), time.monotonic()
        for down in self.downtracks:
            down.write(packet, name, ntp, now)

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe, at most once per :data:`KEYFRAME_INTERVAL`."""
        if self.kind != "video" or self.closed or self._pending_request is not None:
            return
        wait = self._last_keyframe_request + KEYFRAME_INTERVAL - time.monotonic()
        loop = asyncio.get_running_loop()
        self._pending_request = loop.call_later(max(wait, 0.0), self._send_keyframe_request)

    def _send_keyframe_request(self) -> None:
        self._pending_request = None
        if self.media_ssrc is None or self.closed:
            # Nothing received yet: the publisher's first frame is a keyframe anyway.
            return
        self._last_keyframe_request = time.monotonic()
        self.keyframe_requests_sent += 1
        task = asyncio.ensure_future(self.receiver._send_rtcp_pli(self.media_ssrc))
        task.add_done_callback(_log_failure)

    def close(self) -> None:
        self.closed = True
        if self._pending_request is not None:
            self._pending_request.cancel()
            self._pending_request = None
        for down in list(self.downtracks):
            down.detach()
        self.sinks.clear()


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("keyframe_request_failed", error=type(task.exception()).__name__)
