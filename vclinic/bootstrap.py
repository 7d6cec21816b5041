"""The composition root: builds a node's services from its settings and tears them down in order.

Order of start: plugins (to know their models and migrations), store and migrations, demo data,
the actor runtime with the plugins' actor kinds, the media workers, then the plugins' start-up
hooks. Shutdown runs the other way: plugins' shutdown hooks, media workers close their rooms and
exit, actors flush and stop, the store closes.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import peewee

from vclinic import accounts
from vclinic.actors import ChildSpec, Restart, Runtime, open_runtime
from vclinic.config import Settings
from vclinic.context import AppContext
from vclinic.log import get_logger
from vclinic.media.metrics import MediaCollector
from vclinic.media.service import open_media
from vclinic.metrics import Metrics
from vclinic.notifications.channel import CoreChannels
from vclinic.notifications.email import Mailer, outbox_statistics
from vclinic.notifications.metrics import NotificationCollector
from vclinic.notifications.service import Notifications
from vclinic.plugins import PluginHost
from vclinic.plugins.contract import kind_intensity
from vclinic.sessions.actor import MAILBOX, SessionActor
from vclinic.sessions.service import SessionService, recording_lost
from vclinic.sessions.timer import Timers
from vclinic.startup import database_unavailable
from vclinic.store import SnapshotStateStore, Store
from vclinic.store.field import utcnow

log = get_logger("bootstrap")


def load_plugins(settings: Settings) -> PluginHost:
    """The plugin host with installed plugins loaded and the configured ones enabled."""
    host = PluginHost(enabled=settings.plugins, plugins_dir=settings.plugins_dir or None)
    host.load()
    return host


def register_actor_kinds(runtime: Runtime, plugins: PluginHost,
                         services: AppContext | None = None) -> None:
    """Register every enabled plugin's actor kinds, built for this node's ``services``, each
    under a supervisor of its own with the restart type, intensity and period it declares."""
    for kind in plugins.actor_kinds(services):
        intensity, period = kind_intensity(kind)
        runtime.registry.register_kind(kind.kind, kind.factory, mailbox_size=kind.mailbox_size,
                                       restart=Restart(kind.restart), intensity=intensity,
                                       period=period)


async def prepare_store(settings: Settings, plugins: PluginHost) -> Store:
    """Open the database, bind the plugins' models to it and apply every pending migration,
    core and plugins'."""
    url = settings.resolved_database_url
    try:
        store = Store.open(url, pool_size=settings.database_pool_size)
    except OSError as exc:  # the SQLite file's folder cannot be created
        raise database_unavailable(url, exc) from None
    try:
        store.bind(plugins.models())
        applied = await store.migrate(plugins.migrations())
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        store.close()
        raise database_unavailable(url, exc) from None
    except BaseException:
        store.close()
        raise
    if applied:
        log.info("migrations_applied", migrations=applied)
    return store


@asynccontextmanager
async def open_context(settings: Settings) -> AsyncIterator[AppContext]:
    """Start a node's services; on exit, flush and stop them."""
    plugins = load_plugins(settings)
    store = await prepare_store(settings, plugins)
    try:
        demo = await accounts.seed_demo(store) if settings.demo else None
        snapshots = SnapshotStateStore(store)
        async with open_runtime(snapshots) as runtime:
            timers = Timers(runtime.registry)
            runtime.supervisor.start_child(ChildSpec("timers", timers.run))
            metrics = Metrics()
            metrics.add_sampler(lambda: _runtime_sample(runtime))
            metrics.add_sampler(lambda: {"vclinic_database_unavailable_total": (
                "Database calls that found the database unavailable (each a 503 or a retried "
                "background task)", float(store.outages))})
            mailer = Mailer(store, settings, on_failure=lambda final: metrics.email_failures
                            .labels(final=str(final).lower()).inc())
            runtime.supervisor.start_child(ChildSpec("mailer", mailer.run))
            metrics.add_refresher(outbox_gauges(store, metrics))
            # The bell and email are channels offered by a built-in plugin, like a plugin's SMS
            # channel; the service fans each notice out to every enabled channel.
            plugins.register(CoreChannels(store, runtime.bus, mailer), "notifications",
                             builtin=True)
            notifications = Notifications(plugins.notification_channels())
            metrics.registry.register(NotificationCollector(notifications))
            runtime.supervisor.start_child(ChildSpec("notifications", notifications.run))
            # Media workers stop after the plugins' shutdown hooks (which may still stop a
            # recording) and before the actors: they close rooms and finish recordings. They
            # tell a lost recording to its session actor through the registry, so the media
            # plane exists before the session model that uses it.
            async with open_media(settings, runtime.bus,
                                  functools.partial(recording_lost, runtime.registry),
                                  runtime.supervisor) as media:
                metrics.registry.register(MediaCollector(media))
                # The session model is core (every workflow's meetings use it), so the core
                # registers its actor kind; its actors use the timers for grace periods.
                sessions = SessionService(store, settings, plugins, runtime, timers, media,
                                          notifications)
                runtime.registry.register_kind("session", SessionActor.factory(sessions),
                                               mailbox_size=MAILBOX, restart=Restart.TRANSIENT)
                context = AppContext(
                    settings=settings, store=store, plugins=plugins, runtime=runtime,
                    metrics=metrics, demo=demo, sessions=sessions, mailer=mailer, media=media,
                    timers=timers, snapshots=snapshots, notifications=notifications,
                    limiter=accounts.SigninLockout(
                        accounts.SigninLimiter(settings.signin_attempts,
                                               settings.signin_window_seconds),
                        accounts.SigninLimiter(settings.signin_account_attempts,
                                               settings.signin_account_window_seconds),
                        key=sessions.link_key,
                    ),
                )
                # Plugin actor kinds are built for this node's services: their factories
                # receive the context instead of looking the node up later.
                register_actor_kinds(runtime, plugins, context)
                # Plugins start before sessions recover, so that their listeners hear the
                # events of recovery too.
                await plugins.startup(context)
                await sessions.recover()
                try:
                    yield context
                finally:
                    context.shutting_down.set()
                    await plugins.shutdown(context)
                    # Recordings are stored complete before the media workers exit.
                    await sessions.stop_recordings()
    finally:
        store.close()


def outbox_gauges(store: Store, metrics: Metrics) -> Callable[[], Awaitable[None]]:
    """The refresher of the email outbox's gauges (read from the database at scrape time)."""
    depth = metrics.gauge("vclinic_email_outbox_depth", "Emails waiting to be sent or retried")
    failed = metrics.gauge("vclinic_email_outbox_failed", "Emails given up on, in the outbox")
    oldest = metrics.gauge("vclinic_email_outbox_oldest_seconds",
                           "Age of the oldest email waiting to be sent (0: none)")

    async def refresh() -> None:
        stats = await store.run(outbox_statistics, utcnow())
        depth.set(stats.waiting)
        failed.set(stats.failed)
        oldest.set(stats.oldest_seconds)

    return refresh


def _runtime_sample(runtime: Runtime) -> dict[str, tuple[str, float]]:
    stats = runtime.statistics()
    return {
        "vclinic_actors": ("Actors alive on this node", float(stats.actors_alive)),
        "vclinic_actor_restarts_total": ("Actor restarts since start", float(stats.restarts)),
        "vclinic_actor_mailbox_depth": ("Messages queued in all mailboxes",
                                        float(stats.mailbox_depth)),
        "vclinic_bus_subscriptions_dropped_total": (
            "Live-event subscribers dropped for falling behind",
            float(stats.bus.dropped_subscribers)),
    }
