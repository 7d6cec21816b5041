"""Checks on what registration hooks return; used by the plugin host before the core sees it.

Each failure is a :class:`PluginError` naming the plugin and the hook, so that a deployment
that will not start says which plugin to fix or disable.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from vclinic.errors import PluginError
from vclinic.plugins.contract import DashboardSection, WsHandler

#: ``(plugin name, value it returned)`` pairs, in call order.
Collected: TypeAlias = list[tuple[str, Any]]

T = TypeVar("T")


def check_each(
    collected: Collected, hook: str, kind: type, *, subclass: bool = False
) -> list[tuple[str, Any]]:
    """Flatten the lists plugins returned from ``hook`` into ``(plugin, item)`` pairs, checking
    that each item is an instance (or, with ``subclass``, a subclass) of ``kind``."""
    items: list[tuple[str, Any]] = []
    for plugin, returned in collected:
        if isinstance(returned, str | bytes | dict) or not isinstance(returned, Iterable):
            raise PluginError(
                f"plugin {plugin!r}: {hook} must return a list, not {type(returned).__name__}",
                plugin=plugin,
            )
        for item in returned:
            ok = (isinstance(item, type) and issubclass(item, kind)) if subclass else (
                isinstance(item, kind)
            )
            if not ok:
                wanted = f"subclasses of {kind.__name__}" if subclass else kind.__name__
                raise PluginError(
                    f"plugin {plugin!r}: {hook} returned {item!r}; it must return {wanted}",
                    plugin=plugin,
                )
            items.append((plugin, item))
    return items


def unique(
    items: list[tuple[str, T]], hook: str, what: str, key: Callable[[T], Hashable]
) -> list[T]:
    """The items without their plugin names, after checking that ``key`` is unique: two
    plugins (or one plugin twice) claiming the same name is an error naming both."""
    owner: dict[Hashable, str] = {}
    for plugin, item in items:
        name = key(item)
        if name in owner:
            who = f"plugin {plugin!r}" if owner[name] == plugin else (
                f"plugins {owner[name]!r} and {plugin!r}"
            )
            raise PluginError(
                f"{what} {name!r} is registered twice ({hook}) by {who}",
                plugin=plugin,
            )
        owner[name] = plugin
    return [item for _, item in items]


def merge_ws_handlers(collected: Collected, reserved: Collection[str]) -> dict[str, WsHandler]:
    """Merge the ``{type: handler}`` mappings plugins returned, refusing a type two plugins
    claim or one in ``reserved`` (the core's own), and handlers that are not async."""
    handlers: dict[str, WsHandler] = {}
    owner: dict[str, str] = {}
    for plugin, mapping in collected:
        if not isinstance(mapping, Mapping):
            raise PluginError(
                f"plugin {plugin!r}: vclinic_register_ws_handlers must return a mapping of "
                f"message type to handler, not {type(mapping).__name__}", plugin=plugin)
        for msg_type, handler in mapping.items():
            if not isinstance(msg_type, str) or not msg_type:
                raise PluginError(f"plugin {plugin!r}: WebSocket message types must be "
                                  f"non-empty strings, not {msg_type!r}", plugin=plugin)
            if not _is_async_callable(handler):
                raise PluginError(f"plugin {plugin!r}: the handler for WebSocket message "
                                  f"{msg_type!r} must be an async function", plugin=plugin)
            if msg_type in reserved:
                raise PluginError(f"plugin {plugin!r} handles WebSocket message "
                                  f"{msg_type!r}, which the core handles", plugin=plugin)
            if msg_type in handlers:
                raise PluginError(
                    f"WebSocket message type {msg_type!r} is handled by two plugins: "
                    f"{owner[msg_type]!r} and {plugin!r}; disable one of them",
                    plugin=plugin, other=owner[msg_type])
            handlers[msg_type] = handler
            owner[msg_type] = plugin
    return handlers


def merge_static_dirs(collected: Collected) -> dict[str, Path]:
    """Merge the ``{url_prefix: folder}`` mappings plugins returned; prefixes are normalised
    without a trailing slash, must be unique, and folders must exist."""
    dirs: dict[str, Path] = {}
    owner: dict[str, str] = {}
    for plugin, mapping in collected:
        if not isinstance(mapping, Mapping):
            raise PluginError(f"plugin {plugin!r}: vclinic_static_dirs must return a "
                              f"mapping of URL prefix to folder", plugin=plugin)
        for prefix, folder in mapping.items():
            if not isinstance(prefix, str) or not prefix.startswith("/") or prefix == "/":
                raise PluginError(f"plugin {plugin!r}: static URL prefix {prefix!r} must "
                                  f"start with '/' and name a path", plugin=plugin)
            path = Path(folder)
            if not path.is_dir():
                raise PluginError(f"plugin {plugin!r}: static folder for {prefix!r} does "
                                  f"not exist: {path}", plugin=plugin)
            key = prefix.rstrip("/")
            if key in dirs:
                raise PluginError(f"static URL prefix {key!r} is claimed by two plugins: "
                                  f"{owner[key]!r} and {plugin!r}", plugin=plugin)
            dirs[key] = path
            owner[key] = plugin
    return dirs


def _is_async_callable(handler: object) -> bool:
    return inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
        getattr(handler, "__call__", None)  # noqa: B004 - a callable object's async __call__
    )


#: The pages a dashboard section can go on.
PAGES = ("dashboard", "admin")


def check_section(section: object) -> None:
    """Raise when a dashboard section is not a `DashboardSection` with a same-origin module."""
    if not isinstance(section, DashboardSection):
        raise TypeError(f"returned {type(section).__name__}, not a DashboardSection")
    url = section.module_url
    if not url.startswith("/") or url.startswith("//"):
        # Sections run as the signed-in user: only the server's own scripts may load.
        raise ValueError(f"section {section.id!r} has a module URL that is not a same-origin path")
    if section.page not in PAGES:
        raise ValueError(f"section {section.id!r}: page must be one of {', '.join(PAGES)}")
