"""The worker's receive fast path: SRTP from a real libsrtp session through aiortc's own router
to the UpTrack, and everything else left to aiortc's receive loop."""

from __future__ import annotations

import asyncio
import os
from types import SimpleNamespace
from typing import Any

import pytest
from aiortc.rtcdtlstransport import RtpRouter
from aiortc.rtp import HeaderExtensionsMap, RtcpPacket, RtcpRrPacket, RtpPacket
from pylibsrtp import Policy, Session

from tests.media.test_forwarder_unit import (
    KEYFRAME,
    PARAMS,
    RECEIVE_PARAMS,
    FakeReceiver,
    FakeTransceiver,
    FakeWire,
    _sent,
)
from vclinic.media.worker import downtrack
from vclinic.media.worker.downtrack import DownTrack
from vclinic.media.worker.ingress import Ingress
from vclinic.media.worker.uptrack import UpTrack

KEY = os.urandom(30)


@pytest.fixture(autouse=True)
def _fake_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(downtrack, "Wire", FakeWire)
ADDR = ("127.0.0.1", 9)


class Protocol:
    """Stands for an aioice StunProtocol: records what reaches aiortc's own path."""

    def __init__(self) -> None:
        self.slow: list[bytes] = []

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.slow.append(data)


def _session(direction: int) -> Session:
    return Session(Policy(key=KEY, ssrc_type=direction,
                          srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))


def _dtls(protocols: list[Protocol]) -> Any:
    return SimpleNamespace(
        _rx_srtp=None, _rtp_header_extensions_map=HeaderExtensionsMap(), _rtp_router=RtpRouter(),
        transport=SimpleNamespace(_connection=SimpleNamespace(_protocols=protocols)),
        _RTCDtlsTransport__rx_bytes=0, _RTCDtlsTransport__rx_packets=0)


def test_srtp_reaches_subscribers_without_aiortcs_loop_and_the_rest_goes_to_aiortc() -> None:
    async def scenario() -> None:
        first, second = Protocol(), Protocol()
        dtls = _dtls([first])
        receiver, unpublished = FakeReceiver(), FakeReceiver()
        receiver.transport = unpublished.transport = dtls
        dtls._rtp_router.register_receiver(receiver, ssrcs=[42], payload_types=[96])
        dtls._rtp_router.register_receiver(unpublished, ssrcs=[43], payload_types=[111])
        up = UpTrack("alice", "video", "video", receiver)  # type: ignore[arg-type]
        await receiver.receive(RECEIVE_PARAMS)
        transceiver = FakeTransceiver()
        DownTrack(transceiver).attach(up)  # type: ignore[arg-type]
        await transceiver.sender.send(PARAMS)
        ingress = Ingress.of(dtls)
        assert Ingress.of(dtls) is ingress and ingress.uptracks == {receiver: up}
        ingress.take_sockets()

        tx = _session(Policy.SSRC_ANY_OUTBOUND)
        packet = RtpPacket(payload_type=96, sequence_number=7, timestamp=3000, ssrc=42,
                           payload=KEYFRAME).serialize()
        first.datagram_received(tx.protect(packet), ADDR)
        assert first.slow != [] and _sent(transceiver) == []  # no keys yet: aiortc's way

        dtls._rx_srtp = _session(Policy.SSRC_ANY_INBOUND)
        protected = tx.protect(RtpPacket(payload_type=96, sequence_number=8, timestamp=3000,
                                         ssrc=42, payload=KEYFRAME).serialize())
        first.datagram_received(protected, ADDR)
        [out] = _sent(transceiver)
        assert out.payload == KEYFRAME
        assert (ingress.packets, dtls._RTCDtlsTransport__rx_packets) == (1, 1)
        assert dtls._RTCDtlsTransport__rx_bytes == len(protected)

        stun = bytes(20)
        report = tx.protect_rtcp(bytes(RtcpRrPacket(ssrc=5)))
        dtls_record = bytes([22, 254, 253]) + bytes(20)
        slow_before = len(first.slow)
        for data in (stun, report, dtls_record):
            first.datagram_received(data, ADDR)
        assert first.slow[slow_before:] == [stun, report, dtls_record]
        assert RtcpPacket.parse(dtls._rx_srtp.unprotect_rtcp(report))

        forged = bytearray(tx.protect(RtpPacket(payload_type=96, sequence_number=9,
                                                timestamp=6000, ssrc=42, payload=KEYFRAME)
                                      .serialize()))
        forged[-1] ^= 0xFF  # fails authentication: dropped, not forwarded, not passed on
        first.datagram_received(bytes(forged), ADDR)
        assert len(_sent(transceiver)) == 1 and ingress.packets == 1

        other = tx.protect(RtpPacket(payload_type=111, sequence_number=1, timestamp=960, ssrc=43,
                                     payload=b"opus").serialize())
        first.datagram_received(other, ADDR)  # a track nobody published: aiortc's receiver
        await asyncio.sleep(0)
        assert [p.payload for p in unpublished.aiortc_path] == [b"opus"]

        dtls.transport._connection._protocols.append(second)  # e.g. a TURN relay
        ingress.take_sockets()
        second.datagram_received(tx.protect(RtpPacket(
            payload_type=96, sequence_number=10, timestamp=9000, ssrc=42,
            payload=KEYFRAME).serialize()), ADDR)
        assert len(_sent(transceiver)) == 2 and second.slow == []

        up.close()  # withdrawn: its packets are no longer forwarded
        first.datagram_received(tx.protect(RtpPacket(
            payload_type=96, sequence_number=11, timestamp=12000, ssrc=42,
            payload=KEYFRAME).serialize()), ADDR)
        assert len(_sent(transceiver)) == 2

    asyncio.run(scenario())


def test_a_lost_packet_is_nacked_to_the_publisher() -> None:
    async def scenario() -> None:
        receiver = FakeReceiver()
        up = UpTrack("alice", "video", "video", receiver)  # type: ignore[arg-type]
        await receiver.receive(RECEIVE_PARAMS)
        for seq in (100, 101, 103):
            up.receive(RtpPacket(payload_type=96, sequence_number=seq, timestamp=seq,
                                 ssrc=42, payload=KEYFRAME))
        await asyncio.sleep(0)
        assert receiver.nacks == [(42, [102])]
        up.close()

    asyncio.run(scenario())
