"""The vclinic plugin API: every hook a plugin may implement; owned by the plugin host.

Hooks are named ``vclinic_*`` and implemented with ``@vclinic.api.hookimpl``. Each docstring
says what the parameters are, whether the hook is ``firstresult``, who calls it and when, and
whether the implementation may block or do I/O. ``docs/plugins.md`` documents each hook with an
example; ``tests/plugins/test_docs.py`` fails when one is missing there.

The host (:class:`vclinic.plugins.host.PluginHost`) calls implementations one plugin at a time,
so that a failure names the plugin. Registration hooks (``vclinic_register_*``,
``vclinic_static_dirs``) run once while the server starts, before it accepts connections: an
exception there stops the start with a :class:`vclinic.errors.PluginError` naming the plugin.
Hooks called while serving say below what happens when they raise. Hook wrappers
(``wrapper=True``/``hookwrapper=True``) are not supported; ``tryfirst``/``trylast`` order
implementations as in pluggy.

Changing a hook's signature or meaning changes :data:`vclinic.PLUGIN_API_VERSION`: adding a hook
bumps the minor number, anything a written plugin could notice bumps the major one.
"""

# Hookspecs are signatures only: pluggy never calls their bodies.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import os

    import peewee
    from quart import Blueprint

    from vclinic.accounts import Principal
    from vclinic.context import AppContext
    from vclinic.events import DomainEvent
    from vclinic.plugins.contract import (
        ActorKind,
        CallPage,
        DashboardSection,
        JoinDecision,
        Migration,
        NotificationChannel,
        PluginMeta,
        WsHandler,
    )
    from vclinic.sessions.service import SessionRef

PROJECT_NAME = "vclinic"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def vclinic_plugin_info() -> PluginMeta | None:
    """Describe the plugin for ``vclinic plugins`` and the admin UI.

    Parameters: none. Not firstresult: each plugin answers for itself; the plugin's name is always
    the name it was installed under (its entry-point name or file name), not something it returns.

    Called by the host when the installed plugins are listed (``PluginHost.installed()``), only for
    enabled plugins. Must not block or do I/O; return a constant.
    """


@hookspec
def vclinic_register_blueprints() -> list[Blueprint]:
    """Add HTTP routes and pages as quart ``Blueprint`` objects.

    Parameters: none. Not firstresult: the blueprints of every enabled plugin are registered.
    By convention a plugin's API lives under ``/api/v1/<plugin>/`` and its pages under
    ``/<plugin>/``; blueprint names must be unique across plugins.

    Called by the composition root once while the app is built, before it serves. May import
    modules but must not do network or database I/O; route handlers themselves are ``async`` and
    run in trio, where blocking calls belong in ``trio.to_thread.run_sync``.
    """


@hookspec
def vclinic_register_ws_handlers() -> Mapping[str, WsHandler]:
    """Add WebSocket message handlers, keyed by the message ``type`` they handle.

    Parameters: none. Returns ``{type: handler}`` where ``await handler(connection, message)``
    returns the reply body (a dict) or ``None``. Not firstresult: handlers of every enabled plugin
    are merged, and two plugins handling the same type (or a type the core handles) stop the
    start with an error naming both.

    Called by the composition root once while the ``/ws`` gateway is built, before it serves. Must
    not do I/O. Handlers run in the connection's trio task after the gateway validated the
    message's size and type: they may await, must not block, and should hand work to an actor.
    """


@hookspec
def vclinic_register_actor_kinds(services: AppContext) -> list[ActorKind]:
    """Add kinds of actors as child specs that the core's supervisor starts and restarts.

    Parameters: ``services`` is the node's :class:`vclinic.api.AppContext` (store, session
    service, timers, bus, registry...), already built: hand it to your actors through the
    factory (``functools.partial(MyActor, services=services)``) instead of looking it up later.
    A plugin may leave the parameter out. Each spec has ``kind`` (the address prefix, unique
    across plugins), ``factory`` (``factory(address, context)`` builds the actor of one
    address), ``mailbox_size`` and ``restart``. Not firstresult: all kinds are collected.

    Called by the composition root once per node after its services exist and before the
    plugins' start-up hooks, before it serves. Must not do I/O. Plugins never receive a nursery:
    their actors live under the core's supervision.
    """


@hookspec
def vclinic_register_models() -> list[type[peewee.Model]]:
    """Add peewee model classes to the store.

    Parameters: none. Not firstresult: all models are collected and the store binds each to
    the node's database (``Store.bind``), whatever database its ``Meta`` names, so a plain
    ``peewee.Model`` works; table names must start with the plugin's name and be unique.

    Called by the composition root once while the store is opened, before migrations run. Must
    not do I/O; the store creates tables through migrations, never from this hook.
    """


@hookspec
def vclinic_register_migrations() -> list[Migration]:
    """Add versioned schema migrations for the plugin's models.

    Parameters: none. Each migration has an ``id`` unique across plugins (prefix it with the
    plugin's name, ``"visits.0001_create_clock"``) and ``apply(database)``. Not firstresult.

    Called by the composition root once at start-up (and by ``vclinic migrate``); the store then
    runs, in the order returned, every migration whose id it has not recorded. The hook must not
    do I/O; ``apply`` does, synchronously, in the store's database thread.
    """


@hookspec
def vclinic_dashboard_sections(principal: Principal) -> list[DashboardSection]:
    """Add sections to the signed-in user's dashboard.

    Parameters: ``principal`` is the signed-in user (id, organisation and roles); return only the
    sections this principal may see. Not firstresult: sections of all plugins are merged and
    sorted by ``order``; ids must be unique.

    Called by the dashboard route each time a dashboard page is requested. Must not block or do
    I/O (decide from the principal's roles); the section's JavaScript module fetches its data. A
    plugin raising here is logged and its sections are left out; the page still renders.
    """


