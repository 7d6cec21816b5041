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
    poll,
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
        # The session's media.stats (one per interval, listing everyone) rate the guest's link.
        expect()(row.locator(".participant-quality")).to_have_text("Connection: good",
                                                                   timeout=WAIT_MS)
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


def wait_audio_stopped(page: Any) -> int:
    """As :func:`wait_video_stopped`, for the audio packets the page received."""
    before = inbound(page)["audioPackets"]
    for _ in range(WAIT_MS // QUIET_MS):
        page.wait_for_timeout(QUIET_MS)
        now = inbound(page)["audioPackets"]
        if now <= before:
            return int(now)
        before = now
    raise AssertionError(f"the guest's audio still reaches the chair: {before} packets")


def test_viewer_made_broadcaster_again_is_seen_and_heard_again(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, session_id = open_call(browser, call_node)
    try:
        wait_media_flowing(chair)
        row = chair.locator("#participants li", has_text=GUEST)
        participant_id = row.get_attribute("data-participant")
        path = f"/sessions/{session_id}/participants/{participant_id}"

        assert api(chair, "PATCH", path, {"role": "viewer"})["status"] == 200
        expect()(guest.locator("#call-status")).to_contain_text(
            "The Session Chair stopped your", timeout=WAIT_MS)
        frames = wait_video_stopped(chair)
        packets = wait_audio_stopped(chair)
        # A Viewer is not offered controls that would do nothing.
        expect()(guest.get_by_role("button", name="Mute")).to_be_hidden()
        expect()(guest.get_by_role("button", name="Stop Camera")).to_be_hidden()

        assert api(chair, "PATCH", path, {"role": "broadcaster"})["status"] == 200
        expect()(row.locator(".participant-role")).to_have_text("Broadcaster, Guest")
        poll(chair, lambda s: s["frames"] > frames + 10,
             "the chair decoded no new video from the guest made Broadcaster again")
        poll(chair, lambda s: s["audioPackets"] > packets + 10,
             "the chair received no new audio from the guest made Broadcaster again")
        expect()(guest.get_by_role("button", name="Mute")).to_be_visible()
        expect()(guest.get_by_role("button", name="Stop Camera")).to_be_enabled()
    finally:
        close_all(chair, guest)
