"""On PostgreSQL: many "Send invite to client" / "Copy invite link" clicks at once create one
virtual session, one link and one email per send (the VisitActor takes them one at a time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio

from tests.fakes import base_url, start_node
from tests.visits.home import API, Home, ok

pytestmark = pytest.mark.postgres


async def test_simultaneous_invites_make_one_session(nursery: trio.Nursery, tmp_path: Path,
                                                     postgres_url: str) -> None:
    node = await start_node(nursery, tmp_path, database_url=postgres_url)
    home = await Home.open(base_url(node))
    try:
        visit = await home.visit()
        answers: list[dict[str, Any]] = []

        async def click(action: str) -> None:
            answers.append(ok(await home.post(home.ada, visit["id"], action)))

        async with trio.open_nursery() as clicks:
            for i in range(8):
                clicks.start_soon(click, "invite" if i % 2 else "invite-link")
        assert len({a["visit"]["session_id"] for a in answers}) == 1
        assert len({a["link"] for a in answers}) == 1
        detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
        assert detail["session_id"] == answers[0]["visit"]["session_id"]
        sessions = ok(await home.ada.request("GET", "/api/v1/sessions"))["sessions"]
        assert [s["id"] for s in sessions if s["workflow"] == "visits"] == [detail["session_id"]]
    finally:
        await home.aclose()
