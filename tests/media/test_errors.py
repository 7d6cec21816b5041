"""Bad signalling gets a clear error and leaves the room working."""

from __future__ import annotations

import re

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video
from vclinic.errors import BadRequest, PayloadTooLarge, VclinicError


async def test_bad_descriptions_are_refused_and_the_room_keeps_working(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.two_party_call()
        await media.join("r", "mallory")
        good = await media.aio.run(media.peers["mallory"].offer)
        unknown = re.sub(r"(a=rtpmap:\d+ )(opus|VP8)/", r"\1x-secret/", good)
        bad_mline = good.replace("m=video 9 UDP", "m=video x UDP").replace(
            "m=audio", "m=audio broken", 1)
        cases: list[tuple[str, type[VclinicError], str]] = [
            ("", BadRequest, "invalid_sdp"),
            ("hello world", BadRequest, "invalid_sdp"),
            (bad_mline, BadRequest, "invalid_sdp"),
            (good + "a=x:" + "y" * 2000 + "\r\n" * 40, BadRequest, "invalid_sdp"),
            ("v=0\r\n" + "a=tool:x\r\n" * 20000, PayloadTooLarge, "sdp_too_large"),
            (unknown, BadRequest, "unsupported_codec"),
        ]
        for sdp, error, code in cases:
            with pytest.raises(error) as raised:
                await media.client.offer("mallory", sdp)
            assert raised.value.code == code, sdp[:80]
        with pytest.raises(BadRequest) as raised:
            await media.client.answer("bob", good)
        assert raised.value.code == "unexpected_answer"
        seen = len(next(iter((await media.snapshot("bob"))["counters"].values())))
        await media.wait_until("bob", lambda s: increasing_video(s, seen + 10))
        # The refused participant can still connect properly.
        await media.connect("mallory", audio=False, video=False)
        await media.wait_until("mallory", increasing_video)
