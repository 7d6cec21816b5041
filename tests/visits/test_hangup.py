"""Hanging up without ending: the client hanging up leaves the session open (the employee is
told, the client rejoins with the same link as the same participant); the employee closing the
tab ends nothing ("Join video session" again gets them back in)."""

from __future__ import annotations

import trio

from tests.fakes import Client
from tests.visits.home import API, Home, ok

WAIT = 10.0
HANG_UP_WARNING = ("Hanging up ends the video session with the client: no new video session can "
                   "be opened for this visit.")
OVER = "Your session with the client is over. You can now close the page."
CLIENT_LEFT = ("The client has left the session. The session stays open: the client can rejoin "
               "with the same link.")


async def _enter(client: Client, session_id: str) -> dict[str, object]:
    async with client.ws() as ws:
        reply = await ws.request("session.enter", {"session_id": session_id})
        assert reply["type"] == "reply", reply
        return reply["data"]  # type: ignore[no-any-return]


async def test_client_hang_up_keeps_the_session_and_the_link(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    session_id = ok(await home.post(home.ada, visit["id"], "join"))["session_id"]
    client = Client(home.base)
    try:
        assert (await client.http.get(link.removeprefix(home.base))).status_code == 303
        client.csrf = ok(await client.request("GET", "/api/v1/me"))["csrf_token"]
        async with home.ada.ws() as employee:
            entered = await employee.request("session.enter", {"session_id": session_id})
            assert entered["type"] == "reply", entered
            # The call page is told (vclinic_call_page) what the employee's Hang Up does and
            # what to say when the client leaves.
            assert entered["data"]["call_page"] == {
                "hang_up_confirm": HANG_UP_WARNING, "hang_up_path": f"/visits/{visit['id']}/end",
                "ended_title": OVER, "guest_left_notice": CLIENT_LEFT}
            async with client.ws() as ws:
                theirs = (await ws.request("session.enter", {"session_id": session_id}))["data"]
                assert "call_page" not in theirs  # the client's Hang Up only leaves
                you = theirs["you"]
                assert (await ws.request("session.leave", {"session_id": session_id}))[
                    "type"] == "reply"
            with trio.fail_after(WAIT):
                left = await employee.next_event("session.participant_left")
            assert left["data"]["participant_id"] == you["id"]
        # The visit's session is still on: the client comes back with the same link.
        detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
        assert detail["session_ended"] is False
        again = Client(home.base)
        try:
            assert (await again.http.get(link.removeprefix(home.base))).status_code == 303
            again.csrf = ok(await again.request("GET", "/api/v1/me"))["csrf_token"]
            back = await _enter(again, session_id)
            assert back["you"]["id"] == you["id"]  # type: ignore[index]
        finally:
            await again.aclose()
    finally:
        await client.aclose()


async def test_employee_closing_the_tab_can_join_again(home: Home) -> None:
    visit = await home.visit()
    ok(await home.post(home.ada, visit["id"], "invite-link"))
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    session_id = ok(await home.post(home.ada, visit["id"], "join"))["session_id"]
    first = await _enter(home.ada, session_id)  # the socket closes: the tab is gone
    joined = ok(await home.post(home.ada, visit["id"], "join"))
    assert joined["session_id"] == session_id
    second = await _enter(home.ada, session_id)
    assert second["you"]["id"] == first["you"]["id"]  # type: ignore[index]
