"""The forwarding fast path out of the worker: protect an RTP packet and hand it to the socket.

Owned by :class:`~vclinic.media.worker.downtrack.DownTrack`, one :class:`Wire` per subscriber
stream. aiortc sends RTP through four nested coroutines (``RTCDtlsTransport._send_rtp`` →
``RTCIceTransport._send`` → aioice ``Connection.sendto`` → ``StunProtocol.send_data``), each of
which only calls the next, and pylibsrtp allocates and checks on every packet; at tens of
subscribers per packet that was a large share of the worker's CPU. :meth:`Wire.send` does the
same work synchronously: libsrtp's ``srtp_protect`` on the transport's own session and buffer,
``sendto`` on the nominated pair's socket (or, for a TURN relay, aioice's ``TurnTransport``,
which sends synchronously) and aiortc's byte and packet counters. It reads the aiortc 1.16,
aioice 0.13 and pylibsrtp 1.0 fields those coroutines read (see ``docs/media.md``) and checks
on every packet that the DTLS transport is connected and the nominated pair unchanged.
"""

from __future__ import annotations

from asyncio.selector_events import _SelectorDatagramTransport  # type: ignore[attr-defined]
from typing import Any

from aiortc.rtcdtlstransport import State
from pylibsrtp import SRTP_MAX_TRAILER_LEN
from pylibsrtp._binding import ffi, lib

_ICE_COMPONENT_RTP = 1


class Wire:
    """Sends one subscriber stream's RTP on its DTLS transport."""

    __slots__ = ("_addr", "_buffer", "_cdata", "_dtls", "_length", "_limit", "_nominated",
                 "_pair", "_raw", "_sendto", "_session", "_srtp", "_view")

    def __init__(self, dtls: Any) -> None:
        self._dtls = dtls
        self._pair: Any = None
        self._session: Any = None
        self._length = ffi.new("int *")

    def send(self, data: bytes) -> bool:
        """Send ``data`` (an unprotected RTP packet); ``False`` when it cannot be sent now."""
        dtls = self._dtls
        if dtls._state is not State.CONNECTED:
            return False
        if dtls._tx_srtp is not self._session:
            self._bind_session(dtls._tx_srtp)
        pair = self._pair
        if pair is None or self._nominated.get(_ICE_COMPONENT_RTP) is not pair:
            pair = self._bind_pair()
            if pair is None:
                return False
        size = len(data)
        if size > self._limit:
            return False
        self._buffer[0:size] = data
        length = self._length
        length[0] = size
        if lib.srtp_protect(self._srtp, self._cdata, length) != 0:
            return False
        size = length[0]
        try:
            self._sendto(self._view[0:size] if self._raw else self._buffer[0:size], self._addr)
        except OSError:  # a full socket buffer (BlockingIOError) or a closed socket: dropped
            return False
        dtls._RTCDtlsTransport__tx_bytes += size
        dtls._RTCDtlsTransport__tx_packets += 1
        return True

    def _bind_session(self, session: Any) -> None:
        self._session = session
        self._srtp = session._srtp[0]
        self._cdata = session._cdata
        self._buffer = session._buffer
        self._view = memoryview(session._buffer)
        self._limit = len(session._buffer) - SRTP_MAX_TRAILER_LEN

    def _bind_pair(self) -> Any:
        self._nominated = self._dtls.transport._connection._nominated
        pair = self._nominated.get(_ICE_COMPONENT_RTP)
        transport = pair.protocol.transport if pair is not None else None
        if transport is None:
            self._pair = None
            return None
        self._pair, self._addr = pair, pair.remote_addr
        # asyncio's datagram transport only checks and then calls its socket's sendto; call
        # that directly (a packet that does not fit the socket buffer is dropped, as UDP may
        # drop it anyway, instead of queued). TURN relays keep their transport's sendto.
        sock = transport._sock if isinstance(transport, _SelectorDatagramTransport) else None
        self._sendto = sock.sendto if sock is not None else transport.sendto
        # A socket copies the bytes during the call; a TURN transport needs its own bytes.
        self._raw = sock is not None
        return pair
