"""The notifications service fans a notice out to every enabled channel: bell, email, plugins'."""

from __future__ import annotations

import textwrap
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from tests.fakes import PROVIDER, Client, base_url, start_node
from tests.smtp import wait_for_mail
from vclinic.errors import BadRequest
from vclinic.notifications.notice import Notice
from vclinic.notifications.service import Notifications


class Channel:
    """A plugin's channel that reaches phones; fails the first ``failures`` deliveries."""

    def __init__(self, name: str, failures: int = 0) -> None:
        self.name = name
        self.failures = failures
        self.received: list[Notice] = []

    async def send(self, notification: Notice) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("gateway down")
        self.received.append(notification)


async def test_a_failing_channel_is_retried_and_does_not_stop_the_others(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock,
) -> None:
    flaky, steady = Channel("sms", failures=1), Channel("chat")
    service = Notifications([flaky, steady], attempts=3, retry_seconds=5)
    nursery.start_soon(service.run)
    notice = Notice("visit.reminder", "Your visit starts soon", phone="+15550100")
    assert await service.send(notice) == ["chat"]
    assert (steady.received, flaky.received) == ([notice], [])
    await trio.sleep(6)
    assert flaky.received == [notice]
    stats = service.statistics()
    assert (stats.sent, stats.failed, stats.dropped, stats.retrying) == (2, 1, 0, 0)
    assert [(c.name, c.sent, c.failed) for c in stats.channels] == [("chat", 1, 0),
                                                                    ("sms", 1, 1)]


async def test_a_channel_that_keeps_failing_is_given_up_after_its_attempts(
    nursery: trio.Nursery, autojump_clock: trio.testing.MockClock,
) -> None:
    broken = Channel("sms", failures=10)
    service = Notifications([broken], attempts=3, retry_seconds=5)
    nursery.start_soon(service.run)
    await service.send(Notice("visit.reminder", "Soon", phone="+15550100"))
    await trio.sleep(3600)
    stats = service.statistics()
    assert (stats.failed, stats.dropped, broken.failures) == (3, 1, 7)


async def test_a_notice_for_a_channel_that_is_not_enabled_is_refused() -> None:
    chat = Channel("chat")
    service = Notifications([chat])
    with pytest.raises(BadRequest) as refused:
        await service.send(Notice("k", "t", user_id="u1", channels=("chat", "sms")))
    assert refused.value.code == "unknown_channel"
    assert chat.received == []


SMS = """
    from vclinic.plugins import hookimpl

    VCLINIC_PLUGIN_API = (1, 0)
    SENT = []

    class Sms:
        name = "sms"

        async def send(self, notification):
            if notification.phone is not None:
                SENT.append((notification.phone, notification.kind))

    @hookimpl
    def vclinic_notification_channels():
        return [Sms()]
"""


async def test_one_notice_reaches_the_bell_email_and_a_plugins_sms_channel(
    nursery: trio.Nursery, tmp_path: Path, smtp_server: tuple[int, Path],
) -> None:
    port, maildir = smtp_server
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "sms.py").write_text(textwrap.dedent(SMS))
    # Only the test's plugin: workflow plugins may add channels of their own.
    node = await start_node(nursery, tmp_path / "node", smtp_port=port, plugins_dir=str(plugins),
                            plugins=["sms"])
    client = Client(base_url(node))
    await client.signin(PROVIDER)
    body = (await client.request("GET", "/api/v1/me")).json()
    me = body["user"]["id"]
    # The core's own channels come from a built-in plugin, which is no workflow of the UI.
    assert "notifications" not in {w["name"] for w in body["workflows"]}
    assert "sms" in {w["name"] for w in body["workflows"]}
    service = node.context.notifications
    assert set(service.channels) == {"bell", "email", "sms"}

    sent = await service.send(Notice(
        "visit.reminder", "Your visit starts in 10 minutes", user_id=me,
        email="dr.ada@example.org", phone="+15550100", body="Open the app to join.",
        data={"url": "/dashboard"}))
    assert sorted(sent) == ["bell", "email", "sms"]
    bell: dict[str, Any] = (await client.request("GET", "/api/v1/notifications")).json()
    assert [(n["kind"], n["title"]) for n in bell["notifications"]] == [
        ("visit.reminder", "Your visit starts in 10 minutes")]
    [mail] = await wait_for_mail(maildir)
    message = message_from_bytes(mail.as_bytes())
    assert (message["To"], message["Subject"]) == ("dr.ada@example.org",
                                                   "Your visit starts in 10 minutes")
    sms = node.context.plugins.plugin("sms")
    assert sms.SENT == [("+15550100", "visit.reminder")]  # type: ignore[attr-defined]
    # An operator sees each channel's deliveries on /metrics.
    metrics = (await client.request("GET", "/metrics")).text.splitlines()
    for channel in ("bell", "email", "sms"):
        assert f'vclinic_notifications_sent_total{{channel="{channel}"}} 1.0' in metrics
    assert "vclinic_notifications_retrying 0.0" in metrics
    await client.aclose()
