"""H.264 forwarding through a real node's /ws with real aiortc tabs (libx264 encodes, PyAV decodes).

The node prefers H.264 (``media_h264``): a room uses it while every participant offers it, and
falls back to VP8 for good when a participant without H.264 offers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import av
import pytest
import trio

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2
from tests.media.conftest import DEADLINE, increasing_video
from tests.media.peer import Peer
from tests.media.wspeer import SESSION, Call, WsPeer

H264_ONLY = ("h264",)
VP8_ONLY = ("vp8",)


@pytest.fixture
def node_settings() -> dict[str, Any]:
    return {"media_h264": True}


def video_rtpmaps(sdp: str) -> list[set[str]]:
    """The codec names of each m=video section of ``sdp``, RTX left out."""
    sections = []
    for part in sdp.split("m=")[1:]:
        if part.startswith("video"):
            names = set(re.findall(r"a=rtpmap:\d+ ([\w-]+)/", part)) - {"rtx"}
            sections.append(names)
    return sections


def server_offers(tab: WsPeer) -> list[str]:
    return [e["data"]["sdp"] for e in tab.events if e["type"] == "media.server_offer"]


def codec_changed(event: dict[str, Any]) -> bool:
    return event["type"] == "media.renegotiate" and event["data"] == {
        "session_id": SESSION, "reason": "codec_changed"}


def receives(codec: str) -> Any:
    """Check: video with increasing counters arrives, and every video track uses ``codec``."""
    def check(snap: dict[str, Any]) -> bool:
        return increasing_video(snap) and set(snap["video_codecs"].values()) == {codec}
    return check


async def _status(call: Call) -> dict[str, Any]:
    return await call.media.pool.clients[0].status()


@pytest.mark.slow
async def test_h264_only_tabs_exchange_h264_video_without_codecs_in_the_worker(
    call: Call,
) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice", peer=Peer("alice", video_codecs=H264_ONLY))
        bob = await call.tab(PROVIDER_2, "bob", peer=Peer("bob", video_codecs=H264_ONLY))
        answer = await alice.connect()
        assert answer["type"] == "reply"
        assert video_rtpmaps(answer["data"]["sdp"]) == [{"H264"}]
        # bob comes late: alice's video has been flowing into the worker for a while.
        await trio.sleep(1.5)
        assert (await bob.connect())["type"] == "reply"
        bob_snap = await bob.wait_until(receives("video/H264"))
        alice_snap = await alice.wait_until(receives("video/H264"))
    # Each subscriber's first forwarded H.264 packet started a keyframe (IDR or SPS).
    assert all(bob_snap["first_keyframe"].values()) and bob_snap["first_keyframe"]
    assert all(alice_snap["first_keyframe"].values()) and alice_snap["first_keyframe"]
    for tab in (alice, bob):
        offers = server_offers(tab)
        assert offers and all(s == {"H264"} for sdp in offers for s in video_rtpmaps(sdp))
    status = await _status(call)
    assert status["encoders"] == {} and status["decoders"] == {}


@pytest.mark.slow
async def test_a_vp8_only_tab_turns_an_h264_room_into_a_vp8_room(call: Call) -> None:
    with trio.fail_after(DEADLINE):
        # alice offers VP8 and H.264: alone in the room she publishes H.264.
        alice = await call.tab(PROVIDER, "alice")
        answer = await alice.connect()
        assert video_rtpmaps(answer["data"]["sdp"]) == [{"H264"}]
        bob = await call.tab(PROVIDER_2, "bob", peer=Peer("bob", video_codecs=VP8_ONLY))
        answer = await bob.connect()
        assert answer["type"] == "reply"
        assert video_rtpmaps(answer["data"]["sdp"]) == [{"VP8"}]
        # alice is told to reconnect, as a browser does on media.renegotiate.
        await alice.wait_event(codec_changed)
        await alice.forget_media()
        answer = await alice.connect()
        assert video_rtpmaps(answer["data"]["sdp"]) == [{"VP8"}]
        await bob.wait_until(receives("video/VP8"))
        await alice.wait_until(receives("video/VP8"))
        # The room stays VP8: an H.264-only tab is refused with a clear error ...
        carol = await call.tab(ADMIN, "carol", peer=Peer("carol", video_codecs=H264_ONLY))
        refused = await carol.connect()
        assert refused["type"] == "error"
        assert refused["error"]["code"] == "unsupported_codec"
        assert "VP8" in refused["error"]["message"]
        # ... and nothing changed for the others: media keeps flowing, nobody renegotiates.
        await bob.forget_media()
        await bob.wait_until(receives("video/VP8"))
    assert not any(codec_changed(e) for e in bob.events)
    assert sum(codec_changed(e) for e in alice.events) == 1
    for sdp in server_offers(bob):
        assert all(s == {"VP8"} for s in video_rtpmaps(sdp))
    status = await _status(call)
    assert status["encoders"] == {} and status["decoders"] == {}


@pytest.mark.slow
async def test_an_h264_room_records_audio_only(call: Call, tmp_path: Path) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice", consent=True,
                               peer=Peer("alice", video_codecs=H264_ONLY))
        bob = await call.tab(PROVIDER_2, "bob", peer=Peer("bob", video_codecs=H264_ONLY))
        await alice.connect()
        await bob.connect()
        await bob.wait_until(receives("video/H264"))
        await call.media.start_recording(SESSION, str(tmp_path))
        seen = sum(len(c) for c in (await bob.snapshot())["counters"].values())
        # About three seconds of alice's video, as received by bob meanwhile: more than the
        # recorder waits for video before it settles for audio only.
        await bob.wait_until(
            lambda s: sum(len(c) for c in s["counters"].values()) > seen + 45)
        result = await call.media.stop_recording(SESSION)
    [entry] = result["files"]
    assert entry["handle"] == "alice"
    with av.open(entry["path"]) as container:
        assert [s.codec_context.name for s in container.streams] == ["opus"]
        assert sum(1 for _ in container.demux(audio=0)) > 50
