"""The signed-in UI in a real browser: sign-in and sign-out, the dashboard shell with plugin
sections and the availability control, the live notification bell, and the camera preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakes import DEMO_PASSWORD, PROVIDER, STATION
from tests.web.browser.harness import (
    NodeThread,
    create_session,
    serious_violations,
    signin,
    wait_for,
)
from vclinic import notifications


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def user_id(page: Any) -> str:
    return page.evaluate("async () => (await (await fetch('/api/v1/me')).json()).user.id")


def test_wrong_password_shows_an_error_and_keeps_the_user_on_sign_in(node: NodeThread,
                                                                     page: Any) -> None:
    page.goto(f"{node.url}/signin")
    page.get_by_label("Email").fill(PROVIDER)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect()(page.get_by_role("alert")).to_contain_text("")
    expect()(page.get_by_role("alert")).to_be_visible()
    assert page.url.endswith("/signin")
    expect()(page.get_by_label("Password")).to_have_value("")


def test_signin_then_signout_with_the_keyboard(node: NodeThread, page: Any) -> None:
    page.goto(f"{node.url}/dashboard")
    page.wait_for_url(f"{node.url}/signin")
    page.get_by_label("Email").focus()
    page.keyboard.type(PROVIDER)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{node.url}/dashboard")
    expect()(page.locator("#user-name")).to_have_text("Dr Ada Lovelace")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{node.url}/signin")
    page.goto(f"{node.url}/dashboard")
    page.wait_for_url(f"{node.url}/signin")


def test_dashboard_shows_plugin_sections_and_availability_for_providers(node: NodeThread,
                                                                       page: Any) -> None:
    signin(page, node.url, PROVIDER, DEMO_PASSWORD)
    section = page.get_by_role("region", name="Today's Sessions")
    expect()(section).to_contain_text("No sessions today, Dr Ada Lovelace.")
    toggle = page.get_by_role("button", name="I Am Unavailable for Sessions")
    toggle.click()
    expect()(page.get_by_role("button", name="I Am Available for Sessions")).to_be_visible()


def test_dashboard_has_no_availability_control_without_a_plugin_offering_it(
        node: NodeThread, page: Any) -> None:
    signin(page, node.url, STATION, DEMO_PASSWORD)
    expect()(page.get_by_role("region", name="Today's Sessions")).to_be_visible()
    expect()(page.locator("#availability")).to_be_hidden()
    expect()(page.get_by_role("button", name="I Am Available for Sessions")).to_have_count(0)


def test_bell_updates_live_and_marks_read_across_tabs(node: NodeThread, context: Any) -> None:
    page = context.new_page()
    signin(page, node.url, PROVIDER, DEMO_PASSWORD)
    other = context.new_page()
    other.goto(f"{node.url}/dashboard")
    other.wait_for_selector("body[data-ready=true]")
    me = user_id(page)
    assert node.running is not None
    app = node.running.context
    bell = page.locator("#bell-button")
    before = int(page.locator("#bell-count").text_content() or 0)

    node.call(notifications.notify, app.store, app.runtime.bus, me, "session.invited",
              "You were added to Morning Huddle")
    node.call(notifications.notify, app.store, app.runtime.bus, me, "session.invited",
              "You were added to Case Review")

    for tab in (page, other):
        expect()(tab.locator("#bell-count")).to_have_text(str(before + 2))
        expect()(tab.locator("#bell-button")).to_have_attribute(
            "aria-label", f"Notifications, {before + 2} unread")
    bell.click()
    panel = page.get_by_role("region", name="Notifications")
    expect()(panel).to_contain_text("You were added to Case Review")
    panel.get_by_role("button", name="Mark as read: You were added to Case Review").click()
    for tab in (page, other):
        expect()(tab.locator("#bell-count")).to_have_text(str(before + 1))
    panel.get_by_role("button", name="Mark all as read").click()
    for tab in (page, other):
        expect()(tab.locator("#bell-count")).to_be_hidden()
    expect()(panel.get_by_role("listitem").filter(has_text="Case Review")).to_contain_text("Read")
    page.keyboard.press("Escape")
    expect()(panel).to_be_hidden()
    expect()(bell).to_be_focused()
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect()(page.locator("#bell-count")).to_be_hidden()


def test_camera_preview_shows_live_video_and_a_moving_level(node: NodeThread, page: Any) -> None:
    signin(page, node.url, PROVIDER, DEMO_PASSWORD)
    session_id, _ = create_session(page, "Preview check")
    page.goto(f"{node.url}/preview?session={session_id}")
    page.wait_for_selector("body[data-ready=true]")
    video = page.locator("#self-video")
    wait_for(page, "document.getElementById('self-video').videoWidth > 0")
    first = video.evaluate("v => v.currentTime")
    wait_for(page, f"document.getElementById('self-video').currentTime > {first} + 0.5")
    levels = set()
    for _ in range(40):
        levels.add(round(page.locator("#level").evaluate("m => m.value"), 4))
        if len(levels) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(levels) >= 3 and max(levels) > 0, levels
    expect()(page.get_by_label("Camera", exact=True)).not_to_have_value("")
    expect()(page.get_by_label("Microphone", exact=True)).not_to_have_value("")
    expect()(page.get_by_role("button", name="Back")).to_be_enabled()
    page.get_by_role("button", name="Join Session").click()
    page.wait_for_url(f"{node.url}/call?session={session_id}")


def test_no_serious_accessibility_violations(node: NodeThread, context: Any, axe: Path) -> None:
    page = context.new_page()
    page.goto(f"{node.url}/signin")
    page.wait_for_load_state("networkidle")
    found = {"signin": serious_violations(page, axe)}
    page.goto(f"{node.url}/join")
    page.wait_for_selector("body[data-ready=true]")
    found["join"] = serious_violations(page, axe)
    signin(page, node.url, PROVIDER, DEMO_PASSWORD)
    found["dashboard"] = serious_violations(page, axe)
    page.locator("#bell-button").click()
    found["dashboard with the bell open"] = serious_violations(page, axe)
    session_id, _ = create_session(page, "Accessibility check")
    page.goto(f"{node.url}/preview?session={session_id}")
    page.wait_for_selector("body[data-ready=true]")
    found["preview"] = serious_violations(page, axe)
    page.goto(f"{node.url}/call?session=s-axe")
    wait_for(page, "document.body.dataset.ready || document.body.dataset.ended")
    found["call"] = serious_violations(page, axe)
    assert {name: v for name, v in found.items() if v} == {}


def test_join_without_a_link_says_what_to_do_without_a_page_error(node: NodeThread,
                                                                   context: Any) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{node.url}/join")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#join-what").inner_text() == "Open the session link you were sent again."
    assert page.locator("#join-form").is_hidden()
    assert errors == []
