"""``make screenshots``: a PNG of every page of the web UI in docs/screenshots/, desktop and phone.

Starts a node with the demo accounts on 127.0.0.1, drives Debian's Chromium with fake camera and
microphone, and writes ``docs/screenshots/<page>[-phone].png``. Pages that need a session use the
sessions API when the node has it (two people in one call); otherwise they are shot as they
render without it.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.fakes import ADMIN, DEMO_PASSWORD, PROVIDER
from tests.web.browser.harness import (
    ARGS,
    CHROMIUM,
    REPO,
    TRACK_PEERS,
    NodeThread,
    create_session,
    signin,
    wait_for,
)
from tests.web.browser.sample_plugin import write_test_plugins
from vclinic import notifications

OUT = REPO / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shoot(page: Any, name: str, full_page: bool = False) -> None:
    page.wait_for_timeout(400)  # let fonts and the first video frames settle
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"wrote {path.relative_to(REPO)}")


def ready(page: Any) -> None:
    wait_for(page, "document.body.dataset.ready || document.body.dataset.ended", timeout=20000)


def run(browser: Any, node: NodeThread) -> None:
    base = node.url
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                      is_mobile=suffix == "-phone",
                                      has_touch=suffix == "-phone")
        context.add_init_script(TRACK_PEERS)
        page = context.new_page()
        page.goto(f"{base}/signin")
        page.wait_for_load_state("networkidle")
        shoot(page, f"signin{suffix}")
        signin(page, base, PROVIDER, DEMO_PASSWORD)
        me = page.evaluate("async () => (await (await fetch('/api/v1/me')).json()).user.id")
        assert node.running is not None
        app = node.running.context
        for title in ("You were added to Weekly Team Meeting", "A patient is in the Waiting Room"):
            node.call(notifications.notify, app.store, app.runtime.bus, me, "demo", title)
        wait_for(page, "document.getElementById('bell-count').textContent !== '0'")
        # The whole page: every workflow's card (Virtual Clinic, Telehealth, Scheduling,
        # On-Demand Requests), not only those above the fold.
        shoot(page, f"dashboard{suffix}", full_page=True)
        page.locator("#bell-button").click()
        shoot(page, f"notifications{suffix}")
        page.locator("#bell-mark-all").click()
        link = None
        try:
            session_id, link = create_session(page, "Follow-up consult")
        except RuntimeError as exc:
            print(f"no sessions API on this node ({exc}); the call page is shot alone")
            session_id = "no-such-session"
        page.goto(f"{base}/preview?session={session_id}")
        ready(page)
        wait_for(page, "document.getElementById('self-video').videoWidth > 0")
        page.wait_for_timeout(1500)  # let the level meter show the fake microphone's beep
        shoot(page, f"preview{suffix}")
        guest_context = browser.new_context(viewport=viewport, is_mobile=suffix == "-phone",
                                            has_touch=suffix == "-phone")
        guest = guest_context.new_page()
        if link:
            guest.goto(base + link if link.startswith("/") else link)
        else:
            guest.goto(f"{base}/join")
        ready(guest)
        if link:
            guest.get_by_label("Your name").fill("Pat Guest")
        shoot(guest, f"join{suffix}")
        page.get_by_role("button", name="Join Session").click()
        ready(page)
        if link:
            guest.get_by_role("button", name="Continue").click()
            guest.wait_for_url(lambda url: "/preview" in url or "/call" in url)
            if "/preview" in guest.url:
                guest.get_by_role("button", name="Join Session").click()
        try:
            wait_for(
                page, "[...document.querySelectorAll('.tile:not(.self) video')]"
                ".some(v => v.videoWidth > 0)", timeout=15000 if link else 1000)
        except Exception:
            print("no other participant's video arrived; shooting the call page as is")
        shoot(page, f"call{suffix}")
        guest_context.close()
        context.close()
        shoot_admin(browser, base, viewport, suffix)
        shoot_visits(browser, base, viewport, suffix)
        shoot_conference(browser, base, viewport, suffix)


def shoot_conference(browser: Any, base: str, viewport: dict[str, int], suffix: str) -> None:
    """Public Conference: Dr Ada's Scheduler with an opened event and its Actions menu (an
    event type and an event made through the API first)."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  is_mobile=suffix == "-phone", has_touch=suffix == "-phone")
    page = context.new_page()
    signin(page, base, ADMIN, DEMO_PASSWORD)
    type_id = page.evaluate("""async (name) => {
      const me = await (await fetch('/api/v1/me')).json();
      const made = await fetch('/api/v1/conferences/event-types', {method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
        body: JSON.stringify({name, video_conferencing: true, public_conference: true})});
      return (await made.json()).event_type.id;
    }""", f"Open forum{suffix}")
    context.clear_cookies()
    signin(page, base, PROVIDER, DEMO_PASSWORD)
    page.evaluate("""async (typeId) => {
      const me = await (await fetch('/api/v1/me')).json();
      const staff = (await (await fetch('/api/v1/conferences/staff')).json()).staff;
      await fetch('/api/v1/conferences', {method: 'POST', headers: {
        'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
        body: JSON.stringify({type_id: typeId, title: 'Family meeting',
          starts_at: new Date(Date.now() + 3600000).toISOString(), duration_minutes: 45,
          staff: staff.filter(s => s.name.startsWith('Dr')).map(s => s.id),
          patients: [{name: 'Pat Patient', email: 'pat@example.org'}]})});
    }""", type_id)
    page.reload()
    ready(page)
    event = page.locator("li.conference-event").filter(has_text="Family meeting").first
    event.get_by_role("button", name="Open").click()
    event.get_by_role("button", name="Actions for Family meeting").click()
    event.scroll_into_view_if_needed()
    shoot(page, f"conference-scheduler{suffix}")
    context.close()


