"""ICE restarts (fresh offers with new ICE credentials), slot reuse and trickled candidates."""

from __future__ import annotations

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video
from vclinic.errors import BadRequest
from vclinic.media import protocol as p


async def _reset(peer: object) -> None:
    peer.reset_media()  # type: ignore[attr-defined]


@pytest.mark.slow
async def test_ice_restart_of_publisher_and_subscriber_resumes_media(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.two_party_call()
        first_offer = len([e for e in media.events if isinstance(e, p.ServerOffer)])

        # The publisher restarts: its tracks go and come back on bob's existing slots.
        await media.connect("alice")
        await media.wait_event(lambda e: isinstance(e, p.TrackUnpublished))
        await media.aio.run(_reset, media.peers["bob"])
        await media.wait_until("bob", increasing_video)
        offers = [e for e in media.events if isinstance(e, p.ServerOffer) and e.handle == "bob"]
        assert len(offers) > first_offer
        assert sorted(offers[-1].tracks) == sorted(offers[0].tracks)  # same mids reused

        # The subscriber restarts: a new connection gets a fresh server offer.
        await media.connect("bob", audio=False, video=False)
        await media.wait_until("bob", increasing_video)


async def test_trickled_candidates_are_accepted_or_refused_clearly(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r")
        await media.join("r", "alice")
        with pytest.raises(Exception) as early:
            await media.client.candidate("alice", "candidate:1 1 udp 1 127.0.0.1 9 typ host")
        assert getattr(early.value, "code", "") == "no_connection"
        await media.connect("alice")
        await media.client.candidate(
            "alice", "candidate:1 1 udp 2130706431 127.0.0.1 9 typ host", "0", 0)
        await media.client.candidate("alice", None)
        with pytest.raises(BadRequest) as bad:
            await media.client.candidate("alice", "candidate:nonsense", "0", 0)
        assert bad.value.code == "invalid_candidate"


async def test_client_renegotiation_adds_a_screen_share_mid_call(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.two_party_call()
        async with media.lock("alice"):
            offer, mid = await media.aio.run(media.peers["alice"].add_screen)
            answer = await media.client.offer("alice", offer, {mid: "screen"})
            await media.aio.run(media.peers["alice"].accept, answer)
        published = await media.wait_event(lambda e: isinstance(e, p.TrackPublished)
                                           and e.source == "screen")
        assert published.handle == "alice"
        snap = await media.wait_until("bob", lambda s: len(s["counters"]) == 2 and all(
            increasing_video({"counters": {k: v}}) for k, v in s["counters"].items()))
    assert len(snap["counters"]) == 2
