"""Session links: a guest joins with a display name, colleagues' link needs sign-in, links
survive a restart, a closed session's links are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.fakes import PROVIDER_2, Client, base_url, start_node
from tests.sessions.conftest import join_as_guest, provider, signed_in, start_session


async def test_guest_joins_with_a_display_name_and_reaches_only_their_session(clients) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    path = created["links"]["guest"]["path"]
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43 and sid not in token

    guest = clients()
    followed = await guest.request("GET", path)
    assert followed.status_code == 303 and followed.headers["location"] == "/join"
    assert token not in followed.headers["location"]
    info = (await guest.request("GET", "/api/v1/join")).json()
    assert info["session_name"] == created["session"]["name"]
    assert info["display_name_required"] is True and info["sign_in_required"] is False
    blank = await guest.request("POST", "/api/v1/join", json={"display_name": "   "})
    assert blank.status_code == 400 and blank.json()["error"]["code"] == "invalid_name"
    joined = await guest.request("POST", "/api/v1/join", json={"display_name": "Pat Guest"})
    assert joined.status_code == 200
    assert joined.json()["next"] == f"/preview?session={sid}"
    guest.csrf = joined.json()["csrf_token"]

    me = (await guest.request("GET", "/api/v1/me")).json()
    assert me["user"]["name"] == "Pat Guest" and me["user"]["roles"] == ["guest"]
    assert me["user"]["session_id"] == sid and "email" not in me["user"]
    for path_ in ("/api/v1/organisation", "/api/v1/notifications", "/api/v1/sessions",
                  "/api/v1/providers"):
        refused = await guest.request("GET", path_)
        assert refused.status_code == 403, path_
    assert (await guest.request("POST", "/api/v1/patients/search", json={"q": ""})
            ).status_code == 403
    assert (await guest.request("GET", f"/api/v1/sessions/{sid}")).status_code == 200
    other = (await start_session(chair))["session"]["id"]
    assert (await guest.request("GET", f"/api/v1/sessions/{other}")).status_code == 403
    async with guest.ws() as ws:
        hello = await ws.next_event("hello")
        assert hello["data"]["user"]["roles"] == ["guest"]
        refused_ws = await ws.request("session.enter", {"session_id": other})
        assert refused_ws["type"] == "error"
        entered = await ws.request("session.enter", {"session_id": sid})
        assert entered["data"]["you"]["display_name"] == "Pat Guest"
        assert entered["data"]["you"]["kind"] == "guest"


async def test_colleagues_link_requires_sign_in(clients) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    assert created["links"]["practice"]["path"] == f"/preview?session={sid}"
    anonymous = clients()
    assert (await anonymous.request("GET", f"/api/v1/sessions/{sid}")).status_code == 401
    colleague = await signed_in(clients, PROVIDER_2)
    assert (await colleague.request("GET", f"/api/v1/sessions/{sid}")).status_code == 200
    # A colleague already signed in who follows the guest link goes to the preview, not /join.
    followed = await colleague.request("GET", created["links"]["guest"]["path"])
    assert followed.headers["location"] == f"/preview?session={sid}"
    async with colleague.ws() as ws:
        you = (await ws.request("session.enter", {"session_id": sid}))["data"]["you"]
        assert you["kind"] == "practice" and you["role"] == "broadcaster"


async def test_session_and_links_survive_a_server_restart(tmp_path: Path) -> None:
    async with trio.open_nursery() as nursery:
        first = await start_node(nursery, tmp_path)
        chair = Client(base_url(first))
        await chair.signin("dr.ada@demo.clinic")
        created = await start_session(chair)
        guest = Client(base_url(first))
        followed = await guest.request("GET", created["links"]["guest"]["path"])
        assert followed.status_code == 303
        pat = (await guest.request("POST", "/api/v1/join", json={"display_name": "Pat"})).json()
        guest_cookie = guest.cookie
        async with guest.ws() as ws:
            await ws.request("session.enter", {"session_id": created["session"]["id"]})
        await chair.aclose()
        await guest.aclose()
        first.stop.set()
    async with trio.open_nursery() as nursery:
        second = await start_node(nursery, tmp_path, ws_grace_seconds=0.2)
        sid = created["session"]["id"]
        chair = Client(base_url(second))
        await chair.signin("dr.ada@demo.clinic")
        # Pat was in the call when the node stopped: after the grace period, Pat has left.
        with trio.fail_after(10):
            while True:
                detail = (await chair.request("GET", f"/api/v1/sessions/{sid}")).json()
                states = {p["id"]: p["state"] for p in detail["participants"]}
                if states[pat["participant_id"]] == "left":
                    break
                await trio.sleep(0.05)
        listed = (await chair.request("GET", "/api/v1/sessions")).json()["sessions"]
        assert [s["id"] for s in listed] == [sid]
        links = (await chair.request("GET", f"/api/v1/sessions/{sid}/links")).json()
        assert links["guest"]["path"] == created["links"]["guest"]["path"]
        newcomer = Client(base_url(second))
        assert (await newcomer.request("GET", links["guest"]["path"])).status_code == 303
        assert (await newcomer.request("POST", "/api/v1/join", json={
            "display_name": "Sam"})).status_code == 200
        returning = Client(base_url(second))
        returning.http.cookies.set("vclinic_session", guest_cookie)
        assert (await returning.request("GET", "/api/v1/me")).json()["user"]["name"] == "Pat"
        for client in (chair, newcomer, returning):
            await client.aclose()
        second.stop.set()


async def test_closed_session_links_are_refused_with_a_clear_message(clients, media) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    path = created["links"]["guest"]["path"]
    guest, _ = await join_as_guest(clients, path)
    async with guest.ws() as ws:
        await ws.request("session.enter", {"session_id": sid})
        closed = await chair.request("POST", f"/api/v1/sessions/{sid}/close")
        assert closed.status_code == 200 and closed.json()["session"]["status"] == "closed"
        assert (await ws.next_event("session.closed"))["data"] == {"session_id": sid}
    assert ("close_room", sid) in media.calls
    late = clients()
    refused = await late.request("GET", path)
    assert refused.status_code == 410
    assert refused.json()["error"]["code"] == "session_closed"
    assert "ended" in refused.json()["error"]["message"]
    assert (await guest.request("GET", "/api/v1/me")).status_code == 401
    async with chair.ws() as ws:
        again = await ws.request("session.enter", {"session_id": sid})
        assert again["error"]["code"] == "session_closed"
    assert (await chair.request("POST", f"/api/v1/sessions/{sid}/close")).status_code == 410
    assert (await chair.request("GET", "/api/v1/sessions")).json()["sessions"] == []


async def test_a_replaced_link_stops_working(clients) -> None:
    chair = await provider(clients)
    created = await start_session(chair)
    sid = created["session"]["id"]
    rotated = await chair.request("POST", f"/api/v1/sessions/{sid}/links/rotate")
    assert rotated.status_code == 200
    new_path = rotated.json()["guest"]["path"]
    assert new_path != created["links"]["guest"]["path"]
    old = await clients().request("GET", created["links"]["guest"]["path"])
    assert old.status_code == 410 and old.json()["error"]["code"] == "link_revoked"
    assert (await clients().request("GET", new_path)).status_code == 303
    unknown = await clients().request("GET", "/join/not-a-real-token")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "link_invalid"
