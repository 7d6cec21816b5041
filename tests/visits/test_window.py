"""The link window, rescheduling, clocking out and ending, through the API and /ws on a real
node; times are placed relative to now (the boundary itself is in test_rules.py)."""

from __future__ import annotations

import trio

from tests.fakes import Client
from tests.visits.home import API, Home, at, error, ok

EXPIRED = ("The link to the virtual session has expired (15 minutes after the scheduled end of "
           "the visit). Create a new visit and send a new invite to the client.")


async def _guest(home: Home, link: str) -> Client:
    client = Client(home.base)
    followed = await client.http.get(link.removeprefix(home.base))
    assert followed.status_code == 303, followed.text
    client.csrf = ok(await client.request("GET", "/api/v1/me"))["csrf_token"]
    return client


async def test_link_works_until_fifteen_minutes_after_the_end(home: Home) -> None:
    ended = await home.visit(start=-74, end=-14)
    link = ok(await home.post(home.ada, ended["id"], "invite-link"))["link"]
    client = await _guest(home, link)
    await client.aclose()

    expired = await home.visit(start=-76, end=-16)
    for action in ("invite", "invite-link", "join"):
        refused = error(await home.post(home.ada, expired["id"], action), 410)
        assert refused == {"code": "link_expired", "message": EXPIRED}


async def test_after_the_window_neither_side_can_join(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    client = await _guest(home, link)
    try:
        session_id = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"][
            "session_id"]
        # The visit is moved so that it ended 20 minutes ago: the window is over.
        ok(await home.admin.request("PATCH", f"{API}/{visit['id']}",
                                    json={"starts_at": at(-80), "ends_at": at(-20)}))
        assert error(await home.post(home.ada, visit["id"], "join"), 410)["message"] == EXPIRED
        async with home.ada.ws() as ws:
            entered = await ws.request("session.enter", {"session_id": session_id})
            assert entered["error"]["code"] == "link_expired", entered
        # The move replaced the link: the client who followed it was removed with it, so their
        # sign-in no longer connects; the link itself says it expired.
        assert (await client.request("GET", "/api/v1/me")).status_code == 401
        page = await client.http.get(link.removeprefix(home.base),
                                     headers={"Accept": "text/html"})
        assert page.status_code == 410 and "This link has expired." in page.text
    finally:
        await client.aclose()


async def test_reschedule_stops_the_old_link_and_tells_to_resend(home: Home) -> None:
    visit = await home.visit()
    old = ok(await home.post(home.ada, visit["id"], "invite"))["link"]
    async with home.ada.ws() as ws:
        await ws.next_event("hello")  # the socket hears the employee's bell from here on
        changed = ok(await home.admin.request("PATCH", f"{API}/{visit['id']}",
                                              json={"starts_at": at(30), "ends_at": at(90)}))
        with trio.fail_after(10):
            told = (await ws.next_event("notification.created"))["data"]
    assert told["title"] == changed["message"]
    assert told["data"]["visit_id"] == visit["id"]
    assert changed["message"] == ("The time of the visit was changed: you will need to resend "
                                  "the invite to the client.")
    assert changed["visit"]["resend_needed"] is True
    client = Client(home.base)
    try:
        refused = await client.http.get(old.removeprefix(home.base),
                                        headers={"Accept": "application/json"})
        assert refused.status_code == 410
        assert refused.json()["error"]["code"] == "link_replaced"
        assert not client.cookie
    finally:
        await client.aclose()
    new = ok(await home.post(home.ada, visit["id"], "invite"))
    assert new["link"] != old and new["visit"]["resend_needed"] is False
    await (await _guest(home, new["link"])).aclose()


async def test_admin_gets_clear_errors_and_nothing_half_written(home: Home) -> None:
    client_id, code_id = await home.client(), await home.code()
    good = {"client_id": client_id, "employee_id": home.ada_id, "service_code_id": code_id,
            "starts_at": at(0), "ends_at": at(60)}
    cases = [({"ends_at": at(-10)}, "invalid_times"),
             ({"starts_at": "2026-12-04T09:00:00"}, "invalid_times"),
             ({"employee_id": "nobody"}, "invalid_employee"),
             ({"client_id": "nobody"}, "client_not_found"),
             ({"service_code_id": "nobody"}, "invalid_service_code")]
    before = ok(await home.admin.request("GET", API, params={"employee_id": home.ada_id}))
    for change, code in cases:
        response = await home.admin.request("POST", API, json=good | change)
        assert response.status_code in (400, 404), response.text
        assert response.json()["error"]["code"] == code
    after = ok(await home.admin.request("GET", API, params={"employee_id": home.ada_id}))
    assert after["visits"] == before["visits"]
    bad_email = await home.admin.request("POST", f"{API}/clients", json={
        "first_name": "A", "last_name": "B", "email": "not an email"})
    assert bad_email.status_code == 400
    # Employees cannot manage visits.
    assert (await home.ada.request("POST", API, json=good)).status_code == 403
    visit = ok(await home.admin.request("POST", API, json=good), 201)["visit"]
    moved = await home.admin.request("PATCH", f"{API}/{visit['id']}",
                                     json={"ends_at": at(-30)})
    assert moved.json()["error"]["code"] == "invalid_times"
    unchanged = ok(await home.admin.request("GET", f"{API}/{visit['id']}"))["visit"]
    assert unchanged["ends_at"] == visit["ends_at"]


