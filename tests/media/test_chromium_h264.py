"""Chromium and an H.264-only aiortc peer exchange H.264 video through a worker preferring it."""

from __future__ import annotations

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness
from tests.media.peer import Peer
from tests.media.test_chromium import _chrome_stats, browser  # noqa: F401  (fixture)
from vclinic.media import protocol as p

pytestmark = [pytest.mark.chromium, pytest.mark.slow]


@pytest.fixture
def media_config() -> p.WorkerConfig:
    return p.WorkerConfig(host_addresses=("127.0.0.1",), stats_seconds=1.0,
                          negotiation_seconds=10.0, prefer_h264=True)


async def test_chromium_sends_and_receives_h264_through_the_worker(
    browser: object, media: Harness,  # noqa: F811
) -> None:
    from tests.media.chrome import ChromePeer

    with trio.fail_after(DEADLINE * 2):
        await media.client.create_room("r")
        await media.client.join("r", "alice")
        media.peers["alice"] = await media.aio.run(ChromePeer.open, browser)  # type: ignore[assignment]
        await media.client.join("r", "carol")
        media.peers["carol"] = Peer("carol", video_codecs=("h264",))
        await media.connect("alice")  # Chromium camera (fake device), VP8 and H.264 offered
        await media.connect("carol")  # aiortc counter video, H.264 only
        while True:
            alice = await _chrome_stats(media, "alice")
            if alice["video"] > 60:
                break
            await trio.sleep(0.2)
        # carol decodes Chromium's H.264 (a fake camera: no counters to read, but frames).
        carol = await media.wait_until("carol", lambda s: sum(map(len, s["counters"].values()))
                                       > 60)
    assert alice["video_codecs"] == ["video/H264"]
    assert set(carol["video_codecs"].values()) == {"video/H264"}
    assert all(carol["first_keyframe"].values())
    status = await media.client.status()
    assert status["decoders"] == {} and status["encoders"] == {}
