"""The pipe protocol's framing and message parsing, SDP checks and VP8 inspection (no loop)."""

from __future__ import annotations

import json
import struct

import pytest

from vclinic.errors import BadRequest, PayloadTooLarge
from vclinic.media import protocol as p
from vclinic.media.sdp import assign_sources, validate, validate_candidate
from vclinic.media.vp8 import is_keyframe_start, keyframe_size


def test_every_message_survives_a_round_trip_through_split_frames() -> None:
    messages: list[p.Message] = [
        p.Join(txn="1", room="r", handle="h",
               permissions=p.Permissions(video=False, video_from=("a", "b")), consent=True),
        p.Offer(txn="2", handle="h", sdp="v=0", sources={"0": "audio"}),
        p.Candidate(txn="3", handle="h", candidate=None),
        p.ErrorReply(txn="2", code="publish_forbidden", message="no", status=403),
        p.ServerOffer(room="r", handle="h", sdp="v=0",
                      tracks={"1": {"handle": "a", "source": "video"}}),
        p.Stats(room="r", handle="h", bitrate_in=1, bitrate_out=2, packets_lost=0, loss=0.0,
                rtt=None),
    ]
    stream = b"".join(p.encode_frame(m) for m in messages)
    decoder = p.FrameDecoder()
    decoded = []
    for i in range(0, len(stream), 7):  # a pipe may cut frames anywhere
        decoded += [p.from_wire(obj) for obj in decoder.feed(stream[i:i + 7])]
    assert decoded == messages


@pytest.mark.parametrize("obj, code", [
    ({"v": 2, "type": "leave", "txn": "1", "handle": "h"}, "unsupported_version"),
    ({"v": 1, "type": "explode", "txn": "1"}, "unknown_type"),
    ({"v": 1, "type": "leave", "txn": "1"}, "bad_request"),
    (["not", "an", "object"], "bad_request"),
])
def test_malformed_messages_are_refused(obj: object, code: str) -> None:
    with pytest.raises(BadRequest) as raised:
        p.from_wire(obj)
    assert raised.value.code == code


def test_unknown_fields_from_a_newer_peer_are_ignored() -> None:
    obj = {"v": 1, "type": "leave", "txn": "1", "handle": "h", "reason": "new in 1.x"}
    assert p.from_wire(obj) == p.Leave(txn="1", handle="h")


def test_oversized_frames_are_refused() -> None:
    with pytest.raises(PayloadTooLarge):
        p.FrameDecoder().feed(struct.pack("!I", p.MAX_FRAME_BYTES + 1))


def test_worker_config_round_trips_as_json() -> None:
    config = p.WorkerConfig(host_addresses=("127.0.0.1",), ice_servers=("stun:x:3478",))
    assert p.WorkerConfig.from_json(config.to_json()) == config
    assert json.loads(config.to_json())["host_addresses"] == ["127.0.0.1"]


def test_permissions_decide_publishing_and_receiving() -> None:
    perms = p.Permissions(screen=False, video_from=("doctor",))
    assert perms.may_publish("audio") and not perms.may_publish("screen")
    assert perms.may_receive("nurse", "audio")
    assert perms.may_receive("doctor", "screen") and not perms.may_receive("nurse", "video")
    assert not p.Permissions(subscribe=False).may_receive("doctor", "audio")


BROWSER_OFFER = "\r\n".join([
    "v=0", "o=- 46117317 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
    "a=fingerprint:sha-256 AA:BB", "m=audio 9 UDP/TLS/RTP/SAVPF 111 0", "c=IN IP4 0.0.0.0",
    "a=ice-ufrag:abcd", "a=ice-pwd:efghijklmnopqrstuvwxyz12", "a=setup:actpass", "a=mid:0",
    "a=sendrecv", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=rtpmap:0 PCMU/8000",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102", "c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd",
    "a=ice-pwd:efghijklmnopqrstuvwxyz12", "a=setup:actpass", "a=mid:1", "a=sendonly",
    "a=rtcp-mux", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
    "a=rtpmap:102 H264/90000", "",
])


def test_a_browser_offer_is_summarised() -> None:
    summary = validate(BROWSER_OFFER)
    assert summary.ice_ufrag == "abcd"
    assert [(m.kind, m.mid, m.direction, m.codecs) for m in summary.media] == [
        ("audio", "0", "sendrecv", ("opus",)), ("video", "1", "sendonly", ("vp8",)),
    ]


