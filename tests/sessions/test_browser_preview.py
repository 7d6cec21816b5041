"""The Camera Preview reached by the colleagues' link (``/preview?session=...``) in Chromium:
signed out, it goes to sign-in first and back; a colleague a Private session does not admit is
told so. In neither case does the camera turn on before the person may join. The Session Chair
finds there the link to share (seed step 4). Skips without
Chromium (fails under CI=true)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER, PROVIDER_2
from tests.web.browser.harness import NodeThread, api, close_all, expect, signin

pytestmark = pytest.mark.chromium

# Counts the page's camera/microphone requests in sessionStorage, which survives the tab's
# navigations (preview → sign-in → preview).
COUNT_CAMERA = """(() => {
  const media = navigator.mediaDevices;
  if (!media) return;
  const original = media.getUserMedia.bind(media);
  media.getUserMedia = (constraints) => {
    const count = Number(sessionStorage.getItem('camera-requests') || 0);
    sessionStorage.setItem('camera-requests', String(count + 1));
    return original(constraints);
  };
})();"""


def camera_requests(page: Any) -> int:
    return int(page.evaluate("Number(sessionStorage.getItem('camera-requests') || 0)"))


def tab(browser: Any) -> Any:
    context = browser.new_context()
    context.add_init_script(COUNT_CAMERA)
    return context.new_page()


def start_session(page: Any, **body: Any) -> str:
    """Start a Session as the signed-in user of ``page``; returns its id."""
    answer = api(page, "POST", "/sessions", {"name": "Team huddle", **body})
    assert answer["status"] == 201, answer
    return str(answer["body"]["session"]["id"])


def test_colleagues_link_signed_out_goes_to_sign_in_first(
        browser: Any, call_node: NodeThread) -> None:
    chair, colleague = tab(browser), tab(browser)
    try:
        signin(chair, call_node.url, PROVIDER, DEMO_PASSWORD)
        session_id = start_session(chair, access_level="internal")
        colleague.goto(f"{call_node.url}/preview?session={session_id}")
        colleague.wait_for_url(lambda url: "/signin?next=" in url)
        assert camera_requests(colleague) == 0, "the camera turned on before sign-in"

        colleague.get_by_label("Email").fill(PROVIDER_2)
        colleague.get_by_label("Password").fill(DEMO_PASSWORD)
        colleague.get_by_role("button", name="Sign in").click()
        colleague.wait_for_url(f"{call_node.url}/preview?session={session_id}")
        expect()(colleague.get_by_text("Team huddle")).to_be_visible()
        expect()(colleague.get_by_role("button", name="Join Session")).to_be_enabled()
        assert camera_requests(colleague) == 1
    finally:
        close_all(chair, colleague)


def test_uninvited_colleague_is_refused_with_the_camera_off(
        browser: Any, call_node: NodeThread) -> None:
    chair, colleague = tab(browser), tab(browser)
    try:
        signin(chair, call_node.url, PROVIDER, DEMO_PASSWORD)
        session_id = start_session(chair, access_level="private")
        signin(colleague, call_node.url, PROVIDER_2, DEMO_PASSWORD)
        colleague.goto(f"{call_node.url}/preview?session={session_id}")
        colleague.wait_for_selector("body[data-ready=true]")
        expect()(colleague.get_by_role("alert")).to_contain_text("private session")
        expect()(colleague.get_by_role("button", name="Join Session")).to_be_disabled()
        assert camera_requests(colleague) == 0, "the camera turned on before the refusal"
    finally:
        close_all(chair, colleague)


def test_chair_finds_the_link_to_share_on_the_camera_preview(
        browser: Any, call_node: NodeThread) -> None:
    chair = tab(browser)
    try:
        signin(chair, call_node.url, PROVIDER, DEMO_PASSWORD)
        session_id = start_session(chair, confirm_link_reminder=True)
        chair.goto(f"{call_node.url}/preview?session={session_id}")
        share = chair.get_by_role("region", name="Session link")
        expect()(share).to_contain_text(
            "Anyone you share the session link with will be able to join this session.")
        expect()(share.get_by_role("textbox")).to_have_value(
            re.compile(re.escape(f"{call_node.url}/join/") + ".+"))

        internal = start_session(chair, access_level="internal")
        chair.goto(f"{call_node.url}/preview?session={internal}")
        expect()(share).to_contain_text("Anyone at your practice who has the link can join.")
        expect()(share.get_by_role("textbox")).to_have_value(
            f"{call_node.url}/preview?session={internal}")
    finally:
        close_all(chair)
