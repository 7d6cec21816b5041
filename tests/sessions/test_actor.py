"""SessionActor with a real store and the actor runtime, time driven by a MockClock: grace
periods, crash recovery and what reaches the media plane.

The clock only moves when a test jumps it (not autojump): the store's threads would otherwise
let virtual time run while a query is in flight."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from tests.fakes import RecordingMedia
from vclinic import accounts
from vclinic.actors import ActorCrashed, Address, ChildSpec, open_runtime
from vclinic.config import load_settings
from vclinic.plugins import PluginHost
from vclinic.sessions import persist
from vclinic.sessions.actor import SessionActor
from vclinic.sessions.creation import NewSession
from vclinic.sessions.service import SessionService
from vclinic.sessions.timer import Timers
from vclinic.store import SnapshotStateStore, Store


@asynccontextmanager
async def session_node(store: Store, data_dir: Path, media: RecordingMedia
                       ) -> AsyncIterator[SessionService]:
    settings = load_settings(env={}, data_dir=str(data_dir), ws_grace_seconds=30)
    async with open_runtime(SnapshotStateStore(store)) as runtime:
        timers = Timers(runtime.registry)
        runtime.supervisor.start_child(ChildSpec("timers", timers.run))
        service = SessionService(store, settings, PluginHost(), runtime, timers, media)
        runtime.registry.register_kind("session", SessionActor.factory(service))
        yield service


async def chair_of(store: Store) -> accounts.Principal:
    org = await accounts.create_org(store, "Clinic")
    user = await accounts.create_user(store, org.slug, "a@x.org", "long-enough-1", "provider",
                                      "Chair")
    settings = load_settings(env={})
    token, _ = await accounts.start_session(store, user, settings)
    principal = await accounts.resolve_session(store, token)
    assert principal is not None
    return principal


async def next_of(events: Any, kind: str, state: str | None = None) -> dict[str, Any]:
    """The next event of ``kind`` (about a participant now in ``state``, if given)."""
    async for event in events:
        if isinstance(event, dict) and event["type"] == kind and (
                state is None or event["data"]["participant"]["state"] == state):
            return event
    raise AssertionError(f"no {kind}")


async def test_grace_period_keeps_a_dropped_participant_then_lets_them_go(
        store: Store, tmp_path: Path, mock_clock: trio.testing.MockClock) -> None:
    media = RecordingMedia()
    chair = await chair_of(store)
    async with session_node(store, tmp_path, media) as service:
        body = await service.create(NewSession(chair.org_id, chair.user_id, "Consult"))
        sid = body["session"]["id"]
        async with service.runtime.bus.subscribe(f"session:{sid}") as events:
            pid = (await service.enter(chair, sid, "c1"))["you"]["id"]
            service.disconnected(sid, pid, "c1")
            await next_of(events, "session.participant_updated", "reconnecting")
            again = await service.enter(chair, sid, "c2")
            assert again["you"]["id"] == pid and again["you"]["state"] == "connected"
            mock_clock.jump(120)  # far beyond the grace: the old timer must not remove them
            await trio.testing.wait_all_tasks_blocked()
            grant = await service.media_grant(sid, chair)
            assert grant.participant_id == pid

            service.disconnected(sid, pid, "c2")
            await next_of(events, "session.participant_updated", "reconnecting")
            await trio.testing.wait_all_tasks_blocked()  # the timer task saw the new timer
            mock_clock.jump(31)
            left = await next_of(events, "session.participant_left")
            assert left["data"] == {"participant_id": pid}
        assert ("remove_participant", sid, pid) in media.calls


async def test_a_crashed_session_actor_recovers_its_participants(
        store: Store, tmp_path: Path, mock_clock: trio.testing.MockClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    media = RecordingMedia()
    chair = await chair_of(store)
    async with session_node(store, tmp_path, media) as service:
        body = await service.create(NewSession(chair.org_id, chair.user_id, "Consult"))
        sid = body["session"]["id"]
        pid = (await service.enter(chair, sid, "c1"))["you"]["id"]
        address = Address("session", sid)
        before = service.runtime.registry.actor_statistics(address)
        real_save = persist.save

        def failing_save(state: Any) -> None:
            monkeypatch.setattr(persist, "save", real_save)
            raise RuntimeError("the database went away")

        monkeypatch.setattr(persist, "save", failing_save)
        with pytest.raises(ActorCrashed):
            await service.update(chair, sid, {"name": "Renamed"})
        grant = await service.media_grant(sid, chair)
        assert grant.participant_id == pid and grant.permissions.screen
        after = service.runtime.registry.actor_statistics(address)
        assert after is not None and before is not None
        assert after.incarnations == before.incarnations + 1
        detail = await service.detail(chair, sid)
        assert detail["session"]["name"] == "Consult"
        assert await service.update(chair, sid, {"name": "Renamed"})
