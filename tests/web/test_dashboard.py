"""``GET /api/v1/dashboard``: the sections of enabled plugins the signed-in user may see."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.fakes import PROVIDER, STATION, Client, base_url, start_node
from tests.web.browser.sample_plugin import write_test_plugins


async def test_dashboard_lists_the_sections_the_user_may_see_in_order(
        nursery: trio.Nursery, tmp_path: Path) -> None:
    plugins = write_test_plugins(tmp_path / "plugins")
    node = await start_node(nursery, tmp_path / "data", plugins_dir=str(plugins),
                            plugins=["today"])
    anonymous, provider, station = (Client(base_url(node)) for _ in range(3))
    try:
        response = await anonymous.request("GET", "/api/v1/dashboard")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"

        await provider.signin(PROVIDER)
        sections = (await provider.request("GET", "/api/v1/dashboard")).json()["sections"]
        assert sections == [
            {"id": "today", "title": "Today's Sessions", "module_url": "/static/today/section.js",
             "order": 20},
            {"id": "availability", "title": "Availability",
             "module_url": "/static/today/availability.js", "order": 100},
        ]
        module = await provider.request("GET", "/static/today/section.js")
        assert module.status_code == 200 and "export default" in module.text

        await station.signin(STATION)
        sections = (await station.request("GET", "/api/v1/dashboard")).json()["sections"]
        assert [s["id"] for s in sections] == ["today"]
    finally:
        for client in (anonymous, provider, station):
            await client.aclose()
    node.stop.set()


async def test_dashboard_is_empty_when_no_plugin_adds_a_section(
        nursery: trio.Nursery, tmp_path: Path) -> None:
    node = await start_node(nursery, tmp_path / "data", plugins=[])
    client = Client(base_url(node))
    try:
        await client.signin(PROVIDER)
        response = await client.request("GET", "/api/v1/dashboard")
        assert response.status_code == 200
        assert response.json() == {"sections": []}
    finally:
        await client.aclose()
    node.stop.set()
