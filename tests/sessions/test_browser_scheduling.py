"""Provider → Scheduling in real Chromium against a real node: a provider books an appointment,
opens its Appointment Summary, selects Create Telehealth Session, makes a colleague Session
Chair in the confirm step and lands on the Camera Preview; the colleague is notified, sees the
session in Provider → Telehealth, and the session is about the appointment's patient. Bad input
and a failed start are shown where the user is looking."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER, PROVIDER_2
from tests.web.browser.harness import (
    WAIT_MS,
    NodeThread,
    accept_next_dialog,
    api,
    axe_script,
    close_all,
    expect,
    serious_violations,
    signin,
)

pytestmark = pytest.mark.chromium

REMINDER = "Anyone you share the session link with will be able to join this session."
ROBIN = "Robin Example (demo patient)"
SESSION_NAME = "2030-05-01 10:30 Dr Ada Lovelace - Follow-up"


def _scheduling(browser: Any, node: NodeThread, email: str,
                timezone_id: str = "UTC") -> tuple[Any, Any]:
    page = browser.new_context(viewport={"width": 1280, "height": 900},
                               timezone_id=timezone_id).new_page()
    signin(page, node.url, email, DEMO_PASSWORD)
    section = page.get_by_role("region", name="Scheduling")
    expect()(section).to_be_visible()
    return page, section


def _book_in_the_form(section: Any) -> None:
    section.get_by_role("button", name="New Appointment").click()
    save = section.get_by_role("button", name="Save Appointment")
    save.click()
    expect()(section.get_by_role("alert")).to_have_text(
        "Enter the date and time of the appointment.")
    section.get_by_label("Date and time").fill("2030-05-01T10:30")
    save.click()
    expect()(section.get_by_role("alert")).to_have_text(
        "Choose the patient: search for them and select their name.")
    section.get_by_label("Search Patients").fill("Robin")
    found = section.get_by_role("group", name="Patient").get_by_role("status")
    expect()(found).to_have_text("1 found.")
    section.get_by_label(ROBIN).check()
    section.get_by_label("Search Providers").fill("Grace")
    found = section.get_by_role("group", name="Providers").get_by_role("status")
    expect()(found).to_have_text("1 found.")
    section.get_by_label("Dr Grace Hopper").check()
    expect()(section.get_by_label("Dr Ada Lovelace")).to_be_checked()
    save.click()


def test_provider_starts_a_session_from_an_appointment_and_the_colleague_is_invited(
        browser: Any, call_node: NodeThread) -> None:
    # Three hours behind UTC: the session's proposed name uses the time the user sees.
    ada, section = _scheduling(browser, call_node, PROVIDER, timezone_id="America/Sao_Paulo")
    urls: list[str] = []
    ada.on("request", lambda request: urls.append(request.url))
    grace = None
    try:
        # The demo clinic's own appointments are listed, upcoming first.
        listed = section.get_by_role("list", name="Your appointments")
        expect()(listed.get_by_role("button").first).to_contain_text("Sam Sample (demo patient)")
        _book_in_the_form(section)

        summary = section.get_by_role("region", name="Appointment Summary")
        expect()(summary).to_contain_text(ROBIN)
        expect()(summary).to_contain_text("Dr Ada Lovelace, Dr Grace Hopper")
        expect()(listed.get_by_role("button", name=ROBIN).last).to_have_attribute(
            "aria-current", "true")
        axe = axe_script()
        if axe is not None:
            assert serious_violations(ada, axe) == []

        summary.get_by_role("button", name="Create Telehealth Session").click()
        dialog = ada.get_by_role("dialog", name="Create Telehealth Session")
        expect()(dialog).to_be_visible()
        access = dialog.get_by_role("group", name="Session Access")
        expect()(access.get_by_role("radio", name="Invitation Session")).to_be_checked()
        expect()(access).to_contain_text("Anyone you share the link with can join.")
        expect()(access).to_contain_text("Only people at your practice who are on the "
                                         "participants list can join.")
        invites = dialog.get_by_role("table", name="Invite list")
        expect()(invites.get_by_role("row", name="Dr Ada Lovelace (you)")).to_contain_text(
            "Session Chair")
        name = dialog.get_by_label("Session name")
        expect()(name).to_have_value("2030-05-01 10:30 Dr Ada Lovelace - Appointment")
        name.fill(" ")
        dialog.get_by_role("button", name="OK").click()
        expect()(dialog.get_by_role("alert")).to_have_text("Enter a name for the session.")
        expect()(name).to_be_focused()
        name.fill(SESSION_NAME)
        role = dialog.get_by_label("Role for Dr Grace Hopper")
        expect()(role).to_have_value("broadcaster")
        expect()(dialog.get_by_label("Invite Dr Grace Hopper")).to_be_checked()
        role.select_option(label="Session Chair")
        if axe is not None:
            assert serious_violations(ada, axe) == []

        reminders = accept_next_dialog(ada)
        dialog.get_by_role("button", name="OK").click()
        ada.wait_for_url(lambda url: "/preview?session=" in url, timeout=WAIT_MS)
        expect()(ada.get_by_role("heading", name="Camera Preview")).to_be_visible()
        expect()(ada.get_by_role("button", name="Join Session")).to_be_visible()
        assert reminders == [REMINDER]
        # Search Patients sent what was typed in a request body, never in an address.
        assert [u for u in urls if "Robin" in u] == []
        session_id = ada.url.split("session=")[1]

        # The session is about the appointment's patient, with the colleague as Session Chair.
        robin = api(ada, "POST", "/patients/search", {"q": "Robin"})["body"]["patients"][0]
        session = api(ada, "GET", f"/sessions/{session_id}")["body"]
        assert session["session"]["patient_id"] == robin["id"]
        assert session["session"]["access_level"] == "invitation"
        assert session["session"]["name"] == SESSION_NAME
        assert session["session"]["scheduled_at"].startswith("2030-05-01T13:30")
        assert {p["display_name"]: p["role"] for p in session["participants"]} == {
            "Dr Ada Lovelace": "chair", "Dr Grace Hopper": "chair"}

        grace, _ = _scheduling(browser, call_node, PROVIDER_2)
        expect()(grace.locator("#bell-count")).to_have_text("1")
        grace.get_by_role("button", name="Notifications").click()
        expect()(grace.get_by_role("region", name="Notifications")).to_contain_text(
            f"Telehealth session: {SESSION_NAME}")
        telehealth = grace.get_by_role("region", name="Telehealth")
        link = telehealth.get_by_role("link", name=SESSION_NAME, exact=True)
        expect()(link).to_have_attribute("href", f"/preview?session={session_id}")
    finally:
        close_all(*(p for p in (ada, grace) if p is not None))


def test_declined_reminder_and_lost_connection_are_shown_in_the_dialog(
        browser: Any, call_node: NodeThread) -> None:
    ada, section = _scheduling(browser, call_node, PROVIDER)
    try:
        me = api(ada, "GET", "/me")["body"]["user"]
        booked = api(ada, "POST", "/appointments", {
            "starts_at": "2031-02-03T08:15:00Z", "provider_ids": [me["id"]]})
        assert booked["status"] == 201, booked
        ada.reload()
        ada.wait_for_selector("body[data-ready=true]")
        section.get_by_role("button", name="No patient").last.click()
        create = section.get_by_role("button", name="Create Telehealth Session")
        # Keyboard: Enter opens the confirm step, Escape closes it and focus comes back.
        create.focus()
        ada.keyboard.press("Enter")
        dialog = ada.get_by_role("dialog", name="Create Telehealth Session")
        expect()(dialog).to_be_visible()
        expect()(dialog.get_by_role("radio", name="Invitation Session")).to_be_focused()
        ada.keyboard.press("Escape")
        expect()(dialog).to_be_hidden()
        expect()(create).to_be_focused()

        create.click()
        ada.once("dialog", lambda prompt: prompt.dismiss())
        dialog.get_by_role("button", name="OK").click()
        expect()(dialog.get_by_role("alert")).to_contain_text("The session was not started.")

        ada.context.route("**/telehealth-session", lambda route: route.abort())
        dialog.get_by_role("radio", name="Private Session").check()
        dialog.get_by_role("button", name="OK").click()
        expect()(dialog.get_by_role("alert")).to_have_text(
            "The server could not be reached. Check your connection and try again.")
        assert "/dashboard" in ada.url
        appointment = api(ada, "GET", f"/appointments/{booked['body']['appointment']['id']}")
        assert appointment["body"]["appointment"]["session_id"] is None
    finally:
        close_all(ada)
