"""Interop with a real browser: Chromium publishes and subscribes through the worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import trio

from tests.media.chrome import ARGS, CHROMIUM, ChromePeer
from tests.media.conftest import DEADLINE, Harness, increasing_video
from tests.media.peer import AsyncioThread

pytestmark = [pytest.mark.chromium, pytest.mark.slow]


@pytest.fixture
def browser(aio: AsyncioThread) -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI")
        pytest.skip("needs /usr/bin/chromium")
    from playwright.async_api import async_playwright

    playwright = aio.block(async_playwright().start)
    browser = aio.block(playwright.chromium.launch, executable_path=str(CHROMIUM), args=ARGS)
    yield browser
    aio.block(browser.close)
    aio.block(playwright.stop)


async def _chrome_stats(media: Harness, handle: str) -> dict[str, Any]:
    peer = media.peers[handle]
    return await media.aio.run(peer.stats)  # type: ignore[attr-defined,no-any-return]


async def test_chromium_and_aiortc_peers_exchange_media_through_the_worker(
    browser: Any, media: Harness,
) -> None:
    with trio.fail_after(DEADLINE * 2):
        await media.client.create_room("r")
        for handle in ("alice", "bob"):
            await media.client.join("r", handle)
            media.peers[handle] = await media.aio.run(ChromePeer.open, browser)  # type: ignore[assignment]
        await media.join("r", "carol")
        await media.join("r", "dave")
        await media.connect("alice")  # Chromium camera and microphone (fake devices)
        await media.connect("carol")  # aiortc counter video
        await media.connect("bob", audio=False, video=False)  # Chromium, watching
        await media.connect("dave", audio=False, video=False)  # aiortc, watching
        while True:
            bob = await _chrome_stats(media, "bob")
            if bob["video"] > 60 and bob["audio"] > 50:
                break
            await trio.sleep(0.2)
        dave = await media.wait_until("dave", lambda s: len(s["counters"]) == 2 and any(
            increasing_video({"counters": {k: v}}) for k, v in s["counters"].items()))
    assert bob["state"] == "connected"
    assert all(len(frames) > 5 for frames in dave["counters"].values())
    status = await media.client.status()
    assert status["decoders"] == {} and status["encoders"] == {}
