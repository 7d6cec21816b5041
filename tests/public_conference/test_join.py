"""Joining the event's session over ``/ws``: the organiser (Join Conference), a patient through
their own link and an anonymous visitor through the public link enter the same session, each
under their own name."""

from __future__ import annotations

from tests.fakes import Client
from tests.public_conference.office import API, Office, ok


async def test_organiser_patient_and_public_guest_enter_the_one_session(office: Office) -> None:
    event = (await office.event())["event"]
    session_id = event["session_id"]
    joined = ok(await office.ada.request("POST", f"{API}/{event['id']}/join"))
    assert joined["session_id"] == session_id
    pat_link = await office.link(event, "Pat Patient")
    public = ok(await office.ada.request("GET", f"{API}/{event['id']}/public-link"))[
        "link"].removeprefix(office.base)

    pat, visitor = Client(office.base), Client(office.base)
    try:
        assert (await pat.http.get(pat_link)).status_code == 303
        assert (await visitor.http.post(public, json={"display_name": "Guest Speaker"})
                ).status_code == 303
        for browser in (pat, visitor):
            browser.csrf = ok(await browser.request("GET", "/api/v1/me"))["csrf_token"]
        async with office.ada.ws() as ada_ws, pat.ws() as pat_ws, visitor.ws() as guest_ws:
            names = {}
            for ws in (ada_ws, pat_ws, guest_ws):
                entered = await ws.request("session.enter", {"session_id": session_id})
                assert entered["type"] == "reply", entered
                you = entered["data"]["you"]
                names[you["id"]] = you["display_name"]
            assert sorted(names.values()) == ["Dr Ada Lovelace", "Guest Speaker", "Pat Patient"]
            # The patient's link made the patient's own participant, shown as theirs on the
            # event; the public visitor is nobody the event knows.
            detail = ok(await office.ada.request("GET", f"{API}/{event['id']}"))["event"]
            assert [m["joined"] for m in detail["members"] if m["kind"] == "patient"] == [True]
    finally:
        await pat.aclose()
        await visitor.aclose()


async def test_a_linked_staff_member_enters_with_their_own_account(office: Office) -> None:
    event = (await office.event())["event"]
    async with office.grace.ws() as ws:
        entered = await ws.request("session.enter", {"session_id": event["session_id"]})
        assert entered["type"] == "reply", entered
        assert entered["data"]["you"]["display_name"] == "Dr Grace Hopper"
