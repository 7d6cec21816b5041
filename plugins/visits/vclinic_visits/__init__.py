"""vclinic_visits: the Visits workflow plugin (virtual visits for home care).

Adds clients, service codes, visits and time records (``visits_*`` tables), the REST API under
``/api/v1/visits``, the client's invite link ``/visits/join/<token>``, one VisitActor per visit
and a join policy for the visits' virtual sessions. It imports only ``vclinic.api``.
See docs/workflows/visits.md.
"""

from __future__ import annotations

import functools
from pathlib import Path

from quart import Blueprint

from vclinic.api import (
    ActorKind,
    AppContext,
    BaseModel,
    CallPage,
    DashboardSection,
    JoinDecision,
    Migration,
    PluginMeta,
    Principal,
    SessionRef,
    hookimpl,
    services,
)
from vclinic_visits import demo, link, model, policy, routes
from vclinic_visits.actor import VisitActor, VisitKind

VCLINIC_PLUGIN_API = (1, 0)

STATIC = Path(__file__).parent / "static"


@hookimpl
def vclinic_plugin_info() -> PluginMeta:
    return PluginMeta("Visits", "Home-care visits: schedules, clock in and out, and virtual "
                                "visits with an invite link to the client")


@hookimpl
def vclinic_register_models() -> list[type[BaseModel]]:
    return list(model.MODELS)


@hookimpl
def vclinic_register_migrations() -> list[Migration]:
    return list(model.MIGRATIONS)


@hookimpl
def vclinic_register_actor_kinds(services: AppContext) -> list[ActorKind]:
    return [VisitKind(functools.partial(VisitActor, services=services))]


@hookimpl
def vclinic_register_blueprints() -> list[Blueprint]:
    return [routes.blueprint, link.blueprint]


@hookimpl
def vclinic_static_dirs() -> dict[str, Path]:
    return {"/static/visits": STATIC}


@hookimpl
def vclinic_dashboard_sections(principal: Principal) -> list[DashboardSection]:
    if principal.is_guest:
        return []
    sections = []
    if "provider" in principal.roles:
        sections.append(DashboardSection("visits", "Today's Visits",
                                         "/static/visits/schedule.js", order=15))
    if "admin" in principal.roles:
        sections.append(DashboardSection("visits-setup", "Visits", "/static/visits/admin.js",
                                         order=60, page="admin"))
    return sections


@hookimpl
async def vclinic_join_policy(session: SessionRef, principal: Principal,
                              ) -> JoinDecision | None:
    # The session gateway asks inside a request or a /ws message of this node.
    return await policy.check(services().store, session, principal, services().clock.now())


@hookimpl
async def vclinic_call_page(session: SessionRef, principal: Principal) -> CallPage | None:
    return await policy.page(services().store, session, principal)


@hookimpl
async def vclinic_on_startup(app_context: AppContext) -> None:
    if app_context.demo is not None:
        await app_context.store.atomic(demo.seed, app_context.demo.org_id)
