"""TURN through Debian's coturn on 127.0.0.1: relay-only clients get media with credentials
minted by the node (coturn ``use-auth-secret``), and none with an expired credential."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy, RTCIceTransportPolicy

from tests.conftest import require
from tests.fakes import PROVIDER, PROVIDER_2
from tests.media.conftest import DEADLINE, increasing_video
from tests.media.peer import CounterTrack, Peer
from tests.media.wspeer import SESSION, Call

pytestmark = pytest.mark.coturn
SECRET = "turn-test-secret"


class RelayPeer(Peer):
    """A test peer whose connection uses only TURN-relayed candidates."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.ice_servers: list[dict[str, Any]] = []

    async def offer(self, audio: bool = True, video: bool = True, screen: bool = False) -> str:
        await self.close()
        self.pc = pc = RTCPeerConnection(RTCConfiguration(
            iceServers=[RTCIceServer(**server) for server in self.ice_servers],
            iceTransportPolicy=RTCIceTransportPolicy.RELAY,
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        pc.on("track", lambda track: self._on_track(pc, track))
        if audio:
            pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        if video:
            pc.addTransceiver(CounterTrack(), direction="sendonly")
        if not (audio or video):
            pc.addTransceiver("audio", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def coturn(tmp_path: Path) -> AsyncIterator[int]:
    """coturn listening on 127.0.0.1 (UDP), relaying on 127.0.0.1 only; its port."""
    binary = shutil.which("turnserver")
    require(binary is not None, "coturn (turnserver)")
    assert binary is not None
    port = _free_udp_port()
    log = tmp_path / "turn.log"
    process = await trio.lowlevel.open_process([
        binary, "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
        f"--listening-port={port}", "--min-port=50000", "--max-port=50999",
        "--use-auth-secret", f"--static-auth-secret={SECRET}", "--realm=vclinic.test",
        # The media worker's candidates are on 127.0.0.1; coturn refuses loopback peers
        # unless told otherwise (never in production).
        "--allow-loopback-peers", "--no-cli", "--no-tls", "--no-dtls", "--no-tcp",
        "--fingerprint", "--simple-log", f"--log-file={log}", f"--db={tmp_path / 'turndb'}",
        f"--pidfile={tmp_path / 'turn.pid'}",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with trio.fail_after(DEADLINE):
            while True:
                if log.exists() and "turn server id=0 created" in log.read_text():
                    break
                await trio.sleep(0.1)
        yield port
    finally:
        process.kill()
        with trio.CancelScope(shield=True):
            await process.wait()


@pytest.fixture
async def node_settings(coturn: int) -> dict[str, Any]:
    return {"ice_servers": [f"turn:127.0.0.1:{coturn}"], "turn_secret": SECRET}


async def _relay_tab(call: Call, email: str, pid: str) -> Any:
    peer = RelayPeer(pid)
    tab = await call.tab(email, pid, peer=peer)
    config = await tab.request("media.ice_servers", {"session_id": SESSION})
    peer.ice_servers = config["data"]["ice_servers"]
    return tab, peer


async def test_relay_only_clients_exchange_media_through_coturn(call: Call) -> None:
    with trio.fail_after(DEADLINE):
        alice, alice_peer = await _relay_tab(call, PROVIDER, "alice")
        bob, _ = await _relay_tab(call, PROVIDER_2, "bob")
        [turn] = alice_peer.ice_servers
        assert turn["username"].endswith(":alice")
        assert (await alice.connect())["type"] == "reply"
        assert (await bob.connect(audio=False, video=False))["type"] == "reply"
        await bob.wait_until(increasing_video)
    # Every candidate the clients offered was a relayed one.
    for tab in (alice, bob):
        sdp = (await tab.aio.run(_local_sdp, tab.peer))
        candidates = [line for line in sdp.splitlines() if line.startswith("a=candidate:")]
        assert candidates and all(" typ relay" in line for line in candidates)


async def test_expired_turn_credential_gets_no_media(call: Call) -> None:
    bus = call.node.context.runtime.bus
    with trio.fail_after(DEADLINE):
        async with bus.subscribe(f"session:{SESSION}") as events:
            alice, alice_peer = await _relay_tab(call, PROVIDER, "alice")
            bob, _ = await _relay_tab(call, PROVIDER_2, "bob")
            expired = call.media.turn_credentials("alice", -3600)
            alice_peer.ice_servers = [{**alice_peer.ice_servers[0],
                                       "username": expired.username,
                                       "credential": expired.credential}]
            assert (await alice.connect())["type"] == "reply"
            assert (await bob.connect(audio=False, video=False))["type"] == "reply"
            await bob.wait_event(lambda e: e["type"] == "media.connection_state"
                                 and e["data"]["state"] == "connected")
            # Three stats periods of the worker: nothing ever arrives from alice.
            alice_stats = []
            async for item in events:
                assert isinstance(item, dict)
                if item["type"] != "media.stats":
                    continue
                alice_stats += [entry for entry in item["data"]["participants"]
                                if entry["participant_id"] == "alice"]
                if len(alice_stats) >= 3:
                    break
    assert [s["bitrate_in"] for s in alice_stats[:3]] == [0, 0, 0]
    # coturn refused the expired credential: alice had no relayed candidate to offer.
    sdp = await alice.aio.run(_local_sdp, alice_peer)
    assert not [line for line in sdp.splitlines() if line.startswith("a=candidate:")]
    snap = await alice.snapshot()
    assert snap["state"] != "connected"
    assert (await bob.snapshot())["counters"] == {}


async def _local_sdp(peer: Peer) -> str:
    assert peer.pc is not None
    return peer.pc.localDescription.sdp
