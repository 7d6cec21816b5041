"""A killed worker is restarted; its participants renegotiate and media flows again."""

from __future__ import annotations

import os
import signal

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, WorkerRestarted, increasing_video


@pytest.mark.slow
async def test_killed_worker_restarts_and_clients_reconnect(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.two_party_call()
        old_pid = media.client.pid
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        restarted = await media.wait_event(lambda e: isinstance(e, WorkerRestarted))
        assert restarted.pid != old_pid
        assert restarted.rooms == ("r",)
        assert restarted.handles == ("alice", "bob")
        await media.aio.run(_forget_media, media.peers["bob"])
        # As told by the restart event, both clients renegotiate from scratch.
        await media.connect("alice")
        await media.connect("bob", audio=False, video=False)
        await media.wait_until("bob", increasing_video)
    status = await media.client.status()
    assert (status["pid"], status["rooms"], status["participants"]) == (restarted.pid, 1, 2)


async def _forget_media(peer: object) -> None:
    peer.reset_media()  # type: ignore[attr-defined]
