"""Time Left: a chair sets when a session ends (at creation or later), everyone in it is told,
and bad ends are refused without changing anything."""

from __future__ import annotations

import datetime as dt

import trio

from tests.fakes import PROVIDER_2
from tests.sessions.conftest import provider, signed_in, start_session


def _at(minutes: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


def _minutes_left(ends_at: str) -> float:
    return (dt.datetime.fromisoformat(ends_at) - dt.datetime.now(dt.UTC)).total_seconds() / 60


async def test_session_created_with_a_duration_shows_its_end_on_entering(clients) -> None:
    chair = await provider(clients)
    created = await start_session(chair, duration_minutes=30)
    assert 29 < _minutes_left(created["session"]["ends_at"]) <= 30
    async with chair.ws() as ws:
        entered = await ws.request("session.enter", {"session_id": created["session"]["id"]})
    assert entered["data"]["session"]["ends_at"] == created["session"]["ends_at"]


async def test_chair_changes_the_end_and_everyone_in_the_session_is_told(clients) -> None:
    chair = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    sid = (await start_session(chair))["session"]["id"]
    base = f"/api/v1/sessions/{sid}"
    with trio.fail_after(10):
        async with colleague.ws() as ws:
            entered = await ws.request("session.enter", {"session_id": sid})
            assert entered["data"]["session"]["ends_at"] is None

            changed = await chair.request("PATCH", base, json={"ends_at": _at(45)})
            assert changed.status_code == 200, changed.text
            event = await ws.next_event("session.updated")
            assert event["data"]["session"]["ends_at"] == changed.json()["session"]["ends_at"]
            assert 44 < _minutes_left(event["data"]["session"]["ends_at"]) <= 45

            longer = await chair.request("PATCH", base, json={"duration_minutes": 90})
            assert 89 < _minutes_left(longer.json()["session"]["ends_at"]) <= 90
            event = await ws.next_event("session.updated")
            assert event["data"]["session"]["ends_at"] == longer.json()["session"]["ends_at"]

            cleared = await chair.request("PATCH", base, json={"ends_at": None})
            assert cleared.json()["session"]["ends_at"] is None
            assert (await ws.next_event("session.updated"))["data"]["session"]["ends_at"] is None
    assert (await chair.request("GET", base)).json()["session"]["ends_at"] is None


async def test_bad_ends_are_refused_and_change_nothing(clients) -> None:
    chair = await provider(clients)
    colleague = await signed_in(clients, PROVIDER_2)
    sid = (await start_session(chair, duration_minutes=20))["session"]["id"]
    base = f"/api/v1/sessions/{sid}"
    before = (await chair.request("GET", base)).json()
    listed = (await chair.request("GET", "/api/v1/sessions")).json()["sessions"]
    create = {"name": "Consult", "confirm_link_reminder": True}
    checks = [
        (await chair.request("PATCH", base, json={"ends_at": _at(-5)}), 400, "invalid_end"),
        (await chair.request("PATCH", base, json={"ends_at": _at(13 * 60)}), 400,
         "invalid_end"),
        (await chair.request("PATCH", base, json={"ends_at": "2030-01-01T10:00:00"}), 400,
         "invalid_end"),
        (await chair.request("PATCH", base, json={"ends_at": _at(30), "duration_minutes": 30}),
         400, "invalid_end"),
        (await chair.request("PATCH", base, json={"duration_minutes": 0}), 400,
         "invalid_body"),
        (await chair.request("PATCH", base, json={"duration_minutes": 100000}), 400,
         "invalid_body"),
        (await chair.request("PATCH", base, json={"ends_at": "soon"}), 400, "invalid_body"),
        (await colleague.request("PATCH", base, json={"duration_minutes": 10}), 403,
         "not_chair"),
        (await chair.request("POST", "/api/v1/sessions", json={**create, "ends_at": _at(-1)}),
         400, "invalid_end"),
        (await chair.request("POST", "/api/v1/sessions", json={
            **create, "scheduled_at": _at(120), "ends_at": _at(60)}), 400, "invalid_end"),
    ]
    for response, status, code in checks:
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code, response.text
    assert (await chair.request("GET", base)).json() == before
    assert (await chair.request("GET", "/api/v1/sessions")).json()["sessions"] == listed


async def test_openapi_documents_recording_and_time_left(clients) -> None:
    spec = (await clients().request("GET", "/openapi.json")).json()
    paths = spec["paths"]
    recording = paths["/api/v1/sessions/{session_id}/recording"]
    assert {"post", "delete"} <= set(recording)
    assert "get" in paths["/api/v1/sessions/{session_id}/recordings"]
    assert "get" in paths[
        "/api/v1/sessions/{session_id}/recordings/{recording_id}/files/{file_id}"]
    assert "duration_minutes" in str(paths["/api/v1/sessions/{session_id}"]["patch"]) or \
        "duration_minutes" in str(spec.get("components", {}))
