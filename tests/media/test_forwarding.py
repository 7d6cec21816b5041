"""End-to-end forwarding through a real media worker with real aiortc peers."""

from __future__ import annotations

import itertools

import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video
from vclinic.media import protocol as p


async def test_subscriber_receives_publishers_video_and_audio(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r1")
        await media.join("r1", "alice")
        await media.join("r1", "bob")
        await media.connect("alice")
        await media.connect("bob", audio=False, video=False)
        snap = await media.wait_until(
            "bob", lambda s: increasing_video(s) and sum(s["audio"].values()) > 20)
    assert snap["state"] == "connected"


async def test_connection_state_and_stats_are_reported(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r1")
        await media.join("r1", "alice")
        await media.join("r1", "bob")
        await media.connect("alice")
        await media.connect("bob", audio=False, video=False)
        for handle in ("alice", "bob"):
            await media.wait_event(lambda e, h=handle: isinstance(e, p.ConnectionState)
                                   and e.handle == h and e.state == "connected")
        sent = await media.wait_event(
            lambda e: isinstance(e, p.Stats) and e.handle == "alice" and e.bitrate_in > 0)
        received = await media.wait_event(
            lambda e: isinstance(e, p.Stats) and e.handle == "bob" and e.bitrate_out > 0
            and e.rtt is not None)
    assert sent.loss < 0.5
    assert received.bitrate_in == 0
    assert received.rtt >= 0


async def test_camera_off_pauses_video_and_camera_on_resumes_it(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r1")
        await media.join("r1", "alice")
        await media.join("r1", "bob")
        await media.connect("alice")
        await media.connect("bob", audio=False, video=False)
        await media.wait_until("bob", increasing_video)
        await media.client.set_state("alice", audio_muted=False, video_muted=True)
        state = await media.wait_event(lambda e: isinstance(e, p.ParticipantState))
        assert (state.handle, state.audio_muted, state.video_muted) == ("alice", False, True)
        paused = await media.snapshot("bob")
        frames = sum(len(c) for c in paused["counters"].values())
        heard = sum(paused["audio"].values())
        still = await media.wait_until("bob", lambda s: sum(s["audio"].values()) > heard + 50)
        assert sum(len(c) for c in still["counters"].values()) <= frames + 3  # in flight
        await media.client.set_state("alice", audio_muted=False, video_muted=False)
        resumed = await media.wait_until(
            "bob", lambda s: sum(len(c) for c in s["counters"].values()) > frames + 10)
    counters = next(iter(resumed["counters"].values()))
    # Frames drawn while the camera was off never came: the counter jumps once.
    assert max(b - a for a, b in itertools.pairwise(counters)) > 5


async def test_server_offers_keep_the_numbers_a_browser_chose(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r1")
        await media.join("r1", "alice", chrome=True)
        await media.join("r1", "bob", chrome=True)
        await media.connect("alice")
        await media.connect("bob", audio=False, video=False)
        offer = await media.wait_event(
            lambda e: isinstance(e, p.ServerOffer) and e.handle == "bob")
        await media.wait_until(
            "bob", lambda s: increasing_video(s) and sum(s["audio"].values()) > 20)
    lines = offer.sdp.split("\r\n")
    assert "a=rtpmap:111 opus/48000/2" in lines
    assert "a=rtpmap:96 opus/48000/2" not in lines
    assert "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid" in lines
    assert "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid" not in lines
