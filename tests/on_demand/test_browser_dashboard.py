"""The On-Demand card of the dashboard in Chromium, as providers and admins meet it: an Off-Call
provider is offered nothing to claim, and the bell's link for an assigned request brings the
provider to that request's row. Skips without Chromium (fails under CI=true)."""

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
PHONE = {"viewport": {"width": 390, "height": 640}, "is_mobile": True, "has_touch": True}


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


def arrive(page: Any, base: str, name: str) -> None:
    """A patient starts a request on the public page (name and email; the setup guide is next)."""
    page.goto(f"{base}/o/{SLUG}/calendar")
    page.get_by_role("button", name="Meet Now").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill("pat.browser@example.org")
    page.get_by_role("button", name="Continue").click()
    expect()(page.get_by_label(re.compile("Reason for visit"))).to_be_visible()


def on_demand(page: Any) -> Any:
    return page.get_by_role("region", name="On-Demand Requests")


def test_off_call_provider_is_offered_no_new_request(browser: Any, node: Any) -> None:
    provider, admin, patient = tab(browser), tab(browser), tab(browser)
    try:
        harness.signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        section = on_demand(provider)
        section.get_by_role("button", name=re.compile("On-Call")).click()
        expect()(section.get_by_role("button", name="On-Call")).to_have_attribute(
            "aria-pressed", "true")
        section.get_by_role("button", name="On-Call").click()
        expect()(section).to_contain_text("Switch to On-Call to see On-Demand Requests.")

        harness.signin(admin, node.url, ADMIN, DEMO_PASSWORD)
        arrive(patient, node.url, "Pat Late")
        # The admin's card is subscribed to the same queue: once it shows the patient, the
        # event reached the provider's socket as well.
        expect()(on_demand(admin).get_by_role("row").filter(has_text="Pat Late")).to_be_visible()

        expect()(section).to_contain_text("Switch to On-Call to see On-Demand Requests.")
        expect()(section.get_by_role("row").filter(has_text="Pat Late")).to_have_count(0)
        expect()(section.get_by_role("button", name=re.compile("Claim"))).to_have_count(0)

        # Back On-Call, the patient is there to claim.
        section.get_by_role("button", name=re.compile("Off-Call")).click()
        row = section.get_by_role("row").filter(has_text="Pat Late")
        expect()(row.get_by_role("button", name=re.compile("Claim"))).to_be_visible()
        expect()(section).to_contain_text("1 waiting, longest wait first.")
    finally:
        for page in (provider, admin, patient):
            page.context.close()


def test_bell_link_for_an_assigned_request_shows_its_row(browser: Any, node: Any) -> None:
    provider, admin, patient = tab(browser, **PHONE), tab(browser), tab(browser)
    try:
        harness.signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        section = on_demand(provider)
        section.get_by_role("button", name=re.compile("On-Call")).click()
        expect()(section.get_by_role("button", name="On-Call")).to_have_attribute(
            "aria-pressed", "true")

        arrive(patient, node.url, "Pat Assigned")
        harness.signin(admin, node.url, ADMIN, DEMO_PASSWORD)
        admin_row = on_demand(admin).get_by_role("row").filter(has_text="Pat Assigned")
        admin_row.get_by_label("Assign request of Pat Assigned to").select_option(
            label="Dr Ada Lovelace")
        expect()(on_demand(admin)).to_contain_text("Assigned; the provider was notified.")
        # The assignment shows: the choice stays, the row says who has it.
        expect()(admin_row).to_contain_text("Assigned to Dr Ada Lovelace")
        ada_id = harness.api(provider, "GET", "/me")["body"]["user"]["id"]
        expect()(admin_row.get_by_label("Assign request of Pat Assigned to")).to_have_value(
            ada_id)

        provider.evaluate("window.scrollTo(0, 0)")
        provider.get_by_role("button", name=re.compile("Notifications, 1 unread")).click()
        link = provider.get_by_role("link", name=re.compile("New on-demand session request"))
        row = section.get_by_role("row").filter(has_text="Pat Assigned")
        request_id = row.get_attribute("data-request")
        assert request_id
        # The notification names the request by its reference, never by the patient.
        expect()(link).to_have_text(
            f"New on-demand session request {request_id[:8].upper()} assigned to you")
        expect()(row).to_contain_text(f"Request {request_id[:8].upper()}")
        expect()(row).to_contain_text("Assigned to you")
        link.click()
        expect()(row).to_be_in_viewport()
        assert provider.url.endswith(f"#on-demand-request-{request_id}")

        # Opened afresh (from the email or another tab), the link still lands on the row.
        provider.goto("about:blank")
        provider.goto(f"{node.url}/dashboard#on-demand-request-{request_id}")
        provider.wait_for_selector("body[data-ready=true]")
        expect()(on_demand(provider).get_by_role("row").filter(has_text="Pat Assigned")
                 ).to_be_in_viewport()
    finally:
        for page in (provider, admin, patient):
            page.context.close()
