"""PluginHost with throwaway plugins registered inside each test."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import peewee
import pytest
from quart import Blueprint

from vclinic.bootstrap import prepare_store
from vclinic.config import load_settings
from vclinic.errors import PluginError
from vclinic.plugins import (
    Migration,
    PluginHost,
    PluginMeta,
    hookimpl,
)


class Hello:
    """A small plugin used by several tests."""

    VCLINIC_PLUGIN_API = (1, 0)

    def __init__(self) -> None:
        self.events: list[object] = []
        self.bp = Blueprint("hello", __name__, url_prefix="/api/v1/hello")

    @hookimpl
    def vclinic_plugin_info(self) -> PluginMeta:
        return PluginMeta("Hello", "Says hello")

    @hookimpl
    def vclinic_register_blueprints(self) -> list[Blueprint]:
        return [self.bp]

    @hookimpl
    def vclinic_on_event(self, event: object) -> None:
        self.events.append(event)


def host_with(*plugins: tuple[str, object], enabled: tuple[str, ...] = ("*",)) -> PluginHost:
    host = PluginHost(enabled=enabled)
    for name, plugin in plugins:
        host.register(plugin, name)
    return host


def test_enabled_plugin_hooks_are_called() -> None:
    hello = Hello()
    host = host_with(("hello", hello))
    assert host.blueprints() == [hello.bp]
    host.emit("session created")
    assert hello.events == ["session created"]


def test_installed_but_disabled_plugin_is_listed_and_never_called() -> None:
    hello, other = Hello(), Hello()
    other.bp = Blueprint("other", __name__)
    host = host_with(("hello", hello), ("other", other), enabled=("other",))
    assert host.blueprints() == [other.bp]
    host.emit("participant joined")
    assert hello.events == []
    listed = {info.name: info for info in host.installed()}
    assert listed["hello"].enabled is False
    assert listed["other"].enabled is True
    assert listed["other"].title == "Hello"
    assert listed["hello"].title == ""


def test_config_naming_an_uninstalled_plugin_fails_listing_what_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vclinic.plugins.discovery.importlib.metadata.entry_points",
                        lambda group: [])
    host = host_with(("hello", Hello()), enabled=("hello", "visits"))
    with pytest.raises(PluginError) as err:
        host.load()
    assert "visits" in err.value.message
    assert "installed: hello" in err.value.message


@pytest.mark.parametrize("api", [(1, 0), [1, 0]])
def test_plugin_written_for_the_current_api_is_accepted(api: Any) -> None:
    plugin = Hello()
    plugin.VCLINIC_PLUGIN_API = api  # type: ignore[misc]
    host_with(("hello", plugin))


def test_plugin_written_for_an_older_minor_api_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vclinic.plugins.compat.PLUGIN_API_VERSION", (1, 3))
    hello = Hello()
    assert host_with(("hello", hello)).blueprints() == [hello.bp]


@pytest.mark.parametrize(("api", "hint"), [
    ((2, 0), "written for plugin API 2.0"),
    ((0, 9), "written for plugin API 0.9"),
    ((1, 1), "written for plugin API 1.1"),
    (None, "does not declare"),
    ("1.0", "not a (major, minor) pair"),
])
def test_plugin_for_another_api_is_refused_with_both_versions(api: Any, hint: str) -> None:
    plugin = Hello()
    plugin.VCLINIC_PLUGIN_API = api  # type: ignore[misc]
    with pytest.raises(PluginError) as err:
        host_with(("hello", plugin))
    assert "'hello'" in err.value.message
    assert hint in err.value.message
    assert "1.0" in err.value.message


def test_disabled_plugin_is_not_version_checked() -> None:
    plugin = Hello()
    plugin.VCLINIC_PLUGIN_API = (9, 0)  # type: ignore[misc]
    host = host_with(("hello", plugin), enabled=())
    assert [i.enabled for i in host.installed()] == [False]


def test_unmarked_hook_function_is_refused() -> None:
    class Forgetful:
        VCLINIC_PLUGIN_API = (1, 0)

        def vclinic_register_blueprints(self) -> list[Blueprint]:
            return []

    with pytest.raises(PluginError, match=r"without @vclinic\.plugins\.hookimpl"):
        host_with(("forgetful", Forgetful()))


def test_misspelt_hook_is_refused() -> None:
    class Misspelt:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_blueprint(self) -> list[Blueprint]:
            return []

    with pytest.raises(PluginError, match="'vclinic_register_blueprint', which is not a vclinic"):
        host_with(("misspelt", Misspelt()))


def test_marked_function_that_is_no_hook_is_refused() -> None:
    class Unknown:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def blueprints(self) -> list[Blueprint]:
            return []

    host = PluginHost()
    with pytest.raises(PluginError, match="'unknown' implements a hook that does not exist"):
        host.register(Unknown(), "unknown")
    host.register(Hello(), "hello")  # the refused plugin left nothing behind


def test_hook_with_an_argument_the_spec_lacks_is_refused() -> None:
    class Wrong:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_on_event(self, event: object, extra: object) -> None: ...

    with pytest.raises(PluginError, match="'wrong' could not be registered"):
        host_with(("wrong", Wrong()))


def test_wrapper_hooks_are_refused() -> None:
    class Wrapping:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl(wrapper=True)
        def vclinic_register_blueprints(self) -> Any:
            return (yield)

    with pytest.raises(PluginError, match="as a wrapper"):
        host_with(("wrapping", Wrapping()))


def test_two_plugins_with_one_name_are_refused() -> None:
    host = host_with(("hello", Hello()))
    with pytest.raises(PluginError, match="two plugins are named 'hello'"):
        host.register(Hello(), "hello")


def _ws_plugin(*types: str) -> object:
    class Ws:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_ws_handlers(self) -> Mapping[str, Any]:
            async def handle(connection: Any, message: Mapping[str, Any]) -> dict[str, Any]:
                return {"type": f"{message['type']}.ok"}

            return dict.fromkeys(types, handle)

    return Ws()


async def test_ws_handlers_are_merged_and_callable() -> None:
    host = host_with(("a", _ws_plugin("a.ping")), ("b", _ws_plugin("b.ping", "b.pong")))
    handlers = host.ws_handlers()
    assert sorted(handlers) == ["a.ping", "b.ping", "b.pong"]
    assert await handlers["b.pong"](None, {"type": "b.pong"}) == {"type": "b.pong.ok"}


def test_duplicate_ws_message_type_names_both_plugins() -> None:
    host = host_with(("visits", _ws_plugin("clock_in")), ("queue", _ws_plugin("clock_in")))
    with pytest.raises(PluginError) as err:
        host.ws_handlers()
    assert "'clock_in'" in err.value.message
    assert "'visits'" in err.value.message
    assert "'queue'" in err.value.message


def test_ws_message_type_of_the_core_cannot_be_taken() -> None:
    host = host_with(("sneaky", _ws_plugin("sdp.offer")))
    with pytest.raises(PluginError, match="which the core handles"):
        host.ws_handlers(reserved={"sdp.offer", "ice.candidate"})


def test_sync_ws_handler_is_refused() -> None:
    class SyncWs:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_ws_handlers(self) -> Mapping[str, Any]:
            return {"x": lambda connection, message: None}

    with pytest.raises(PluginError, match="must be an async function"):
        host_with(("syncws", SyncWs())).ws_handlers()


def test_registration_hook_that_raises_stops_start_naming_the_plugin() -> None:
    class Broken:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_blueprints(self) -> list[Blueprint]:
            raise RuntimeError("boom")

    with pytest.raises(PluginError, match="'broken' failed in vclinic_register_blueprints"):
        host_with(("broken", Broken())).blueprints()


def test_registration_hook_returning_the_wrong_type_is_refused() -> None:
    class Wrong:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_models(self) -> Any:
            return [object]

    with pytest.raises(PluginError, match="subclasses of Model"):
        host_with(("wrong", Wrong())).models()


def test_models_with_one_table_name_in_two_plugins_are_refused() -> None:
    def models_plugin() -> object:
        class Clock(peewee.Model):
            class Meta:
                table_name = "visits_clock"

        class P:
            VCLINIC_PLUGIN_API = (1, 0)

            @hookimpl
            def vclinic_register_models(self) -> list[type[peewee.Model]]:
                return [Clock]

        return P()

    host = host_with(("a", models_plugin()))
    assert [m._meta.table_name for m in host.models()] == ["visits_clock"]
    host.register(models_plugin(), "b")
    with pytest.raises(PluginError, match="table 'visits_clock' is registered twice"):
        host.models()


def test_tryfirst_puts_a_plugin_ahead_of_later_registered_ones() -> None:
    order: list[str] = []

    def listener(name: str, **opts: bool) -> object:
        class Listener:
            VCLINIC_PLUGIN_API = (1, 0)

            @hookimpl(**opts)
            def vclinic_on_event(self, event: object) -> None:
                order.append(name)

        return Listener()

    host = PluginHost()
    host.register(listener("eager", tryfirst=True), "eager")
    host.register(listener("plain"), "plain")
    host.register(listener("late", trylast=True), "late")
    host.emit("event")
    assert order == ["eager", "plain", "late"]


def test_star_with_names_enables_everything_but_still_checks_the_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vclinic.plugins.discovery.importlib.metadata.entry_points",
                        lambda group: [])
    host = host_with(("hello", Hello()), ("other", Hello()), enabled=("*", "hello"))
    host.load()
    assert all(info.enabled for info in host.installed())
    with pytest.raises(PluginError, match="not installed: typo"):
        host_with(("hello", Hello()), enabled=("*", "typo")).load()


async def test_registered_models_are_bound_to_the_nodes_database(tmp_path: Path) -> None:
    class Clock(peewee.Model):
        provider_id = peewee.CharField()

        class Meta:
            table_name = "visits_clock"

    class Visits:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_models(self) -> list[type[peewee.Model]]:
            return [Clock]

        @hookimpl
        def vclinic_register_migrations(self) -> list[Migration]:
            return [Migration("visits.0001", lambda db: db.create_tables([Clock]))]

    settings = load_settings(env={}, data_dir=str(tmp_path))
    store = await prepare_store(settings, host_with(("visits", Visits())))
    try:
        await store.atomic(lambda: Clock.create(provider_id="p1"))
        assert await store.run(lambda: [c.provider_id for c in Clock.select()]) == ["p1"]
        assert Clock._meta.database is store.database
    finally:
        store.close()


def test_a_builtin_plugin_is_always_enabled_and_not_listed() -> None:
    class Channels:
        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_plugin_info(self) -> PluginMeta:
            return PluginMeta("Notifications")

    host = PluginHost(enabled=("hello",))
    host.register(Hello(), "hello")
    host.register(Channels(), "notifications", builtin=True)
    assert host.plugin("notifications") is not None
    assert [i.name for i in host.installed()] == ["hello"]
