"""Checks that a plugin fits this vclinic before it is registered; used by the plugin host.

A plugin declares the plugin API it was written for with ``VCLINIC_PLUGIN_API = (major, minor)``
in its module. It is accepted when the major numbers match and its minor is not newer than ours:
minor versions only add hooks, so an older plugin still works, while a newer one may implement
hooks this vclinic never calls. A plugin without the attribute is refused, because nothing says
it was written for this API at all.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from vclinic import PLUGIN_API_VERSION
from vclinic.errors import PluginError

API_ATTRIBUTE = "VCLINIC_PLUGIN_API"
HOOK_PREFIX = "vclinic_"


def declared_api(plugin: object) -> Any:
    """The ``VCLINIC_PLUGIN_API`` a plugin declares: on the object itself, else on the module
    that defines its class (for plugins registered as instances). ``None`` when absent."""
    if hasattr(plugin, API_ATTRIBUTE):
        return getattr(plugin, API_ATTRIBUTE)
    if not isinstance(plugin, types.ModuleType):
        module = sys.modules.get(getattr(plugin, "__module__", "") or "")
        if module is not None:
            return getattr(module, API_ATTRIBUTE, None)
    return None


def check_api_version(
    name: str, plugin: object, ours: tuple[int, int] | None = None
) -> tuple[int, int]:
    """Return the plugin's declared API version, or raise ``PluginError`` saying why it does
    not fit, with the plugin's name and both versions. ``ours`` defaults to
    :data:`vclinic.PLUGIN_API_VERSION`."""
    ours = PLUGIN_API_VERSION if ours is None else ours
    declared = declared_api(plugin)
    wanted = f"{API_ATTRIBUTE} = ({ours[0]}, {ours[1]})"
    if declared is None:
        raise PluginError(
            f"plugin {name!r} does not declare which plugin API it was written for; "
            f"vclinic's plugin API is {_text(ours)}: add {wanted} to the plugin's module",
            plugin=name,
        )
    if (
        not isinstance(declared, tuple | list)
        or len(declared) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in declared)
    ):
        raise PluginError(
            f"plugin {name!r} declares {API_ATTRIBUTE} = {declared!r}, which is not a "
            f"(major, minor) pair of integers; vclinic's plugin API is {_text(ours)}",
            plugin=name,
        )
    major, minor = declared
    if major != ours[0] or minor > ours[1]:
        raise PluginError(
            f"plugin {name!r} was written for plugin API {_text((major, minor))}, but this "
            f"vclinic provides plugin API {_text(ours)}; install a version of the plugin made "
            f"for API {ours[0]}.x (at most {_text(ours)})",
            plugin=name,
        )
    return (major, minor)


def check_hook_names(name: str, plugin: object, marker_attr: str, known: set[str]) -> None:
    """Refuse a plugin with a ``vclinic_*`` attribute that is not a known, marked hook.

    pluggy silently skips functions without ``@hookimpl`` and, until ``check_pending``, hooks it
    has no spec for; both are almost always a plugin author's mistake worth stopping on.
    """
    for attr in dir(plugin):
        if not attr.startswith(HOOK_PREFIX) or attr == API_ATTRIBUTE.lower():
            continue
        value = getattr(plugin, attr, None)
        if not callable(value):
            continue
        opts = getattr(value, marker_attr, None)
        hook = (opts or {}).get("specname") or attr
        if hook not in known:
            raise PluginError(
                f"plugin {name!r} implements {hook!r}, which is not a vclinic hook "
                f"(misspelt, or written for a newer plugin API?)",
                plugin=name,
            )
        if opts is None:
            raise PluginError(
                f"plugin {name!r} defines {attr!r} without @vclinic.plugins.hookimpl, so it "
                f"would never be called; decorate it",
                plugin=name,
            )


def _text(version: tuple[int, int] | list[int]) -> str:
    return f"{version[0]}.{version[1]}"
