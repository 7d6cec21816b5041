"""Which node's services an actor or a hook runs for: AppContexts by their event bus.

Actor factories are registered before the plugins' start-up hook hands over the AppContext, and
one process may run several nodes (tests), so the ProviderActor finds its node through the bus
its ActorContext carries. Filled by ``vclinic_on_startup``, emptied by ``vclinic_on_shutdown``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vclinic.server.context import AppContext

_NODES: dict[int, AppContext] = {}


def attach(app: AppContext) -> None:
    _NODES[id(app.runtime.bus)] = app


def detach(app: AppContext) -> None:
    _NODES.pop(id(app.runtime.bus), None)


def for_bus(bus: Any) -> AppContext:
    app = _NODES.get(id(bus))
    if app is None:
        raise RuntimeError("the virtual clinic is not started on this node")
    return app
