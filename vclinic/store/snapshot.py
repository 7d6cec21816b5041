"""Actor persistence on the store: the last state of each actor, by address.

The actor runtime owns when to save; this class only reads and writes ``actor_snapshots`` rows.
States are JSON documents (dicts of ids, numbers and strings), versioned by a counter that each
save increments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vclinic.store.database import Store
from vclinic.store.field import utcnow
from vclinic.store.model import ActorSnapshot

if TYPE_CHECKING:
    from vclinic.actors.address import Address


def _load(address: str) -> dict[str, Any] | None:
    row = ActorSnapshot.get_or_none(ActorSnapshot.address == address)
    return None if row is None else dict(row.state)


def _save(address: str, state: dict[str, Any]) -> None:
    now = utcnow()
    (
        ActorSnapshot.insert(address=address, state=state, version=1, updated_at=now)
        .on_conflict(
            conflict_target=[ActorSnapshot.address],
            update={
                ActorSnapshot.state: state,
                ActorSnapshot.version: ActorSnapshot.version + 1,
                ActorSnapshot.updated_at: now,
            },
        )
        .execute()
    )


def _delete(address: str) -> bool:
    return bool(ActorSnapshot.delete().where(ActorSnapshot.address == address).execute())


def _of_kind(kind: str) -> dict[str, dict[str, Any]]:
    prefix = f"{kind}:"
    rows = ActorSnapshot.select(ActorSnapshot.address, ActorSnapshot.state).where(
        ActorSnapshot.address.startswith(prefix))
    return {row.address[len(prefix):]: dict(row.state) for row in rows
            if isinstance(row.state, dict)}


def _version(address: str) -> int | None:
    row = ActorSnapshot.get_or_none(ActorSnapshot.address == address)
    return None if row is None else int(row.version)


class SnapshotStateStore:
    """Saves and loads actor states in the ``actor_snapshots`` table; shared by all actors."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def load(self, address: Address | str) -> dict[str, Any] | None:
        """The last state saved for ``address``, or None if it never saved one."""
        return await self.store.run(_load, str(address))

    async def save(self, address: Address | str, state: dict[str, Any]) -> None:
        """Replace the state saved for ``address`` (one atomic upsert)."""
        if not isinstance(state, dict):
            raise TypeError("an actor state must be a dict")
        await self.store.run(_save, str(address), state)

    async def delete(self, address: Address | str) -> bool:
        """Forget ``address`` (an actor that finished for good); True if it had a state."""
        return await self.store.run(_delete, str(address))

    async def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        """The saved states of every actor of ``kind``, by actor id (at start-up, to wake the
        actors that have work pending)."""
        return await self.store.run(_of_kind, kind)

    async def version(self, address: Address | str) -> int | None:
        """How many times ``address`` was saved, or None if never."""
        return await self.store.run(_version, str(address))
