"""Recording and Time Left in real Chromium: the Session Chair, who agreed to be recorded on the
Camera Preview, starts recording from the call page; the guest's page shows the recording
indicator and tells the guest they are not in it; only the chair is in the stored recording.
Then the chair sets the session's end and both pages count Time Left down."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER
from tests.web.browser.harness import (
    GUEST,
    TRACK_PEERS,
    WAIT_MS,
    NodeThread,
    api,
    close_all,
    create_session,
    expect,
    signin,
    wait_media_flowing,
)

pytestmark = pytest.mark.chromium

def join_call(browser: Any, node: NodeThread) -> tuple[Any, Any, str]:
    """The chair agrees to recording on the Camera Preview and joins; a guest joins by the
    session link without agreeing."""
    chair = browser.new_context()
    guest = browser.new_context()
    for ctx in (chair, guest):
        ctx.add_init_script(TRACK_PEERS)
    cpage = chair.new_page()
    signin(cpage, node.url, PROVIDER, DEMO_PASSWORD)
    session_id, link = create_session(cpage, "Recorded consult")
    assert link
    cpage.goto(f"{node.url}/preview?session={session_id}")
    consent = cpage.get_by_label("I agree to be recorded if this session is recorded")
    expect()(consent).not_to_be_checked()
    consent.check()
    cpage.get_by_role("button", name="Join Session").click()
    cpage.wait_for_selector("body[data-ready=true]")

    gpage = guest.new_page()
    gpage.goto(node.url + link)
    gpage.get_by_label("Your name").fill(GUEST)
    gpage.get_by_role("button", name="Continue").click()
    gpage.wait_for_url(lambda url: "/preview" in url)
    gpage.get_by_role("button", name="Join Session").click()
    gpage.wait_for_url(lambda url: "/call" in url)
    gpage.wait_for_selector("body[data-ready=true]")
    return cpage, gpage, session_id


def clock_seconds(page: Any) -> int:
    minutes, seconds = page.locator("#time-left-value").inner_text().split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def test_chair_records_from_the_call_page_and_the_guest_sees_the_indicator(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, session_id = join_call(browser, call_node)
    try:
        wait_media_flowing(chair)
        wait_media_flowing(guest)
        indicator = guest.locator("#recording")
        expect()(indicator).to_be_hidden()
        expect()(guest.get_by_role("button", name="Start Recording")).to_be_hidden()

        start = chair.get_by_role("button", name="Start Recording")
        expect()(start).to_be_visible()
        start.focus()
        chair.keyboard.press("Enter")  # keyboard-usable
        stop = chair.get_by_role("button", name="Stop Recording")
        expect()(stop).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
        expect()(indicator).to_be_visible(timeout=WAIT_MS)
        expect()(indicator).to_have_text(re.compile("Recording"))
        expect()(chair.locator("#recording")).to_be_visible()
        expect()(guest.locator("#call-status")).to_contain_text(
            "You are not in the recording", timeout=WAIT_MS)

        chair.wait_for_timeout(3000)
        stop.click()
        expect()(indicator).to_be_hidden(timeout=WAIT_MS)
        expect()(chair.get_by_role("button", name="Start Recording")).to_be_visible()

        listed = api(chair, "GET", f"/sessions/{session_id}/recordings")
        assert listed["status"] == 200, listed
        [recording] = listed["body"]["recordings"]
        assert recording["status"] == "complete"
        chair_name = api(chair, "GET", "/me")["body"]["user"]["name"]
        assert [p["display_name"] for p in recording["participants"]] == [chair_name]
        assert GUEST not in str(recording)

        # Time Left: the chair gives the session ten minutes; both pages count down.
        changed = api(chair, "PATCH", f"/sessions/{session_id}", {"duration_minutes": 10})
        assert changed["status"] == 200, changed
        for page in (chair, guest):
            box = page.locator("#time-left")
            expect()(box).to_be_visible(timeout=WAIT_MS)
            expect()(box).to_contain_text("Time Left")
        first = clock_seconds(guest)
        assert 9 * 60 <= first <= 10 * 60
        guest.wait_for_timeout(2500)
        assert clock_seconds(guest) < first
    finally:
        close_all(chair, guest)
