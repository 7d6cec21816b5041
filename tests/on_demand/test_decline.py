"""Declining: the patient is emailed over SMTP, told under the bell if they have an account, and
their waiting page says so."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path
from typing import Any

import trio

from tests.fakes import PROVIDER_2, Client, base_url, start_node
from tests.on_demand.conftest import GRACE, Patient, Staff, listing
from tests.smtp import wait_for_mail


async def test_declined_patient_gets_email_bell_and_page_note(
        nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path]) -> None:
    port, maildir = smtp_server
    node = await start_node(nursery, tmp_path / "node", smtp_port=port,
                            smtp_from="clinic@demo.clinic", ws_grace_seconds=GRACE)
    base = base_url(node)
    admin, patient, account = Staff(base), Patient(base), Staff(base)
    try:
        await admin.signin("admin@demo.clinic")
        # The patient has an account at the portal (same email), so the bell tells them too.
        await account.signin(PROVIDER_2)
        started = await patient.start(name="Grace Patient", email=PROVIDER_2)
        request_id = started["request_id"]
        async with patient.socket() as page, account.ws() as bell:
            await page.next_event("hello")
            await bell.next_event("hello")
            declined = await admin.request(
                "POST", f"/api/v1/on_demand/requests/{request_id}/decline")
            assert declined.status_code == 200, declined.text
            note = await page.next_event("on_demand.declined")
            assert "declined" in note["data"]["message"]
            created = await bell.next_event("notification.created")
            assert created["data"]["kind"] == "on_demand.declined"
        [received] = await wait_for_mail(maildir)
        message = message_from_bytes(received.as_bytes())
        assert message["To"] == PROVIDER_2
        assert message["From"] == "vclinic <clinic@demo.clinic>"
        assert "declined" in message["Subject"]
        assert "Demo Clinic" in message.get_payload(decode=True).decode()
        status: dict[str, Any] = await patient.status()
        assert status["status"] == "declined"
        assert "declined" in status["message"]
        assert (await listing(admin))["total"] == 0
        again = await admin.request("POST", f"/api/v1/on_demand/requests/{request_id}/decline")
        assert again.status_code == 404
    finally:
        for client in (admin, patient, account):
            await client.aclose()


async def test_patient_without_account_is_only_emailed(admin: Client, patient: Patient,
                                                       node: Any) -> None:
    from vclinic.notifications import Notification
    from vclinic.notifications.email import OutboxEmail

    started = await patient.start(email="nobody@example.org")
    declined = await admin.request(
        "POST", f"/api/v1/on_demand/requests/{started['request_id']}/decline")
    assert declined.status_code == 200
    store = node.context.store
    rows = await store.run(lambda: list(OutboxEmail.select()))
    assert [(r.to_address, r.kind) for r in rows] == [("nobody@example.org",
                                                       "on_demand.declined")]
    kinds = await store.run(lambda: [n.kind for n in Notification.select()])
    assert "on_demand.declined" not in kinds
