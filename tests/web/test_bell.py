"""The notification bell: stored, listed with an unread count, pushed live, marked read."""

from __future__ import annotations

from tests.fakes import PROVIDER, PROVIDER_2, Client
from vclinic import notifications
from vclinic.server.run import Running


async def _user_id(client: Client) -> str:
    return str((await client.request("GET", "/api/v1/me")).json()["user"]["id"])


async def test_notification_arrives_live_and_is_marked_read(node: Running, client: Client
                                                           ) -> None:
    await client.signin(PROVIDER)
    user_id = await _user_id(client)
    ctx = node.context
    async with client.ws() as ws:
        await ws.next_event("hello")
        await notifications.notify(ctx.store, ctx.runtime.bus, user_id, "session.invited",
                                   "You were added to a session", {"session_id": "s1"})
        event = await ws.next_event("notification.created")
        assert event["data"]["title"] == "You were added to a session"
        assert event["data"]["read"] is False

        listing = (await client.request("GET", "/api/v1/notifications")).json()
        assert listing["unread"] == 1
        assert listing["notifications"][0]["id"] == event["data"]["id"]

        marked = await client.request("POST", "/api/v1/notifications/read",
                                      json={"ids": [event["data"]["id"]]})
        assert marked.json() == {"marked": 1, "unread": 0}
        read_event = await ws.next_event("notification.read")
        assert read_event["data"]["unread"] == 0


async def test_users_see_only_their_own_notifications(node: Running, client: Client) -> None:
    await client.signin(PROVIDER)
    ctx = node.context
    other = Client(client.base)
    try:
        await other.signin(PROVIDER_2)
        other_id = await _user_id(other)
        await notifications.notify(ctx.store, ctx.runtime.bus, other_id, "k", "For Grace")
        assert (await client.request("GET", "/api/v1/notifications")).json()["unread"] == 0
        theirs = (await other.request("GET", "/api/v1/notifications")).json()
        assert theirs["unread"] == 1
        # Marking someone else's notification read changes nothing.
        note_id = theirs["notifications"][0]["id"]
        mine = await client.request("POST", "/api/v1/notifications/read", json={"ids": [note_id]})
        assert mine.json()["marked"] == 0
        assert (await other.request("GET", "/api/v1/notifications")).json()["unread"] == 1
    finally:
        await other.aclose()


async def test_mark_all_read_and_bad_input(node: Running, client: Client) -> None:
    await client.signin(PROVIDER)
    user_id = await _user_id(client)
    ctx = node.context
    for title in ("One", "Two"):
        await notifications.notify(ctx.store, ctx.runtime.bus, user_id, "k", title)
    bad = await client.request("POST", "/api/v1/notifications/read", json={"ids": "all"})
    assert bad.status_code == 400
    assert (await client.request("GET", "/api/v1/notifications")).json()["unread"] == 2
    everything = await client.request("POST", "/api/v1/notifications/read", json={})
    assert everything.json() == {"marked": 2, "unread": 0}
    assert (await client.request("GET", "/api/v1/notifications")).status_code == 200
    anonymous = Client(client.base)
    try:
        assert (await anonymous.request("GET", "/api/v1/notifications")).status_code == 401
    finally:
        await anonymous.aclose()
