"""Send ... Join Link by SMS goes through the notification channels that reach phones; the
development channel logs ids only, never the number or the link."""

from __future__ import annotations

from structlog.testing import capture_logs

from tests.public_conference.office import API, Office, error, ok


async def test_sms_reaches_the_channel_with_ids_only(office: Office) -> None:
    event = (await office.event(patients=[{"name": "Pat Patient", "phone": "+15550100"},
                                          {"name": "No Phone"}]))["event"]
    [pat] = [m for m in event["members"] if m["name"] == "Pat Patient"]
    [nophone] = [m for m in event["members"] if m["name"] == "No Phone"]
    link = await office.link(event, "Pat Patient")
    token = link.rsplit("/", 1)[1]
    with capture_logs() as logs:
        sent = ok(await office.ada.request("POST",
                                           f"{API}/{event['id']}/members/{pat['id']}/sms"))
    assert sent == {"sent": "sms"}
    [entry] = [e for e in logs if e["event"] == "sms.logged"]
    assert entry["event_id"] == event["id"] and entry["member_id"] == pat["id"]
    assert entry["kind"] == "conference.link"
    everything = repr(logs)
    assert "+15550100" not in everything and token not in everything
    assert "Pat Patient" not in everything

    refused = error(await office.ada.request(
        "POST", f"{API}/{event['id']}/members/{nophone['id']}/sms"), 409)
    assert refused["code"] == "no_phone"
    # Another event's person is not found on this one.
    other = (await office.event())["event"]
    assert error(await office.ada.request(
        "POST", f"{API}/{other['id']}/members/{pat['id']}/sms"), 404)["code"] == (
        "member_not_found")


async def test_a_staff_member_is_texted_at_the_number_given_on_the_event(office: Office) -> None:
    event = (await office.event(staff_phones={office.grace_id: "+15550111"}))["event"]
    [grace] = [m for m in event["members"] if m["name"] == "Dr Grace Hopper"]
    [ada] = [m for m in event["members"] if m["name"] == "Dr Ada Lovelace"]
    assert grace["has_phone"] and not ada["has_phone"]
    with capture_logs() as logs:
        ok(await office.ada.request("POST", f"{API}/{event['id']}/members/{grace['id']}/sms"))
    assert [e["member_id"] for e in logs if e["event"] == "sms.logged"] == [grace["id"]]
    assert "+15550111" not in repr(logs)
    assert error(await office.ada.request(
        "POST", f"{API}/{event['id']}/members/{ada['id']}/sms"), 409)["code"] == "no_phone"
    refused = error(await office.ada.request("POST", API, json={
        "type_id": event["type_id"], "title": "X", "starts_at": event["starts_at"],
        "duration_minutes": 30, "staff": [office.ada_id],
        "staff_phones": {office.grace_id: "+15550111"}}), 400)
    assert refused["code"] == "unknown_staff"
