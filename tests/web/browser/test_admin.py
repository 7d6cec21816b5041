"""The clinic admin's pages (/admin) in a real browser: every action driven through the UI
as an admin would, checked by what the admin (or the person affected) then sees, and axe-core
on the pages at desktop and phone widths.

The tests share one node (module scope) and run in file order; each works on its own
accounts, services or sessions so that none depends on another's outcome.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.fakes import ADMIN, DEMO_PASSWORD, PROVIDER, PROVIDER_2
from tests.web.browser.harness import (
    NodeThread,
    accept_next_dialog,
    api,
    create_session,
    serious_violations,
    signin,
)


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def open_admin(page: Any, base: str) -> None:
    signin(page, base, ADMIN, DEMO_PASSWORD)
    page.get_by_role("link", name="Administration").click()
    page.wait_for_url(f"{base}/admin")
    page.wait_for_selector("body[data-ready=true]")


def section(page: Any, name: str) -> Any:
    return page.get_by_role("region", name=name)


def result(region: Any) -> Any:
    return region.locator(".admin-result")


def can_sign_in(browser: Any, base: str, email: str, password: str) -> bool:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}/signin")
        status = page.evaluate("""async ([email, password]) => (await fetch(
            '/api/v1/auth/signin', {method: 'POST', headers: {'Content-Type':
            'application/json'}, body: JSON.stringify({email, password})})).status""",
                               [email, password])
        return bool(status == 200)
    finally:
        context.close()


def test_admin_pages_are_reached_from_the_dashboard_and_pass_axe(
        node: NodeThread, browser: Any, page: Any, axe: Path) -> None:
    open_admin(page, node.url)
    for name in ("Users", "Account Services", "Organisation settings", "Sessions in progress",
                 "Virtual Clinic settings", "On-Demand setup", "Recent activity"):
        expect()(section(page, name)).to_be_visible()
    assert serious_violations(page, axe) == []
    # And with the editors open, and an error showing.
    users = section(page, "Users")
    users.get_by_role("button", name="Change roles: Dr Ada Lovelace").click()
    users.get_by_role("button", name="Reset password: Dr Ada Lovelace").click()
    services = section(page, "Account Services")
    services.get_by_role("button", name="Rename General Practice").click()
    services.get_by_role("button", name="Add service").click()
    expect()(result(services)).not_to_be_empty()
    assert serious_violations(page, axe) == []

    phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        small = phone.new_page()
        open_admin(small, node.url)
        # Nothing wider than the phone's screen: no sideways scrolling.
        assert small.evaluate("document.documentElement.scrollWidth") <= 375
        assert serious_violations(small, axe) == []
    finally:
        phone.close()


def test_a_provider_is_not_offered_the_admin_pages(node: NodeThread, page: Any) -> None:
    signin(page, node.url, PROVIDER, DEMO_PASSWORD)
    expect()(page.get_by_role("link", name="Administration")).to_be_hidden()
    page.goto(f"{node.url}/admin")
    page.wait_for_selector("body[data-ready=true]")
    expect()(page.get_by_role("status")).to_contain_text("Only your organisation's admins")
    assert page.locator("[data-section]").count() == 0


def test_admin_adds_a_station_resets_its_password_and_deactivates_it(
        node: NodeThread, browser: Any, page: Any) -> None:
    open_admin(page, node.url)
    users = section(page, "Users")
    users.get_by_label("Name", exact=True).fill("Ward 7 Station")
    users.get_by_label("Email", exact=True).fill("ward7@demo.clinic")
    users.get_by_label("Account type").select_option(label="Requester station (stays signed in)")
    users.get_by_label("First password").fill("short")
    users.get_by_role("button", name="Add user").click()
    expect()(result(users)).to_contain_text("at least 8 characters")
    expect()(users.get_by_label("First password")).to_have_attribute("aria-invalid", "true")
    expect()(users.get_by_label("First password")).to_be_focused()

    users.get_by_label("First password").fill("ward7-first-1")
    users.get_by_role("button", name="Add user").click()
    expect()(result(users)).to_have_text("Ward 7 Station was added.")
    row = users.locator("li.admin-row", has_text="ward7@demo.clinic")
    expect()(row).to_contain_text("Requester · Station · Active")
    assert can_sign_in(browser, node.url, "ward7@demo.clinic", "ward7-first-1")

    row.get_by_role("button", name="Reset password: Ward 7 Station").click()
    new_password = row.get_by_label("New password for Ward 7 Station")
    expect()(new_password).to_be_focused()
    new_password.fill("ward7-second-2")
    page.keyboard.press("Enter")
    expect()(result(users)).to_contain_text("New password set for Ward 7 Station")
    assert not can_sign_in(browser, node.url, "ward7@demo.clinic", "ward7-first-1")
    assert can_sign_in(browser, node.url, "ward7@demo.clinic", "ward7-second-2")

    dialog = accept_next_dialog(page)
    row.get_by_role("button", name="Deactivate: Ward 7 Station").click()
    expect()(result(users)).to_have_text("Ward 7 Station is deactivated.")
    assert dialog and "signed out at once" in dialog[0]
    expect()(row).to_contain_text("Deactivated")
    assert not can_sign_in(browser, node.url, "ward7@demo.clinic", "ward7-second-2")
    row.get_by_role("button", name="Reactivate: Ward 7 Station").click()
    expect()(row).to_contain_text("Requester · Station · Active")
    assert can_sign_in(browser, node.url, "ward7@demo.clinic", "ward7-second-2")


def test_the_last_admin_cannot_step_down_but_can_make_another_admin(
        node: NodeThread, page: Any) -> None:
    open_admin(page, node.url)
    users = section(page, "Users")
    me = users.locator("li.admin-row", has_text=ADMIN)
    me.get_by_role("button", name="Change roles: Demo Admin").click()
    roles = me.get_by_role("group", name="Roles of Demo Admin")
    roles.get_by_label("Admin").uncheck()
    roles.get_by_label("Provider").check()
    me.get_by_role("button", name="Save roles").click()
    expect()(result(users)).to_contain_text("at least one active admin")
    expect()(me.locator(".admin-row-meta")).to_have_text("Admin · Active")

    # Their own account is marked and offers no Deactivate.
    expect()(me.locator(".admin-row-title")).to_contain_text("Demo Admin (you)")
    expect()(me.get_by_role("button", name="Deactivate: Demo Admin")).to_have_count(0)

    grace = users.locator("li.admin-row", has_text=PROVIDER_2)
    grace.get_by_role("button", name="Change roles: Dr Grace Hopper").click()
    grace.get_by_role("group", name="Roles of Dr Grace Hopper").get_by_label("Admin").check()
    grace.get_by_role("button", name="Save roles").click()
    expect()(result(users)).to_contain_text("Roles of Dr Grace Hopper saved: Admin, Provider")
    expect()(grace.locator(".admin-row-meta")).to_have_text("Admin, Provider · Active")
    # Focus comes back to the button that opened the editor.
    expect()(grace.get_by_role("button", name="Change roles: Dr Grace Hopper")).to_be_focused()


def test_account_services_are_added_renamed_and_removed(node: NodeThread, page: Any) -> None:
    open_admin(page, node.url)
    services = section(page, "Account Services")
    services.get_by_label("New Account Service").fill("Dermatology")
    services.get_by_role("button", name="Add service").click()
    expect()(result(services)).to_have_text("Dermatology was added.")
    services.get_by_label("New Account Service").fill("Dermatology")
    services.get_by_role("button", name="Add service").click()
    expect()(result(services)).to_contain_text("already has an Account Service with this name")

    # Escape closes an editor and puts focus back on the button that opened it.
    rename = services.get_by_role("button", name="Rename Dermatology")
    rename.click()
    expect()(services.get_by_label("New name for Dermatology")).to_be_focused()
    page.keyboard.press("Escape")
    expect()(services.get_by_label("New name for Dermatology")).to_have_count(0)
    expect()(rename).to_be_focused()
    rename.click()
    services.get_by_label("New name for Dermatology").fill("Skin Clinic")
    services.get_by_role("button", name="Save name").click()
    expect()(result(services)).to_have_text("Renamed to Skin Clinic.")
    org = api(page, "GET", "/organisation")["body"]
    assert "Skin Clinic" in [s["name"] for s in org["services"]]

    dialog = accept_next_dialog(page)
    services.get_by_role("button", name="Remove Skin Clinic").click()
    expect()(result(services)).to_have_text("Skin Clinic was removed.")
    assert dialog and "Requesters will no longer be able to pick it" in dialog[0]
    expect()(services.locator("li.admin-row", has_text="Skin Clinic")).to_have_count(0)
    org = api(page, "GET", "/organisation")["body"]
    assert "Skin Clinic" not in [s["name"] for s in org["services"]]


def test_organisation_name_and_time_zone_are_saved(node: NodeThread, page: Any) -> None:
    open_admin(page, node.url)
    settings = section(page, "Organisation settings")
    settings.get_by_label("Time zone").fill("Mars/Olympus")
    settings.get_by_role("button", name="Save settings").click()
    expect()(result(settings)).to_contain_text("Choose a time zone from the list")
    expect()(settings.get_by_label("Time zone")).to_have_attribute("aria-invalid", "true")

    settings.get_by_label("Organisation name").fill("Demo Clinic North")
    settings.get_by_label("Time zone").fill("Europe/Paris")
    settings.get_by_role("button", name="Save settings").click()
    expect()(result(settings)).to_have_text("Organisation settings saved.")
    expect()(page.locator("#org-name")).to_have_text("Demo Clinic North")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect()(section(page, "Organisation settings").get_by_label("Time zone")
             ).to_have_value("Europe/Paris")


def test_admin_ends_a_session_in_progress_for_everyone(node: NodeThread, browser: Any,
                                                       page: Any) -> None:
    provider_context = browser.new_context()
    try:
        provider = provider_context.new_page()
        signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        session_id, _ = create_session(provider, "2020-04-15 09:30 Patient Consult")

        open_admin(page, node.url)
        sessions = section(page, "Sessions in progress")
        row = sessions.locator(f"tr[data-session='{session_id}']")
        expect()(row).to_contain_text("Telehealth")
        expect()(row).to_contain_text("Invitation")
        # Ids, not names: a session's name may carry a patient's.
        expect()(sessions).not_to_contain_text("Patient Consult")

        dialog = accept_next_dialog(page)
        row.get_by_role("button", name=re.compile("^End for Everyone: session")).click()
        expect()(result(sessions)).to_contain_text("was ended for everyone")
        assert dialog and "Everyone in it is disconnected" in dialog[0]
        expect()(row).to_have_count(0)
        detail = api(provider, "GET", f"/sessions/{session_id}")["body"]
        assert detail["session"]["status"] == "closed"
    finally:
        provider_context.close()


def test_virtual_clinic_settings_are_changed_from_the_admin_pages(node: NodeThread,
                                                                  page: Any) -> None:
    open_admin(page, node.url)
    clinic = section(page, "Virtual Clinic settings")
    expiry = clinic.get_by_label("Request expiry (seconds)")
    expiry.fill("0")
    clinic.get_by_role("button", name="Save Virtual Clinic settings").click()
    expect()(result(clinic)).to_contain_text("from 1 to 3600")
    expect()(expiry).to_have_attribute("aria-invalid", "true")

    clinic.get_by_label(re.compile("^Notes are enabled")).uncheck()
    expiry.fill("300")
    clinic.get_by_role("button", name="Save Virtual Clinic settings").click()
    expect()(result(clinic)).to_have_text("Virtual Clinic settings saved.")
    settings = api(page, "GET", "/virtual-clinic/settings")["body"]["settings"]
    assert settings == {"enabled": True, "decline_notes": False, "request_expiry_seconds": 300}


def test_turning_the_virtual_clinic_off_hides_it_from_providers(node: NodeThread, browser: Any,
                                                                page: Any) -> None:
    open_admin(page, node.url)
    clinic = section(page, "Virtual Clinic settings")
    use = clinic.get_by_label(re.compile("^Use the Virtual Clinic"))
    use.uncheck()
    clinic.get_by_role("button", name="Save Virtual Clinic settings").click()
    expect()(result(clinic)).to_have_text(
        "Virtual Clinic settings saved; the Virtual Clinic is off for your organisation.")
    provider_context = browser.new_context()
    try:
        provider = provider_context.new_page()
        signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        expect()(provider.get_by_role("region", name="Telehealth")).to_be_visible()
        expect()(provider.get_by_role("region", name="Virtual Clinic")).to_have_count(0)

        # The settings stay on the admin pages, where it is turned back on.
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        clinic = section(page, "Virtual Clinic settings")
        clinic.get_by_label(re.compile("^Use the Virtual Clinic")).check()
        clinic.get_by_role("button", name="Save Virtual Clinic settings").click()
        expect()(result(clinic)).to_have_text("Virtual Clinic settings saved.")
        provider.reload()
        provider.wait_for_selector("body[data-ready=true]")
        expect()(provider.get_by_role("region", name="Virtual Clinic")).to_be_visible()
    finally:
        provider_context.close()


def test_on_demand_public_page_qr_code_and_setup_guide(node: NodeThread, page: Any) -> None:
    open_admin(page, node.url)
    setup = section(page, "On-Demand setup")
    link = setup.get_by_label("Link to the public page")
    expect()(link).to_have_value(re.compile(r"/o/demo-clinic/calendar$"))
    qr = setup.get_by_role("img", name=re.compile("QR code that opens"))
    expect()(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0
    # Print QR code prints the page with the poster alone showing (the browser's print dialog
    # itself is replaced: headless Chromium has none).
    page.evaluate("window.print = () => { window.__printing = "
                  "document.body.classList.contains('printing'); }")
    setup.get_by_role("button", name="Print QR code").click()
    assert page.evaluate("window.__printing") is True
    page.emulate_media(media="print")
    expect()(page.locator("#on-demand-poster img")).to_be_visible()
    expect()(section(page, "Users").get_by_role("heading", name="Users")).to_be_hidden()
    page.evaluate("document.body.classList.remove('printing')")
    page.emulate_media(media="screen")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    setup.get_by_role("button", name="Copy link").click()
    expect()(result(setup)).to_have_text("The public page's link was copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith("/o/demo-clinic/calendar")

    # Remove the optional phone question, then add one.
    questions = setup.locator("#on-demand-intake > li")
    before = questions.count()
    expect()(setup.get_by_label("Question 3", exact=True)).to_have_value("Phone number")
    setup.get_by_role("button", name="Remove: question 3").click()
    expect()(result(setup)).to_have_text(
        "Question 3 removed; save the setup guide to keep the change.")
    expect()(questions).to_have_count(before - 1)
    setup.get_by_role("button", name="Add question").click()
    last = questions.last
    expect()(last.get_by_role("textbox").first).to_be_focused()
    count = questions.count()
    setup.get_by_role("button", name="Save setup guide").click()
    expect()(result(setup)).to_have_text(f"Question {count} needs a question text.")

    last.get_by_label(f"Question {count}", exact=True).fill("Insurance provider")
    last.get_by_label(f"Answer type of question {count}").select_option(
        label="One of several options")
    last.get_by_label(f"Options of question {count}, separated by commas").fill(
        "Medicare, Private, None")
    last.get_by_label("Required").check()
    last.get_by_role("button", name=f"Move up: question {count}").click()
    setup.get_by_role("button", name="Save setup guide").click()
    expect()(result(setup)).to_have_text(f"Setup guide saved: {count} questions.")

    public = page.evaluate("async () => (await (await fetch("
                           "'/api/v1/on_demand/orgs/demo-clinic')).json()).fields")
    assert "Phone number" not in [f["label"] for f in public]
    asked = public[count - 2]
    assert (asked["label"], asked["kind"], asked["required"], asked["options"]) == (
        "Insurance provider", "choice", True, ["Medicare", "Private", "None"])


def test_recent_activity_lists_what_admins_did(node: NodeThread, page: Any) -> None:
    open_admin(page, node.url)
    services = section(page, "Account Services")
    services.get_by_label("New Account Service").fill("Podiatry")
    services.get_by_role("button", name="Add service").click()
    expect()(result(services)).to_have_text("Podiatry was added.")
    service_id = next(s["id"] for s in api(page, "GET", "/organisation")["body"]["services"]
                      if s["name"] == "Podiatry")

    activity = section(page, "Recent activity")
    activity.get_by_role("button", name="Refresh").click()
    expect()(result(activity)).to_contain_text("Recent activity refreshed")
    newest = activity.locator("tbody tr").first
    expect()(newest).to_contain_text("Added an Account Service")
    expect()(newest).to_contain_text("Demo Admin")
    expect()(newest.locator("code")).to_have_attribute("title", service_id)
    # Records by id: the service's name is not in the trail.
    expect()(activity).not_to_contain_text("Podiatry")
