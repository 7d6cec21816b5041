"""Serving a node: hypercorn's trio worker in-process, with graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import dataclasses
import signal
from functools import partial

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve as hypercorn_serve

from vclinic.bootstrap import open_context
from vclinic.config import Settings
from vclinic.context import AppContext
from vclinic.log import get_logger
from vclinic.server.app import create_app
from vclinic.server.proxy import TrustedProxies
from vclinic.server.scrape import scrape_app
from vclinic.startup import check_address

log = get_logger("serve")

#: Hypercorn closes a WebSocket (code 1009) whose message exceeds this; messages between the
#: configured ``ws_max_message_bytes`` and this are answered with a ``payload_too_large`` error.
HARD_WS_LIMIT = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Running:
    """A started node: where it listens, its services, and how to stop it."""

    urls: list[str]
    context: AppContext
    stop: trio.Event
    #: Where ``/metrics`` is served when ``metrics_address`` is set (else on ``urls``).
    metrics_urls: list[str] = dataclasses.field(default_factory=list)


def hypercorn_config(settings: Settings) -> HypercornConfig:
    config = HypercornConfig()
    config.bind = [f"{settings.host}:{settings.port}"]
    config.websocket_max_message_size = max(HARD_WS_LIMIT, settings.ws_max_message_bytes)
    config.websocket_ping_interval = settings.ws_ping_seconds
    config.graceful_timeout = 5.0
    config.accesslog = None
    config.errorlog = None
    return config


async def serve(
    settings: Settings,
    *,
    handle_signals: bool = True,
    task_status: trio.TaskStatus[Running] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run a node until SIGTERM/SIGINT (or ``Running.stop``): stop accepting, let actors flush."""
    stop = trio.Event()
    # A taken port fails here, alone, before migrations and media workers start.
    check_address(settings.host, settings.port)
    if settings.metrics_address:
        metrics_host, _, metrics_port = settings.metrics_address.rpartition(":")
        check_address(metrics_host, int(metrics_port))
    async with open_context(settings) as context:
        app = create_app(context)
        async with trio.open_nursery() as nursery:
            if handle_signals:
                nursery.start_soon(_stop_on_signal, stop)

            async def run_http(task_status: trio.TaskStatus[list[str]]) -> None:
                await hypercorn_serve(TrustedProxies(app, settings.trusted_proxies),
                                      hypercorn_config(settings),
                                      shutdown_trigger=_shutdown(stop, context),
                                      task_status=task_status)
                nursery.cancel_scope.cancel()

            urls = await nursery.start(run_http)
            metrics_urls: list[str] = []
            if settings.metrics_address:
                config = hypercorn_config(settings)
                config.bind = [settings.metrics_address]
                metrics_urls = await nursery.start(partial(
                    hypercorn_serve, scrape_app(context.metrics), config,  # type: ignore[arg-type]
                    shutdown_trigger=stop.wait))
            log.info("serving", urls=urls, metrics_urls=metrics_urls)
            task_status.started(Running(urls=urls, context=context, stop=stop,
                                        metrics_urls=metrics_urls))
    log.info("stopped")


def _shutdown(stop: trio.Event, context: AppContext):  # type: ignore[no-untyped-def]
    async def trigger() -> None:
        await stop.wait()
        log.info("shutting_down")
        context.shutting_down.set()

    return trigger


async def _stop_on_signal(stop: trio.Event) -> None:
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            stop.set()
            return


