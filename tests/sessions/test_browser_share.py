"""Sharing and ending a session from the call page in real Chromium: the Session Chair sees the
session link to share, a new guest following it reaches the join page, and "End Session for
Everyone" ends the call for the guest, after which the link shows a page saying why it no
longer works. Replace Link makes a new guest link and the old one stops working; End Session
in the Telehealth list takes a session off it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER
from tests.web.browser.harness import (
    GUEST,
    WAIT_MS,
    NodeThread,
    accept_next_dialog,
    close_all,
    create_session,
    expect,
    open_call,
    signin,
)

pytestmark = pytest.mark.chromium


def test_chair_shares_the_link_and_ends_the_session_for_everyone(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, _session_id = open_call(browser, call_node)
    newcomer = browser.new_context().new_page()
    try:
        share = chair.get_by_role("textbox", name="Session link")
        expect()(share).to_be_visible(timeout=WAIT_MS)
        link = share.input_value()
        assert link.startswith(f"{call_node.url}/join/"), link
        expect()(chair.get_by_role("button", name="Copy Link")).to_be_visible()
        # Only chairs share the link and end the session.
        expect()(guest.locator("#share")).to_be_hidden()
        expect()(guest.get_by_role("button", name="End Session for Everyone")).to_be_hidden()

        newcomer.goto(link)
        newcomer.wait_for_url(f"{call_node.url}/join")
        expect()(newcomer.get_by_label("Your name")).to_be_visible()

        chair.once("dialog", lambda dialog: dialog.accept())
        chair.get_by_role("button", name="End Session for Everyone").click()
        expect()(guest.locator("#ended-title")).to_have_text("The session has ended",
                                                             timeout=WAIT_MS)
        expect()(guest.locator("#ended-text")).to_contain_text("ended the session for everyone")
        expect()(guest.get_by_role("button", name="Join Session")).to_be_hidden()

        refused = newcomer.goto(link)
        assert refused is not None and refused.status == 410
        expect()(newcomer.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        expect()(newcomer.locator("main")).to_contain_text("This session has ended")
        assert GUEST not in newcomer.content()
    finally:
        newcomer.context.close()
        close_all(chair, guest)


def test_chair_replaces_the_guest_link_and_the_old_one_stops_working(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, _session_id = open_call(browser, call_node)
    newcomer = browser.new_context().new_page()
    try:
        share = chair.get_by_role("textbox", name="Session link")
        expect()(share).to_be_visible(timeout=WAIT_MS)
        old = share.input_value()
        messages = accept_next_dialog(chair)
        chair.get_by_role("button", name="Replace Link").click()
        expect()(share).not_to_have_value(old)
        assert messages and messages[0].startswith("Replace the session link?")
        expect()(chair.locator("#call-status")).to_contain_text("The old link no longer works.")
        new = share.input_value()
        assert new.startswith(f"{call_node.url}/join/"), new

        refused = newcomer.goto(old)
        assert refused is not None and refused.status >= 400
        expect()(newcomer.get_by_role("heading", name="This link cannot be used")).to_be_visible()
        newcomer.goto(new)
        newcomer.wait_for_url(f"{call_node.url}/join")
        expect()(newcomer.get_by_label("Your name")).to_be_visible()
        # The guest already in the call stays.
        expect()(guest.get_by_role("button", name="Hang Up")).to_be_visible()
    finally:
        newcomer.context.close()
        close_all(chair, guest)


def test_chair_ends_a_session_from_the_telehealth_list(
        browser: Any, call_node: NodeThread) -> None:
    page = browser.new_context().new_page()
    try:
        signin(page, call_node.url, PROVIDER, DEMO_PASSWORD)
        create_session(page, "Old huddle to close")
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        sessions = page.get_by_role("list", name="Your telehealth sessions")
        row = sessions.get_by_role("listitem").filter(has_text="Old huddle to close")
        expect()(row).to_have_count(1)
        accept_next_dialog(page)
        row.get_by_role("button", name="End Session Old huddle to close").click()
        expect()(row).to_have_count(0)
    finally:
        page.context.close()
