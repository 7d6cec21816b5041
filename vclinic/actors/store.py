"""The persistence seam of actors: where an actor saves its state and finds it after a restart.

The composition root injects one implementation: MemoryStateStore (vclinic.actors.memory) in
tests, a peewee-backed one (table ActorSnapshot, in vclinic.store) in production.
"""

from __future__ import annotations

from typing import Any, Protocol

from vclinic.actors.address import Address


class StateStore(Protocol):
    """Snapshots of actor state keyed by address; shared by every actor of a runtime.

    States are JSON-compatible dicts (ids and values, no objects). ``save`` replaces the previous
    snapshot; ``load`` returns None for an actor that never saved. Both may do I/O.
    """

    async def load(self, address: Address) -> dict[str, Any] | None:
        """The last snapshot saved for ``address``, or None."""
        ...

    async def save(self, address: Address, state: dict[str, Any]) -> None:
        """Replace the snapshot for ``address`` with ``state``."""
        ...
