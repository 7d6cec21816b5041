from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import trio

from tests.fakes import PROVIDER, Client, RecordingMedia, base_url, start_node
from tests.web.browser.harness import NodeThread
from vclinic.server.run import Running


@pytest.fixture(scope="module")
def call_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeThread]:
    """A real node with demo accounts and a media worker in a background thread, for the
    Chromium tests."""
    running = NodeThread(Path(tmp_path_factory.mktemp("node"))).start()
    yield running
    running.stop()


@pytest.fixture
async def node(nursery: trio.Nursery, tmp_path: Path) -> Running:
    running = await start_node(nursery, tmp_path)
    # The session model and the signalling both see the fake in place of the real workers.
    running.context.media = running.context.sessions.media = RecordingMedia()
    return running


@pytest.fixture
def media(node: Running) -> RecordingMedia:
    assert isinstance(node.context.media, RecordingMedia)
    return node.context.media


@pytest.fixture
async def clients(node: Running) -> AsyncIterator[Callable[[], Client]]:
    made: list[Client] = []

    def make() -> Client:
        client = Client(base_url(node))
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def signed_in(make: Callable[[], Client], email: str) -> Client:
    client = make()
    assert (await client.signin(email)).status_code == 200
    return client


async def user_id(client: Client) -> str:
    return str((await client.request("GET", "/api/v1/me")).json()["user"]["id"])


async def start_session(chair: Client, **body: Any) -> dict[str, Any]:
    payload = {"name": "2020-04-15 09:30 Dr. Campo - New Patient Consult",
               "confirm_link_reminder": True, **body}
    response = await chair.request("POST", "/api/v1/sessions", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def join_as_guest(make: Callable[[], Client], link: str, name: str = "Pat Guest"
                        ) -> tuple[Client, dict[str, Any]]:
    guest = make()
    followed = await guest.request("GET", link)
    assert followed.status_code == 303, followed.text
    assert followed.headers["location"] == "/join"
    joined = await guest.request("POST", "/api/v1/join", json={"display_name": name})
    assert joined.status_code == 200, joined.text
    guest.csrf = joined.json()["csrf_token"]
    return guest, dict(joined.json())


async def provider(make: Callable[[], Client]) -> Client:
    return await signed_in(make, PROVIDER)