@pytest.mark.parametrize("mutate, code", [
    (lambda s: s.replace("v=0", "v=1"), "invalid_sdp"),
    (lambda s: s.replace("a=mid:1", "a=mid:0"), "invalid_sdp"),
    (lambda s: s.replace("a=ice-pwd:efghijklmnopqrstuvwxyz12\r\n", ""), "invalid_sdp"),
    (lambda s: s.replace("a=fingerprint:sha-256 AA:BB\r\n", ""), "invalid_sdp"),
    (lambda s: s.replace("a=rtcp-mux\r\n", ""), "invalid_sdp"),
    (lambda s: s.replace("m=video 9", "m=video nine"), "invalid_sdp"),
    (lambda s: s.replace("RTP/SAVPF 111 0", "RTP/AVP 111 0"), "invalid_sdp"),
    (lambda s: s.replace("a=rtpmap:96 VP8", "a=rtpmap:99 VP8"), "invalid_sdp"),
    (lambda s: s.replace("VP8/", "AV1/"), "unsupported_codec"),
    (lambda s: s.split("m=audio")[0], "invalid_sdp"),
    (lambda s: s + "a=x:\x01\r\n", "invalid_sdp"),
    (lambda s: s + ("a=tool:" + "x" * 900 + "\r\n") * 150, "sdp_too_large"),
    (lambda s: s + "".join(
        f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:x{i}\r\n" for i in range(70)), "invalid_sdp"),
])
def test_broken_offers_are_refused_with_a_code(mutate: object, code: str) -> None:
    with pytest.raises((BadRequest, PayloadTooLarge)) as raised:
        validate(mutate(BROWSER_OFFER))  # type: ignore[operator]
    assert raised.value.code == code


def test_candidates_are_checked() -> None:
    line = "candidate:842163049 1 udp 1677729535 127.0.0.1 51234 typ srflx raddr 0.0.0.0 rport 0"
    assert validate_candidate(line).startswith("842163049 1 udp")
    for bad in ("candidate:1 1 udp", "hello", "candidate:1 1 sctp 1 1.2.3.4 5 typ host"):
        with pytest.raises(BadRequest):
            validate_candidate(bad)


def test_vp8_keyframes_are_recognised_from_rtp_payloads() -> None:
    keyframe = bytes([0x90, 0x80, 0x05, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A])
    assert is_keyframe_start(keyframe)  # X, S; I with 1-byte picture id; P bit clear
    assert not is_keyframe_start(bytes([0x90, 0x80, 0x05, 0x11]))  # P bit set: inter frame
    assert not is_keyframe_start(bytes([0x80, 0x80, 0x05, 0x10]))  # not a partition start
    frame = bytes([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01])
    assert keyframe_size(frame) == (640, 480)
    assert keyframe_size(b"\x11" + frame[1:]) is None


def test_sources_default_by_kind_and_order_or_follow_the_client() -> None:
    two_cameras = BROWSER_OFFER + BROWSER_OFFER.split("a=group:BUNDLE 0 1\r\n")[1].split(
        "m=video")[0].replace("m=audio", "m=video").replace("a=mid:0", "a=mid:2").replace(
        "opus/48000/2", "VP8/90000")
    summary = validate(two_cameras)
    assert assign_sources(summary, {}, {}) == {"0": "audio", "1": "video", "2": "screen"}
    assert assign_sources(summary, {"1": "screen", "2": "video"}, {}) == {
        "0": "audio", "1": "screen", "2": "video"}
    assert assign_sources(summary, {"1": "screen"}, {"1": "video"})["1"] == "video"  # sticky
    for bad in ({"0": "video"}, {"1": "audio"}, {"1": "screen", "2": "screen"}, {"1": "x"}):
        with pytest.raises(BadRequest):
            assign_sources(summary, bad, {})


def test_a_frame_of_invalid_json_is_refused_without_losing_the_stream() -> None:
    bad = struct.pack("!I", 3) + b"{x}"
    good = p.encode_frame(p.Leave(txn="2", handle="h"))
    objs = p.FrameDecoder().feed(bad + good)
    assert objs[0] is None
    assert p.from_wire(objs[1]) == p.Leave(txn="2", handle="h")
    with pytest.raises(BadRequest):
        p.from_wire(objs[0])
