"""Session recording through the API, with real aiortc peers on a node's /ws and a real media
worker: a chair records about five seconds of a call with one consenting and one
non-consenting participant, everyone is told, and the recording's WebM opens with PyAV."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import av
import pytest
import trio

from tests.fakes import ADMIN, PROVIDER, PROVIDER_2, Client, base_url, start_node
from tests.media.conftest import (  # noqa: F401  (aio is a fixture)
    DEADLINE,
    aio,
    holds_the_video_shown_while_on,
    increasing_video,
    recorded_counters,
    video_seconds_after,
)
from tests.media.peer import AsyncioThread, Peer
from tests.media.wspeer import WsPeer, ws_peer
from tests.sessions.conftest import join_as_guest, signed_in, start_session
from vclinic.server.run import Running

pytestmark = pytest.mark.slow


@pytest.fixture
async def live(nursery: trio.Nursery, tmp_path: Path
               ) -> AsyncIterator[tuple[Running, Callable[[], Client]]]:
    """A node with a real media worker, and a maker of clients against it."""
    node = await start_node(nursery, tmp_path, media=True)
    made: list[Client] = []

    def make() -> Client:
        made.append(Client(base_url(node)))
        return made[-1]

    yield node, make
    for client in made:
        await client.aclose()


def recording_event(state: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["type"] == "session.recording" and e["data"]["state"] == state


async def enter(tab: WsPeer, sid: str, consent: bool) -> dict[str, Any]:
    reply = await tab.request("session.enter", {"session_id": sid, "consent_recording": consent})
    assert reply["type"] == "reply", reply
    return dict(reply["data"])


async def both_see_video(chair: WsPeer, guest: WsPeer) -> dict[str, Any]:
    """Both publish audio and video and each decodes the other's video; what the guest saw."""
    assert (await chair.connect(audio=True, video=True))["type"] == "reply"
    assert (await guest.connect(audio=True, video=True))["type"] == "reply"
    seen = await guest.wait_until(increasing_video)
    await chair.wait_until(increasing_video)
    return seen


