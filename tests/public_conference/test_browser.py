"""The Scheduler in real Chromium: the admin makes an event type with Public Conference (only
possible once Video Conferencing is on); Dr Ada schedules an event, which confirms the emails,
and her dashboard lists the conference; its Actions menu
(the keyboard and touch way to the right-click menu) gets the public link; opening the event
lists its people, and "Copy Patient Join Link to Clipboard" confirms with a message; a visitor
on a phone follows the public link, gives a name and reaches the camera check; once cancelled,
the link's page says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER
from tests.web.browser.harness import NodeThread, expect, signin

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeThread]:
    running = NodeThread(tmp_path_factory.mktemp("node")).start()
    yield running
    running.stop()


def test_scheduler_menus_give_links(browser: Any, node: NodeThread) -> None:
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    signin(admin, node.url, "admin@demo.clinic", DEMO_PASSWORD)
    admin.goto(f"{node.url}/admin")
    # Schedule Event Type: "Public Conference" only once "Video Conferencing" is on.
    public_box = admin.get_by_role("checkbox", name="Public Conference")
    expect()(public_box).to_be_disabled()
    admin.locator("#conference-type-name").fill("Open forum")
    admin.get_by_role("checkbox", name="Video Conferencing").check()
    expect()(public_box).to_be_enabled()
    public_box.check()
    admin.locator(".conference-type-form").get_by_role("button", name="Save").click()
    expect()(admin.locator(".conference-types")).to_contain_text(
        "Open forum · Video Conferencing · Public Conference")
    admin_context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=node.url)
    page = context.new_page()
    try:
        signin(page, node.url, PROVIDER, DEMO_PASSWORD)
        # Schedule Event: saving confirms the emails to the people linked.
        page.get_by_role("button", name="Schedule Event").click()
        form = page.locator(".conference-event-form")
        form.get_by_label("Event type").select_option(label="Open forum (Public Conference)")
        form.get_by_label("Title").fill("Family meeting")
        start = page.evaluate("""() => { const d = new Date(Date.now() + 300000);
          d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
          return d.toISOString().slice(0, 16); }""")
        form.get_by_label("Start").fill(start)
        form.get_by_label("Duration (minutes)").fill("45")
        form.get_by_label("Dr Ada Lovelace").check()
        form.get_by_label("Patient name (optional)").fill("Pat Patient")
        form.get_by_role("button", name="Save").click()
        status = page.locator(".conference-status")
        expect()(status).to_have_text("Emails will be sent to the 1 staff member and 1 patient "
                                      "linked to the event.")
        event = page.locator("li.conference-event").filter(has_text="Family meeting")
        expect()(event).to_be_visible()
        event.get_by_role("button", name="Actions for Family meeting").click()
        menu = event.get_by_role("menu").first
        for name in ("Join Conference", "Cancel Conference", "Get Public Conference Link",
                     "Get My Conference Link"):
            expect()(menu.get_by_role("menuitem", name=name)).to_be_visible()
        menu.get_by_role("menuitem", name="Get Public Conference Link").click()
        expect()(status).to_contain_text("Public Conference Link: " + node.url
                                         + "/conference/public/")
        public = status.inner_text().split(": ", 1)[1].strip()

        event.get_by_role("button", name="Open").click()
        pat = event.locator("li.conference-person").filter(has_text="Pat Patient")
        pat.click(button="right")
        pat.get_by_role("menuitem", name="Copy Patient Join Link to Clipboard").click()
        expect()(status).to_have_text("The link was copied to the clipboard.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(node.url + "/conference/join/")

        phone = browser.new_context(**PHONE)
        try:
            visitor = phone.new_page()
            visitor.goto(public)
            expect()(visitor.get_by_role("heading", name="Family meeting")).to_be_visible()
            visitor.get_by_role("button", name="Join Conference").click()
            # The name is required: the browser keeps the visitor on the page.
            assert "/conference/public/" in visitor.url
            visitor.get_by_label("Your name").fill("Visitor")
            visitor.get_by_role("button", name="Join Conference").click()
            visitor.wait_for_url(lambda url: "/preview" in url)
            me = visitor.evaluate("async () => (await (await fetch('/api/v1/me')).json()).user")
            assert me["guest"] is True and me["name"] == "Visitor"
        finally:
            phone.close()

        # A cancelled conference's public link says so.
        event.get_by_role("button", name="Actions for Family meeting").click()
        event.get_by_role("menuitem", name="Cancel Conference").click()
        expect()(page.locator("li.conference-event").filter(has_text="Family meeting")
                 ).to_have_count(0)
        gone = browser.new_context(**PHONE)
        try:
            late = gone.new_page()
            late.goto(public)
            expect()(late.get_by_role("heading")).to_have_text("This link cannot be used")
            expect()(late.locator("main")).to_contain_text("This conference has been cancelled.")
        finally:
            gone.close()
    finally:
        context.close()
