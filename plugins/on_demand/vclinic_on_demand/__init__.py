"""vclinic_on_demand: the On-Demand workflow plugin (public Meet Now page, setup guide, a
claimable queue, the virtual waiting room, On-Call providers, admin assign / claim / decline).

Adds the tables (migration ``on_demand:0001``), the actor kind ``queue`` (QueueActor, one per
organisation), the public page ``/o/<slug>/calendar``, the patient API and socket, the staff API
under ``/api/v1/on_demand``, the ``/ws`` message ``on_demand.subscribe``, the dashboard's
On-Demand Requests section and the queue metrics. See docs/workflows/on_demand.md.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable
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
    WsHandler,
    hookimpl,
)
from vclinic_on_demand import calendar_api, model, patient, queue, record, routes, ws
from vclinic_on_demand import message as m
from vclinic_on_demand.actor import MAILBOX, QueueActor
from vclinic_on_demand.node import Node

VCLINIC_PLUGIN_API = (1, 0)
STATIC = patient.STATIC


@dataclasses.dataclass(frozen=True)
class _Kind:
    kind: str
    factory: Callable[..., Any]
    mailbox_size: int
    restart: str


@hookimpl
def vclinic_plugin_info() -> PluginMeta:
    return PluginMeta("On-Demand", "Meet Now: patients queue from a public page; providers "
                                   "On-Call claim them")


@hookimpl
def vclinic_register_models() -> list[type[BaseModel]]:
    return list(model.MODELS)


@hookimpl
def vclinic_register_migrations() -> list[Migration]:
    return list(model.MIGRATIONS)


@hookimpl
def vclinic_register_actor_kinds(services: AppContext) -> list[ActorKind]:
    node = Node.of(services)
    return [_Kind(queue.KIND, functools.partial(QueueActor, node=node), MAILBOX, "transient")]


@hookimpl
def vclinic_register_blueprints() -> list[Blueprint]:
    return [routes.blueprint, patient.blueprint, calendar_api.blueprint]


@hookimpl
def vclinic_register_ws_handlers() -> dict[str, WsHandler]:
    return dict(ws.HANDLERS)


@hookimpl
def vclinic_static_dirs() -> dict[str, Path]:
    return {"/static/on_demand": STATIC}


@hookimpl
def vclinic_dashboard_sections(principal: Principal) -> list[DashboardSection]:
    if principal.is_guest or not {"provider", "admin"} & principal.roles:
        return []
    sections = [DashboardSection("on-demand", "On-Demand Requests",
                                 "/static/on_demand/section.js", order=30)]
    if "admin" in principal.roles:
        sections.append(DashboardSection("on-demand-setup", "On-Demand setup",
                                         "/static/on_demand/admin.js", order=50, page="admin"))
    return sections


@hookimpl
async def vclinic_on_startup(app_context: AppContext) -> None:
    app_context.metrics.add_refresher(_queue_gauges(app_context))
    # Wake every queue with patients in it, so that grace periods cut short by a restart are
    # armed again even if nobody touches the queue.
    for org_id in await app_context.store.run(record.active_orgs):
        await app_context.ref(queue.KIND, org_id).send(m.Recover())


def _queue_gauges(app_context: AppContext) -> Callable[[], Awaitable[None]]:
    """The refresher of the queue's gauges, read from the database when metrics are scraped."""
    metrics = app_context.metrics
    depth = metrics.gauge("vclinic_on_demand_queue_depth", "Patients waiting in On-Demand queues")
    longest = metrics.gauge("vclinic_on_demand_queue_longest_wait_seconds",
                            "How long the patient waiting longest has waited (0: nobody waits)")

    async def refresh() -> None:
        waiting, wait = await app_context.store.run(record.queue_statistics)
        depth.set(waiting)
        longest.set(wait)

    return refresh
