"""On PostgreSQL: an event with its people, links and public guests, and a patient's link
clicked several times at once making one participant."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from tests.fakes import Client, base_url, start_node
from tests.public_conference.office import API, Office, error, ok

pytestmark = pytest.mark.postgres


async def test_conference_on_postgres(nursery: trio.Nursery, tmp_path: Path,
                                      postgres_url: str) -> None:
    node = await start_node(nursery, tmp_path, database_url=postgres_url)
    office = await Office.open(base_url(node))
    browsers = [Client(office.base) for _ in range(4)]
    try:
        event = (await office.event())["event"]
        path = await office.link(event, "Pat Patient")
        found: list[str] = []

        async def click(browser: Client) -> None:
            assert (await browser.http.get(path)).status_code == 303
            found.append(ok(await browser.request("GET", "/api/v1/me"))["user"][
                "participant_id"])

        async with trio.open_nursery() as clicks:
            for browser in browsers[:3]:
                clicks.start_soon(click, browser)
        assert len(found) == 3 and len(set(found)) == 1
        public = ok(await office.ada.request("GET", f"{API}/{event['id']}/public-link"))[
            "link"].removeprefix(office.base)
        joined = await browsers[3].http.post(public, json={"display_name": "Visitor"})
        assert joined.status_code == 303, joined.text
        session = ok(await office.ada.request("GET", f"/api/v1/sessions/{event['session_id']}"))
        guests = sorted(p["display_name"] for p in session["participants"]
                        if p["kind"] == "guest")
        assert guests == ["Pat Patient", "Visitor"]
        ok(await office.ada.request("POST", f"{API}/{event['id']}/cancel"))
        assert error(await browsers[0].http.get(path), 410)["code"] == "conference_cancelled"
    finally:
        for browser in browsers:
            await browser.aclose()
        await office.aclose()
