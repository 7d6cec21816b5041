"""MediaClient supervision and MediaPool placement, with real worker processes."""

from __future__ import annotations

import os
import signal

import pytest
import trio

from vclinic.errors import Unavailable
from vclinic.media import protocol as p
from vclinic.media.client import MediaClient, MediaPool

LOOPBACK = p.WorkerConfig(host_addresses=("127.0.0.1",))


async def test_a_worker_that_keeps_dying_escalates() -> None:
    broken = p.WorkerConfig(stats_seconds="never")  # type: ignore[arg-type]
    client = MediaClient(broken, max_restarts=2, restart_window=60)
    with trio.fail_after(30), pytest.raises(Unavailable) as raised:
        await client.run()
    assert raised.value.code == "media_worker_failed"
    assert client.restarts == 2


@pytest.mark.slow
async def test_pool_places_rooms_on_the_least_loaded_worker() -> None:
    pool = MediaPool([MediaClient(LOOPBACK), MediaClient(LOOPBACK)])
    async with trio.open_nursery() as nursery:
        with trio.fail_after(30):
            await nursery.start(pool.run)
            first = await pool.create_room("a")
            await first.join("a", "h1")
            second = await pool.create_room("b")
            assert second is not first
            third = await pool.create_room("c")
            assert third is second  # 1 room vs 1 room + 1 participant
            assert pool.client_for("a") is first
            assert (await first.status())["rooms"] == 1
            assert (await second.status())["rooms"] == 2
            assert first.pid != second.pid
        nursery.cancel_scope.cancel()


async def test_shutdown_stops_the_worker_without_a_restart() -> None:
    client = MediaClient(LOOPBACK)
    async with trio.open_nursery() as nursery:
        with trio.fail_after(30):
            await nursery.start(client.run)
            await client.create_room("a")
            await client.shutdown()
    assert client.restarts == 0


def test_the_trio_side_never_imports_aiortc() -> None:
    import subprocess
    import sys

    code = ("import sys, vclinic.media.client, vclinic.media.sdp, vclinic.media.vp8; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiortc', 'av')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


async def test_a_worker_leaves_stopping_to_its_node_when_signalled() -> None:
    """Ctrl+C and service managers signal the node's whole process group: the worker keeps
    serving (its rooms intact) until the node itself asks it to shut down."""
    client = MediaClient(LOOPBACK)
    async with trio.open_nursery() as nursery:
        with trio.fail_after(30):
            await nursery.start(client.run)
            await client.create_room("a")
            pid = client.pid
            for signum in (signal.SIGINT, signal.SIGTERM):
                os.kill(pid, signum)
            await trio.sleep(0.5)
            status = await client.status()
            assert (status["pid"], status["rooms"], client.restarts) == (pid, 1, 0)
            await client.shutdown()
    assert client.restarts == 0
