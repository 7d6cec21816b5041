"""Liveness, readiness and Prometheus metrics: ``/healthz``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

from typing import Any

import trio
from quart import Blueprint, Response
from quart_schema import hide

from vclinic.errors import NotFound, Unavailable
from vclinic.server.security import ctx

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@hide
async def healthz() -> dict[str, Any]:
    """The process is up and its event loop answers."""
    return {"status": "ok"}


@blueprint.get("/readyz")
@hide
async def readyz() -> dict[str, Any]:
    """The node can serve: the database answers and the node is not shutting down."""
    app = ctx()
    if app.shutting_down.is_set():
        raise Unavailable("The server is shutting down.", code="shutting_down")
    try:
        with trio.fail_after(5):
            await app.store.run(lambda: app.store.database.execute_sql("SELECT 1").fetchone())
    except Exception as exc:
        raise Unavailable("The database does not answer.", code="database_unavailable") from exc
    return {"status": "ready"}


@blueprint.get("/metrics")
@hide
async def metrics() -> Response:
    """Prometheus text exposition."""
    app = ctx()
    if app.settings.metrics_address:
        raise NotFound("Metrics are served on their own address.")
    await app.metrics.refresh()
    return Response(app.metrics.render(), content_type=app.metrics.content_type)
