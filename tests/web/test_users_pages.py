"""``GET /api/v1/users`` page by page with cursors, on a real node, past 200 users."""

from __future__ import annotations

from typing import Any

from tests.fakes import ADMIN, Client


async def _pages(client: Client, limit: int) -> list[dict[str, Any]]:
    """Every page of the users list, following ``next_cursor`` (bounded)."""
    pages: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": limit}
    for _ in range(50):
        response = await client.request("GET", "/api/v1/users", params=query)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if pages[-1]["next_cursor"] is None:
            return pages
        query = {"limit": limit, "cursor": pages[-1]["next_cursor"]}
    raise AssertionError("the users list never ended")


async def test_an_admin_pages_through_every_user_past_two_hundred(client: Client) -> None:
    await client.signin(ADMIN)
    for n in range(205):
        made = await client.request("POST", "/api/v1/users", json={
            "email": f"nurse{n:03d}@example.org", "name": f"Nurse {n:03d}", "role": "staff",
            "password": "correct horse battery"})
        assert made.status_code == 201, made.text
    first = (await client.request("GET", "/api/v1/users")).json()
    total = first["total"]
    assert total >= 205 and len(first["users"]) == 50 and first["next_cursor"]

    pages = await _pages(client, 200)
    assert [len(p["users"]) for p in pages] == [200, total - 200]
    assert {p["total"] for p in pages} == {total}
    listed = [u for p in pages for u in p["users"]]
    # Every user exactly once, by name as on the admin page.
    assert len({u["id"] for u in listed}) == total
    assert [u["name"] for u in listed] == sorted(u["name"] for u in listed)
    assert {f"nurse{n:03d}@example.org" for n in range(205)} <= {u["email"] for u in listed}
    # Small pages give the same list.
    assert [u["id"] for p in await _pages(client, 37) for u in p["users"]] == [
        u["id"] for u in listed]


async def test_bad_paging_input_gets_clear_errors(client: Client) -> None:
    await client.signin(ADMIN)
    for params in ({"cursor": "not-a-cursor"}, {"cursor": "eyJhZnRlciI6Im5vYm9keSJ9"}):
        refused = await client.request("GET", "/api/v1/users", params=params)
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid_cursor"
    for limit in (0, 201, "many"):
        refused = await client.request("GET", "/api/v1/users", params={"limit": limit})
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid_body"
