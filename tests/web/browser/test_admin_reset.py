"""An admin emails a password-reset link (through the outbox, to a real SMTP server) and the
person sets a new password on the /reset page in a real browser; the link then works no more."""

from __future__ import annotations

import mailbox
import re
import time
from pathlib import Path
from typing import Any

from tests.fakes import ADMIN, DEMO_PASSWORD, PROVIDER_2
from tests.smtp import smtp_server  # noqa: F401 - the SMTP server fixture
from tests.web.browser.harness import NodeThread, serious_violations, signin
from tests.web.browser.test_admin import can_sign_in, expect, open_admin, result, section

MAIL_WAIT_SECONDS = 60


def received(maildir: Path) -> list[Any]:
    """The emails the SMTP server has stored, waiting (bounded) for the first one."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        if (maildir / "new").exists() and list(mailbox.Maildir(maildir)):
            return list(mailbox.Maildir(maildir))
        time.sleep(0.1)
    raise AssertionError("no email reached the SMTP server")


def test_emailed_reset_link_sets_a_new_password_once(
        tmp_path: Path, smtp_server: tuple[int, Path], browser: Any,  # noqa: F811
        axe: Path) -> None:
    port, maildir = smtp_server
    node = NodeThread(tmp_path / "node", smtp_port=port, email_retry_seconds=0.2).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        open_admin(page, node.url)
        users = section(page, "Users")
        users.get_by_role("button", name="Email reset link: Dr Grace Hopper").click()
        expect()(result(users)).to_have_text(
            "A link to set a new password was emailed to Dr Grace Hopper.")

        [message] = received(maildir)
        assert message["To"] == PROVIDER_2
        body = message.get_payload(decode=True).decode()
        link = re.search(r"(http://\S+/reset#\S+)", body)
        assert link is not None

        person = browser.new_context()
        reset = person.new_page()
        reset.goto(link.group(1))
        # The token leaves the address bar as soon as the page has read it.
        expect()(reset).to_have_url(re.compile(r"/reset$"))
        assert serious_violations(reset, axe) == []
        reset.get_by_label("New password", exact=True).fill("grace-new-pass-1")
        reset.get_by_label("New password again").fill("grace-other-pass")
        reset.get_by_role("button", name="Set password").click()
        expect()(reset.get_by_role("alert")).to_have_text("The two passwords are not the same.")
        reset.get_by_label("New password again").fill("grace-new-pass-1")
        reset.get_by_role("button", name="Set password").click()
        expect()(reset.get_by_text("Your new password is set.")).to_be_visible()
        reset.get_by_role("link", name="Sign in").click()
        signin(reset, node.url, PROVIDER_2, "grace-new-pass-1")
        assert not can_sign_in(browser, node.url, PROVIDER_2, DEMO_PASSWORD)

        # The same link a second time: refused, the password stays.
        again = person.new_page()
        again.goto(link.group(1))
        again.get_by_label("New password", exact=True).fill("grace-third-pass")
        again.get_by_label("New password again").fill("grace-third-pass")
        again.get_by_role("button", name="Set password").click()
        expect()(again.get_by_role("alert")).to_contain_text("not valid any more")
        assert can_sign_in(browser, node.url, PROVIDER_2, "grace-new-pass-1")
        assert not can_sign_in(browser, node.url, ADMIN, "grace-new-pass-1")
        person.close()
    finally:
        context.close()
        node.stop()


def test_an_invited_user_chooses_their_password_from_the_email(
        tmp_path: Path, smtp_server: tuple[int, Path], browser: Any) -> None:  # noqa: F811
    port, maildir = smtp_server
    node = NodeThread(tmp_path / "node", smtp_port=port, email_retry_seconds=0.2).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        open_admin(page, node.url)
        users = section(page, "Users")
        users.get_by_label("Name", exact=True).fill("Dr Mary Seacole")
        users.get_by_label("Email", exact=True).fill("dr.mary@demo.clinic")
        users.get_by_label("Email them a link to choose their own password").check()
        expect()(users.get_by_label("First password")).to_be_hidden()
        users.get_by_role("button", name="Add user").click()
        expect()(result(users)).to_have_text(
            "Dr Mary Seacole was added and emailed a link to choose a password.")
        expect()(users.locator("li.admin-row", has_text="dr.mary@demo.clinic")).to_contain_text(
            "Provider · Active")

        [message] = received(maildir)
        assert message["To"] == "dr.mary@demo.clinic"
        link = re.search(r"(http://\S+/reset#\S+)", message.get_payload(decode=True).decode())
        assert link is not None
        person = context.browser.new_context()
        mary = person.new_page()
        mary.goto(link.group(1))
        mary.get_by_label("New password", exact=True).fill("mary-chosen-1")
        mary.get_by_label("New password again").fill("mary-chosen-1")
        mary.get_by_role("button", name="Set password").click()
        expect()(mary.get_by_text("Your new password is set.")).to_be_visible()
        signin(mary, node.url, "dr.mary@demo.clinic", "mary-chosen-1")
        person.close()
    finally:
        context.close()
        node.stop()
