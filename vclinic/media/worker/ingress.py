"""The forwarding fast path into the worker: a publisher's RTP from the socket to its UpTrack.

Owned by a publisher's DTLS transport (one per connection, bundled), created with its first
:class:`~vclinic.media.worker.uptrack.UpTrack`; it takes the transport's sockets when the first
packet arrives through aiortc's own path. aiortc receives every
datagram through aioice's queue and the DTLS transport's receive loop: a STUN parse attempt that
fails with an exception, a queue put, a task wake-up, and four coroutines before the packet
reaches its receiver. :class:`Ingress` takes SRTP packets off that path as they leave the socket
(the ICE protocols' ``datagram_received``): unprotect on the transport's own session, parse, route
to the receiver and hand the packet to its UpTrack, synchronously. Everything else (STUN, DTLS,
SRTCP, packets before the keys exist) goes the way aiortc sends it. It reads the aiortc 1.16 and
aioice 0.13 fields that receive loop reads (see ``docs/media.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pylibsrtp
from aiortc import clock
from aiortc.rtp import RtpPacket, is_rtcp

from vclinic.log import get_logger
from vclinic.media.worker.tasks import background

if TYPE_CHECKING:
    from vclinic.media.worker.uptrack import UpTrack

log = get_logger("media.ingress")


def _is_srtp(data: bytes) -> bool:
    """SRTP, not SRTCP: RFC 7983's first-byte ranges, then aiortc's own RTCP test."""
    return len(data) > 12 and 127 < data[0] < 192 and not is_rtcp(data)


class Ingress:
    """Receives one DTLS transport's SRTP packets straight from its ICE sockets."""

    def __init__(self, dtls: Any) -> None:
        self.dtls = dtls
        self.uptracks: dict[Any, UpTrack] = {}
        self.packets = 0
        self._hooked: set[int] = set()

    @classmethod
    def of(cls, dtls: Any) -> Ingress:
        """The transport's Ingress, created on first use."""
        ingress: Ingress | None = getattr(dtls, "_vclinic_ingress", None)
        if ingress is None:
            ingress = dtls._vclinic_ingress = cls(dtls)
        return ingress

    def add(self, up: UpTrack) -> None:
        """Deliver ``up``'s receiver's packets to ``up``."""
        self.uptracks[up.receiver] = up

    def discard(self, up: UpTrack) -> None:
        if self.uptracks.get(up.receiver) is up:
            del self.uptracks[up.receiver]

    def take_sockets(self) -> None:
        """Receive on every socket of the transport that is not taken yet (called when a
        packet still came through aiortc's loop: the first ones, or an ICE restart's or a TURN
        relay's new socket)."""
        for protocol in self.dtls.transport._connection._protocols:
            if id(protocol) not in self._hooked:
                self._hook(protocol)

    def _hook(self, protocol: Any) -> None:
        self._hooked.add(id(protocol))
        original = protocol.datagram_received

        def datagram_received(data: bytes, addr: tuple[Any, ...]) -> None:
            if self.dtls._rx_srtp is None or not _is_srtp(data):
                original(data, addr)
                return
            try:
                self.receive(data)
            except Exception:  # a forwarding bug must not end the connection: drop the packet
                log.exception("ingress_failed")

        protocol.datagram_received = datagram_received

    def receive(self, data: bytes) -> None:
        """What aiortc's receive loop does for an SRTP packet, minus the coroutines."""
        dtls = self.dtls
        dtls._RTCDtlsTransport__rx_bytes += len(data)
        dtls._RTCDtlsTransport__rx_packets += 1
        try:
            data = dtls._rx_srtp.unprotect(data)
            packet = RtpPacket.parse(data, dtls._rtp_header_extensions_map)
        except (pylibsrtp.Error, ValueError):
            return
        receiver = dtls._rtp_router.route_rtp(packet)
        up = self.uptracks.get(receiver)
        if up is not None:
            self.packets += 1
            up.receive(packet)
        elif receiver is not None:  # not a published track: as aiortc would
            background(receiver._handle_rtp_packet(packet, clock.current_ms()))
