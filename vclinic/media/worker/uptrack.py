"""A published track: one publisher receiver's RTP fanned out to subscribers' DownTracks.

Owned by the publishing :class:`~vclinic.media.worker.peer.Participant`; lives until the track is
withdrawn or its connection replaced. It replaces the receiver's ``_handle_rtp_packet`` with a
forwarder's share of it (statistics, RTX unwrapping, NACKs; no bandwidth estimator, depacketizing,
jitter buffer or decoder), fed by its transport's :class:`~vclinic.media.worker.ingress.Ingress`,
and hands each packet to its sinks (recorders) and DownTracks. It keeps the publisher's last
sender report for SR translation, asks the publisher for keyframes (rate-limited) and sends it
the slowest subscriber's REMB.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiortc import RTCRtpReceiver
from aiortc.rtcrtpreceiver import StreamStatistics
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RtcpPsfbPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unwrap_rtx,
)

from vclinic.log import get_logger
from vclinic.media.worker.ingress import Ingress
from vclinic.media.worker.tasks import background

if TYPE_CHECKING:
    from vclinic.media.worker.downtrack import DownTrack

log = get_logger("media.uptrack")

#: Least time between two keyframe requests sent to one publisher track.
KEYFRAME_INTERVAL = 0.5
#: Seconds between two REMB messages to a video publisher.
REMB_INTERVAL = 1.0
#: Seconds from the NTP epoch (1900) to the Unix epoch (1970).
NTP_UNIX_OFFSET = 2208988800


def ntp_now() -> int:
    """The time as a 64-bit NTP timestamp: aiortc's ``current_ntp_time`` without datetimes."""
    seconds = time.time() + NTP_UNIX_OFFSET
    whole = int(seconds)
    return (whole << 32) | int((seconds - whole) * 4294967296.0)


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
        #: Lower-case codec names by payload type, e.g. ``"vp8"``, ``"rtx"``.
        self._names: dict[int, str] = {}
        self._rtx: dict[int, int] = {}
        self._last_keyframe_request = -KEYFRAME_INTERVAL
        self._pending_request: asyncio.TimerHandle | None = None
        self._remb: asyncio.TimerHandle | None = None
        self._ingress = Ingress.of(receiver.transport)
        self._ingress.add(self)
        self._attach()

    def _attach(self) -> None:
        receiver = self.receiver
        receive, handle_rtcp = receiver.receive, receiver._handle_rtcp_packet

        async def capture_receive(parameters: Any) -> None:
            self._codecs = {c.payloadType: c for c in parameters.codecs}
            self._names = {c.payloadType: c.name.lower() for c in parameters.codecs}
            self._rtx = {e.rtx.ssrc: e.ssrc for e in parameters.encodings if e.rtx}
            await receive(parameters)

        async def on_rtp(packet: RtpPacket, arrival_time_ms: int) -> None:
            # Reached through aiortc's receive loop: move this transport's sockets to the fast
            # path (the packets already queued still come this way).
            self._ingress.take_sockets()
            self.receive(packet)

        async def on_rtcp(packet: Any) -> None:
            await handle_rtcp(packet)
            if isinstance(packet, RtcpSrPacket):
                info = packet.sender_info
                self.sender_report = (packet.ssrc, info.ntp_timestamp, info.rtp_timestamp)

        receiver.receive = capture_receive  # type: ignore[method-assign]
        receiver._handle_rtp_packet = on_rtp  # type: ignore[method-assign]
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

    def receive(self, packet: RtpPacket) -> None:
        """aiortc's ``RTCRtpReceiver._handle_rtp_packet`` minus everything a forwarder discards.

        Kept: the receive statistics behind receiver reports and ``getStats``, RTX unwrapping
        and NACKs for lost packets. Dropped: aiortc's bandwidth estimator (the publisher gets
        the subscribers' REMB instead, see :meth:`_send_remb`), payload parsing, the jitter
        buffer and handing frames to the decoder thread, whose queue wake-ups were two fifths
        of the worker's CPU. The receiver's fields are aiortc 1.16's.
        """
        receiver: Any = self.receiver
        if not receiver._enabled:
            return
        name = self._names.get(packet.payload_type)
        if name is None:
            return
        streams = receiver._RTCRtpReceiver__remote_streams
        stream = streams.get(packet.ssrc)
        if stream is None:
            clock_rate = self._codecs[packet.payload_type].clockRate
            stream = streams[packet.ssrc] = StreamStatistics(clock_rate)
        stream.add(packet)
        if name == "rtx":
            ssrc = self._rtx.get(packet.ssrc)
            apt = self._codecs[packet.payload_type].parameters.get("apt")
            if ssrc is None or apt not in self._codecs or len(packet.payload) < 2:
                return
            packet = unwrap_rtx(packet, payload_type=apt, ssrc=ssrc)
            name = self._names[apt]
        nacks = receiver._RTCRtpReceiver__nack_generator
        if nacks is not None and nacks.add(packet):
            background(receiver._send_rtcp_nack(packet.ssrc, sorted(nacks.missing)))
        if self._remb is None and self.kind == "video":
            self._remb = asyncio.get_running_loop().call_later(REMB_INTERVAL, self._send_remb)
        self._forward(packet, name)

    def _send_remb(self) -> None:
        """Tell the publisher, every :data:`REMB_INTERVAL`, the lowest bitrate its subscribers
        receive (their REMB), as Janus's VideoRoom does; with no subscriber estimate it sends
        none, and the publisher's own loss-based control (from receiver reports) governs."""
        self._remb = None
        if self.closed:
            return
        receiver: Any = self.receiver
        rtcp_ssrc = receiver._RTCRtpReceiver__rtcp_ssrc
        cap = self.downlink_estimate()
        if cap is not None and rtcp_ssrc is not None and self.media_ssrc is not None:
            background(receiver._send_rtcp(RtcpPsfbPacket(
                fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0,
                fci=pack_remb_fci(cap, [self.media_ssrc]))))
        self._remb = asyncio.get_running_loop().call_later(REMB_INTERVAL, self._send_remb)

    def _forward(self, packet: RtpPacket, name: str) -> None:
        self.media_ssrc = packet.ssrc
        self.bytes_in += len(packet.payload)
        for sink in self.sinks:
            sink(packet, name)
        if not self.forwarding or not self.downtracks:
            return
        # Taken once per packet for all subscribers (abs-send-time, sender reports, pauses).
        ntp, now = ntp_now(), time.monotonic()
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
        background(self.receiver._send_rtcp_pli(self.media_ssrc))

    def close(self) -> None:
        self.closed = True
        for timer in (self._pending_request, self._remb):
            if timer is not None:
                timer.cancel()
        self._pending_request = self._remb = None
        self._ingress.discard(self)
        for down in list(self.downtracks):
            down.detach()
        self.sinks.clear()

