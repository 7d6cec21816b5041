"""Each person's own link identifies them; the public link admits anonymous guests known by the
name they give; Cancel Conference revokes every link."""

from __future__ import annotations

from tests.fakes import Client
from tests.public_conference.office import API, Office, error, ok


async def _follow(base: str, path: str) -> tuple[Client, str]:
    """A fresh browser follows ``path``; returns it and where it was sent."""
    browser = Client(base)
    followed = await browser.http.get(path)
    assert followed.status_code == 303, followed.text
    return browser, followed.headers["location"]


async def _me(browser: Client) -> dict[str, object]:
    return ok(await browser.request("GET", "/api/v1/me"))["user"]  # type: ignore[no-any-return]


async def test_each_patient_link_signs_in_that_patient(office: Office) -> None:
    event = (await office.event(patients=[{"name": "Pat Patient"},
                                          {"name": "Sam Second"}]))["event"]
    pat_link, sam_link = await office.link(event, "Pat Patient"), await office.link(
        event, "Sam Second")
    assert pat_link != sam_link and pat_link.startswith("/conference/join/")
    # Copying shows the same link again.
    assert await office.link(event, "Pat Patient") == pat_link

    pat, where = await _follow(office.base, pat_link)
    sam, _ = await _follow(office.base, sam_link)
    again, _ = await _follow(office.base, pat_link)
    try:
        assert where == f"/preview?session={event['session_id']}"
        pat_me, sam_me, again_me = await _me(pat), await _me(sam), await _me(again)
        assert pat_me["name"] == "Pat Patient" and sam_me["name"] == "Sam Second"
        assert pat_me["session_id"] == event["session_id"]
        # The system knows who is who: the same link is the same participant.
        assert again_me["participant_id"] == pat_me["participant_id"]
        assert sam_me["participant_id"] != pat_me["participant_id"]
        detail = ok(await office.ada.request("GET", f"{API}/{event['id']}"))["event"]
        joined = {m["name"]: m["joined"] for m in detail["members"] if m["kind"] == "patient"}
        assert joined == {"Pat Patient": True, "Sam Second": True}
    finally:
        for browser in (pat, sam, again):
            await browser.aclose()


async def test_a_staff_link_works_only_for_that_staff_member(office: Office) -> None:
    event = (await office.event())["event"]
    grace_link = await office.link(event, "Dr Grace Hopper")
    mine = ok(await office.grace.request("GET", f"{API}/{event['id']}/my-link"))["link"]
    assert mine.removeprefix(office.base) == grace_link

    followed = await office.grace.http.get(grace_link)
    assert followed.status_code == 303
    assert followed.headers["location"] == f"/preview?session={event['session_id']}"
    assert error(await office.ada.http.get(grace_link), 403)["code"] == "not_linked"
    stranger = Client(office.base)
    try:
        assert error(await stranger.http.get(grace_link), 401)["code"] == "sign_in_required"
    finally:
        await stranger.aclose()
    # The admin is not linked to the event: there is no link of theirs.
    assert error(await office.admin.request("GET", f"{API}/{event['id']}/my-link"),
                 403)["code"] == "not_linked"


async def test_the_public_link_admits_anonymous_guests_by_display_name(office: Office) -> None:
    event = (await office.event())["event"]
    link = ok(await office.ada.request("GET", f"{API}/{event['id']}/public-link"))["link"]
    path = link.removeprefix(office.base)
    assert path.startswith("/conference/public/")
    # One public link per event.
    assert ok(await office.grace.request("GET", f"{API}/{event['id']}/public-link"))[
        "link"] == link

    first, second = Client(office.base), Client(office.base)
    try:
        info = ok(await first.http.get(path))
        assert info == {"title": "Family meeting", "display_name_required": True}
        assert error(await first.http.post(path, json={"display_name": ""}), 400)
        for browser, name in ((first, "Visitor One"), (second, "Visitor One")):
            joined = await browser.http.post(path, json={"display_name": name})
            assert joined.status_code == 303, joined.text
            assert joined.headers["location"] == f"/preview?session={event['session_id']}"
        one, two = await _me(first), await _me(second)
        # Anonymous apart from the name: a guest with no account, each their own participant.
        assert one["guest"] is True and one["name"] == "Visitor One"
        assert one["roles"] == ["guest"] and one["participant_id"] != two["participant_id"]
    finally:
        await first.aclose()
        await second.aclose()


