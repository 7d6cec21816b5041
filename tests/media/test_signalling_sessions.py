"""Media signalling with the real session model: enter a session over /ws, then negotiate;
the session's decisions (hang-up, removal) reach the media plane."""

from __future__ import annotations

from pathlib import Path

import trio

from tests.fakes import PROVIDER, PROVIDER_2, Client, base_url, start_node
from tests.media.conftest import DEADLINE, increasing_video
from tests.media.peer import AsyncioThread, Peer
from tests.media.wspeer import ws_peer


async def _signed_in(base: str, email: str) -> Client:
    client = Client(base)
    assert (await client.signin(email)).status_code == 200
    return client


async def test_participants_who_entered_a_session_exchange_media_until_one_hangs_up(
    nursery: trio.Nursery, tmp_path: Path, aio: AsyncioThread,
) -> None:
    node = await start_node(nursery, tmp_path, media=True)
    base = base_url(node)
    chair = await _signed_in(base, PROVIDER)
    colleague = await _signed_in(base, PROVIDER_2)
    try:
        colleague_id = (await colleague.request("GET", "/api/v1/me")).json()["user"]["id"]
        created = await chair.request("POST", "/api/v1/sessions", json={
            "name": "Consult", "confirm_link_reminder": True,
            "participants": [{"user_id": colleague_id}]})
        assert created.status_code == 201, created.text
        sid = created.json()["session"]["id"]
        with trio.fail_after(DEADLINE):
            async with ws_peer(chair, aio, sid, Peer("chair")) as ctab, \
                    ws_peer(colleague, aio, sid, Peer("colleague")) as otab:
                # Media before entering the session is refused.
                early = await otab.connect(audio=False, video=False)
                assert early["error"]["code"] == "not_in_session"
                chair_pid = (await ctab.request("session.enter", {"session_id": sid})
                             )["data"]["you"]["id"]
                await otab.request("session.enter", {"session_id": sid})
                assert (await ctab.connect())["type"] == "reply"
                assert (await otab.connect(audio=False, video=False))["type"] == "reply"
                await otab.wait_until(increasing_video)
                offer = next(e for e in otab.events if e["type"] == "media.server_offer")
                assert {t["participant_id"] for t in offer["data"]["tracks"].values()} == {
                    chair_pid}
                # The chair hangs up: the colleague is offered no more tracks.
                assert (await ctab.request("session.leave", {"session_id": sid}))[
                    "type"] == "reply"
                await otab.wait_event(lambda e: e["type"] == "media.server_offer"
                                      and e["data"]["tracks"] == {})
        assert node.context.media is not None
        status = await node.context.media.pool.clients[0].status()
        assert status["participants"] == 1
    finally:
        await chair.aclose()
        await colleague.aclose()
