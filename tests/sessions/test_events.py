"""Plugins' event listeners hear every session event, as typed ids-only dataclasses."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path
from typing import Any

import trio

from tests.fakes import Client, base_url, start_node
from tests.sessions.conftest import join_as_guest, provider, start_session
from vclinic import events as e

LISTENER = """
    from vclinic.plugins import hookimpl

    VCLINIC_PLUGIN_API = (1, 0)
    EVENTS = []

    @hookimpl
    def vclinic_on_event(event):
        EVENTS.append(event)
"""


async def test_listener_hears_a_session_from_creation_to_close(
    nursery: trio.Nursery, tmp_path: Path,
) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "listener.py").write_text(textwrap.dedent(LISTENER))
    node = await start_node(nursery, tmp_path, media=True, plugins_dir=str(plugins))
    heard: list[Any] = node.context.plugins.plugin("listener").EVENTS  # type: ignore[attr-defined]
    made: list[Client] = []

    def make() -> Client:
        made.append(Client(base_url(node)))
        return made[-1]

    chair = await provider(make)
    created = await start_session(chair)
    sid = created["session"]["id"]
    base = f"/api/v1/sessions/{sid}"
    guest, joined = await join_as_guest(make, created["links"]["guest"]["path"], "Pat Guest")
    pid = joined["participant_id"]
    async with chair.ws() as chair_ws:
        entered = await chair_ws.request("session.enter", {"session_id": sid})
        chair_pid = entered["data"]["you"]["id"]
        async with guest.ws() as ws:
            await ws.request("session.enter", {"session_id": sid})
            assert (await chair.request("PATCH", f"{base}/participants/{pid}",
                                        json={"role": "viewer"})).status_code == 200
            assert (await chair.request("POST", f"{base}/recording")).status_code == 201
            assert (await chair.request("DELETE", f"{base}/recording")).status_code == 200
            await ws.request("session.leave", {"session_id": sid})
        assert (await chair.request("POST", f"{base}/close")).status_code == 200
    for client in made:
        await client.aclose()

    org_id = heard[0].org_id
    recording_id = next(x.recording_id for x in heard if isinstance(x, e.RecordingStarted))
    assert heard == [
        e.SessionCreated(sid, org_id, "sessions", heard[0].created_by),
        e.ParticipantJoined(sid, chair_pid, "chair", "practice"),
        e.ParticipantJoined(sid, pid, "broadcaster", "guest"),
        e.ParticipantRoleChanged(sid, pid, "viewer"),
        e.RecordingStarted(sid, recording_id, chair_pid),
        e.RecordingStopped(sid, recording_id, "stopped_by_chair", True),
        e.ParticipantLeft(sid, pid),
        e.SessionClosed(sid),
    ]
    # Ids and codes only: no name the people typed reaches a listener.
    assert "Pat" not in str([dataclasses.asdict(x) for x in heard])
