"""Every negotiation has a deadline: an unanswered server offer fails and the client starts over."""

from __future__ import annotations

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video
from tests.media.peer import Peer
from vclinic.media import protocol as p


@pytest.fixture
def media_config() -> p.WorkerConfig:
    return p.WorkerConfig(host_addresses=("127.0.0.1",), negotiation_seconds=1.0)


async def test_unanswered_server_offer_fails_and_a_fresh_offer_recovers(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r")
        await media.join("r", "alice")
        await media.connect("alice")
        # bob's client goes quiet: nobody relays the worker's offers to it.
        await media.client.join("r", "bob")
        silent = Peer("bob")
        offer = await media.aio.run(silent.offer, False, False, False)
        await media.aio.run(silent.accept, await media.client.offer("bob", offer))
        failed = await media.wait_event(lambda e: isinstance(e, p.NegotiationFailed))
        assert (failed.handle, failed.reason) == ("bob", "answer_timeout")
        await media.aio.run(silent.close)
        # The client starts over with a fresh offer and this time answers.
        media.peers["bob"] = Peer("bob")
        await media.connect("bob", audio=False, video=False)
        await media.wait_until("bob", increasing_video)
