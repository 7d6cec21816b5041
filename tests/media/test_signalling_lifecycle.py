"""The media plane's life inside a node: worker restarts, dropped sockets, leaving, shutdown."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.fakes import PROVIDER, PROVIDER_2, base_url, start_node
from tests.media.conftest import DEADLINE, increasing_video
from tests.media.wspeer import SESSION, Call
from vclinic.errors import NotFound

GRACE = 1.0


@pytest.fixture
def node_settings() -> dict[str, Any]:
    return {"ws_grace_seconds": GRACE}


def restarted(event: dict[str, Any]) -> bool:
    return event["type"] == "media.renegotiate" and event["data"] == {
        "session_id": SESSION, "reason": "media_restarted"}


async def _status(call: Call) -> dict[str, Any]:
    return await call.media.pool.clients[0].status()


@pytest.mark.slow
async def test_killed_worker_makes_clients_renegotiate_and_media_flows_again(
    call: Call,
) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice")
        bob = await call.tab(PROVIDER_2, "bob")
        await alice.connect()
        await bob.connect(audio=False, video=False)
        await bob.wait_until(increasing_video)
        old_pid = call.media.pool.clients[0].pid
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        await alice.wait_event(restarted)
        await bob.wait_event(restarted)
        await bob.forget_media()
        # As a browser does when told: a fresh offer on a new connection.
        assert (await alice.connect())["type"] == "reply"
        assert (await bob.connect(audio=False, video=False))["type"] == "reply"
        await bob.wait_until(increasing_video)
    status = await _status(call)
    assert status["pid"] != old_pid
    assert (status["rooms"], status["participants"]) == (1, 2)
    # The restart was the media supervisor's, under the node's root: an operator sees it.
    media = call.node.context.runtime.statistics().supervisor("media")
    assert media is not None and (media.restarts, media.children) == (1, 1)
    async with httpx.AsyncClient(base_url=base_url(call.node)) as http:
        metrics = (await http.get("/metrics")).text
    assert 'vclinic_media_worker_restarts_total{worker="0"} 1.0' in metrics.splitlines()


async def test_dropped_socket_keeps_the_handle_for_the_grace_period_then_leaves(
    call: Call,
) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice")
        bob = await call.tab(PROVIDER_2, "bob")
        await alice.connect()
        await bob.connect(audio=False, video=False)
        await bob.wait_until(increasing_video)
        assert (await _status(call))["participants"] == 2
        await alice.conn.aclose()
        # alice does not come back: after the grace period her handle is gone.
        while True:
            if (await _status(call))["participants"] == 1:
                break
            await trio.sleep(0.2)
        await bob.wait_event(lambda e: e["type"] == "media.server_offer"
                             and e["data"]["tracks"] == {})


async def test_coming_back_within_the_grace_period_resumes_the_participant(
    call: Call,
) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice")
        bob = await call.tab(PROVIDER_2, "bob")
        await alice.connect()
        await bob.connect(audio=False, video=False)
        await bob.wait_until(increasing_video)
        await bob.conn.aclose()
        bob_again = await call.tab(PROVIDER_2, "bob")
        await bob_again.connect(audio=False, video=False)
        await bob_again.wait_until(increasing_video)
        # Past the old socket's grace period the participant is still in the room.
        await trio.sleep(GRACE * 2)
        assert (await _status(call))["participants"] == 2
        await bob_again.forget_media()
        await bob_again.wait_until(increasing_video)


async def test_removed_participant_and_closed_room_free_the_worker(call: Call) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice")
        bob = await call.tab(PROVIDER_2, "bob")
        await alice.connect()
        await bob.connect(audio=False, video=False)
        await bob.wait_until(increasing_video)
        await call.media.remove_participant(SESSION, "alice")
        assert (await _status(call))["participants"] == 1
        await bob.wait_event(lambda e: e["type"] == "media.server_offer"
                             and e["data"]["tracks"] == {})
        await call.media.close_room(SESSION)
        status = await _status(call)
        assert (status["rooms"], status["participants"]) == (0, 0)
        gone = await bob.request("media.state", {"session_id": SESSION, "audio_muted": True,
                                                 "video_muted": True})
        assert gone["error"]["code"] == "offer_first"


async def test_stopping_the_node_stops_its_media_workers(tmp_path: Path) -> None:
    with trio.fail_after(DEADLINE):
        async with trio.open_nursery() as nursery:
            node = await start_node(nursery, tmp_path, media=True)
            assert node.context.media is not None
            client = node.context.media.pool.clients[0]
            pid = (await client.status())["pid"]
            node.stop.set()
    # The worker closed its rooms and exited by itself (not killed), and was reaped.
    assert client._process is not None and client._process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_recording_through_the_service_keeps_only_consenting_participants(
    call: Call, tmp_path: Path,
) -> None:
    with trio.fail_after(DEADLINE):
        alice = await call.tab(PROVIDER, "alice", consent=True)
        bob = await call.tab(PROVIDER_2, "bob")
        await alice.connect()
        await bob.connect()
        await bob.wait_until(increasing_video)
        await call.media.start_recording(SESSION, str(tmp_path))
        seen = sum(len(c) for c in (await bob.snapshot())["counters"].values())
        # About two seconds of alice's video, as received by bob meanwhile.
        await bob.wait_until(
            lambda s: sum(len(c) for c in s["counters"].values()) > seen + 30)
        result = await call.media.stop_recording(SESSION)
    assert result["participants"] == ["alice"]
    [entry] = result["files"]
    assert entry["handle"] == "alice" and Path(entry["path"]).parent == tmp_path
    assert (await trio.Path(entry["path"]).stat()).st_size > 0
    with pytest.raises(NotFound):
        await call.media.stop_recording(SESSION)
