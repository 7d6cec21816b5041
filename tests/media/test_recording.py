"""Recording remuxes consenting participants' VP8 and Opus into WebM without re-encoding."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
import trio

from tests.media.conftest import (
    DEADLINE,
    Harness,
    holds_the_video_shown_while_on,
    increasing_video,
    recorded_counters,
    video_seconds_after,
)


@pytest.mark.slow
async def test_five_second_recording_is_a_webm_with_vp8_and_opus(
    media: Harness, tmp_path: Path,
) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r")
        await media.join("r", "alice", consent=True)
        await media.join("r", "bob")
        await media.connect("alice")
        await media.connect("bob")
        before = await media.wait_until("bob", increasing_video)
        await media.client.start_recording("r", str(tmp_path))
        # Five seconds of alice's video went through the worker since recording started.
        await media.wait_until("bob", video_seconds_after(before, 5))
        result = await media.client.stop_recording("r")
    assert result["participants"] == ["alice"]  # bob did not consent
    [entry] = result["files"]
    assert Path(entry["path"]).parent == tmp_path
    with av.open(entry["path"]) as container:
        codecs = sorted(s.codec_context.name for s in container.streams)
        duration = container.duration / 1_000_000
    assert codecs == ["opus", "vp8"]
    assert duration > 4.0
    # What alice showed while the recording was on, and nothing from before.
    assert holds_the_video_shown_while_on(recorded_counters(entry["path"]), before, 5)
    status = await media.client.status()
    assert status["encoders"] == {} and status["decoders"] == {}
