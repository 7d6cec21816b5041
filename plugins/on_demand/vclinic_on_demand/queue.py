"""Helpers the routes and /ws handlers share to reach an organisation's QueueActor."""

from __future__ import annotations

from typing import Any

import trio

from vclinic.api import AppContext

#: Longest a request waits for the queue's answer (a claim creates a session).
CALL_DEADLINE = 15.0


KIND = "queue"


async def call(app: AppContext, org_id: str, command: Any) -> Any:
    with trio.fail_after(CALL_DEADLINE):
        return await app.ref(KIND, org_id).call(command)


def send_nowait(app: AppContext, org_id: str, command: Any) -> None:
    app.ref(KIND, org_id).send_nowait(command)
