"""``media_udp_port_range``: the worker's ICE sockets bind only to the configured UDP ports, so
a firewall can open exactly that range, and media flows through them."""

from __future__ import annotations

import pytest
import trio

from tests.media.conftest import DEADLINE, Harness, increasing_video
from vclinic.media import protocol as p

LOW, HIGH = 47100, 47163


@pytest.fixture
def media_config() -> p.WorkerConfig:
    return p.WorkerConfig(host_addresses=("127.0.0.1",), stats_seconds=1.0,
                          negotiation_seconds=10.0, udp_ports=(LOW, HIGH))


def candidate_ports(sdp: str) -> list[int]:
    return [int(line.split()[5]) for line in sdp.splitlines() if line.startswith("a=candidate:")]


async def test_media_flows_through_the_configured_udp_ports(media: Harness) -> None:
    with trio.fail_after(DEADLINE):
        await media.client.create_room("r")
        answers = []
        for handle, publish in (("alice", (True, True, False)), ("bob", (False, False, False))):
            peer = await media.join("r", handle)
            offer = await media.aio.run(peer.offer, *publish)
            async with media.lock(handle):
                answer = await media.client.offer(handle, offer)
                await media.aio.run(peer.accept, answer)
            answers.append(answer)
        await media.wait_until("bob", increasing_video)
    ports = [port for answer in answers for port in candidate_ports(answer)]
    assert ports, "the worker offered no ICE candidates"
    assert all(LOW <= port <= HIGH for port in ports), ports