async def test_an_event_without_public_conference_has_no_public_link(office: Office) -> None:
    event = (await office.event(public=False))["event"]
    refused = error(await office.ada.request("GET", f"{API}/{event['id']}/public-link"), 409)
    assert refused["code"] == "not_public"


async def test_a_wrong_token_is_not_a_link(office: Office) -> None:
    stranger = Client(office.base)
    try:
        for path in ("/conference/join/nope", "/conference/public/nope", "/conference/join/"
                     + "x" * 300):
            assert error(await stranger.http.get(path), 404)["code"] == "link_invalid"
    finally:
        await stranger.aclose()


async def test_cancel_conference_revokes_every_link(office: Office) -> None:
    event = (await office.event())["event"]
    pat_link = await office.link(event, "Pat Patient")
    grace_link = await office.link(event, "Dr Grace Hopper")
    public = ok(await office.ada.request("GET", f"{API}/{event['id']}/public-link"))[
        "link"].removeprefix(office.base)

    cancelled = ok(await office.ada.request("POST", f"{API}/{event['id']}/cancel"))["event"]
    assert cancelled["status"] == "cancelled"
    stranger = Client(office.base)
    try:
        assert error(await stranger.http.get(pat_link), 410)["code"] == "conference_cancelled"
        assert error(await stranger.http.post(public, json={"display_name": "Late"}),
                     410)["code"] == "conference_cancelled"
    finally:
        await stranger.aclose()
    assert error(await office.grace.http.get(grace_link), 410)["code"] == "conference_cancelled"
    for action in ("public-link", "my-link"):
        assert error(await office.ada.request("GET", f"{API}/{event['id']}/{action}"),
                     409)["code"] == "conference_cancelled"
    assert error(await office.ada.request("POST", f"{API}/{event['id']}/join"),
                 409)["code"] == "conference_cancelled"
    session = ok(await office.ada.request("GET", f"/api/v1/sessions/{event['session_id']}"))
    assert session["session"]["status"] != "open"


async def test_join_conference_leads_to_the_event_session(office: Office) -> None:
    event = (await office.event())["event"]
    joined = ok(await office.grace.request("POST", f"{API}/{event['id']}/join"))
    assert joined == {"session_id": event["session_id"],
                      "next": f"/preview?session={event['session_id']}"}


async def test_only_the_organiser_or_an_admin_cancels(office: Office) -> None:
    event = (await office.event())["event"]
    refused = error(await office.grace.request("POST", f"{API}/{event['id']}/cancel"), 403)
    assert refused["code"] == "not_organiser"
    still = ok(await office.ada.request("GET", f"{API}/{event['id']}"))["event"]
    assert still["status"] == "scheduled" and still["sequence"] == 0
    cancelled = ok(await office.admin.request("POST", f"{API}/{event['id']}/cancel"))["event"]
    assert cancelled["status"] == "cancelled"
    session = ok(await office.ada.request("GET", f"/api/v1/sessions/{event['session_id']}"))
    assert session["session"]["status"] != "open"


async def test_a_public_visitor_must_give_a_name(office: Office) -> None:
    event = (await office.event())["event"]
    public = ok(await office.ada.request("GET", f"{API}/{event['id']}/public-link"))[
        "link"].removeprefix(office.base)
    visitor = Client(office.base)
    try:
        refused = error(await visitor.http.post(public, json={"display_name": "   "}), 400)
        assert refused["code"] == "invalid_display_name"
        assert not visitor.cookie
    finally:
        await visitor.aclose()
