"""How a room settles its video codec from offers, on a real Room with real Participants."""

from __future__ import annotations

import asyncio

import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from tests.media.test_h264_unit import _with_h264
from tests.media.test_protocol import BROWSER_OFFER
from vclinic.errors import BadRequest
from vclinic.media import protocol as p
from vclinic.media.sdp import validate
from vclinic.media.worker.room import Room

BOTH = _with_h264("a=fmtp:102 packetization-mode=1;profile-level-id=42e01f")
H264_ONLY = _with_h264("a=fmtp:102 packetization-mode=1;profile-level-id=42e01f", vp8=False)
VP8_ONLY = BROWSER_OFFER
AUDIO_ONLY = BROWSER_OFFER.split("m=video")[0]


def run(prefer_h264: bool, *steps: tuple[str, str, bool]) -> tuple[Room, list[p.Message]]:
    """Offer each ``(handle, sdp, connected)`` in turn; ``connected`` gives the participant a
    live connection afterwards, as its answered offer would."""
    events: list[p.Message] = []
    room = Room("r", p.WorkerConfig(prefer_h264=prefer_h264), events.append)

    async def go() -> None:
        for handle, sdp, connected in steps:
            participant = room.participants.get(handle) or room.join(
                handle, p.Permissions(), consent=False)
            await room.settle_video_codec(participant, validate(sdp))
            if connected:
                participant.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        for participant in room.participants.values():
            if participant.pc is not None:
                await participant.pc.close()

    asyncio.run(go())
    return room, events


def test_vp8_unless_configured() -> None:
    room, _ = run(False, ("a", BOTH, True), ("b", BOTH, True))
    assert room.video_codec == "vp8"


def test_h264_while_everyone_offers_it() -> None:
    room, events = run(True, ("a", BOTH, True), ("b", H264_ONLY, True))
    assert room.video_codec == "h264" and events == []


def test_a_vp8_only_offer_turns_the_room_to_vp8_and_replaces_connections() -> None:
    room, events = run(True, ("a", BOTH, True), ("b", BOTH, False), ("c", VP8_ONLY, False))
    assert room.video_codec == "vp8"
    # Only a has a connection to replace; b has not connected yet, c is the newcomer.
    assert events == [p.NegotiationFailed(room="r", handle="a", reason="codec_changed")]
    assert room.participants["a"].pc is None


def test_an_offer_without_video_counts_as_no_h264() -> None:
    room, _ = run(True, ("viewer", AUDIO_ONLY, True), ("a", BOTH, True))
    assert room.video_codec == "vp8"


def test_an_h264_only_offer_in_a_vp8_room_is_refused_and_changes_nothing() -> None:
    with pytest.raises(BadRequest) as refused:
        run(True, ("a", VP8_ONLY, True), ("b", H264_ONLY, True))
    assert refused.value.code == "unsupported_codec"
    assert "VP8" in str(refused.value)
