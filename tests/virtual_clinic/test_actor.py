"""The ProviderActor on the actor runtime: it recovers its availability and requests after a
crash, and its expiry timers fire (virtual time: autojump_clock, no real sleeps)."""

from __future__ import annotations

import functools
import time
from types import SimpleNamespace
from typing import Any

import pytest
import trio
from vclinic_virtual_clinic import events as e
from vclinic_virtual_clinic import message as m
from vclinic_virtual_clinic.actor import MAILBOX, ProviderActor

from vclinic.actors import ActorCrashed, ChildSpec, MemoryStateStore, Restart, open_runtime
from vclinic.plugins import PluginHost, hookimpl
from vclinic.sessions.timer import Timers


class FlakyStore(MemoryStateStore):
    """Snapshots in memory; ``fail_next`` makes the next save crash the actor."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_next = False

    async def save(self, address: Any, state: dict[str, Any]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("disk full")
        await super().save(address, state)


def ask(request_id: str, requester: str, expiry: float) -> m.RequestSession:
    now = time.time()
    return m.RequestSession(request_id, "org", "Dr Ada", requester, "Station", None, None,
                            now, now + expiry)


async def test_provider_actor_recovers_after_a_crash_and_expires_requests(
        autojump_clock: Any) -> None:
    store = FlakyStore()
    async with open_runtime(store) as runtime:
        timers = Timers(runtime.registry)
        runtime.supervisor.start_child(ChildSpec("timers", timers.run))
        # The actor uses only the node's timers and plugins here (no request is accepted).
        listener = Listener()
        plugins = PluginHost()
        plugins.register(listener, "listener")
        services = SimpleNamespace(timers=timers, plugins=plugins)
        runtime.registry.register_kind(
            "provider", functools.partial(ProviderActor, services=services),
            mailbox_size=MAILBOX, restart=Restart.TRANSIENT)
        ref = runtime.registry.ref("provider:ada")
        async with runtime.bus.subscribe("user:station") as events:
            await ref.call(m.SetAvailability("org", "Dr Ada", True, time.time()))
            await ref.call(ask("keep", "station", 3600))
            store.fail_next = True
            with pytest.raises(ActorCrashed):
                await ref.call(ask("lost", "other", 3600))
            status = await ref.call(m.Status())
            assert status["available"] is True
            assert [r["id"] for r in status["requests"]] == ["keep"]

            await ref.call(m.Cancel("keep", "station", time.time()))
            await ref.call(ask("short", "station", 30))
            with trio.fail_after(120):
                async for item in events:
                    if item["type"] == "virtual_clinic.request_expired":
                        assert item["data"]["request"]["id"] == "short"
                        break
        assert (await ref.call(m.Status()))["requests"] == []
    # Plugins' listeners heard each change once, with ids only; not the crashed request.
    assert listener.heard == [
        e.AvailabilityChanged("org", "ada", True),
        e.RequestCreated("org", "ada", "keep", "station"),
        e.RequestCancelled("org", "ada", "keep", "station"),
        e.RequestCreated("org", "ada", "short", "station"),
        e.RequestExpired("org", "ada", "short", "station"),
    ]


class Listener:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self) -> None:
        self.heard: list[object] = []

    @hookimpl
    def vclinic_on_event(self, event: object) -> None:
        self.heard.append(event)

