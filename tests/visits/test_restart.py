"""The server restarts mid-visit: the clock-in, the invite and the client's participant are in
the store, so on a new node on the same data_dir the employee joins again and the client's link
still leads to the same participant."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.fakes import Client, base_url, start_node
from tests.visits.home import API, Home, ok


async def test_restart_mid_visit_loses_nothing(tmp_path: Path) -> None:
    async with trio.open_nursery() as first:
        running = await start_node(first, tmp_path)
        home = await Home.open(base_url(running))
        visit = await home.visit()
        link = ok(await home.post(home.ada, visit["id"], "invite"))["link"]
        path = "/visits/join/" + link.rsplit("/", 1)[1]
        ok(await home.post(home.ada, visit["id"], "clock-in"))
        client = Client(home.base)
        assert (await client.http.get(path)).status_code == 303
        client.csrf = ok(await client.request("GET", "/api/v1/me"))["csrf_token"]
        session_id = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"][
            "session_id"]
        async with client.ws() as ws:
            first_pid = (await ws.request("session.enter", {"session_id": session_id}))[
                "data"]["you"]["id"]
        await client.aclose()
        await home.aclose()
        running.stop.set()

    async with trio.open_nursery() as second:
        running = await start_node(second, tmp_path)
        home = await Home.open(base_url(running))
        try:
            detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}"))["visit"]
            assert detail["clock_in_at"] and detail["session_id"] == session_id
            assert detail["last_invite_sent_at"]
            joined = ok(await home.post(home.ada, visit["id"], "join"))
            assert joined["session_id"] == session_id
            async with home.ada.ws() as ws:
                assert (await ws.request("session.enter",
                                         {"session_id": session_id}))["type"] == "reply"
            client = Client(home.base)
            try:
                followed = await client.http.get(path)
                assert followed.status_code == 303, followed.text
                client.csrf = ok(await client.request("GET", "/api/v1/me"))["csrf_token"]
                async with client.ws() as ws:
                    entered = await ws.request("session.enter", {"session_id": session_id})
                    assert entered["data"]["you"]["id"] == first_pid
            finally:
                await client.aclose()
        finally:
            await home.aclose()
            running.stop.set()
