"""An in-memory StateStore for tests and for running without a database.

Owned by whoever builds the runtime. Snapshots go through a JSON round trip on save and load, so
a state that would not survive the real store (objects, tuples turned lists...) fails here too,
and no caller can mutate a stored snapshot by keeping a reference.
"""

from __future__ import annotations

import json
from typing import Any

import trio

from vclinic.actors.address import Address


class MemoryStateStore:
    """Actor snapshots in a dict, lost when the process ends; implements StateStore."""

    def __init__(self) -> None:
        self._snapshots: dict[Address, str] = {}
        self.saves = 0  #: how many times ``save`` was called, for tests

    async def load(self, address: Address) -> dict[str, Any] | None:
        await trio.lowlevel.checkpoint()
        text = self._snapshots.get(address)
        return None if text is None else json.loads(text)

    async def save(self, address: Address, state: dict[str, Any]) -> None:
        text = json.dumps(state)
        await trio.lowlevel.checkpoint()
        self._snapshots[address] = text
        self.saves += 1

    def snapshot(self, address: Address) -> dict[str, Any] | None:
        """The stored state without awaiting: lets tests inspect what an actor saved."""
        text = self._snapshots.get(address)
        return None if text is None else json.loads(text)
