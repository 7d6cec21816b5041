"""The role matrix on the real media: through a node's /ws and a media worker, each role
publishes exactly the sources the role table of docs/workflows/sessions.md allows, and receives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trio

from tests.fakes import PROVIDER, PROVIDER_2, Client, base_url, start_node
from tests.media.conftest import DEADLINE, aio, increasing_video  # noqa: F401  (fixture)
from tests.media.peer import AsyncioThread, Peer
from tests.media.wspeer import WsPeer, ws_peer
from tests.sessions.conftest import join_as_guest, signed_in, start_session, user_id

SOURCES = ("audio", "video", "screen")
#: The role table: what each role may share. A guest of an Invitation session has
#: Broadcaster abilities.
MAY_SHARE = {
    "chair": set(SOURCES),
    "broadcaster": set(SOURCES),
    "viewer": set(),
    "guest": set(SOURCES),
}
#: A fresh aiortc connection numbers its transceivers from mid "0"; a screen is the only one.
_SCREEN_ONLY = {"0": "screen"}


@pytest.fixture
async def node_clients(nursery: trio.Nursery, tmp_path: Path
                       ) -> AsyncIterator[tuple[str, list[Client]]]:
    """A node with a real media worker on loopback, and the clients made against it."""
    node = await start_node(nursery, tmp_path, media=True)
    assert node.context.media is not None
    made: list[Client] = []
    yield base_url(node), made
    for client in made:
        await client.aclose()


def _offered(tab: WsPeer, participant_id: str, source: str) -> str | None:
    """The mid of the latest server offer that carries ``participant_id``'s ``source``."""
    for event in reversed(tab.events):
        if event["type"] == "media.server_offer":
            for mid, track in event["data"]["tracks"].items():
                if track == {"participant_id": participant_id, "source": source}:
                    return str(mid)
            return None
    return None


async def _receives(tab: WsPeer, participant_id: str, source: str) -> None:
    """Wait until ``tab`` is offered ``participant_id``'s ``source`` and decodes its frames."""
    await tab.wait_event(lambda e: e["type"] == "media.server_offer" and any(
        t == {"participant_id": participant_id, "source": source}
        for t in e["data"]["tracks"].values()))
    mid = _offered(tab, participant_id, source)
    assert mid is not None
    await tab.forget_media()
    if source == "audio":
        await tab.wait_until(lambda snap: snap["audio"].get(mid, 0) >= 10)
    else:
        await tab.wait_until(lambda snap: increasing_video(
            {"counters": {mid: snap["counters"].get(mid, [])}}))


async def _publish(tab: WsPeer, source: str) -> dict[str, Any]:
    """Offer a fresh connection that sends only ``source``; the reply or error."""
    return await tab.connect(sources=_SCREEN_ONLY if source == "screen" else None,
                             audio=source == "audio", video=source == "video",
                             screen=source == "screen")


@pytest.mark.parametrize("role", list(MAY_SHARE))
async def test_each_role_publishes_on_the_media_exactly_what_the_role_table_allows(
    node_clients: tuple[str, list[Client]], aio: AsyncioThread, role: str,  # noqa: F811
) -> None:
    base, made = node_clients

    def make() -> Client:
        made.append(Client(base))
        return made[-1]

    creator = await signed_in(make, PROVIDER)
    colleague = await signed_in(make, PROVIDER_2)
    listed = [] if role == "guest" else [{"user_id": await user_id(colleague),
                                          "role": "broadcaster" if role == "chair" else role}]
    created = await start_session(creator, participants=listed)
    assert created["session"]["access_level"] == "invitation"
    sid = created["session"]["id"]
    if role == "guest":
        subject, _ = await join_as_guest(make, created["links"]["guest"]["path"])
        other = creator
    elif role == "chair":
        subject, other = creator, colleague
    else:
        subject, other = colleague, creator

    with trio.fail_after(DEADLINE):
        async with ws_peer(subject, aio, sid, Peer(role)) as tab, \
                ws_peer(other, aio, sid, Peer("other")) as otab:
            you = (await tab.request("session.enter", {"session_id": sid}))["data"]["you"]
            if role != "guest":
                assert you["role"] == role
            other_pid = (await otab.request("session.enter", {"session_id": sid})
                         )["data"]["you"]["id"]
            assert (await otab.connect(audio=False, video=False))["type"] == "reply"

            for source in SOURCES:
                reply = await _publish(tab, source)
                if source in MAY_SHARE[role]:
                    assert reply["type"] == "reply", (source, reply)
                    assert reply["data"]["sdp"].startswith("v=0")
                    await _receives(otab, you["id"], source)
                else:
                    assert reply["type"] == "error", (source, reply)
                    assert reply["error"]["code"] == "publish_forbidden", (source, reply)
                    assert _offered(otab, you["id"], source) is None

            # Every role receives the others' audio and video.
            assert (await tab.connect(audio=False, video=False))["type"] == "reply"
            assert (await otab.connect(audio=True, video=True))["type"] == "reply"
            await _receives(tab, other_pid, "video")
            await _receives(tab, other_pid, "audio")
