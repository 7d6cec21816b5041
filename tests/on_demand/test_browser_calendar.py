"""The public-facing calendar in Chromium: the admin sets a provider's weekly hours under
On-Demand setup, a visitor on a phone picks a time below Meet Now, answers the setup guide and
books it; the time leaves the calendar and the appointment shows in the provider's Scheduling.
axe-core finds no serious violation on the calendar or the booking form. Skips without Chromium
(fails under CI=true)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import ADMIN, DEMO_PASSWORD, PROVIDER
from tests.on_demand.conftest import SLUG

harness = pytest.importorskip("tests.web.browser.harness",
                              reason="the web UI's browser harness")

pytestmark = pytest.mark.chromium
PHONE = {"viewport": {"width": 390, "height": 740}, "is_mobile": True, "has_touch": True}
ADA = "Dr Ada Lovelace"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Any]:
    running = harness.NodeThread(tmp_path).start()
    yield running
    running.stop()


def tab(browser: Any, **options: Any) -> Any:
    return browser.new_context(**(options or {"viewport": {"width": 1280, "height": 800}})
                               ).new_page()


def no_serious_violations(page: Any) -> None:
    axe = harness.axe_script()
    if axe is None:
        pytest.skip("axe-core from npm (node_modules/axe-core)")
    assert harness.serious_violations(page, axe) == []


def test_visitor_books_a_time_that_shows_in_the_providers_scheduling(
        browser: Any, node: Any) -> None:
    admin, visitor, provider = tab(browser), tab(browser, **PHONE), tab(browser)
    try:
        harness.signin(admin, node.url, ADMIN, DEMO_PASSWORD)
        admin.goto(f"{node.url}/admin")
        admin.wait_for_selector("body[data-ready=true]")
        setup = admin.get_by_role("region", name="On-Demand setup")
        for day in DAYS:
            setup.get_by_label(f"{day} hours of {ADA}").fill("09:00-11:00")
        setup.get_by_role("button", name="Save weekly hours").click()
        expect()(setup.locator(".admin-result")).to_have_text(
            "Weekly hours saved: the public calendar shows them now.")

        visitor.goto(f"{node.url}/o/{SLUG}/calendar")
        visitor.wait_for_selector("body[data-calendar-ready=true]")
        meet_now = visitor.get_by_role("button", name="Meet Now")
        calendar = visitor.get_by_role("region", name="Book a time")
        expect()(calendar.get_by_role("heading", name=ADA)).to_be_visible()
        assert meet_now.bounding_box()["y"] < calendar.bounding_box()["y"], \
            "Meet Now stays towards the top of the page"
        no_serious_violations(visitor)
        assert visitor.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"), \
            "nothing runs off the side of a phone's screen"

        first = calendar.locator("button[data-slot]").first
        slot = first.get_attribute("data-slot")
        assert re.search(f"with {ADA}$", first.get_attribute("aria-label") or "")
        first.focus()
        visitor.keyboard.press("Enter")
        form = visitor.get_by_role("form", name="Book this time")
        expect()(form).to_be_visible()
        expect()(form.locator("#book-when")).to_contain_text(ADA)
        form.get_by_label("Full name").fill("Bo Browser")
        form.get_by_label("Email").fill("bo.browser@example.org")
        form.get_by_role("button", name="Book").click()
        expect()(form.locator("#book-error")).to_have_text(
            "Please answer the 3 questions marked above.")
        no_serious_violations(visitor)
        form.get_by_label(re.compile("Reason for visit")).fill("Follow-up on a rash")
        form.get_by_label(re.compile("State you are in now")).fill("CA")
        form.get_by_label(re.compile("I consent")).check()
        form.get_by_role("button", name="Book").click()

        done = visitor.get_by_role("heading", name="Your appointment is booked")
        expect()(done).to_be_visible()
        expect()(visitor.locator("#book-done-text")).to_contain_text(ADA)
        assert "bo.browser" not in visitor.url and "Bo" not in visitor.url
        visitor.get_by_role("button", name="Book another time").click()
        expect()(calendar.locator(f'button[data-slot="{slot}"]')).to_have_count(0)

        harness.signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        scheduling = provider.get_by_role("region", name="Scheduling")
        expect()(scheduling.get_by_role("button", name=re.compile("Bo Browser"))).to_be_visible()
        public = provider.locator("#on-demand-public-page")
        expect()(public).to_have_attribute("href", f"/o/{SLUG}/calendar")
    finally:
        for page in (admin, visitor, provider):
            page.context.close()
