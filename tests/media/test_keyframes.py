"""Late joiners start on a keyframe, and the worker never decodes or encodes."""

from __future__ import annotations

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video


@pytest.mark.slow
async def test_late_joiner_starts_on_a_keyframe_without_worker_codecs(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r")
        await media.join("r", "alice")
        await media.join("r", "bob")
        await media.connect("alice")
        await media.connect("bob", audio=False, video=False)
        await media.wait_until("bob", lambda s: increasing_video(s, 20))
        # alice's encoder makes keyframes only on request (gop 3000): carol needs a PLI upstream.
        await media.join("r", "carol")
        await media.connect("carol", audio=False, video=False)
        snap = await media.wait_until("carol", lambda s: increasing_video(s, 5))
    assert list(snap["first_keyframe"].values()) == [True]
    assert min(next(iter(snap["counters"].values()))) > 20
    status = await media.client.status()
    assert status["participants"] == 3
    assert status["decoders"] == {}
    assert status["encoders"] == {}
