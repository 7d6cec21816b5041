"""The session form and a chair's tools in real Chromium: Start a Session with a colleague as
Session Chair (Search Providers) and About Patient; in a call, Capture Image to the patient's
Files, a guest made a Viewer from the participant list, and Session Settings switching to
Internal, which removes the guest."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER, PROVIDER_2
from tests.sessions.test_browser_roles import QUIET_MS, wait_video_stopped
from tests.web.browser.harness import (
    GUEST,
    WAIT_MS,
    NodeThread,
    accept_next_dialog,
    api,
    close_all,
    expect,
    inbound,
    open_call,
    signin,
    wait_media_flowing,
)

pytestmark = pytest.mark.chromium


def new_patient(page: Any, name: str) -> str:
    created = api(page, "POST", "/patients", {"display_name": name})
    assert created["status"] == 201, created
    return str(created["body"]["patient"]["id"])


def pick(page: Any, label: str, text: str, choice: str) -> None:
    """Type ``text`` into the search field ``label`` and select ``choice`` among the results."""
    page.get_by_role("searchbox", name=label).fill(text)
    page.get_by_role("list", name=f"{label} results").get_by_role(
        "button", name=choice).click()


def test_provider_starts_a_session_with_a_colleague_as_chair_and_a_patient(
        browser: Any, call_node: NodeThread) -> None:
    ada = browser.new_context().new_page()
    grace = browser.new_context().new_page()
    try:
        signin(ada, call_node.url, PROVIDER, DEMO_PASSWORD)
        patient_id = new_patient(ada, "Jane Settings")
        ada.get_by_role("button", name="Start a Session").click()
        form = ada.get_by_role("form", name="Start a Session")
        form.get_by_label("Session name").fill("2020-04-15 09:30 Dr. Campo - New Patient Consult")
        expect()(form.get_by_role("radio", name="Invitation Session")).to_be_checked()
        pick(ada, "Search Providers", "Grace", "Dr Grace Hopper")
        role = form.get_by_label("Role of Dr Grace Hopper")
        expect()(role).to_have_value("broadcaster")
        role.select_option(label="Session Chair")
        urls: list[str] = []
        ada.on("request", lambda request: urls.append(request.url))
        pick(ada, "Search patients", "Jane Sett", "Jane Settings")
        expect()(form.locator(".linked-patient")).to_have_text("Patient: Jane Settings")
        # About Patient sent what was typed in a request body, never in an address.
        assert [u for u in urls if "Jane" in u] == []
        reminders = accept_next_dialog(ada)
        form.get_by_role("button", name="OK").click()
        ada.wait_for_url(lambda url: "/preview?session=" in url)
        assert reminders == ["Anyone you share the session link with will be able to join "
                             "this session."]
        session_id = ada.url.split("session=")[1]
        detail = api(ada, "GET", f"/sessions/{session_id}")["body"]
        assert detail["session"]["patient_id"] == patient_id
        assert {p["display_name"]: p["role"] for p in detail["participants"]} == {
            "Dr Ada Lovelace": "chair", "Dr Grace Hopper": "chair"}

        signin(grace, call_node.url, PROVIDER_2, DEMO_PASSWORD)
        row = grace.get_by_role("list", name="Your telehealth sessions").get_by_role(
            "listitem").filter(has_text="Dr. Campo - New Patient Consult")
        expect()(row).to_contain_text("Session Chair")
        # A session without a date and time shows none (not "null").
        expect()(row.locator(".session-name")).to_have_text(
            "2020-04-15 09:30 Dr. Campo - New Patient Consult")
        expect()(row).not_to_contain_text("null")
        expect()(row.get_by_role("button", name="Settings of 2020-04-15")).to_be_visible()
        expect()(row.get_by_role("link", name="Camera Preview of 2020-04-15")).to_be_visible()
        expect()(grace.locator("#bell-count")).to_have_text("1")
    finally:
        close_all(ada, grace)


def test_chair_captures_an_image_makes_the_guest_a_viewer_then_internal_removes_them(
        browser: Any, call_node: NodeThread) -> None:
    chair, guest, session_id = open_call(browser, call_node)
    try:
        patient_id = new_patient(chair, "Jane Capture")
        wait_media_flowing(chair)
        # Only the chair has the chair's tools.
        expect()(chair.get_by_role("button", name="Session Settings")).to_be_visible()
        expect()(guest.get_by_role("button", name="Session Settings")).to_be_hidden()
        expect()(guest.locator(".participant-role-select")).to_have_count(0)

        # About Patient, linked from Session Settings during the call.
        chair.get_by_role("button", name="Session Settings").click()
        dialog = chair.get_by_role("dialog", name="Session Settings")
        expect()(dialog.get_by_label("Session name")).to_have_value("Follow-up consult")
        pick(chair, "Search patients", "Jane Cap", "Jane Capture")
        dialog.get_by_role("button", name="OK").click()
        expect()(dialog).to_be_hidden()
        expect()(chair.locator("#call-status")).to_have_text("Session settings saved.")
        # The call page names the linked patient to the practice's people, never to a guest.
        expect()(chair.locator("#about-patient")).to_have_text("About Patient: Jane Capture")
        expect()(guest.locator("#about-patient")).to_be_hidden()
        assert "Jane Capture" not in guest.content()

        capture = chair.get_by_role("button", name=f"Capture Image of {GUEST}")
        capture.click()
        expect()(chair.locator("#call-status")).to_have_text(
            f"Image of {GUEST} saved to the patient's Files.", timeout=WAIT_MS)
        files = api(chair, "GET", f"/patients/{patient_id}/files")["body"]["files"]
        guest_id = chair.locator("#participants li", has_text=GUEST).get_attribute(
            "data-participant")
        assert [(f["session_id"], f["participant_id"], f["content_type"]) for f in files] == [
            (session_id, guest_id, "image/jpeg")]
        expect()(guest.get_by_role("button", name="Capture Image", exact=False)).to_have_count(0)

        chair.get_by_label(f"Role of {GUEST}").select_option(label="Viewer")
        row = chair.locator("#participants li", has_text=GUEST)
        expect()(row.locator(".participant-role")).to_have_text("Viewer, Guest", timeout=WAIT_MS)
        settled = wait_video_stopped(chair)
        chair.wait_for_timeout(QUIET_MS)
        assert inbound(chair)["frames"] <= settled, "the chair decoded new frames from a Viewer"
        expect()(guest.locator("#call-status")).to_contain_text("The Session Chair stopped your",
                                                                timeout=WAIT_MS)

        chair.get_by_role("button", name="Session Settings").click()
        dialog.get_by_role("radio", name="Internal Session").check()
        warnings = accept_next_dialog(chair)
        dialog.get_by_role("button", name="OK").click()
        expect()(guest.locator("#ended-title")).to_have_text(
            "You were removed from the session", timeout=WAIT_MS)
        expect()(guest.locator("#ended-text")).to_have_text(
            "The session's access level changed and no longer includes you.")
        expect()(guest.get_by_role("button", name="Join Session")).to_be_hidden()
        assert warnings == [f"Switching to Internal Session removes {GUEST} from the session. "
                            "Continue?"]
        expect()(row.locator(".participant-state")).to_have_text("Removed", timeout=WAIT_MS)
        expect()(chair.get_by_label(f"Role of {GUEST}")).to_have_count(0)
        assert api(chair, "GET", f"/sessions/{session_id}")["body"]["session"][
            "access_level"] == "internal"
        # The removed guest's Back says so and leads nowhere else in the system.
        guest.get_by_role("link", name="Back").click()
        guest.wait_for_url(lambda url: "/left" in url)
        expect()(guest.get_by_role("heading", level=1)).to_have_text("You have left the session")
        expect()(guest.get_by_role("status")).to_have_text("You can no longer join this session.")
        expect()(guest.get_by_role("link")).to_have_count(0)
    finally:
        close_all(chair, guest)