def shoot_visits(browser: Any, base: str, viewport: dict[str, int], suffix: str) -> None:
    """Visits: Dr Ada's Today's Visits, the visit dialog, and the waiting message after an
    invite (a demo visit of hers that allows virtual visits)."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  is_mobile=suffix == "-phone", has_touch=suffix == "-phone")
    page = context.new_page()
    signin(page, base, PROVIDER, DEMO_PASSWORD)
    section = page.locator("li.visit-row", has=page.get_by_role("img", name="Virtual visit"))
    if section.count() == 0:
        print("no virtual visit of Dr Ada today; the Visits pages are not shot")
        context.close()
        return
    section.first.scroll_into_view_if_needed()
    shoot(page, f"visits-schedule{suffix}")
    section.first.get_by_role("button", name="More Details").click()
    dialog = page.get_by_role("dialog")
    shoot(page, f"visits-dialog{suffix}")
    if dialog.get_by_role("button", name="Clock in").count():
        dialog.get_by_role("button", name="Clock in").click()
    invite = dialog.get_by_role("button", name=re.compile("(Send|Resend) invite to client"))
    invite.click()
    dialog.locator("[data-waiting]").wait_for()
    shoot(page, f"visits-waiting{suffix}")
    context.close()


def shoot_admin(browser: Any, base: str, viewport: dict[str, int], suffix: str) -> None:
    """The admin pages as the demo admin sees them, whole."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                  is_mobile=suffix == "-phone", has_touch=suffix == "-phone")
    page = context.new_page()
    signin(page, base, ADMIN, DEMO_PASSWORD)
    page.goto(f"{base}/admin")
    ready(page)
    shoot(page, f"admin{suffix}", full_page=True)
    context.close()


def main() -> int:
    if not CHROMIUM.exists():
        print(f"make screenshots needs Chromium at {CHROMIUM} (apt-get install chromium)")
        return 1
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # Only the sample availability control: the Virtual Clinic plugin will provide it.
        plugins = write_test_plugins(Path(tmp) / "plugins", with_section=False)
        node = NodeThread(Path(tmp) / "data", plugins_dir=str(plugins)).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                     headless=True, args=ARGS)
                try:
                    run(browser, node)
                finally:
                    browser.close()
        finally:
            node.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
