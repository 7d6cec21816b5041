"""The worker's send fast path against real libsrtp sessions and real loopback UDP sockets."""

from __future__ import annotations

import asyncio
import os
import socket
from types import SimpleNamespace
from typing import Any

from aiortc.rtcdtlstransport import State
from aiortc.rtp import RtpPacket
from pylibsrtp import Policy, Session

from vclinic.media.worker.wire import Wire

KEY = os.urandom(30)


def _session(direction: int) -> Session:
    return Session(Policy(key=KEY, ssrc_type=direction,
                          srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))


def _listener() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2)
    return sock


def _pair(transport: Any, sock: socket.socket) -> Any:
    host, port = sock.getsockname()
    return SimpleNamespace(protocol=SimpleNamespace(transport=transport),
                           remote_addr=(host, port))


def test_packets_arrive_protected_and_follow_a_new_nominated_pair() -> None:
    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0))
        first, second = _listener(), _listener()
        connection = SimpleNamespace(_nominated={1: _pair(transport, first)})
        dtls = SimpleNamespace(
            _state=State.CONNECTED, _tx_srtp=_session(Policy.SSRC_ANY_OUTBOUND),
            transport=SimpleNamespace(_connection=connection),
            _RTCDtlsTransport__tx_bytes=0, _RTCDtlsTransport__tx_packets=0)
        rx = _session(Policy.SSRC_ANY_INBOUND)
        wire = Wire(dtls)
        packets = [RtpPacket(payload_type=96, sequence_number=n, timestamp=n * 3000, ssrc=7,
                             payload=bytes([n]) * 900).serialize() for n in range(1, 4)]

        assert wire.send(packets[0])
        received = first.recv(2048)
        assert rx.unprotect(received) == packets[0]
        assert dtls._RTCDtlsTransport__tx_packets == 1
        assert dtls._RTCDtlsTransport__tx_bytes == len(received)

        connection._nominated[1] = _pair(transport, second)  # e.g. after an ICE restart
        assert wire.send(packets[1])
        assert rx.unprotect(second.recv(2048)) == packets[1]

        dtls._state = State.CLOSED
        assert not wire.send(packets[2])
        dtls._state = State.CONNECTED
        del connection._nominated[1]
        assert not wire.send(packets[2])
        connection._nominated[1] = _pair(transport, second)
        assert not wire.send(b"\x80" * 2000)  # larger than libsrtp's buffer: refused, not sent
        assert wire.send(packets[2])
        assert rx.unprotect(second.recv(2048)) == packets[2]
        assert dtls._RTCDtlsTransport__tx_packets == 3
        transport.close()
        first.close()
        second.close()

    asyncio.run(scenario())
