"""The vclinic plugin API and its host; plugin authors import ``hookimpl`` from here.

A plugin module declares the plugin API it targets and implements hooks::

    from vclinic.plugins import hookimpl

    VCLINIC_PLUGIN_API = (1, 0)

    @hookimpl
    def vclinic_register_blueprints():
        return [blueprint]

See ``docs/plugins.md`` for every hook.
"""

from __future__ import annotations

from vclinic.plugins.contract import (
    ActorKind,
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
