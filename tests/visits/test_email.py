"""The invite email through a real SMTP server (aiosmtpd on 127.0.0.1): the link in it works,
its times are in the organisation's time zone, the waiting message gives the time it was sent,
and the resend after a reschedule says the time changed."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from pathlib import Path

import trio

from tests.fakes import Client, base_url, eventually, start_node
from tests.smtp import wait_for_mail
from tests.visits.home import API, Home, at, ok


def _text(received: object) -> tuple[str, str, str]:
    message = message_from_bytes(received.as_bytes())  # type: ignore[attr-defined]
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return message["To"], message["Subject"], parts[0].get_payload(decode=True).decode()


async def test_invite_email_carries_a_working_link_and_resend_says_time_changed(
        nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    node = await start_node(nursery, tmp_path / "node", smtp_port=port,
                            smtp_from="clinic@demo.clinic")
    home = await Home.open(base_url(node))
    try:
        ok(await home.admin.request("PATCH", "/api/v1/organisation",
                                    json={"timezone": "Asia/Kolkata"}))
        visit = await home.visit(email="cora@example.org")
        sent = ok(await home.post(home.ada, visit["id"], "invite"))
        [received] = await wait_for_mail(maildir)
        to, subject, body = _text(received)
        assert to == "cora@example.org" and subject == "Your virtual visit"
        assert "Hello Cora," in body and "Dr Ada Lovelace" in body
        # The times are in the organisation's time zone, not UTC.
        kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
        start = dt.datetime.fromisoformat(visit["starts_at"]).astimezone(kolkata)
        end = dt.datetime.fromisoformat(visit["ends_at"]).astimezone(kolkata)
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%A %d %B %Y}, {end:%H:%M}"
        assert (f"on {start:%A %d %B %Y}, {start:%H:%M} to {until} (Asia/Kolkata)."
                in body), body
        [link] = re.findall(r"http://\S+/visits/join/\S+", body)
        assert link == sent["link"]

        # The employee waits: the message gives the time of the last invite in their zone.
        detail = ok(await home.ada.request("GET", f"{API}/{visit['id']}",
                                           params={"tz": "Asia/Kolkata"}))["visit"]
        sent_at = dt.datetime.fromisoformat(detail["last_invite_sent_at"])
        local = sent_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
        assert detail["waiting_message"] == ("The client has not joined the session yet. The "
                                             f"last invite was sent at {local:%H:%M}.")

        client = Client(home.base)
        try:
            followed = await client.http.get(link.removeprefix(home.base))
            assert followed.status_code == 303, followed.text
            assert followed.headers["location"] == f"/preview?session={detail['session_id']}"
        finally:
            await client.aclose()

        ok(await home.admin.request("PATCH", f"{API}/{visit['id']}",
                                    json={"starts_at": at(60), "ends_at": at(120)}))
        resent = ok(await home.post(home.ada, visit["id"], "invite"))

        async def two() -> list[object]:
            mails = await wait_for_mail(maildir)
            return mails if len(mails) == 2 else []

        mails = await eventually(two, "the second invite")
        bodies = [_text(m) for m in mails]
        [(_, subject, body)] = [b for b in bodies if b[1] != "Your virtual visit"]
        assert subject == "The time of your virtual visit changed"
        assert "The time of your visit has changed." in body
        assert resent["link"] in body and link not in body
    finally:
        await home.aclose()
