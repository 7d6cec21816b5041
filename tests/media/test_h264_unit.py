"""H.264 payload and SDP checks without a decoder: keyframe starts, forwardable formats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.media.test_protocol import BROWSER_OFFER
from vclinic.errors import BadRequest
from vclinic.media import h264
from vclinic.media.protocol import WorkerConfig
from vclinic.media.sdp import validate

IDR, SPS, PPS, SLICE, SEI = 0x65, 0x67, 0x68, 0x41, 0x06  # NAL headers with nal_ref_idc set


def stap_a(*nals: bytes) -> bytes:
    return bytes([0x78]) + b"".join(len(n).to_bytes(2, "big") + n for n in nals)


def fu_a(nal_header: int, start: bool, body: bytes = b"\x88\x84") -> bytes:
    indicator = (nal_header & 0xE0) | 28
    header = (0x80 if start else 0x00) | (nal_header & 0x1F)
    return bytes([indicator, header]) + body


def test_single_nal_units() -> None:
    assert h264.is_keyframe_start(bytes([IDR, 0x88, 0x84]))
    assert h264.is_keyframe_start(bytes([SPS, 0x42, 0xE0, 0x1F]))
    assert not h264.is_keyframe_start(bytes([SLICE, 0x9A, 0x02]))
    assert not h264.is_keyframe_start(bytes([PPS, 0xCE]))
    assert not h264.is_keyframe_start(bytes([SEI, 0x05]))
    assert not h264.is_keyframe_start(b"")
    assert not h264.is_keyframe_start(bytes([0x80 | IDR, 0x88]))  # forbidden bit set


def test_stap_a_with_sps_starts_a_keyframe_and_without_does_not() -> None:
    assert h264.is_keyframe_start(stap_a(bytes([SPS, 0x42, 0xE0]), bytes([PPS, 0xCE])))
    assert h264.is_keyframe_start(stap_a(bytes([SEI, 0x05]), bytes([IDR, 0x88])))
    assert not h264.is_keyframe_start(stap_a(bytes([SEI, 0x05]), bytes([SLICE, 0x9A])))
    # A size running past the end, or zero, is malformed, not a keyframe.
    assert not h264.is_keyframe_start(bytes([0x78, 0x00, 0x09, SPS, 0x42]))
    assert not h264.is_keyframe_start(bytes([0x78, 0x00, 0x00, SPS]))


def test_fu_a_only_its_first_fragment_of_an_idr_starts_a_keyframe() -> None:
    assert h264.is_keyframe_start(fu_a(IDR, start=True))
    assert not h264.is_keyframe_start(fu_a(IDR, start=False))
    assert not h264.is_keyframe_start(fu_a(SLICE, start=True))
    assert not h264.is_keyframe_start(bytes([0x7C]))  # truncated


@given(st.binary(max_size=64))
def test_any_payload_is_judged_without_error(payload: bytes) -> None:
    assert h264.is_keyframe_start(payload) in (True, False)


@given(st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=6))
def test_a_stap_a_starts_a_keyframe_exactly_when_one_of_its_nals_is_an_idr_or_sps(
    nals: list[bytes],
) -> None:
    nals = [bytes([n[0] & 0x7F]) + n[1:] for n in nals]
    expected = any(n[0] & 0x1F in (5, 7) for n in nals)
    assert h264.is_keyframe_start(stap_a(*nals)) is expected


@given(st.integers(0, 255), st.binary(min_size=1, max_size=40))
def test_an_fu_a_fragment_starts_a_keyframe_exactly_when_it_is_an_idr_or_sps_start(
    header: int, body: bytes,
) -> None:
    payload = bytes([0x7C, header]) + body
    assert h264.is_keyframe_start(payload) is (bool(header & 0x80) and header & 0x1F in (5, 7))


@pytest.mark.parametrize("profile, expected", [
    ("42e01f", True), ("42c01f", True), ("42E034", True), ("4d801f", True), ("58c01f", True),
    ("42001f", False), ("4d001f", False), ("640c1f", False), ("64001f", False),
    ("42e0", False), ("zz001f", False),
])
def test_constrained_baseline_profiles(profile: str, expected: bool) -> None:
    assert h264.is_constrained_baseline(profile) is expected


def test_forwardable_formats_need_packetization_mode_1() -> None:
    assert h264.forwardable({"packetization-mode": "1", "profile-level-id": "42e01f"})
    assert h264.forwardable({"packetization-mode": "1"})  # no profile: 42e01f
    assert not h264.forwardable({"packetization-mode": "0", "profile-level-id": "42e01f"})
    assert not h264.forwardable({"profile-level-id": "42e01f"})
    assert not h264.forwardable({"packetization-mode": "1", "profile-level-id": "640c1f"})
    assert h264.parse_fmtp("level-asymmetry-allowed=1; packetization-mode=1;x") == {
        "level-asymmetry-allowed": "1", "packetization-mode": "1"}


def _with_h264(fmtp: str, vp8: bool = True) -> str:
    offer = BROWSER_OFFER.replace("a=rtpmap:102 H264/90000", f"a=rtpmap:102 H264/90000\r\n{fmtp}")
    return offer if vp8 else offer.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 AV1/90000")


def test_offers_list_h264_only_when_forwardable() -> None:
    assert validate(BROWSER_OFFER).video_codecs == {"vp8"}  # H264 without fmtp: mode 0
    mode1 = _with_h264("a=fmtp:102 packetization-mode=1;profile-level-id=42e01f")
    assert validate(mode1).video_codecs == {"vp8", "h264"}
    high = _with_h264("a=fmtp:102 packetization-mode=1;profile-level-id=640032")
    assert validate(high).video_codecs == {"vp8"}
    assert validate(_with_h264("a=fmtp:102 packetization-mode=1", vp8=False)).video_codecs == {
        "h264"}
    with pytest.raises(BadRequest) as refused:
        validate(_with_h264("a=fmtp:102 packetization-mode=0", vp8=False))
    assert refused.value.code == "unsupported_codec"
    audio_only = BROWSER_OFFER.split("m=video")[0]
    assert validate(audio_only).video_codecs == frozenset()


def test_worker_config_carries_the_h264_preference() -> None:
    assert WorkerConfig.from_json(WorkerConfig().to_json()).prefer_h264 is False
    assert WorkerConfig.from_json(WorkerConfig(prefer_h264=True).to_json()).prefer_h264 is True
    assert WorkerConfig.from_json('{"prefer_h264": "yes"}').prefer_h264 is False
