"""``GET /api/v1/sessions`` page by page with cursors, on a real node, past 200 sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes import Client
from tests.sessions.conftest import provider


async def _pages(client: Client, **query: Any) -> list[dict[str, Any]]:
    """Every page of the caller's sessions, following ``next_cursor`` (bounded)."""
    pages: list[dict[str, Any]] = []
    params = dict(query)
    for _ in range(50):
        response = await client.request("GET", "/api/v1/sessions", params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if pages[-1]["next_cursor"] is None:
            return pages
        params = {**query, "cursor": pages[-1]["next_cursor"]}
    raise AssertionError("the sessions list never ended")


async def test_a_provider_pages_through_all_their_sessions_past_two_hundred(
    clients: Callable[[], Client],
) -> None:
    chair = await provider(clients)
    made = []
    for n in range(205):
        created = await chair.request("POST", "/api/v1/sessions", json={
            "name": f"Team huddle {n:03d}", "access_level": "private"})
        assert created.status_code == 201, created.text
        made.append(created.json()["session"]["id"])
    # The first page, of the default size, says how many there are in all.
    first = (await chair.request("GET", "/api/v1/sessions")).json()
    assert first["total"] == 205 and len(first["sessions"]) == 50 and first["next_cursor"]

    pages = await _pages(chair, limit=200)
    assert [len(p["sessions"]) for p in pages] == [200, 5]
    listed = [s["id"] for p in pages for s in p["sessions"]]
    # Newest first, each exactly once.
    assert listed == made[::-1]
    assert all(s["your_role"] == "chair" for p in pages for s in p["sessions"])
    # A session closed while paging leaves the open list; pages around it stay whole.
    small = await _pages(chair, limit=60, status="open")
    assert [s["id"] for p in small for s in p["sessions"]] == listed
    closed = await chair.request("POST", f"/api/v1/sessions/{made[100]}/close")
    assert closed.status_code == 200, closed.text
    again = await _pages(chair, limit=60)
    assert [s["id"] for p in again for s in p["sessions"]] == [
        sid for sid in listed if sid != made[100]]
    assert again[0]["total"] == 204
    ended = await _pages(chair, status="closed")
    assert [s["id"] for p in ended for s in p["sessions"]] == [made[100]]


async def test_a_cursor_from_elsewhere_is_refused(clients: Callable[[], Client]) -> None:
    chair = await provider(clients)
    for cursor in ("%%%", "eyJhZnRlciI6Im5vYm9keSJ9"):
        refused = await chair.request("GET", "/api/v1/sessions", params={"cursor": cursor})
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid_cursor"
    refused = await chair.request("GET", "/api/v1/sessions", params={"limit": 500})
    assert refused.json()["error"]["code"] == "invalid_body"