async def test_chair_records_only_the_consenting_participant_and_downloads_the_webm(
    live: tuple[Running, Callable[[], Client]], aio: AsyncioThread, tmp_path: Path,  # noqa: F811
) -> None:
    _, make = live
    chair = await signed_in(make, PROVIDER)
    outsider = await signed_in(make, PROVIDER_2)
    admin = await signed_in(make, ADMIN)
    created = await start_session(chair)
    sid = created["session"]["id"]
    link = created["links"]["guest"]["path"]
    guest, _ = await join_as_guest(make, link)
    late, _ = await join_as_guest(make, link, "Late Guest")
    base = f"/api/v1/sessions/{sid}"

    with trio.fail_after(DEADLINE):
        async with ws_peer(chair, aio, sid, Peer("chair")) as ctab, \
                ws_peer(guest, aio, sid, Peer("guest")) as gtab:
            entered = await enter(ctab, sid, consent=True)
            assert entered["recording"] == {"state": "stopped"}
            assert entered["you"]["permissions"]["record"] is True
            chair_pid = entered["you"]["id"]
            gentered = await enter(gtab, sid, consent=False)
            assert gentered["you"]["permissions"]["record"] is False
            guest_pid = gentered["you"]["id"]
            await both_see_video(ctab, gtab)

            # Only a chair may start it: not a guest, not a colleague outside the session.
            refused = await guest.request("POST", f"{base}/recording")
            assert refused.status_code == 403
            refused = await outsider.request("POST", f"{base}/recording")
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "not_chair"

            before = await gtab.snapshot()
            began = trio.current_time()
            started = await chair.request("POST", f"{base}/recording")
            assert started.status_code == 201, started.text
            assert started.json()["recording"]["state"] == "recording"
            await ctab.wait_event(recording_event("recording"))
            await gtab.wait_event(recording_event("recording"))
            twice = await chair.request("POST", f"{base}/recording")
            assert twice.status_code == 409
            assert twice.json()["error"]["code"] == "already_recording"

            # Someone entering now is told that the session is being recorded.
            async with late.ws() as lws:
                late_view = (await lws.request("session.enter", {"session_id": sid}))["data"]
                assert late_view["recording"]["state"] == "recording"
                assert late_view["recording"]["started_by"] == entered["you"]["display_name"]
                await lws.request("session.leave", {"session_id": sid})

            # Five seconds of the chair's video went through the worker since it started.
            await gtab.wait_until(video_seconds_after(before, 5))
            stopped = await chair.request("DELETE", f"{base}/recording")
            assert stopped.status_code == 200, stopped.text
            elapsed = trio.current_time() - began
            await ctab.wait_event(recording_event("stopped"))
            await gtab.wait_event(recording_event("stopped"))
            again = await chair.request("DELETE", f"{base}/recording")
            assert again.status_code == 409
            assert again.json()["error"]["code"] == "not_recording"

    body = stopped.json()["recording"]
    assert body["status"] == "complete"
    assert body["stop_reason"] == "stopped_by_chair"
    # The recording was on from the chair's start to their stop, and only then.
    assert 4.0 < body["duration"] <= elapsed
    assert [p["id"] for p in body["participants"]] == [chair_pid]
    assert guest_pid not in str(body)
    [entry] = body["files"]
    assert entry["participant_id"] == chair_pid
    assert sid in entry["url"] and "/var/" not in entry["url"] and "webm" not in entry["url"]

    listed = await chair.request("GET", f"{base}/recordings")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["recordings"]] == [body["id"]]
    assert (await admin.request("GET", f"{base}/recordings")).status_code == 200
    for who in (outsider, guest):
        assert (await who.request("GET", f"{base}/recordings")).status_code == 403
        assert (await who.request("GET", entry["url"])).status_code == 403
    assert (await outsider.request("GET", entry["url"])).json()["error"]["code"] == \
        "recording_forbidden"
    missing = await chair.request("GET", f"{base}/recordings/{body['id']}/files/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "recording_not_found"

    download = await chair.request("GET", entry["url"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("video/webm")
    saved = tmp_path / "download.webm"
    saved.write_bytes(download.content)
    with av.open(str(saved)) as container:
        codecs = sorted(s.codec_context.name for s in container.streams)
        duration = container.duration / 1_000_000
    assert codecs == ["opus", "vp8"]
    assert duration > 4.0
    assert holds_the_video_shown_while_on(recorded_counters(str(saved)), before, 5)


async def test_recording_killed_with_its_worker_keeps_what_was_written(
    live: tuple[Running, Callable[[], Client]], aio: AsyncioThread,  # noqa: F811
) -> None:
    node, make = live
    chair = await signed_in(make, PROVIDER)
    created = await start_session(chair)
    sid = created["session"]["id"]
    guest, _ = await join_as_guest(make, created["links"]["guest"]["path"])
    base = f"/api/v1/sessions/{sid}"

    with trio.fail_after(DEADLINE):
        async with ws_peer(chair, aio, sid, Peer("chair")) as ctab, \
                ws_peer(guest, aio, sid, Peer("guest")) as gtab:
            chair_pid = (await enter(ctab, sid, consent=True))["you"]["id"]
            await enter(gtab, sid, consent=True)
            before = await both_see_video(ctab, gtab)
            assert (await chair.request("POST", f"{base}/recording")).status_code == 201
            # Three seconds of the chair's video reached the recording (clusters are written
            # out every second) before the worker dies.
            await gtab.wait_until(video_seconds_after(before, 3))
            media = node.context.media
            assert media is not None
            pid = media.pool.clients[0].pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            ended = await gtab.wait_event(recording_event("interrupted"))
            assert ended["data"]["reason"] == "media_failed"

    [row] = (await chair.request("GET", f"{base}/recordings")).json()["recordings"]
    assert row["status"] == "interrupted"
    assert {f["participant_id"] for f in row["files"]} >= {chair_pid}
    assert all(f["size"] > 0 for f in row["files"])
    kept = next(f for f in row["files"] if f["participant_id"] == chair_pid)
    assert kept["duration"] is not None and kept["duration"] > 1.0
    assert (await chair.request("GET", kept["url"])).status_code == 200


async def test_recording_needs_a_live_session_and_ends_with_it(
    live: tuple[Running, Callable[[], Client]], aio: AsyncioThread,  # noqa: F811
) -> None:
    _, make = live
    chair = await signed_in(make, PROVIDER)
    patient = (await chair.request("POST", "/api/v1/patients",
                                   json={"display_name": "Jo Patient"})).json()["patient"]
    sid = (await start_session(chair, patient_id=patient["id"]))["session"]["id"]
    base = f"/api/v1/sessions/{sid}"

    idle = await chair.request("POST", f"{base}/recording")
    assert idle.status_code == 409
    assert idle.json()["error"]["code"] == "session_not_live"
    stop = await chair.request("DELETE", f"{base}/recording")
    assert stop.status_code == 409
    assert stop.json()["error"]["code"] == "not_recording"
    unknown = await chair.request("POST", "/api/v1/sessions/nosuchsession/recording")
    assert unknown.status_code == 404
    assert (await chair.request("GET", f"{base}/recordings")).json() == {"recordings": []}

    with trio.fail_after(DEADLINE):
        async with ws_peer(chair, aio, sid, Peer("chair")) as ctab:
            await enter(ctab, sid, consent=True)
            assert (await ctab.connect(audio=True, video=True))["type"] == "reply"
            assert (await chair.request("POST", f"{base}/recording")).status_code == 201
            await trio.sleep(2)
            assert (await chair.request("POST", f"{base}/close")).status_code == 200
            await ctab.wait_event(recording_event("stopped"))
            await ctab.wait_event(lambda e: e["type"] == "session.closed")

    [row] = (await chair.request("GET", f"{base}/recordings")).json()["recordings"]
    assert row["status"] == "complete"
    assert row["stop_reason"] == "session_closed"
    assert row["patient_linked"] is True
    # The recording ends up on the record it belongs to: the linked patient's Files.
    files = (await chair.request("GET", f"/api/v1/patients/{patient['id']}/files")).json()
    assert [(f["kind"], f["url"]) for f in files["files"]] == [
        ("recording", f["url"]) for f in row["files"]]
    assert "Jo" not in str(row)
    closed = await chair.request("POST", f"{base}/recording")
    assert closed.status_code == 410
    assert closed.json()["error"]["code"] == "session_closed"


async def test_stopping_the_node_stores_the_running_recording(
    tmp_path: Path, aio: AsyncioThread,  # noqa: F811
) -> None:
    with trio.fail_after(DEADLINE):
        async with trio.open_nursery() as nursery:
            node = await start_node(nursery, tmp_path, media=True)
            chair = Client(base_url(node))
            await chair.signin(PROVIDER)
            sid = (await start_session(chair))["session"]["id"]
            async with ws_peer(chair, aio, sid, Peer("chair")) as ctab:
                chair_pid = (await enter(ctab, sid, consent=True))["you"]["id"]
                assert (await ctab.connect(audio=True, video=True))["type"] == "reply"
                started = await chair.request("POST", f"/api/v1/sessions/{sid}/recording")
                assert started.status_code == 201
                await trio.sleep(3)
            # The tab closed: the chair is reconnecting (grace period) and recording goes on
            # until the node stops.
            await chair.aclose()
            node.stop.set()

        async with trio.open_nursery() as nursery:
            node = await start_node(nursery, tmp_path)
            chair = Client(base_url(node))
            await chair.signin(PROVIDER)
            rows = (await chair.request("GET", f"/api/v1/sessions/{sid}/recordings")).json()
            await chair.aclose()
            node.stop.set()
    [row] = rows["recordings"]
    assert (row["status"], row["stop_reason"]) == ("complete", "node_shutdown")
    assert [f["participant_id"] for f in row["files"]] == [chair_pid]
    assert row["duration"] > 2.0
