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
