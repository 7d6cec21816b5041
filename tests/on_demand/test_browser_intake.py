"""The On-Demand setup guide as a patient sees it in Chromium (on a phone): the consent checkbox
beside its words, "Reason for visit" as wide as the other answers and in the page's font, and
on Finish every missing answer marked with the reason beside it and a summary next to Finish.
Once a provider claims the request, the phone's Camera Preview says a provider is ready, keeps
Join Session on screen and gives the visit's time in the patient's time zone. Skips without
Chromium (fails under CI=true)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import DEMO_PASSWORD, PROVIDER
from tests.on_demand.conftest import SLUG

harness = pytest.importorskip("tests.web.browser.harness",
                              reason="the web UI's browser harness")

pytestmark = pytest.mark.chromium
PHONE = {"viewport": {"width": 390, "height": 740}, "is_mobile": True, "has_touch": True}


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Any]:
    running = harness.NodeThread(tmp_path).start()
    yield running
    running.stop()


def test_setup_guide_marks_every_missing_answer_beside_it(browser: Any, node: Any) -> None:
    patient = browser.new_context(**PHONE).new_page()
    try:
        patient.goto(f"{node.url}/o/{SLUG}/calendar")
        patient.get_by_role("button", name="Meet Now").click()
        patient.get_by_label("Full name").fill("Pat Phone")
        patient.get_by_label("Email").fill("pat.phone@example.org")
        patient.get_by_role("button", name="Continue").click()

        reason = patient.get_by_label(re.compile("Reason for visit"))
        state = patient.get_by_label(re.compile("State you are in now"))
        consent = patient.get_by_label(re.compile("I consent"))
        expect()(reason).to_be_visible()
        assert "monospace" not in reason.evaluate("e => getComputedStyle(e).fontFamily")
        assert reason.bounding_box()["width"] >= 0.95 * state.bounding_box()["width"]

        box = consent.bounding_box()
        words = patient.locator("label", has_text="I consent").bounding_box()
        assert box["x"] < words["x"], "the checkbox comes first, on the left"
        assert abs((box["y"] + box["height"] / 2) - (words["y"] + words["height"] / 2)) \
            < words["height"], "the checkbox sits on the line of its words"

        finish = patient.get_by_role("button", name="Finish")
        finish.click()
        for field in (reason, state, consent):
            expect()(field).to_have_attribute("aria-invalid", "true")
        problems = patient.locator(".field-error:visible")
        expect()(problems).to_have_text(["This answer is required.", "This answer is required.",
                                         "Check this box to continue."])
        summary = patient.locator("#intake-error")
        expect()(summary).to_have_text("Please answer the 3 questions marked above.")
        gap = finish.bounding_box()["y"] - (summary.bounding_box()["y"]
                                            + summary.bounding_box()["height"])
        assert 0 <= gap < 60, "the summary sits just above Finish"

        reason.fill("Headache")
        reason.blur()
        expect()(reason).not_to_have_attribute("aria-invalid", "true")
        state.fill("CA")
        consent.check()
        finish.click()
        expect()(patient.get_by_role("heading", name="Virtual waiting room")).to_be_visible()

        # Leaving (or being declined) is not a dead end: the page offers a new start.
        patient.get_by_role("button", name="Leave the queue").click()
        patient.get_by_role("button", name="Meet Now again").click()
        expect()(patient.get_by_label("Full name")).to_be_visible()
    finally:
        patient.context.close()


def test_patient_on_a_phone_is_told_a_provider_is_ready_with_join_session_on_screen(
        browser: Any, node: Any) -> None:
    provider = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    patient = browser.new_context(timezone_id="America/New_York", **PHONE).new_page()
    try:
        harness.signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
        section = provider.get_by_role("region", name="On-Demand Requests")
        section.get_by_role("button", name=re.compile("On-Call")).click()
        expect()(section.get_by_role("button", name="On-Call")).to_have_attribute(
            "aria-pressed", "true")

        patient.goto(f"{node.url}/o/{SLUG}/calendar")
        patient.get_by_role("button", name="Meet Now").click()
        patient.get_by_label("Full name").fill("Pat Phone")
        patient.get_by_label("Email").fill("pat.phone@example.org")
        patient.get_by_role("button", name="Continue").click()
        patient.get_by_label(re.compile("Reason for visit")).fill("Rash")
        patient.get_by_label(re.compile("State you are in now")).fill("NY")
        patient.get_by_label(re.compile("I consent")).check()
        patient.get_by_role("button", name="Finish").click()
        expect()(patient.get_by_role("heading", name="Virtual waiting room")).to_be_visible()

        section.get_by_role("row").filter(has_text="Pat Phone").get_by_role(
            "button", name=re.compile("Claim")).click()
        patient.wait_for_url(re.compile(r"/preview\?session="))
        patient.wait_for_selector("body[data-ready=true]")
        expect()(patient.get_by_text("A provider is ready to see you")).to_be_visible()
        expect()(patient.get_by_role("button", name="Join Session")).to_be_in_viewport()
        # The visit's name gives its time in the patient's own time zone, not in UTC.
        name = patient.locator("#session-name")
        expect()(name).to_contain_text("On-Demand visit")
        expect()(name).not_to_contain_text("UTC")
    finally:
        for page in (provider, patient):
            page.context.close()
