"""The plugin host and the hooks' contract; plugin authors import from :mod:`vclinic.api`.

``vclinic.api`` re-exports ``hookimpl`` and the hook types from here, with everything else a
plugin may use of the core. A plugin module declares the plugin API it targets and implements
hooks::

    from vclinic.api import hookimpl

    VCLINIC_PLUGIN_API = (1, 0)

    @hookimpl
    def vclinic_register_blueprints():
        return [blueprint]

See ``docs/plugins.md`` for every hook.
"""

from __future__ import annotations

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
)
from vclinic.plugins.hookspecs import hookimpl, hookspec
from vclinic.plugins.host import PluginHost

__all__ = [
    "ActorKind",
    "CallPage",
    "DashboardSection",
    "JoinDecision",
    "Migration",
    "NotificationChannel",
    "PluginHost",
    "PluginInfo",
    "PluginMeta",
    "WsHandler",
    "hookimpl",
    "hookspec",
]
