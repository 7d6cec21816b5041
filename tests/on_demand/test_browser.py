"""In Chromium: a patient goes from the public page to a call with the provider who claimed
them, and each receives the other's video and audio. Uses the web UI's browser harness
(tests/web/browser/harness.py) and Debian's Chromium; skips without them (fails under
CI=true)."""

from __future__ import annotations

import importlib.util
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.fakes import DEMO_PASSWORD, PROVIDER

pytestmark = pytest.mark.chromium

START = re.compile("Start Session|Join Session")


def _harness() -> Any:
    try:
        found = importlib.util.find_spec("tests.web.browser.harness") is not None
    except ModuleNotFoundError:
        found = False
    require(found and (Path(__file__).parents[2] / "web" / "preview.html").exists(),
            "the web UI's browser harness and call pages (branch web)")
    from tests.web.browser import harness

    require(harness.CHROMIUM.exists(), f"Chromium at {harness.CHROMIUM}")
    return harness


@pytest.fixture
def browser_and_node(tmp_path: Path, browser: Any) -> Iterator[tuple[Any, Any, Any]]:
    harness = _harness()
    node = harness.NodeThread(tmp_path / "node").start()
    try:
        yield harness, node, browser
    finally:
        node.stop()


def _until(check: Any, what: str, seconds: float = 30.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_patient_from_public_page_to_a_call_with_the_provider_who_claimed(
        browser_and_node: tuple[Any, Any, Any]) -> None:
    from playwright.sync_api import expect

    harness, node, browser = browser_and_node
    contexts = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(harness.TRACK_PEERS)
        contexts.append(context)
    provider, patient = (c.new_page() for c in contexts)

    harness.signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
    section = provider.get_by_role("region", name="On-Demand Requests")
    section.get_by_role("button", name=re.compile("On-Call")).click()
    expect(section.get_by_role("button", name="On-Call")).to_have_attribute("aria-pressed",
                                                                            "true")

    patient.goto(f"{node.url}/o/demo-clinic/calendar")
    patient.get_by_role("button", name="Meet Now").click()
    patient.get_by_label("Full name").fill("Pat Browser")
    patient.get_by_label("Email").fill("pat.browser@example.org")
    patient.get_by_role("button", name="Continue").click()
    patient.get_by_label(re.compile("Reason for visit")).fill("Headache")
    patient.get_by_label(re.compile("State you are in now")).fill("CA")
    patient.get_by_label(re.compile("I consent")).check()
    patient.get_by_role("button", name="Finish").click()
    expect(patient.get_by_role("heading", name="Virtual waiting room")).to_be_visible()
    expect(patient.get_by_text("No provider has claimed your request yet",
                               exact=False)).to_be_visible()

    row = section.get_by_role("row").filter(has_text="Pat Browser")
    expect(row).to_contain_text("Headache")
    row.get_by_role("button", name=re.compile("Claim")).click()
    provider.wait_for_url(re.compile(r"/preview\?session="))
    patient.wait_for_url(re.compile(r"/preview\?session="))
    assert provider.url.split("session=")[1] == patient.url.split("session=")[1]

    for page in (provider, patient):
        page.get_by_role("button", name=START).click()
    for page in (provider, patient):
        page.wait_for_url(re.compile(r"/call\?session="))
    for page in (provider, patient):
        _until(lambda p=page: harness.inbound(p)["frames"] > 0, "video from the other side")
        _until(lambda p=page: harness.inbound(p)["audioPackets"] > 0,
               "audio from the other side")
    for context in contexts:
        context.close()
