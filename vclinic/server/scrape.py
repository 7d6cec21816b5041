"""The metrics-only listener: ``/metrics`` on the ``metrics_address`` setting, and nothing else.

Started by :func:`vclinic.server.run.serve` beside the main server when ``metrics_address`` is
set (the main address then answers 404 for ``/metrics``), so that a deployment can keep its
figures on an internal interface that the reverse proxy does not publish. A bare ASGI app: it
has no sessions, no pages and no plugin routes.
"""

from __future__ import annotations

from typing import Any

from vclinic.metrics import Metrics


def scrape_app(metrics: Metrics) -> Any:
    """An ASGI app answering ``GET /metrics`` with the node's metrics, 404 to anything else."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
            await metrics.refresh()
            status, body, ctype = 200, metrics.render(), metrics.content_type
        else:
            status, body, ctype = 404, b"Only /metrics is served here.\n", "text/plain"
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]})
        await send({"type": "http.response.body", "body": body})

    return app
