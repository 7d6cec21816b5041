"""Where a guest's "Back" goes in real Chromium: after hanging up, to a page that says the
session is still open and offers to join again (and nothing else of the system); after the
session ended for everyone, to the same page saying so, with no way in. A guest sent to the
dashboard lands there too; a provider's Back still goes to the dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser.harness import (
    WAIT_MS,
    NodeThread,
    api,
    axe_script,
    close_all,
    expect,
    open_call,
    serious_violations,
)

pytestmark = pytest.mark.chromium


def _back_to_left_page(guest: Any, node: NodeThread) -> None:
    back = guest.get_by_role("link", name="Back")
    expect()(back).to_be_visible()
    back.click()
    guest.wait_for_url(lambda url: url.startswith(f"{node.url}/left"))
    guest.wait_for_selector("body[data-ready=true]")
    expect()(guest.get_by_role("heading", level=1)).to_have_text("You have left the session")


def test_guest_back_offers_to_rejoin_an_open_session_and_nothing_once_it_ended(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, session_id = open_call(browser, call_node)
    try:
        guest.get_by_role("button", name="Hang Up").click()
        expect()(guest.locator("#ended-title")).to_have_text("You left the session")
        _back_to_left_page(guest, call_node)
        expect()(guest.get_by_role("status")).to_have_text("The session is still open.")
        # The only way on is back into this session: no dashboard, no other page.
        links = guest.get_by_role("link")
        expect()(links).to_have_count(1)
        rejoin = guest.get_by_role("link", name="Join the session again")
        expect()(rejoin).to_be_focused()
        axe = axe_script()
        if axe is not None:
            assert serious_violations(guest, axe) == []
        rejoin.click()
        guest.wait_for_url(f"{call_node.url}/preview?session={session_id}")
        guest.get_by_role("button", name="Join Session").click()
        guest.wait_for_url(lambda url: "/call" in url)
        guest.wait_for_selector("body[data-ready=true]")

        # A guest who opens the dashboard is sent to the same page instead of an error.
        guest.goto(f"{call_node.url}/dashboard")
        guest.wait_for_url(f"{call_node.url}/left")
        expect()(guest.get_by_role("status")).to_have_text("The session is still open.")
        guest.go_back()
        guest.wait_for_url(lambda url: "/call" in url)
        guest.wait_for_selector("body[data-ready=true]")

        assert api(chair, "POST", f"/sessions/{session_id}/close")["status"] == 200
        expect()(guest.locator("#ended-title")).to_have_text("The session has ended",
                                                             timeout=WAIT_MS)
        _back_to_left_page(guest, call_node)
        expect()(guest.get_by_role("status")).to_have_text("The session has ended.")
        expect()(guest.get_by_role("link")).to_have_count(0)

        # The provider's Back after the end still goes to their dashboard.
        expect()(chair.locator("#ended-title")).to_have_text("The session has ended",
                                                             timeout=WAIT_MS)
        chair.get_by_role("link", name="Back").click()
        chair.wait_for_url(f"{call_node.url}/dashboard")
    finally:
        close_all(chair, guest)
