"""vclinic_sessions: the Telehealth workflow plugin (Provider → Telehealth, Start a Session).

Adds the REST API under ``/api/v1/sessions`` (plus providers, patients and appointments), the
link routes ``/join/<token>`` and ``/api/v1/join``, the ``/ws`` messages ``session.enter`` and
``session.leave``, and the dashboard's Telehealth and Scheduling sections. The session model
itself (tables, SessionActor, guests) is core, :mod:`vclinic.sessions`, because every workflow
uses it.
See docs/workflows/sessions.md.
"""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint

from vclinic.api import DashboardSection, PluginMeta, Principal, WsHandler, hookimpl
from vclinic_sessions import join, records, routes, ws

VCLINIC_PLUGIN_API = (1, 0)

STATIC = Path(__file__).parent / "static"
#: Roles that see the Telehealth and Scheduling sections (people of the practice, not stations
#: or guests).
PRACTICE_ROLES = frozenset({"provider", "staff", "admin"})


@hookimpl
def vclinic_plugin_info() -> PluginMeta:
    return PluginMeta("Telehealth", "Telehealth sessions with links, roles and access levels")


@hookimpl
def vclinic_register_blueprints() -> list[Blueprint]:
    return [routes.blueprint, records.blueprint, join.blueprint]


@hookimpl
def vclinic_register_ws_handlers() -> dict[str, WsHandler]:
    return dict(ws.HANDLERS)


@hookimpl
def vclinic_static_dirs() -> dict[str, Path]:
    return {"/static/sessions": STATIC}


@hookimpl
def vclinic_dashboard_sections(principal: Principal) -> list[DashboardSection]:
    if principal.is_guest or not PRACTICE_ROLES & principal.roles:
        return []
    return [DashboardSection("telehealth", "Telehealth", "/static/sessions/section.js",
                             order=20),
            DashboardSection("scheduling", "Scheduling", "/static/sessions/scheduling.js",
                             order=25)]
