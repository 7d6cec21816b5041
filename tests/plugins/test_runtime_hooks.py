"""PluginHost hooks called while serving: sections, join policies, lifecycle and events."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from structlog.testing import capture_logs

from vclinic.actors import Actor, ActorCrashed, MemoryStateStore, open_runtime
from vclinic.bootstrap import register_actor_kinds
from vclinic.errors import PluginError
from vclinic.plugins import (
    CallPage,
    DashboardSection,
    JoinDecision,
    Migration,
    PluginHost,
    hookimpl,
)


@dataclasses.dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[str]


@dataclasses.dataclass(frozen=True)
class ParticipantJoined:
    session_id: str


PROVIDER = Principal("u1", frozenset({"provider"}))
PATIENT = Principal("u2", frozenset({"patient"}))


def host_with(**plugins: object) -> PluginHost:
    host = PluginHost()
    for name, plugin in plugins.items():
        host.register(plugin, name)
    return host


class Sections:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self, *sections: DashboardSection, providers_only: bool = False) -> None:
        self.sections = list(sections)
        self.providers_only = providers_only

    @hookimpl
    def vclinic_dashboard_sections(self, principal: Principal) -> list[DashboardSection]:
        if self.providers_only and "provider" not in principal.roles:
            return []
        return self.sections


def test_dashboard_sections_are_merged_in_order_per_principal() -> None:
    clock = DashboardSection("clock", "Clock in", "/static/visits/clock.js", order=10)
    queue = DashboardSection("queue", "Queue", "/static/queue/queue.js", order=5)
    intake = DashboardSection("intake", "Intake", "/static/queue/intake.js", order=10)
    host = host_with(visits=Sections(clock, providers_only=True), queue=Sections(queue, intake))
    assert [s.id for s in host.dashboard_sections(PROVIDER)] == ["queue", "clock", "intake"]
    assert [s.id for s in host.dashboard_sections(PATIENT)] == ["queue", "intake"]


def test_a_failing_section_plugin_is_logged_and_left_out() -> None:
    class Broken:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_dashboard_sections(self, principal: Any) -> list[DashboardSection]:
            raise KeyError("patient name would be here")

    ok = DashboardSection("ok", "OK", "/static/ok/ok.js")
    host = host_with(broken=Broken(), fine=Sections(ok))
    with capture_logs() as logs:
        assert host.dashboard_sections(PROVIDER) == [ok]
    assert logs[0]["plugin"] == "broken"
    assert logs[0]["error"] == "KeyError"
    assert "patient name" not in repr(logs)


def test_a_section_loading_a_script_from_elsewhere_is_left_out() -> None:
    evil = DashboardSection("evil", "Evil", "https://cdn.example/evil.js")
    host = host_with(evil=Sections(evil))
    with capture_logs() as logs:
        assert host.dashboard_sections(PROVIDER) == []
    assert logs[0]["plugin"] == "evil"


class Gate:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self, answer: JoinDecision | None) -> None:
        self.answer = answer
        self.asked = 0

    @hookimpl
    async def vclinic_join_policy(self, session: Any, principal: Any) -> JoinDecision | None:
        self.asked += 1
        await trio.lowlevel.checkpoint()
        return self.answer


async def test_first_join_decision_wins_and_later_policies_are_not_asked() -> None:
    deny = JoinDecision.deny("provider_not_clocked_in", "Your provider has not started yet.")
    abstain, first, later = Gate(None), Gate(deny), Gate(JoinDecision.allow())
    host = PluginHost()
    # pluggy asks the last registered first.
    host.register(later, "later")
    host.register(first, "first")
    host.register(abstain, "abstain")
    assert await host.join_policy("session", PATIENT) == deny
    assert (abstain.asked, first.asked, later.asked) == (1, 1, 0)


async def test_join_is_up_to_the_core_when_every_policy_abstains() -> None:
    assert await host_with(a=Gate(None)).join_policy("session", PATIENT) is None
    assert await PluginHost().join_policy("session", PATIENT) is None


async def test_a_failing_join_policy_refuses_the_join() -> None:
    class Broken:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_join_policy(self, session: Any, principal: Any) -> Any:
            return "yes"

    with capture_logs() as logs, pytest.raises(PluginError) as err:
        await host_with(broken=Broken()).join_policy("session", PATIENT)
    assert err.value.details["plugin"] == "broken"
    assert logs[0]["hook"] == "vclinic_join_policy"


async def test_call_page_comes_from_the_first_plugin_and_a_failing_one_is_skipped() -> None:
    page = CallPage(hang_up_confirm="End the visit's video session?",
                    hang_up_path="/visits/v1/end")

    class Gives:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        async def vclinic_call_page(self, session: Any, principal: Any) -> CallPage:
            await trio.lowlevel.checkpoint()
            return page

    class Broken:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_call_page(self, session: Any, principal: Any) -> Any:
            return {"hang_up_path": "/elsewhere"}

    host = PluginHost()
    host.register(Gives(), "gives")
    host.register(Broken(), "broken")  # asked first: it fails, and the next one answers
    with capture_logs() as logs:
        assert await host.call_page("session", PATIENT) == page
    assert logs[0]["hook"] == "vclinic_call_page" and logs[0]["plugin"] == "broken"
    assert page.as_json() == {"hang_up_confirm": "End the visit's video session?",
                              "hang_up_path": "/visits/v1/end"}
    assert await PluginHost().call_page("session", PATIENT) is None


class Lifecycle:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self, name: str, log: list[str], fail: bool = False) -> None:
        self.name, self.log, self.fail = name, log, fail

    @hookimpl
    async def vclinic_on_startup(self, app_context: Any) -> None:
        await trio.lowlevel.checkpoint()
        if self.fail:
            raise OSError("cannot reach the SMS gateway")
        self.log.append(f"start {self.name}")

    @hookimpl
    def vclinic_on_shutdown(self, app_context: Any) -> None:
        self.log.append(f"stop {self.name}")


async def test_startup_awaits_each_plugin_and_shutdown_runs_in_reverse() -> None:
    log: list[str] = []
    host = PluginHost()
    host.register(Lifecycle("b", log), "b")
    host.register(Lifecycle("a", log), "a")
    await host.startup(object())
    await host.shutdown(object())
    assert log == ["start a", "start b", "stop b", "stop a"]


async def test_failing_startup_names_the_plugin_and_later_ones_are_not_stopped() -> None:
    log: list[str] = []
    host = PluginHost()
    host.register(Lifecycle("c", log), "c")
    host.register(Lifecycle("b", log, fail=True), "b")
    host.register(Lifecycle("a", log), "a")
    with pytest.raises(PluginError, match="plugin 'b' failed to start: OSError"):
        await host.startup(object())
    await host.shutdown(object())
    assert log == ["start a", "stop a"]


async def test_failing_shutdown_is_logged_and_the_others_still_stop() -> None:
    class BadStop:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        async def vclinic_on_shutdown(self, app_context: Any) -> None:
            raise RuntimeError("already closed")

    log: list[str] = []
    host = PluginHost()
    host.register(Lifecycle("a", log), "a")
    host.register(BadStop(), "bad")
    with capture_logs() as logs:
        await host.shutdown(object())
    assert log == ["stop a"]
    assert [(e["plugin"], e["error"]) for e in logs] == [("bad", "RuntimeError")]


class Listener:
    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[object] = []
        self.fail = fail

    @hookimpl
    def vclinic_on_event(self, event: object) -> None:
        if self.fail:
            raise ValueError("listener bug")
        self.seen.append(event)


def test_a_failing_listener_is_logged_with_its_name_and_others_still_hear() -> None:
    good, bad = Listener(), Listener(fail=True)
    host = host_with(good=good, bad=bad)
    event = ParticipantJoined("s1")
    with capture_logs() as logs:
        host.emit(event)
    assert good.seen == [event]
    assert [(e["plugin"], e["event_type"]) for e in logs] == [("bad", "ParticipantJoined")]


def test_an_async_listener_is_an_error_and_never_left_unawaited() -> None:
    class AsyncListener:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        async def vclinic_on_event(self, event: object) -> None:
            raise AssertionError("must not run")

    with capture_logs() as logs:
        host_with(slow=AsyncListener()).emit(ParticipantJoined("s1"))
    assert logs[0]["plugin"] == "slow"
    assert logs[0]["error"] == "TypeError"


def test_actor_kinds_migrations_and_channels_are_collected_and_unique(tmp_path: Path) -> None:
    @dataclasses.dataclass(frozen=True)
    class Kind:
        kind: str
        factory: Any = object
        mailbox_size: int = 64
        restart: str = "transient"

    def Step(id: str) -> Migration:
        return Migration(id, lambda database: database.append(id))

    @dataclasses.dataclass(frozen=True)
    class Channel:
        name: str

        async def send(self, notification: Any) -> None:
            return None

    class Everything:
        VCLINIC_PLUGIN_API = (1, 0)

        def __init__(self, suffix: str) -> None:
            self.suffix = suffix

        @hookimpl
        def vclinic_register_actor_kinds(self) -> list[Kind]:
            return [Kind(f"clock{self.suffix}")]

        @hookimpl
        def vclinic_register_migrations(self) -> list[Migration]:
            return [Step(f"visits{self.suffix}.0001"), Step(f"visits{self.suffix}.0002")]

        @hookimpl
        def vclinic_notification_channels(self) -> list[Channel]:
            return [Channel(f"sms{self.suffix}")]

        @hookimpl
        def vclinic_static_dirs(self) -> dict[str, Path]:
            return {f"/static/visits{self.suffix}/": tmp_path}

    host = host_with(one=Everything(""))
    assert [k.kind for k in host.actor_kinds()] == ["clock"]
    applied: list[str] = []
    for step in host.migrations():
        step.apply(applied)
    assert applied == ["visits.0001", "visits.0002"]
    assert [c.name for c in host.notification_channels()] == ["sms"]
    assert host.static_dirs() == {"/static/visits": tmp_path}

    host.register(Everything(""), "two")
    for collect, what in [(host.actor_kinds, "actor kind 'clock'"),
                          (host.migrations, "migration id 'visits.0001'"),
                          (host.notification_channels, "notification channel 'sms'"),
                          (host.static_dirs, "prefix '/static/visits'")]:
        with pytest.raises(PluginError, match=what) as err:
            collect()
        assert "'one'" in err.value.message and "'two'" in err.value.message


def test_static_dir_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    class Missing:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_static_dirs(self) -> dict[str, Path]:
            return {"/static/missing": tmp_path / "nope"}

    with pytest.raises(PluginError, match="'missing': static folder"):
        host_with(missing=Missing()).static_dirs()


@dataclasses.dataclass(frozen=True)
class Crash:
    pass


class Fragile(Actor):
    """A plugin's actor that crashes on every message."""

    async def handle(self, message: Any) -> Any:
        raise RuntimeError("boom")


