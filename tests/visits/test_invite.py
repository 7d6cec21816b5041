"""Virtual visits through the API and /ws on a real node: who may invite, the client without an
email, Copy invite link, the clock-in gate, the client following the link and entering."""

from __future__ import annotations

from tests.fakes import Client
from tests.visits.home import API, Home, error, ok


async def test_only_the_assigned_employee_can_invite(home: Home) -> None:
    visit = await home.visit()
    for action in ("invite", "invite-link"):
        refused = error(await home.post(home.grace, visit["id"], action), 403)
        assert refused == {"code": "not_assigned", "message": "You need to be assigned to the "
                           "visit to be able to send an invitation to the client."}
    # Nothing was created by the refusals.
    detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
    assert detail["session_id"] is None and detail["last_invite_sent_at"] is None


async def test_client_without_email_cannot_be_emailed_but_the_link_can_be_copied(
        home: Home) -> None:
    visit = await home.visit(email=None)
    refused = error(await home.post(home.ada, visit["id"], "invite"), 409)
    assert refused["message"] == "The client does not have an email address."
    detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
    assert detail["session_id"] is None
    copied = ok(await home.post(home.ada, visit["id"], "invite-link"))
    assert copied["link"].startswith(home.base + "/visits/join/")
    assert copied["visit"]["session_id"]
    # Copying again shows the same link and keeps the same session.
    again = ok(await home.post(home.ada, visit["id"], "invite-link"))
    assert again["link"] == copied["link"]
    assert again["visit"]["session_id"] == copied["visit"]["session_id"]


async def test_schedule_flags_virtual_visits(home: Home) -> None:
    virtual = await home.visit()
    in_person = await home.visit(virtual=False)
    mine = ok(await home.ada.request("GET", API))["visits"]
    flags = {v["id"]: v["virtual"] for v in mine}
    assert flags[virtual["id"]] is True and flags[in_person["id"]] is False
    theirs = {v["id"] for v in ok(await home.grace.request("GET", API))["visits"]}
    assert not theirs & flags.keys()
    refused = error(await home.post(home.ada, in_person["id"], "invite-link"), 409)
    assert refused["code"] == "not_virtual"


async def test_employee_must_clock_in_before_joining(home: Home) -> None:
    visit = await home.visit()
    ok(await home.post(home.ada, visit["id"], "invite-link"))
    refused = error(await home.post(home.ada, visit["id"], "join"), 403)
    assert refused["message"] == ("You must clock into the visit before you can join the video "
                                  "session.")
    session_id = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]["session_id"]
    async with home.ada.ws() as ws:
        # The gate holds at the gateway too, not only in the visit dialog.
        entered = await ws.request("session.enter", {"session_id": session_id})
        assert entered["type"] == "error" and entered["error"]["code"] == "not_clocked_in", entered
        ok(await home.post(home.ada, visit["id"], "clock-in"))
        joined = ok(await home.post(home.ada, visit["id"], "join"))
        assert joined["next"] == f"/preview?session={session_id}"
        entered = await ws.request("session.enter", {"session_id": session_id})
        assert entered["type"] == "reply", entered
    again = error(await home.post(home.ada, visit["id"], "clock-in"), 409)
    assert again["code"] == "already_clocked_in"


async def test_invite_can_come_after_clocking_in(home: Home) -> None:
    visit = await home.visit()
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    assert ok(await home.post(home.ada, visit["id"], "invite"))["visit"]["last_invite_sent_at"]


async def test_client_follows_the_link_into_the_session(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    client = Client(home.base)
    try:
        followed = await client.http.get(link.removeprefix(home.base))
        assert followed.status_code == 303, followed.text
        session_id = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"][
            "session_id"]
        assert followed.headers["location"] == f"/preview?session={session_id}"
        assert client.cookie
        me = ok(await client.request("GET", "/api/v1/me"))
        client.csrf = me["csrf_token"]
        async with client.ws() as ws:
            entered = await ws.request("session.enter", {"session_id": session_id})
            assert entered["type"] == "reply", entered
            assert entered["data"]["you"]["display_name"] == "Cora Client"
            first = entered["data"]["you"]["id"]
        # Following the same link again (the tab was closed) is the same participant.
        other = Client(home.base)
        try:
            assert (await other.http.get(link.removeprefix(home.base))).status_code == 303
            other.csrf = ok(await other.request("GET", "/api/v1/me"))["csrf_token"]
            async with other.ws() as ws:
                entered = await ws.request("session.enter", {"session_id": session_id})
                assert entered["data"]["you"]["id"] == first
        finally:
            await other.aclose()
    finally:
        await client.aclose()


async def test_unknown_link_says_it_is_not_valid(home: Home) -> None:
    client = Client(home.base)
    try:
        page = await client.http.get("/visits/join/not-a-real-token",
                                     headers={"Accept": "text/html"})
        assert page.status_code == 404
        assert "This link is not valid." in page.text
        assert not client.cookie
    finally:
        await client.aclose()


async def test_employee_following_the_link_keeps_their_sign_in(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    cookie = home.ada.cookie
    followed = await home.ada.http.get(link.removeprefix(home.base))
    assert followed.status_code == 303
    assert home.ada.cookie == cookie
    assert ok(await home.ada.request("GET", "/api/v1/me"))["user"]["id"] == home.ada_id
    detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
    assert followed.headers["location"] == f"/preview?session={detail['session_id']}"
