"""A role change in real Chromium: the Session Chair makes a guest a Viewer in a running call, and
the guest's camera stops reaching the chair.

The chair changes the role through ``PATCH /api/v1/sessions/<id>/participants/<participant>``
from its own page, as the call page's API client would (session cookie and CSRF token).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser.harness import (
    GUEST,
    WAIT_MS,
    NodeThread,
    api,
    close_all,
    expect,
    inbound,
    open_call,
    wait_media_flowing,
)

pytestmark = pytest.mark.chromium

#: How long the chair watches the guest's video to call it stopped.
QUIET_MS = 3000

def wait_video_stopped(page: Any) -> int:
    """Sample the page's decoded video frames ``QUIET_MS`` apart until two samples are the same
    (bounded by ``WAIT_MS``); returns the count it settled on."""
    before = inbound(page)["frames"]
    for _ in range(WAIT_MS // QUIET_MS):
        page.wait_for_timeout(QUIET_MS)
        now = inbound(page)["frames"]
        if now <= before:
            return int(now)
        before = now
    raise AssertionError(f"the guest's video still reaches the chair: {before} frames decoded")


def test_chair_makes_a_guest_viewer_and_the_guests_camera_stops(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, session_id = open_call(browser, call_node)
    try:
        flowing = wait_media_flowing(chair)
        assert flowing["frames"] > 10

        row = chair.locator("#participants li", has_text=GUEST)
        expect()(row.locator(".participant-role")).to_have_text("Broadcaster, Guest")
        participant_id = row.get_attribute("data-participant")
        assert participant_id

        answer = api(chair, "PATCH", f"/sessions/{session_id}/participants/{participant_id}",
                     {"role": "viewer"})
        assert answer["status"] == 200, answer
        assert answer["body"]["participant"]["role"] == "viewer"

        settled = wait_video_stopped(chair)
        chair.wait_for_timeout(QUIET_MS)
        assert inbound(chair)["frames"] <= settled, "the chair decoded new frames from a Viewer"

        expect()(row.locator(".participant-role")).to_have_text("Viewer, Guest")
        expect()(guest.locator("#call-status")).to_contain_text(
            "The Session Chair stopped your", timeout=WAIT_MS)
        expect()(chair.get_by_role("button", name="Hang Up")).to_be_visible()
    finally:
        close_all(chair, guest)
