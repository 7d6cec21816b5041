"""The call page on a phone in real Chromium: with the recording indicator and Time Left in the
top bar, the small self view stays clear of the connection label."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.web.browser.harness import NodeThread, api, close_all, expect, open_call

pytestmark = pytest.mark.chromium
PHONE = {"viewport": {"width": 390, "height": 800}, "is_mobile": True, "has_touch": True}


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_phone_self_view_leaves_the_connection_label_visible_while_recording(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, session_id = open_call(browser, call_node, **PHONE)
    try:
        ends = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)).isoformat()
        assert api(chair, "PATCH", f"/sessions/{session_id}", {"ends_at": ends})["status"] == 200
        started = api(chair, "POST", f"/sessions/{session_id}/recording")
        assert started["status"] in (200, 201), started
        expect()(guest.locator("#recording")).to_be_visible()
        expect()(guest.locator("#time-left")).to_be_visible()
        quality = guest.locator("#quality")
        expect()(quality).to_be_visible()
        self_view = guest.locator("#self-tile").bounding_box()
        label = quality.bounding_box()
        assert self_view and label
        assert not overlaps(self_view, label), (self_view, label)
    finally:
        close_all(chair, guest)