async def test_reassign_and_cancel(home: Home) -> None:
    visit = await home.visit()
    ok(await home.post(home.ada, visit["id"], "invite-link"))
    moved = ok(await home.admin.request("PATCH", f"{API}/{visit['id']}",
                                        json={"employee_id": home.grace_id}))
    assert moved["visit"]["employee"]["id"] == home.grace_id
    assert error(await home.post(home.ada, visit["id"], "invite-link"), 403)["code"] == \
        "not_assigned"
    ok(await home.post(home.grace, visit["id"], "invite-link"))
    ok(await home.admin.request("POST", f"{API}/{visit['id']}/cancel"))
    assert error(await home.post(home.grace, visit["id"], "invite-link"), 410)["code"] == \
        "visit_cancelled"


async def test_clock_out_warns_while_the_session_is_active_then_ends_it(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    warned = error(await home.post(home.ada, visit["id"], "clock-out"), 409)
    assert warned["code"] == "session_still_active"
    done = ok(await home.post(home.ada, visit["id"], "clock-out", {"confirm": True}))["visit"]
    assert done["clock_out_at"] and done["session_ended"] is True
    # No new virtual session for this visit, and the client's link is over.
    assert error(await home.post(home.ada, visit["id"], "invite-link"), 410)["code"] == \
        "session_over"
    client = Client(home.base)
    try:
        page = await client.http.get(link.removeprefix(home.base),
                                     headers={"Accept": "text/html"})
        assert page.status_code == 410
        assert "This visit is over. You can now close the page." in page.text
    finally:
        await client.aclose()


async def test_employee_hang_up_ends_the_session_for_good(home: Home) -> None:
    visit = await home.visit()
    ok(await home.post(home.ada, visit["id"], "invite-link"))
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    ended = ok(await home.post(home.ada, visit["id"], "end"))
    assert ended["message"] == "Your session with the client is over. You can now close the page."
    assert error(await home.post(home.ada, visit["id"], "join"), 410)["code"] == "session_over"
    # Still clocked in: clocking out now gives no warning.
    assert ok(await home.post(home.ada, visit["id"], "clock-out"))["visit"]["clock_out_at"]


async def test_cancelling_a_visit_ends_its_call(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite-link"))["link"]
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    session_id = ok(await home.post(home.ada, visit["id"], "join"))["session_id"]
    async with home.ada.ws() as ws:
        assert (await ws.request("session.enter", {"session_id": session_id}))["type"] == "reply"
        ok(await home.admin.request("POST", f"{API}/{visit['id']}/cancel"))
        closed = await ws.next_event("session.closed")
        assert closed["data"]["session_id"] == session_id
    client = Client(home.base)
    try:
        page = await client.http.get(link.removeprefix(home.base),
                                     headers={"Accept": "text/html"})
        assert page.status_code == 410 and "This visit was cancelled." in page.text
    finally:
        await client.aclose()


async def test_reschedule_removes_a_client_in_the_call_with_the_old_link(home: Home) -> None:
    visit = await home.visit()
    link = ok(await home.post(home.ada, visit["id"], "invite"))["link"]
    ok(await home.post(home.ada, visit["id"], "clock-in"))
    session_id = ok(await home.post(home.ada, visit["id"], "join"))["session_id"]
    client = await _guest(home, link)
    try:
        async with home.ada.ws() as employee, client.ws() as ws:
            assert (await employee.request("session.enter", {"session_id": session_id}))[
                "type"] == "reply"
            you = (await ws.request("session.enter", {"session_id": session_id}))["data"]["you"]
            ok(await home.admin.request("PATCH", f"{API}/{visit['id']}",
                                        json={"starts_at": at(30), "ends_at": at(90)}))
            with trio.fail_after(10):
                removed = (await ws.next_event("session.removed"))["data"]
            assert removed == {
                "participant_id": you["id"], "reason": "link_replaced",
                "message": ("The time of this visit changed, so the link you joined with no "
                            "longer works. Use the link in the newest invite from your care "
                            "provider.")}
            with trio.fail_after(10):
                seen = (await employee.next_event("session.removed"))["data"]
            assert seen["participant_id"] == you["id"]
        # The old sign-in no longer works; the employee's session stays open.
        assert (await client.request("GET", "/api/v1/me")).status_code == 401
        detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
        assert detail["session_ended"] is False and detail["resend_needed"] is True
        # The resent link works: the client is back in the same session.
        fresh = await _guest(home, ok(await home.post(home.ada, visit["id"], "invite"))["link"])
        try:
            async with fresh.ws() as ws:
                back = await ws.request("session.enter", {"session_id": session_id})
                assert back["type"] == "reply", back
        finally:
            await fresh.aclose()
    finally:
        await client.aclose()
