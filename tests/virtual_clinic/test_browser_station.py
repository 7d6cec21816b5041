"""The Virtual Clinic from a requester station in Chromium: the station stays signed in as long
as ``station_idle_hours`` says; its "Your Sessions" names the provider of each session; the
provider who accepts and enters a (Private) session is not told that anyone with the link can
join; a requester alone on the call page is told whom they wait for. Skips without Chromium
(fails under CI=true)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER, PROVIDER_2, STATION

harness = pytest.importorskip("tests.web.browser.harness",
                              reason="the web UI's browser harness")

pytestmark = pytest.mark.chromium
STATION_IDLE_HOURS = 24 * 7


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Any]:
    running = harness.NodeThread(tmp_path, station_idle_hours=STATION_IDLE_HOURS).start()
    yield running
    running.stop()


def tab(browser: Any) -> Any:
    return browser.new_context(viewport={"width": 1280, "height": 800}).new_page()


def session_cookie(page: Any) -> dict[str, Any]:
    [cookie] = [c for c in page.context.cookies() if c["name"] == "vclinic_session"]
    return cookie  # type: ignore[no-any-return]


def test_station_cookie_lasts_station_idle_hours(browser: Any, node: Any) -> None:
    station, provider = tab(browser), tab(browser)
    try:
        before = time.time()
        harness.signin(station, node.url, STATION, DEMO_PASSWORD)
        harness.signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        hours = (session_cookie(station)["expires"] - before) / 3600
        assert STATION_IDLE_HOURS - 1 < hours <= STATION_IDLE_HOURS + 1, hours
        # A person's sign-in still ends after session_absolute_hours (12 by default).
        hours = (session_cookie(provider)["expires"] - before) / 3600
        assert 11 < hours <= 13, hours
    finally:
        for page in (station, provider):
            page.context.close()


def available(page: Any, base: str, email: str) -> None:
    harness.signin(page, base, email, DEMO_PASSWORD)
    page.get_by_role("button", name="I Am Unavailable for Sessions").click()
    expect()(page.get_by_role("button", name="I Am Available for Sessions")).to_be_visible()


def test_station_sessions_name_their_provider_and_private_call_page_says_who_can_join(
        browser: Any, node: Any) -> None:
    ada, grace, station = tab(browser), tab(browser), tab(browser)
    try:
        available(ada, node.url, PROVIDER)
        available(grace, node.url, PROVIDER_2)
        harness.signin(station, node.url, STATION, DEMO_PASSWORD)
        station.get_by_label("Mental Health").check()
        for name in ("Dr Ada Lovelace", "Dr Grace Hopper"):
            station.get_by_role("button", name=f"Request Session Now with {name}").click()
            expect()(station.locator("#vc-answers")).to_contain_text(f"Request sent to {name}")

        grace.locator("#vc-requests").get_by_role("button", name="Accept", exact=True).click()
        ada.locator("#vc-requests").get_by_role("button", name="Accept and Enter").click()
        ada.wait_for_url(lambda url: "/call?session=" in url)
        ada.wait_for_selector("body[data-ready=true]")

        sessions = station.locator("#vc-sessions > li.session")
        expect()(sessions).to_have_count(2)
        expect()(sessions.filter(has_text="with Dr Ada Lovelace")).to_have_count(1)
        expect()(sessions.filter(has_text="with Dr Grace Hopper")).to_have_count(1)

        share = ada.get_by_role("region", name="Session link")
        expect()(share).to_be_visible()
        expect()(share).to_contain_text(
            "Only people at your practice who are on the participants list can join.")
        expect()(share).not_to_contain_text("Anyone")
        assert "/preview?session=" in share.get_by_role("textbox").input_value()

        # Alone in the session Dr Hopper accepted, the station is told whom it waits for.
        sessions.filter(has_text="with Dr Grace Hopper").get_by_role(
            "link", name="Enter Waiting Room").click()
        station.wait_for_url(lambda url: "/call?session=" in url)
        station.wait_for_selector("body[data-ready=true]")
        waiting = station.locator("#waiting-for")
        expect()(waiting).to_have_text(
            "Waiting for Dr Grace Hopper to join. Please stay on this page.")
        grace.get_by_role("link", name="Enter Meeting").click()
        grace.wait_for_url(lambda url: "/call?session=" in url)
        expect()(waiting).to_be_hidden(timeout=30000)
    finally:
        for page in (ada, grace, station):
            page.context.close()


def test_decline_note_has_a_visible_label_and_reaches_the_station(
        browser: Any, node: Any) -> None:
    ada, station = tab(browser), tab(browser)
    try:
        available(ada, node.url, PROVIDER)
        harness.signin(station, node.url, STATION, DEMO_PASSWORD)
        station.get_by_label("Mental Health").check()
        station.get_by_role("button", name="Request Session Now with Dr Ada Lovelace").click()

        requests = ada.locator("#vc-requests")
        requests.get_by_role("button", name="Decline").click()
        label = requests.locator("label", has_text="Note to Requester Station (optional)")
        expect()(label).to_be_visible()
        requests.get_by_label("Note to Requester Station (optional)").fill(
            "Please call reception.")
        requests.get_by_role("button", name="Send Decline").click()
        expect()(station.locator("#vc-answers")).to_contain_text("Note: Please call reception.")
    finally:
        for page in (ada, station):
            page.context.close()
