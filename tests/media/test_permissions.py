"""Permissions are enforced by the worker: refused publishing, revocation, video filters."""

from __future__ import annotations

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video
from vclinic.errors import Forbidden
from vclinic.media import protocol as p


async def _two_party_call(media: Harness) -> None:
    await media.two_party_call()


async def test_viewer_cannot_publish_but_can_watch(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await _two_party_call(media)
        viewer = p.Permissions(audio=False, video=False, screen=False)
        await media.join("r", "carol", viewer)
        with pytest.raises(Forbidden) as refused:
            await media.connect("carol")
        assert refused.value.code == "publish_forbidden"
        await media.connect("carol", audio=False, video=False)
        await media.wait_until("carol", increasing_video)


async def test_revoking_video_stops_it_at_subscribers_and_tells_publisher(
    media: Harness,
) -> None:
    with trio.fail_after(DEADLINE):
        await _two_party_call(media)
        await media.client.set_permissions("alice", p.Permissions(video=False))
        revoked = await media.wait_event(lambda e: isinstance(e, p.TrackRevoked))
        assert (revoked.handle, revoked.source) == ("alice", "video")
        # bob's next offer no longer carries alice's video.
        await media.wait_event(lambda e: isinstance(e, p.ServerOffer) and e.handle == "bob"
                               and {"handle": "alice", "source": "video"}
                               not in e.tracks.values())
        before = await media.snapshot("bob")
        frames = sum(len(c) for c in before["counters"].values())
        heard = sum(before["audio"].values())
        # Audio keeps flowing (about 50 frames a second) while no video frame arrives.
        after = await media.wait_until("bob", lambda s: sum(s["audio"].values()) > heard + 50)
    assert sum(len(c) for c in after["counters"].values()) <= frames + 3  # in flight


async def test_subscriber_receives_video_only_from_listed_participants(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await _two_party_call(media)
        await media.join("r", "carol", p.Permissions(video_from=()))
        await media.connect("carol", audio=False, video=False)
        offer = await media.wait_event(
            lambda e: isinstance(e, p.ServerOffer) and e.handle == "carol")
        await media.wait_until("carol", lambda s: sum(s["audio"].values()) > 50)
    assert list(offer.tracks.values()) == [{"handle": "alice", "source": "audio"}]
    assert (await media.snapshot("carol"))["counters"] == {}


@pytest.mark.slow
async def test_screen_share_is_a_separate_track_with_its_own_permission(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r")
        await media.join("r", "alice", p.Permissions(screen=False))
        await media.join("r", "bob")
        with pytest.raises(Forbidden):
            await media.connect("alice", screen=True)
        await media.client.set_permissions("alice", p.Permissions())
        await media.connect("alice", screen=True)
        await media.connect("bob", audio=False, video=False)
        offer = await media.wait_event(
            lambda e: isinstance(e, p.ServerOffer) and e.handle == "bob")
        snap = await media.wait_until("bob", lambda s: sum(
            increasing_video({"counters": {k: v}}) for k, v in s["counters"].items()) == 2)
    assert sorted(t["source"] for t in offer.tracks.values()) == ["audio", "screen", "video"]
    assert len(snap["counters"]) == 2
