"""UpTrack and DownTrack against fake aiortc receivers and senders: the per-packet rewrite."""

from __future__ import annotations

import asyncio
import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aiortc.clock import datetime_to_ntp
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpReceiveParameters,
    RTCRtpSendParameters,
)
from aiortc.rtcrtpreceiver import NackGenerator
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    HeaderExtensionsMap,
    RtcpPsfbPacket,
    RtcpRtpfbPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
    wrap_rtx,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from vclinic.media.worker import downtrack, uptrack
from vclinic.media.worker.downtrack import DownTrack, wrap_rtx_bytes
from vclinic.media.worker.uptrack import UpTrack

KEYFRAME = bytes([0x10, 0x00, 0x9D, 0x01, 0x2A])  # S=1, partition 0, P=0
DELTA = bytes([0x10, 0x01, 0x00])  # P=1: inter frame
NTP = 0xE6A0_0000_0000_0000  # an NTP time in 2022


class FakeReceiver:
    """The aiortc 1.16 receiver fields an UpTrack reads."""

    def __init__(self) -> None:
        self.plis: list[int] = []
        self.rtcp: list[Any] = []
        self.nacks: list[tuple[int, list[int]]] = []
        self._enabled = True
        self._RTCRtpReceiver__rtcp_ssrc = 9
        self._RTCRtpReceiver__remote_streams: dict[int, Any] = {}
        self._RTCRtpReceiver__nack_generator = NackGenerator()
        self.transport: Any = SimpleNamespace()  # the DTLS transport
        self.aiortc_path: list[RtpPacket] = []

    async def receive(self, parameters: Any) -> None: ...
    async def _handle_rtp_packet(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        self.aiortc_path.append(packet)
    async def _handle_rtcp_packet(self, packet: Any) -> None: ...
    async def _send_rtcp(self, packet: Any) -> None:
        self.rtcp.append(packet)

    async def _send_rtcp_pli(self, ssrc: int) -> None:
        self.plis.append(ssrc)

    async def _send_rtcp_nack(self, ssrc: int, lost: list[int]) -> None:
        self.nacks.append((ssrc, lost))


class FakeTransport:
    """Stands for the DTLS transport; ``downtrack.Wire`` is patched to append here."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []


class FakeWire:
    def __init__(self, transport: FakeTransport) -> None:
        self.transport = transport

    def send(self, data: bytes) -> bool:
        self.transport.sent.append(data)
        return True


@pytest.fixture(autouse=True)
def _fake_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(downtrack, "Wire", FakeWire)


class FakeSender:
    def __init__(self) -> None:
        self._ssrc, self._rtx_ssrc = 1111, 2222
        self.transport = FakeTransport()
        self._RTCRtpSender__ntp_timestamp = 0
        self._RTCRtpSender__rtp_timestamp = 0
        self._RTCRtpSender__packet_count = 0
        self._RTCRtpSender__octet_count = 0
        self._RTCRtpSender__rtt = None

    async def send(self, parameters: Any) -> None: ...
    async def _handle_rtcp_packet(self, packet: Any) -> None: ...


class FakeTransceiver:
    kind, mid = "video", "7"

    def __init__(self) -> None:
        self.sender = FakeSender()


PARAMS = RTCRtpSendParameters(
    codecs=[
        RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=120),
        RTCRtpCodecParameters(mimeType="video/rtx", clockRate=90000, payloadType=121,
                              parameters={"apt": 120}),
    ],
    headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=1, uri="urn:ietf:params:rtp-hdrext:sdes:mid"),
    ],
    muxId="7",
)


RECEIVE_PARAMS = RTCRtpReceiveParameters(
    codecs=[RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)],
    muxId="3",
)


def _packet(seq: int, payload: bytes, ts: int = 9000) -> RtpPacket:
    return RtpPacket(payload_type=96, sequence_number=seq, timestamp=ts, ssrc=42,
                     payload=payload)


def _sent(transceiver: FakeTransceiver) -> list[RtpPacket]:
    ext = HeaderExtensionsMap()
    ext.configure(PARAMS)
    return [RtpPacket.parse(d, ext) for d in transceiver.sender.transport.sent]


def test_downtrack_rewrites_starts_on_keyframes_and_answers_nacks() -> None:
    async def scenario() -> None:
        receiver, transceiver = FakeReceiver(), FakeTransceiver()
        up = UpTrack("alice", "video", "video", receiver)  # type: ignore[arg-type]
        up.media_ssrc = 42
        down = DownTrack(transceiver)  # type: ignore[arg-type]
        down.attach(up)
        await transceiver.sender.send(PARAMS)
        down.write(_packet(1000, DELTA), "vp8", NTP, 0.0)  # no keyframe yet: dropped
        down.write(_packet(1001, KEYFRAME), "vp8", NTP, 0.0)
        down.write(_packet(1003, DELTA, ts=12000), "vp8", NTP, 0.04)  # 1002 lost upstream
        first, second = _sent(transceiver)
        assert (first.ssrc, first.payload_type, first.extensions.mid) == (1111, 120, "7")
        assert second.sequence_number == (first.sequence_number + 2) & 0xFFFF  # gap kept
        assert (second.timestamp - first.timestamp) & 0xFFFFFFFF == 3000

        nack = RtcpRtpfbPacket(fmt=RTCP_RTPFB_NACK, ssrc=5, media_ssrc=1111)
        nack.lost = [(first.sequence_number + 1) & 0xFFFF, first.sequence_number]
        await transceiver.sender._handle_rtcp_packet(nack)
        [rtx] = _sent(transceiver)[2:]  # only the packet it has is resent, wrapped in RTX
        assert (rtx.ssrc, rtx.payload_type) == (2222, 121)
        assert rtx.payload == first.sequence_number.to_bytes(2, "big") + KEYFRAME

        down.wait_for_keyframe()  # e.g. camera back on: restart without a gap
        down.write(_packet(5000, KEYFRAME, ts=900000), "vp8", NTP, 10.0)
        resumed = _sent(transceiver)[-1]
        assert resumed.sequence_number == (second.sequence_number + 1) & 0xFFFF

    asyncio.run(scenario())


def test_keyframe_requests_from_many_subscribers_are_merged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uptrack, "KEYFRAME_INTERVAL", 0.05)

    async def scenario() -> None:
        receiver = FakeReceiver()
        up = UpTrack("alice", "video", "video", receiver)  # type: ignore[arg-type]
        up.media_ssrc = 42
        downs = []
        for _ in range(32):
            transceiver = FakeTransceiver()
            down = DownTrack(transceiver)  # type: ignore[arg-type]
            down.attach(up)
            downs.append(transceiver)
        pli = RtcpPsfbPacket(fmt=RTCP_PSFB_PLI, ssrc=5, media_ssrc=1111)
        for transceiver in downs:
            await transceiver.sender._handle_rtcp_packet(pli)
        await asyncio.sleep(0.01)
        assert receiver.plis == [42]
        for transceiver in downs:
            await transceiver.sender._handle_rtcp_packet(pli)
        await asyncio.sleep(0.1)
        assert receiver.plis == [42, 42]

    asyncio.run(scenario())


def test_publisher_is_told_the_slowest_subscribers_bitrate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uptrack, "REMB_INTERVAL", 0.01)

    async def scenario() -> None:
        receiver = FakeReceiver()
        up = UpTrack("alice", "video", "video", receiver)  # type: ignore[arg-type]
        await receiver.receive(RECEIVE_PARAMS)  # wrapped by the UpTrack: learns the codecs
        up.receive(_packet(1, KEYFRAME))
        await asyncio.sleep(0.05)
        assert receiver.rtcp == []  # no subscriber estimate yet: the publisher decides alone
        for estimate in (2_000_000, 300_000):
            transceiver = FakeTransceiver()
            DownTrack(transceiver).attach(up)  # type: ignore[arg-type]
            remb = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=5, media_ssrc=0,
                                  fci=pack_remb_fci(estimate, [1111]))
            await transceiver.sender._handle_rtcp_packet(remb)
        await asyncio.sleep(0.05)
        sent = receiver.rtcp[-1]
        assert (sent.ssrc, sent.fmt) == (9, RTCP_PSFB_APP)
        assert unpack_remb_fci(sent.fci) == (300_000, [42])
        up.close()
        await asyncio.sleep(0)  # a REMB already handed to aiortc goes out
        count = len(receiver.rtcp)
        await asyncio.sleep(0.05)
        assert len(receiver.rtcp) == count  # a closed track tells the publisher nothing more

    asyncio.run(scenario())


AUDIO_PARAMS = RTCRtpSendParameters(
    codecs=[RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48000, channels=2,
                                  payloadType=111)],
    headerExtensions=[
        RTCRtpHeaderExtensionParameters(id=1, uri="urn:ietf:params:rtp-hdrext:sdes:mid"),
        RTCRtpHeaderExtensionParameters(
            id=3, uri="http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
        RTCRtpHeaderExtensionParameters(
            id=14, uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
    ],
    muxId="7",
)


@settings(max_examples=200, deadline=None)
@given(
    seq=st.integers(0, 0xFFFF), ts=st.integers(0, 0xFFFFFFFF), marker=st.booleans(),
    payload=st.binary(min_size=1, max_size=64), ntp=st.integers(0, (1 << 64) - 1),
    level=st.none() | st.tuples(st.booleans(), st.integers(0, 127)),
    mid=st.sampled_from(["0", "7", "12", "a" * 16, "b" * 17]),
)
def test_outgoing_bytes_are_what_aiortc_would_write(
    seq: int, ts: int, marker: bool, payload: bytes, ntp: int,
    level: tuple[bool, int] | None, mid: str,
) -> None:
    """The fast serializer writes exactly aiortc's bytes, mid/abs-send-time/audio level included
    (a 17-byte mid needs the two-byte form: aiortc's own serializer is used then)."""
    transceiver = FakeTransceiver()
    transceiver.kind, transceiver.mid = "audio", mid  # type: ignore[misc]
    down = DownTrack(transceiver)  # type: ignore[arg-type]
    asyncio.run(transceiver.sender.send(AUDIO_PARAMS))
    incoming = RtpPacket(payload_type=96, marker=marker, sequence_number=seq, timestamp=ts,
                         ssrc=42, payload=payload)
    incoming.extensions.audio_level = level
    down._payload_types["opus"] = 111
    down.write(incoming, "opus", ntp, 0.0)
    [data] = transceiver.sender.transport.sent
    expected = RtpPacket(payload_type=111, marker=marker,
                         sequence_number=(seq + down._seq_offset) & 0xFFFF,
                         timestamp=(ts + down._ts_offset) & 0xFFFFFFFF, ssrc=1111,
                         payload=payload)
    expected.extensions.mid = mid
    expected.extensions.abs_send_time = (ntp >> 14) & 0xFFFFFF
    expected.extensions.audio_level = level
    ext = HeaderExtensionsMap()
    ext.configure(AUDIO_PARAMS)
    assert data == expected.serialize(ext)


@settings(max_examples=200, deadline=None)
@given(
    seq=st.integers(0, 0xFFFF), rtx_seq=st.integers(0, 0xFFFF), marker=st.booleans(),
    payload=st.binary(min_size=1, max_size=64), mid=st.none() | st.sampled_from(["0", "12"]),
    abs_send_time=st.none() | st.integers(0, 0xFFFFFF),
)
def test_retransmissions_are_what_aiortc_would_write(
    seq: int, rtx_seq: int, marker: bool, payload: bytes, mid: str | None,
    abs_send_time: int | None,
) -> None:
    ext = HeaderExtensionsMap()
    ext.configure(AUDIO_PARAMS)
    original = RtpPacket(payload_type=111, marker=marker, sequence_number=seq, timestamp=77,
                         ssrc=1111, payload=payload)
    original.extensions.mid = mid
    original.extensions.abs_send_time = abs_send_time
    expected = wrap_rtx(original, 112, rtx_seq, 2222).serialize(ext)
    assert wrap_rtx_bytes(original.serialize(ext), 112, rtx_seq, 2222) == expected


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 4e9, allow_nan=False))
def test_ntp_time_is_aiortcs(unix_time: float) -> None:
    from unittest import mock

    moment = datetime.datetime.fromtimestamp(unix_time, datetime.UTC)
    with mock.patch("time.time", return_value=moment.timestamp()):
        ours = uptrack.ntp_now()
    theirs = datetime_to_ntp(moment)
    assert ours >> 32 == theirs >> 32
    assert abs((ours & 0xFFFFFFFF) - (theirs & 0xFFFFFFFF)) < 1 << 13  # within 2 µs
