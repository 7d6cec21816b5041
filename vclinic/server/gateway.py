"""The ``/ws`` gateway: one WebSocket per browser tab for signalling and live events.

The upgrade is refused (HTTP 401/403 with a JSON body) unless the handshake carries a valid
session (cookie, or ``Authorization: Bearer``) and, for browsers, an allowed ``Origin``. After
``accept`` the server sends a ``hello`` event; then each client message is validated
(:mod:`vclinic.server.protocol`) and dispatched to the handler registered for its type, one at a
time, so that a client's signalling stays in order. Events published on the bus for the user
(``user:<id>``) and for topics a handler subscribed the connection to are forwarded as events;
their ``data`` is encoded once per publish (:class:`~vclinic.actors.Published`) and only the
envelope with this connection's sequence number is written per connection.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import trio
from quart import Blueprint, Response, websocket

from vclinic import accounts
from vclinic.actors import Published, SubscriptionLost
from vclinic.context import AppContext
from vclinic.errors import Forbidden, Unauthorized, VclinicError
from vclinic.ids import new_id
from vclinic.log import get_logger
from vclinic.server import protocol
from vclinic.server.security import credential, ctx, origin_allowed, resolve_principal

log = get_logger("gateway")

#: Events queued for one client before it counts as too slow and is disconnected (code 1008),
#: so that a stalled tab never holds memory or blocks the actors that publish to it.
OUTBOX_SIZE = 256
#: Longest a handler may take to answer one message.
HANDLER_DEADLINE = 30.0

Handler = Callable[["Connection", protocol.Inbound], Awaitable[dict[str, Any] | None]]
#: An outgoing event: its type, its data, and the bus event it came from (if any), whose data
#: is encoded once for every connection that forwards it.
Outgoing = tuple[str, dict[str, Any], Published | None]


class Connection:
    """One open ``/ws`` connection; handlers use it to send events and to subscribe to topics."""

    def __init__(
        self, app: AppContext, principal: accounts.Principal, nursery: trio.Nursery
    ) -> None:
        self.id = new_id()
        self.app = app
        self.principal = principal
        self._nursery = nursery
        self._send, self.outbox = trio.open_memory_channel[Outgoing](OUTBOX_SIZE)
        self._topics: set[str] = set()
        self._after_reply: list[Callable[[], None]] = []
        self._on_close: list[Callable[[], None]] = []
        self.seq = 0

    def emit(self, kind: str, data: dict[str, Any], shared: Published | None = None) -> None:
        """Queue an event for this client; a client that falls too far behind is disconnected.
        ``shared``: the bus event ``data`` came from, to reuse its encoding."""
        try:
            self._send.send_nowait((kind, data, shared))
        except trio.WouldBlock:
            log.warning("ws_outbox_full", connection_id=self.id)
            self._nursery.cancel_scope.cancel()

    def after_reply(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the reply to the message being handled was sent (or failed).

        Replies are written by the reading task and events by the writing task; a handler uses
        this to let events that must follow its reply (a server offer after an answer) go out.
        """
        self._after_reply.append(callback)

    def run_after_reply(self) -> None:
        callbacks, self._after_reply = self._after_reply, []
        for callback in callbacks:
            callback()

    def subscribe(self, topic: str, until: Callable[[dict[str, Any]], bool] | None = None
                  ) -> None:
        """Forward the bus events of ``topic`` to this client until it disconnects, or until an
        event for which ``until(event)`` is true has been forwarded (e.g. "you were removed"),
        after which the topic may be subscribed again."""
        if topic in self._topics:
            return
        self._topics.add(topic)
        self._nursery.start_soon(self._forward, topic, until)

    def on_close(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once when this connection closes, however it ends. Callbacks run
        synchronously while the connection is torn down (possibly cancelled): they must not
        block; hand work to an actor with ``send_nowait``."""
        self._on_close.append(callback)

    def run_close_callbacks(self) -> None:
        """The connection ended: release held events, then run the close callbacks once."""
        self.run_after_reply()
        for callback in self._on_close:
            try:
                callback()
            except Exception:
                log.exception("ws_close_callback_failed", connection_id=self.id)
        self._on_close.clear()

    async def _forward(self, topic: str, until: Callable[[dict[str, Any]], bool] | None
                       ) -> None:
        # A subscription the bus dropped for falling behind ends with SubscriptionLost: the
        # client is told to reload what it shows, and the subscription starts again.
        try:
            while True:
                async with self.app.runtime.bus.subscribe(topic) as events:
                    async for item in events:
                        if isinstance(item, SubscriptionLost):
                            self.emit("resync", {"topic": topic})
                            break
                        if isinstance(item, dict):
                            self.emit(item["type"], item.get("data", {}),
                                      item if isinstance(item, Published) else None)
                            if until is not None and until(item):
                                return
                    else:
                        return
        finally:
            self._topics.discard(topic)

    def next_event(self, kind: str, data: dict[str, Any], shared: Published | None = None
                   ) -> str:
        """Number and serialise one event for the wire (reusing ``shared``'s encoded data)."""
        self.seq += 1
        if shared is not None:
            return protocol.event_with_data(self.seq, kind, shared.wire_data())
        return protocol.event(self.seq, kind, data)


async def _ping(conn: Connection, message: protocol.Inbound) -> dict[str, Any]:
    return {"pong": True}


BUILTIN_HANDLERS: dict[str, Handler] = {"ping": _ping}


def make_blueprint(handlers: Mapping[str, Handler]) -> Blueprint:
    """The ``/ws`` blueprint, dispatching to the built-in handlers and to ``handlers``."""
    table = {**BUILTIN_HANDLERS, **handlers}
    blueprint = Blueprint("gateway", __name__)

    @blueprint.websocket("/ws")
    async def ws() -> Response | None:
        app = ctx()
        if not origin_allowed(websocket, app.settings.origins):
            return _refuse(Forbidden("This page's origin may not connect.", code="bad_origin"))
        token, _ = credential(websocket)
        principal = None
        if token is not None:
            principal = await resolve_principal(app, token)
        if principal is None:
            return _refuse(Unauthorized("Sign in, or use your join link, to connect."))
        await websocket.accept()
        app.metrics.ws_connections.inc()
        app.metrics.ws_opened.inc()
        try:
            await _serve(app, principal, table)
        finally:
            app.metrics.ws_connections.dec()
        return None

    return blueprint


def _refuse(err: VclinicError) -> Response:
    return Response(
        json.dumps({"error": err.to_dict()}), status=err.status, content_type="application/json"
    )


async def _serve(app: AppContext, principal: accounts.Principal, table: Mapping[str, Handler]
                 ) -> None:
    async with trio.open_nursery() as nursery:
        conn = Connection(app, principal, nursery)
        logger = log.bind(connection_id=conn.id, user_id=principal.user_id)
        logger.info("ws_open")
        nursery.start_soon(_write, conn)
        nursery.start_soon(_close_on_shutdown, app, nursery)
        conn.subscribe(f"user:{principal.user_id}")
        conn.emit("hello", {
            "protocol": protocol.PROTOCOL_VERSION,
            "connection_id": conn.id,
            "user": {"id": principal.user_id, "roles": sorted(principal.roles),
                     **({"session_id": principal.guest_session_id} if principal.is_guest
                        else {})},
        })
        try:
            await _read(conn, table, logger)
        finally:
            logger.info("ws_close")
            conn.run_close_callbacks()
            nursery.cancel_scope.cancel()


async def _read(conn: Connection, table: Mapping[str, Handler], logger: Any) -> None:
    limit = conn.app.settings.ws_max_message_bytes
    while True:
        raw = await websocket.receive()
        try:
            message = protocol.parse(raw, limit)
        except protocol.ProtocolError as err:
            conn.app.metrics.ws_messages.labels(type="invalid", outcome="rejected").inc()
            await websocket.send(protocol.error(err.txn, err))
            continue
        handler = table.get(message.type)
        if handler is None:
            conn.app.metrics.ws_messages.labels(type="unknown", outcome="rejected").inc()
            await websocket.send(protocol.error(message.txn, protocol.unknown_type(message)))
            continue
        try:
            await websocket.send(await _dispatch(conn, handler, message, logger))
        finally:
            conn.run_after_reply()


async def _dispatch(conn: Connection, handler: Handler, message: protocol.Inbound,
                    logger: Any) -> str:
    try:
        with trio.fail_after(HANDLER_DEADLINE):
            result = await handler(conn, message)
    except VclinicError as err:
        conn.app.metrics.ws_messages.labels(type=message.type, outcome="error").inc()
        return protocol.error(message.txn, err)
    except trio.TooSlowError:
        conn.app.metrics.ws_messages.labels(type=message.type, outcome="error").inc()
        return protocol.error(message.txn, VclinicError("The server took too long to answer.",
                                                        code="timeout"))
    except Exception:
        conn.app.metrics.ws_messages.labels(type=message.type, outcome="error").inc()
        logger.exception("ws_handler_failed", type=message.type, txn_id=message.txn)
        return protocol.error(message.txn, VclinicError("Something went wrong on the server."))
    conn.app.metrics.ws_messages.labels(type=message.type, outcome="ok").inc()
    return protocol.reply(message.txn, result)


async def _write(conn: Connection) -> None:
    async for kind, data, shared in conn.outbox:
        await websocket.send(conn.next_event(kind, data, shared))


async def _close_on_shutdown(app: AppContext, nursery: trio.Nursery) -> None:
    await app.shutting_down.wait()
    await websocket.close(1001, "The server is restarting; reconnect shortly.")
    nursery.cancel_scope.cancel()
