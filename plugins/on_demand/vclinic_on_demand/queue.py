"""Helpers the routes and /ws handlers share to reach an organisation's QueueActor."""

from __future__ import annotations

from typing import Any

import trio

from vclinic.actors import Address

#: Longest a request waits for the queue's answer (a claim creates a session).
CALL_DEADLINE = 15.0


async def call(app: Any, org_id: str, command: Any) -> Any:
    with trio.fail_after(CALL_DEADLINE):
        return await app.runtime.registry.ref(Address("queue", org_id)).call(command)


def send_nowait(app: Any, org_id: str, command: Any) -> None:
    app.runtime.registry.ref(Address("queue", org_id)).send_nowait(command)