@dataclasses.dataclass(frozen=True)
class FragileKind:
    kind: str = "fragile"
    factory: Any = Fragile
    mailbox_size: int = 8
    restart: str = "transient"
    intensity: int = 1
    period: float = 60.0


async def test_actor_kind_restart_intensity_is_honoured() -> None:
    class Kinds:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_actor_kinds(self) -> list[FragileKind]:
            return [FragileKind()]

    async with open_runtime(MemoryStateStore()) as runtime:
        register_actor_kinds(runtime, host_with(kinds=Kinds()))
        ref = runtime.registry.ref("fragile:a")
        for _ in range(2):
            with pytest.raises(ActorCrashed):
                await ref.call(Crash())
        await trio.testing.wait_all_tasks_blocked()
        # One restart allowed within the period; the second crash escalates the kind.
        kind = runtime.statistics().supervisor("kind:fragile")
        assert kind is not None and kind.escalations == 1
        assert runtime.statistics().supervisor_restarts == 1


def test_actor_kind_with_a_bad_intensity_is_refused() -> None:
    class Kinds:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_actor_kinds(self) -> list[FragileKind]:
            return [FragileKind(period=0)]

    with pytest.raises(PluginError, match="actor kind 'fragile' needs"):
        host_with(kinds=Kinds()).actor_kinds()


async def test_listeners_receive_the_nodes_services_given_at_startup() -> None:
    class Node:
        """Stands in for the node's AppContext."""

    class WithContext:
        VCLINIC_PLUGIN_API = (1, 0)

        def __init__(self) -> None:
            self.heard: list[tuple[object, object]] = []

        @hookimpl
        def vclinic_on_event(self, event: object, app_context: object) -> None:
            self.heard.append((event, app_context))

    listener, plain = WithContext(), Listener()
    host = host_with(ctx=listener, plain=plain)
    node = Node()
    await host.startup(node)
    host.emit(ParticipantJoined("s1"))
    assert listener.heard == [(ParticipantJoined("s1"), node)]
    assert plain.seen == [ParticipantJoined("s1")]


def test_a_notification_channel_whose_send_is_not_async_is_refused() -> None:
    class Blocking:
        name = "sms"

        def send(self, notification: Any) -> None:
            return None

    class Channels:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_notification_channels(self) -> list[Blocking]:
            return [Blocking()]

    with pytest.raises(PluginError, match="'sms' needs an 'async def send"):
        host_with(sms=Channels()).notification_channels()
