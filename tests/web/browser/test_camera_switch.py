"""A guest on a phone with two cameras switches camera during a call; the provider keeps seeing
video.

The phone runs in a second Chromium launched from the same Playwright driver as the shared
``browser`` fixture (``browser.browser_type``), because the number of fake cameras is a launch
flag (``--use-fake-device-for-media-stream=device-count=4``). Chromium's fake cameras report no
``facingMode``, so the page switches to the next camera in the device list (the path for phones
that do not report which way a camera faces). Chromium's second fake camera (``fake_device_1``)
is a Y16 depth camera that WebRTC cannot encode, so the guest picks ``fake_device_2`` on the
Camera Preview; Switch Camera then takes it to ``fake_device_3`` and on to ``fake_device_0``.
The provider's browser has one camera and is offered no switch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser.harness import (
    ARGS,
    CHROMIUM,
    NodeThread,
    close_all,
    expect,
    open_call,
    poll,
    wait_media_flowing,
)

PHONE = {"is_mobile": True, "has_touch": True, "viewport": {"width": 390, "height": 844},
         "device_scale_factor": 3}
FOUR_CAMERAS = [a for a in ARGS if not a.startswith("--use-fake-device-for-media-stream")] + [
    "--use-fake-device-for-media-stream=device-count=4"]

# The camera the page sends: the video sender's track on its current peer connection, and the
# track the outbound video stream is encoding (from getStats' media-source).
SENT_CAMERA = """async () => {
  const pcs = (window.__peers || []).filter(pc => pc.connectionState === 'connected');
  const pc = pcs[pcs.length - 1];
  const sender = pc && pc.getSenders().find(s => s.track && s.track.kind === 'video');
  if (!sender) return null;
  let encoding = null, framesEncoded = 0;
  (await pc.getStats()).forEach(s => {
    if (s.type === 'media-source' && s.kind === 'video') encoding = s.trackIdentifier;
    if (s.type === 'outbound-rtp' && s.kind === 'video') framesEncoded += s.framesEncoded || 0;
  });
  const self = document.getElementById('self-video').srcObject;
  return {id: sender.track.id, deviceId: sender.track.getSettings().deviceId,
          label: sender.track.label, live: sender.track.readyState === 'live',
          encoding, framesEncoded, selfView: self && self.getVideoTracks()[0].id};
}"""


@pytest.fixture(scope="module")
def phone_browser(browser: Any) -> Iterator[Any]:
    """Chromium with four fake cameras, from the shared fixture's Playwright driver."""
    chromium = browser.browser_type.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=FOUR_CAMERAS)
    yield chromium
    chromium.close()


def sent_camera(page: Any) -> dict[str, Any]:
    for _ in range(40):
        camera = page.evaluate(SENT_CAMERA)
        if camera is not None:
            return camera  # type: ignore[no-any-return]
        page.wait_for_timeout(250)
    raise AssertionError("the page sends no video")


def press_switch(page: Any, before: dict[str, Any]) -> dict[str, Any]:
    """Focus Switch Camera, press Enter, and wait until the sender encodes another track."""
    page.get_by_role("button", name="Switch Camera").focus()
    page.keyboard.press("Enter")
    for _ in range(40):
        after = sent_camera(page)
        if after["id"] != before["id"] and after["encoding"] == after["id"]:
            return after
        page.wait_for_timeout(250)
    raise AssertionError(f"the camera did not change: still {after['label']}")


def test_switch_camera_on_a_phone_changes_the_camera_and_video_keeps_flowing(
    browser: Any, phone_browser: Any, node: NodeThread,
) -> None:
    provider, guest, _ = open_call(browser, node, guest_browser=phone_browser,
                                   guest_camera="fake_device_2", **PHONE)
    try:
        assert guest.evaluate("navigator.maxTouchPoints > 0 && "
                              "matchMedia('(pointer: coarse)').matches"), "not a phone page"
        wait_media_flowing(provider)
        before = sent_camera(guest)
        assert before["live"] and before["encoding"] == before["id"]
        switch = guest.get_by_role("button", name="Switch Camera")
        expect()(switch).to_be_visible()
        # One camera on the provider's laptop: nothing to switch to, no button.
        expect()(provider.get_by_role("button", name="Switch Camera")).to_be_hidden()
        # Keyboard: focus the control and press Enter, as a screen-reader user would.
        after = press_switch(guest, before)
        assert (before["label"], after["label"]) == ("fake_device_2", "fake_device_3")
        assert after["deviceId"] != before["deviceId"]
        assert after["live"] and after["selfView"] == after["id"]
        # The new camera's frames are encoded and sent, and the provider keeps decoding them.
        poll(guest, lambda _: sent_camera(guest)["framesEncoded"] > after["framesEncoded"] + 10,
             "the new camera's frames are not being encoded")
        stats = wait_media_flowing(provider)
        assert stats["frames"] > 10
        # Once more: round the list to the first camera, video still flowing.
        again = press_switch(guest, after)
        assert again["label"] == "fake_device_0" and again["selfView"] == again["id"]
        wait_media_flowing(provider)
        # No renegotiation was needed: the guest still has its one connection.
        assert guest.evaluate("window.__peers.length") == 1
    finally:
        close_all(provider, guest)
