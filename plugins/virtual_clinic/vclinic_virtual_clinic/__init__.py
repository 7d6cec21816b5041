"""vclinic_virtual_clinic: the Virtual Clinic workflow plugin.

Requesters (users with the ``requester`` role and station accounts) see the providers of their
organisation with their availability and click "Request Session Now"; providers set themselves
available, get an audible and visible alert for each request, and accept (creating a session
through the core session model) or decline it. Adds the ProviderActor (kind ``provider``), the
REST API under ``/api/v1/virtual-clinic``, the ``/ws`` message ``virtual_clinic.watch``, the
availability toggle and the Virtual Clinic dashboard section. Enabled per organisation on top
of the deployment's ``plugins`` (see :mod:`.organisation`). See docs/workflows/virtual_clinic.md.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quart import Blueprint

from vclinic.api import (
    ActorKind,
    AppContext,
    DashboardSection,
    PluginMeta,
    Principal,
    WsHandler,
    hookimpl,
)
from vclinic_virtual_clinic import routes, ws
from vclinic_virtual_clinic.actor import KIND, MAILBOX, ProviderActor, waiting_providers
from vclinic_virtual_clinic.message import Status
from vclinic_virtual_clinic.organisation import NAME

VCLINIC_PLUGIN_API = (1, 0)

STATIC = Path(__file__).parent / "static"


@dataclasses.dataclass(frozen=True)
class ProviderKind:
    """The ``provider`` actor kind the core supervises, built for one node's services."""

    factory: Callable[..., Any]
    kind: str = KIND
    mailbox_size: int = MAILBOX
    restart: str = "transient"


@hookimpl
def vclinic_plugin_info() -> PluginMeta:
    return PluginMeta("Virtual Clinic", "Requesters ask available providers for a session now")


@hookimpl
def vclinic_register_blueprints() -> list[Blueprint]:
    return [routes.blueprint]


@hookimpl
def vclinic_register_ws_handlers() -> dict[str, WsHandler]:
    return dict(ws.HANDLERS)


@hookimpl
def vclinic_register_actor_kinds(services: AppContext) -> list[ActorKind]:
    return [ProviderKind(functools.partial(ProviderActor, services=services))]


@hookimpl
def vclinic_static_dirs() -> dict[str, Path]:
    return {"/static/virtual-clinic": STATIC}


@hookimpl
def vclinic_dashboard_sections(principal: Principal) -> list[DashboardSection]:
    if principal.is_guest:
        return []
    roles = principal.roles
    # The admin's settings stay reachable with the workflow off: that is where it is turned on.
    sections = [DashboardSection("virtual-clinic-settings", "Virtual Clinic settings",
                                 "/static/virtual-clinic/admin.js", order=40, page="admin")
                ] if "admin" in roles else []
    if not principal.uses_workflow(NAME):
        return sections
    if "provider" in roles:
        sections.append(DashboardSection("availability", "Availability for sessions",
                                         "/static/virtual-clinic/availability.js", order=0))
    if "provider" in roles or "requester" in roles or principal.is_station:
        sections.append(DashboardSection("virtual-clinic", "Virtual Clinic",
                                         "/static/virtual-clinic/section.js", order=10))
    return sections


@hookimpl
async def vclinic_on_startup(app_context: AppContext) -> None:
    # Actors activate on their first message; wake the providers with requests pending so
    # that they re-arm their expiry timers after a node restart.
    for provider_id in waiting_providers(await app_context.snapshots.of_kind(KIND)):
        app_context.ref(KIND, provider_id).send_nowait(Status())
