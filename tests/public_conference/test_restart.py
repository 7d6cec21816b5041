"""A patient clicking their link twice at once is one participant, and the server restarting
loses nothing: links, the patient's participant and the public link live in the store."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.fakes import Client, base_url, start_node
from tests.public_conference.office import API, Office, error, ok


async def _participant(browser: Client, path: str) -> str:
    assert (await browser.http.get(path)).status_code == 303
    return str(ok(await browser.request("GET", "/api/v1/me"))["user"]["participant_id"])


async def test_two_clicks_at_once_make_one_participant(office: Office) -> None:
    event = (await office.event())["event"]
    path = await office.link(event, "Pat Patient")
    browsers = [Client(office.base) for _ in range(2)]
    found: list[str] = []
    try:
        async with trio.open_nursery() as clicks:
            for browser in browsers:
                clicks.start_soon(lambda b=browser: _record(found, b, path))
        assert len(found) == 2 and found[0] == found[1]
        session = ok(await office.ada.request("GET", f"/api/v1/sessions/{event['session_id']}"))
        # One guest participant for Pat in the session's roster, not one per click.
        names = [p["display_name"] for p in session["participants"] if p["kind"] == "guest"]
        assert names == ["Pat Patient"]
    finally:
        for browser in browsers:
            await browser.aclose()


async def _record(found: list[str], browser: Client, path: str) -> None:
    found.append(await _participant(browser, path))


async def test_restart_keeps_links_and_participants(tmp_path: Path) -> None:
    async with trio.open_nursery() as first:
        running = await start_node(first, tmp_path)
        office = await Office.open(base_url(running))
        event = (await office.event())["event"]
        path = await office.link(event, "Pat Patient")
        public = ok(await office.ada.request("GET", f"{API}/{event['id']}/public-link"))[
            "link"].removeprefix(office.base)
        patient = Client(office.base)
        first_pid = await _participant(patient, path)
        await patient.aclose()
        await office.aclose()
        running.stop.set()

    async with trio.open_nursery() as second:
        running = await start_node(second, tmp_path)
        office = await Office.open(base_url(running))
        try:
            assert await office.link(event, "Pat Patient") == path
            patient, visitor = Client(office.base), Client(office.base)
            try:
                assert await _participant(patient, path) == first_pid
                joined = await visitor.http.post(public, json={"display_name": "After"})
                assert joined.status_code == 303, joined.text
                ok(await office.ada.request("POST", f"{API}/{event['id']}/cancel"))
                assert error(await patient.http.get(path), 410)["code"] == (
                    "conference_cancelled")
            finally:
                await patient.aclose()
                await visitor.aclose()
        finally:
            await office.aclose()
            running.stop.set()
