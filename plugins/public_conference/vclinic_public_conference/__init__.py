"""vclinic_public_conference: the Public Conference workflow plugin.

Adds event types and scheduled conference events (``conference_*`` tables), the REST API under
``/api/v1/conferences``, each linked person's own link ``/conference/join/<token>``, the event's
public link ``/conference/public/<token>``, one ConferenceActor per event and an ``sms_log``
notification channel that logs in development. Each event has a session on the core session
model. It imports only ``vclinic.api``. See docs/workflows/public_conference.md.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from quart import Blueprint

from vclinic.api import (
    ActorKind,
    AppContext,
    BaseModel,
    DashboardSection,
    Migration,
    PluginMeta,
    Principal,
    hookimpl,
)
from vclinic_public_conference import link, model, routes, sms
from vclinic_public_conference.actor import ConferenceActor, ConferenceKind

VCLINIC_PLUGIN_API = (1, 0)

STATIC = Path(__file__).parent / "static"


@hookimpl
def vclinic_plugin_info() -> PluginMeta:
    return PluginMeta("Public Conference", "Scheduled conferences with a personal link for "
                                           "each person and one public link")


@hookimpl
def vclinic_register_models() -> list[type[BaseModel]]:
    return list(model.MODELS)


@hookimpl
def vclinic_register_migrations() -> list[Migration]:
    return list(model.MIGRATIONS)


@hookimpl
def vclinic_register_actor_kinds(services: AppContext) -> list[ActorKind]:
    return [ConferenceKind(functools.partial(ConferenceActor, services=services))]


@hookimpl
def vclinic_register_blueprints() -> list[Blueprint]:
    return [routes.blueprint, link.blueprint]


@hookimpl
def vclinic_notification_channels() -> list[Any]:
    return [sms.LogSms()]


@hookimpl
def vclinic_static_dirs() -> dict[str, Path]:
    return {"/static/conference": STATIC}


@hookimpl
def vclinic_dashboard_sections(principal: Principal) -> list[DashboardSection]:
    if principal.is_guest or principal.is_station:
        return []
    if not {"provider", "staff", "admin"} & set(principal.roles):
        return []
    sections = [DashboardSection("conferences", "Scheduler", "/static/conference/scheduler.js",
                                 order=25)]
    if "admin" in principal.roles:
        sections.append(DashboardSection("conference-types", "Public Conference",
                                         "/static/conference/admin.js", order=65, page="admin"))
    return sections
