"""The plugin host: a typed facade over pluggy, built once by the composition root and injected.

``PluginHost`` knows every installed plugin (entry points, the plugins directory, plugins
registered in code) and registers with pluggy only those the deployment enables, after checking
their plugin API version: a plugin that is installed but not enabled is listed, never imported,
and its hooks are never called. Each hook has a typed method here that checks what plugins
return, so that the core never sees a malformed value and an error always names the plugin.

Failures: at start-up (loading, registration hooks, ``startup``) a plugin error stops the server
with a :class:`PluginError`; while serving, a failing listener or dashboard section is logged with
the plugin's name and the rest carry on; a failing join policy refuses the join.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import traceback
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from vclinic.errors import PluginError
from vclinic.log import get_logger
from vclinic.plugins import compat, discovery, hookspecs
from vclinic.plugins.check import (
    Collected,
    check_each,
    check_section,
    merge_static_dirs,
    merge_ws_handlers,
    unique,
)
from vclinic.plugins.contract import (
    ActorKind,
    CallPage,
    DashboardSection,
    JoinDecision,
    Migration,
    NotificationChannel,
    PluginInfo,
    PluginMeta,
    WsHandler,
    kind_intensity,
)

if TYPE_CHECKING:
    import peewee
    from quart import Blueprint

    from vclinic.accounts import Principal
    from vclinic.config import Settings
    from vclinic.context import AppContext
    from vclinic.sessions.service import SessionRef

_HOOKS = frozenset(
    name for name in dir(hookspecs)
    if name.startswith(compat.HOOK_PREFIX) and callable(getattr(hookspecs, name))
)


@dataclasses.dataclass
class _Installed:
    name: str
    version: str
    source: str
    enabled: bool
    builtin: bool = False


class PluginHost:
    """The deployment's plugins: which are installed, which enabled, and typed calls into them.

    ``enabled`` holds plugin names from the deployment's config; ``"*"`` enables every installed
    plugin. ``plugins_dir`` is a folder of local plugins. Register built-in plugins with
    :meth:`register` before calling :meth:`load`, which checks that every enabled name exists.
    """

    def __init__(
        self,
        enabled: Iterable[str] = ("*",),
        plugins_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        names = tuple(enabled)
        self._enable_all = "*" in names
        self._enabled_names = frozenset(n for n in names if n != "*")
        self._plugins_dir = plugins_dir or None
        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self._installed: dict[str, _Installed] = {}
        self._loaded = False
        self._not_started: set[str] = set()
        #: The node's services as given to :meth:`startup`; listeners receive them.
        self._context: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> PluginHost:
        """A host for the deployment's ``plugins`` and ``plugins_dir`` settings (not loaded)."""
        return cls(enabled=settings.plugins, plugins_dir=settings.plugins_dir or None)

    # -- which plugins -------------------------------------------------------------------------

    def is_enabled(self, name: str) -> bool:
        """Whether the deployment's config enables the plugin called ``name``."""
        return self._enable_all or name in self._enabled_names

    def register(self, plugin: object, name: str, *, version: str = "",
                 builtin: bool = False) -> None:
        """Install ``plugin`` (a module, class or instance with hooks) under ``name``; used for
        built-in plugins and in tests. It is registered with pluggy only if enabled; a
        ``builtin`` plugin (the core's own, such as the bell and email channels) always is,
        whatever the deployment's ``plugins`` say."""
        self._install(name, version or str(getattr(plugin, "__version__", "")),
                      "built-in" if builtin else "registered", lambda: plugin, builtin=builtin)

    def load(self) -> None:
        """Discover installed plugins (entry-point group ``vclinic``, then the plugins
        directory), import and register the enabled ones, and check that every enabled name
        is installed. Raises :class:`PluginError` naming the plugin at the first problem."""
        if self._loaded:
            raise PluginError("plugins are already loaded; build a new PluginHost to reload")
        self._loaded = True
        candidates = discovery.from_entry_points()
        if self._plugins_dir is not None:
            candidates += discovery.from_directory(self._plugins_dir)
        for candidate in candidates:
            self._install(candidate.name, candidate.version, candidate.source, candidate.load)
        unknown = sorted(self._enabled_names - self._installed.keys())
        if unknown:
            installed = ", ".join(sorted(self._installed)) or "none"
            raise PluginError(
                f"config enables plugins that are not installed: {', '.join(unknown)} "
                f"(installed: {installed})",
                unknown=unknown,
            )

    def installed(self) -> list[PluginInfo]:
        """Every installed plugin, enabled or not, sorted by name, for ``vclinic plugins`` and
        the workflows a user sees; the core's built-in plugins are not listed."""
        meta = dict(self._collect("vclinic_plugin_info"))
        infos = []
        for entry in sorted(self._installed.values(), key=lambda e: e.name):
            if entry.builtin:
                continue
            about = meta.get(entry.name)
            if about is not None and not isinstance(about, PluginMeta):
                raise PluginError(
                    f"plugin {entry.name!r}: vclinic_plugin_info must return a PluginMeta, "
                    f"not {type(about).__name__}",
                    plugin=entry.name,
                )
            infos.append(PluginInfo(
                name=entry.name, version=entry.version, enabled=entry.enabled,
                source=entry.source,
                title=about.title if about else "", description=about.description if about else "",
            ))
        return infos

    def plugin(self, name: str) -> object:
        """The enabled plugin object registered as ``name``."""
        found = self._pm.get_plugin(name)
        if found is None:
            raise PluginError(f"plugin {name!r} is not enabled", plugin=name)
        return found

    def _install(self, name: str, version: str, source: str, load: Callable[[], object],
                 *, builtin: bool = False) -> None:
        if name in self._installed:
            raise PluginError(
                f"two plugins are named {name!r}: one from {self._installed[name].source}, "
                f"one from {source}; rename or uninstall one",
                plugin=name,
            )
        entry = _Installed(name, version, source, enabled=builtin or self.is_enabled(name),
                           builtin=builtin)
        if entry.enabled:
            try:
                plugin = load()
            except Exception as exc:
                raise PluginError(
                    f"plugin {name!r} ({source}) could not be imported: "
                    f"{type(exc).__name__}: {exc}",
                    plugin=name,
                ) from exc
            self._activate(name, plugin)
            if not entry.version:
                entry.version = str(getattr(plugin, "__version__", ""))
        self._installed[name] = entry

    def _activate(self, name: str, plugin: object) -> None:
        compat.check_api_version(name, plugin)
        compat.check_hook_names(name, plugin, f"{hookspecs.PROJECT_NAME}_impl", set(_HOOKS))
        try:
            self._pm.register(plugin, name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"plugin {name!r} could not be registered: {exc}",
                              plugin=name) from exc
        try:
            # A marked function whose name (or specname) is no hook would never be called.
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self._pm.unregister(plugin)
            raise PluginError(f"plugin {name!r} implements a hook that does not exist: {exc}",
                              plugin=name) from exc
        for caller in self._pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    self._pm.unregister(plugin)
                    raise PluginError(
                        f"plugin {name!r} implements {caller.name} as a wrapper; vclinic hooks "
                        f"do not support wrappers",
                        plugin=name,
                    )

    # -- calling hooks -------------------------------------------------------------------------

    def _impls(self, hook: str) -> list[Any]:
        # pluggy's own call order: the last registered first, tryfirst/trylast respected.
        return list(reversed(getattr(self._pm.hook, hook).get_hookimpls()))

    @staticmethod
    def _invoke(impl: Any, kwargs: Mapping[str, Any]) -> Any:
        args = [kwargs[a] for a in impl.argnames]
        extra = {a: kwargs[a] for a in impl.kwargnames if a in kwargs}
        return impl.function(*args, **extra)

    def _collect(self, hook: str, **kwargs: Any) -> Collected:
        """Call a start-up hook on every enabled plugin; ``None`` results are dropped and an
        exception stops the start, naming the plugin."""
        results: Collected = []
        for impl in self._impls(hook):
            try:
                value = self._invoke(impl, kwargs)
            except Exception as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in {hook}: {type(exc).__name__}: {exc}",
                    plugin=impl.plugin_name,
                ) from exc
            if value is not None:
                results.append((impl.plugin_name, value))
        return results

    def blueprints(self) -> list[Blueprint]:
        """Every enabled plugin's quart blueprints; names must be unique across plugins."""
        from quart import Blueprint

        found = check_each(self._collect("vclinic_register_blueprints"),
                           "vclinic_register_blueprints", Blueprint)
        return unique(found, "vclinic_register_blueprints", "blueprint", lambda b: b.name)

    def ws_handlers(self, reserved: Collection[str] = ()) -> dict[str, WsHandler]:
        """Every enabled plugin's WebSocket handlers by message type. A type claimed by two
        plugins, or one in ``reserved`` (the core's own types), is an error naming both."""
        return merge_ws_handlers(self._collect("vclinic_register_ws_handlers"), reserved)

    def actor_kinds(self, services: AppContext | None = None) -> list[ActorKind]:
        """Every enabled plugin's actor kinds, built for the node whose ``services`` they get;
        ``kind`` must be unique across plugins."""
        found = check_each(self._collect("vclinic_register_actor_kinds", services=services),
                           "vclinic_register_actor_kinds", ActorKind)
        for plugin, kind in found:
            intensity, period = kind_intensity(kind)
            if (not isinstance(intensity, int) or isinstance(intensity, bool) or intensity < 0
                    or not isinstance(period, int | float) or period <= 0):
                raise PluginError(
                    f"plugin {plugin!r}: actor kind {kind.kind!r} needs an intensity of 0 or "
                    f"more restarts and a period of more than 0 seconds",
                    plugin=plugin,
                )
        return unique(found, "vclinic_register_actor_kinds", "actor kind", lambda k: k.kind)

    def models(self) -> list[type[peewee.Model]]:
        """Every enabled plugin's peewee models; table names must be unique across plugins."""
        import peewee

        found = check_each(self._collect("vclinic_register_models"), "vclinic_register_models",
                           peewee.Model, subclass=True)
        return unique(found, "vclinic_register_models", "table",
                      lambda m: m._meta.table_name)

    def migrations(self) -> list[Migration]:
        """Every enabled plugin's migrations, each plugin's in its order; ids must be unique."""
        found = check_each(self._collect("vclinic_register_migrations"),
                           "vclinic_register_migrations", Migration)
        return unique(found, "vclinic_register_migrations", "migration id", lambda m: m.id)

    def notification_channels(self) -> list[NotificationChannel]:
        """Every enabled plugin's notification channels; names must be unique."""
        found = check_each(self._collect("vclinic_notification_channels"),
                           "vclinic_notification_channels", NotificationChannel)
        for plugin, channel in found:
            if not isinstance(channel.name, str) or not channel.name:
                raise PluginError(f"plugin {plugin!r}: a notification channel needs a name",
                                  plugin=plugin)
            if not inspect.iscoroutinefunction(channel.send):
                raise PluginError(
                    f"plugin {plugin!r}: notification channel {channel.name!r} needs an "
                    f"'async def send(notification)'",
                    plugin=plugin,
                )
        return unique(found, "vclinic_notification_channels", "notification channel",
                      lambda c: c.name)

    def static_dirs(self) -> dict[str, Path]:
        """Every enabled plugin's static folders by URL prefix; folders must exist."""
        return merge_static_dirs(self._collect("vclinic_static_dirs"))

    def dashboard_sections(self, principal: Principal) -> list[DashboardSection]:
        """The dashboard sections ``principal`` sees, sorted by order then id. A plugin that
        raises or returns something malformed is logged and left out."""
        sections: dict[str, DashboardSection] = {}
        for impl in self._impls("vclinic_dashboard_sections"):
            try:
                returned = self._invoke(impl, {"principal": principal}) or []
                for section in returned:
                    check_section(section)
            except Exception as exc:
                _log_failure("vclinic_dashboard_sections", impl.plugin_name, exc)
                continue
            for section in returned:
                if section.id in sections:
                    get_logger("plugins").error("plugin_section_duplicate",
                                                plugin=impl.plugin_name, section=section.id)
                    continue
                sections[section.id] = section
        return sorted(sections.values(), key=lambda s: (s.order, s.id))

    async def call_page(self, session: SessionRef, principal: Principal) -> CallPage | None:
        """The first :class:`CallPage` a plugin gives for this person in this session, or
        ``None``. A hook that fails is logged and skipped: the call page keeps its default."""
        kwargs = {"session": session, "principal": principal}
        for impl in self._impls("vclinic_call_page"):
            try:
                page = self._invoke(impl, kwargs)
                if inspect.isawaitable(page):
                    page = await page
                if page is not None and not isinstance(page, CallPage):
                    raise TypeError(f"returned {type(page).__name__}, not a CallPage")
            except Exception as exc:
                _log_failure("vclinic_call_page", impl.plugin_name, exc)
                continue
            if page is not None:
                return page
        return None

    async def join_policy(self, session: SessionRef, principal: Principal) -> JoinDecision | None:
        """The first decision a join policy gives, or ``None`` when all abstain. A policy that
        raises or answers with something other than a ``JoinDecision`` refuses the join."""
        kwargs = {"session": session, "principal": principal}
        for impl in self._impls("vclinic_join_policy"):
            try:
                decision = self._invoke(impl, kwargs)
                if inspect.isawaitable(decision):
                    decision = await decision
                if decision is not None and not isinstance(decision, JoinDecision):
                    raise TypeError(f"returned {type(decision).__name__}, not a JoinDecision")
            except Exception as exc:
                _log_failure("vclinic_join_policy", impl.plugin_name, exc)
                raise PluginError(
                    "the join could not be checked; try again or ask the clinic for help",
                    plugin=impl.plugin_name,
                ) from exc
            if decision is not None:
                return decision
        return None

    async def startup(self, app_context: AppContext) -> None:
        """Run every enabled plugin's ``vclinic_on_startup``, awaiting each in turn; the first
        failure raises ``PluginError`` and leaves the later plugins unstarted."""
        self._context = app_context
        impls = self._impls("vclinic_on_startup")
        for index, impl in enumerate(impls):
            try:
                result = self._invoke(impl, {"app_context": app_context})
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                self._not_started = {i.plugin_name for i in impls[index:]}
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed to start: {type(exc).__name__}: {exc}",
                    plugin=impl.plugin_name,
                ) from exc

    async def shutdown(self, app_context: AppContext) -> None:
        """Run ``vclinic_on_shutdown`` in the reverse of start-up order, skipping plugins whose
        start-up failed or never ran; a failure is logged and the others still run."""
        for impl in reversed(self._impls("vclinic_on_shutdown")):
            if impl.plugin_name in self._not_started:
                continue
            try:
                result = self._invoke(impl, {"app_context": app_context})
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                _log_failure("vclinic_on_shutdown", impl.plugin_name, exc)

    def emit(self, event: object) -> None:
        """Hand a domain event to every enabled listener, synchronously, with the node's
        services given to :meth:`startup` (None before it). A listener that raises, or is
        ``async``, is logged with its plugin's name; the others still run."""
        for impl in self._impls("vclinic_on_event"):
            try:
                result = self._invoke(impl, {"event": event, "app_context": self._context})
                if inspect.isawaitable(result):
                    if inspect.iscoroutine(result):
                        result.close()  # never run; closing it avoids a "never awaited" warning
                    raise TypeError("vclinic_on_event listeners must not be async")
            except Exception as exc:
                _log_failure("vclinic_on_event", impl.plugin_name, exc,
                             event_type=type(event).__name__)


def _log_failure(hook: str, plugin: str, exc: BaseException, **ids: Any) -> None:
    # The exception's message may quote data the plugin handled; log its type and where it was
    # raised, which is what a plugin author needs to find it.
    where = traceback.extract_tb(exc.__traceback__)
    location = f"{where[-1].filename}:{where[-1].lineno}" if where else ""
    get_logger("plugins").error("plugin_hook_failed", hook=hook, plugin=plugin,
                                error=type(exc).__name__, location=location, **ids)