@hookspec
def vclinic_static_dirs() -> Mapping[str, os.PathLike[str] | str]:
    """Serve folders of static files (the plugin's JavaScript modules, CSS, images).

    Parameters: none. Returns ``{url_prefix: folder}``, e.g.
    ``{"/static/hello": <package>/static}``; prefixes start with ``/`` and are unique across
    plugins, folders must exist. Not firstresult.

    Called by the composition root once while the app is built, before it serves. Must not do
    I/O beyond locating the folder.
    """


@hookspec(firstresult=True)
def vclinic_join_policy(session: SessionRef, principal: Principal
                        ) -> JoinDecision | Awaitable[Any] | None:
    """Decide whether ``principal`` may join ``session``, or return ``None`` to abstain.

    Parameters: ``session`` is the session being joined (id, kind, organisation, service);
    ``principal`` is who asks (a user or an invited guest, with their role). firstresult: the first
    plugin returning a decision wins and later ones are not asked; when all abstain the core's own
    rules decide. Example: the Visits clock-in gate refuses patients until the provider clocked in.

    Called by the session gateway each time someone asks to join, before the session actor sees
    the request. May be ``async def`` (the host awaits it) and may do I/O through trio (store
    queries in ``trio.to_thread.run_sync``); must not block. A policy that raises refuses the join
    (the host fails closed) and is logged with the plugin's name.
    """


@hookspec(firstresult=True)
def vclinic_call_page(session: SessionRef, principal: Principal
                      ) -> CallPage | Awaitable[Any] | None:
    """Tell the core call page what Hang Up does for ``principal`` in ``session`` (a
    :class:`CallPage`), or return ``None`` to keep the default (Hang Up only leaves).

    Parameters: as ``vclinic_join_policy``. firstresult. Example: in a visit's session the
    assigned employee's Hang Up warns, then POSTs ``/visits/<id>/end`` and shows the seed's
    "Your session with the client is over. You can now close the page."; the employee is told
    when the client leaves.

    Called by the session model each time someone enters a session live, after the join
    policies allowed it; the answer goes to the call page in ``session.enter``'s
    ``call_page``. May be ``async def``; must not block. A hook that raises is logged with the
    plugin's name and the default call page is used.
    """


@hookspec
def vclinic_notification_channels() -> list[NotificationChannel]:
    """Add ways to deliver notifications (an SMS gateway, a chat webhook...).

    Parameters: none. Each channel has a ``name`` unique across plugins (the core's own are
    ``bell`` and ``email``, offered by the built-in plugin ``notifications`` through this same
    hook) and ``async send(notification)``, where ``notification`` is a
    :class:`vclinic.notifications.notice.Notice`. Not firstresult: every channel is enabled.

    Called by the composition root once while the notifications service is built, before it
    serves. The hook must not do I/O. The service then calls ``send`` for every notice, in the
    task of whoever sent it: a channel delivers the notices it can reach (a ``phone`` for SMS)
    and returns at once for the others; it may do network I/O through trio and must not
    block. Raising makes the service retry the delivery later (a few times, with backoff).
    """


@hookspec
def vclinic_on_startup(app_context: AppContext) -> Awaitable[Any] | None:
    """Run start-up work: open connections, check configuration, start listening for events.

    Parameters: ``app_context`` is the composition root's context (settings, store, runtime,
    plugin host). Not firstresult. May be ``def`` or ``async def``: the host awaits what it
    returns before calling the next plugin.

    Called by the composition root once, after every registration hook ran and the store is open,
    before the server accepts connections. May do I/O through trio. An exception stops the start
    with a ``PluginError`` naming the plugin; plugins after it are not started.
    """


@hookspec
def vclinic_on_shutdown(app_context: AppContext) -> Awaitable[Any] | None:
    """Release what ``vclinic_on_startup`` acquired.

    Parameters: ``app_context`` as for ``vclinic_on_startup``. Not firstresult. May be ``def`` or
    ``async def``; the host awaits it.

    Called by the composition root once when the server stops, after it stopped accepting
    connections, in the reverse order of start-up, and only for plugins whose start-up ran. May
    do I/O through trio. An exception is logged with the plugin's name and the others still run.
    """


@hookspec
def vclinic_on_event(event: DomainEvent, app_context: AppContext) -> None:
    """Listen to domain events: a session created, a participant joined, a request claimed...

    Parameters: ``event`` is a frozen dataclass (:class:`vclinic.events.DomainEvent`; its
    ``TYPE`` and class say what happened); it carries ids and codes, never patient data. The
    core emits every session event of :mod:`vclinic.events` (created, participant joined / left
    / removed / role changed, recording started / stopped, closed); workflow plugins emit their
    own (``docs/plugins.md`` lists them). ``app_context`` is the node's services, as given to
    ``vclinic_on_startup``: reach your own actor through it (``app_context.registry``) rather
    than through a module global; a listener may leave the parameter out. Not firstresult:
    every listener sees every event. Return nothing.

    Called by the host's ``emit``, synchronously, in the task that made the change (the actor
    that owns it; for ``SessionCreated``, whoever called the session service), after the
    change was stored. Plugins are started before the node serves or recovers sessions,
    so listeners hear every event of the node's life. Must not block, do I/O or await (an
    ``async def`` listener is an error): hand work to your own actor with ``send_nowait``. An
    exception is logged with the plugin's name and the event's type; the other listeners and
    the emitting actor carry on.
    """
