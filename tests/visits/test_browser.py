"""Visits in real Chromium (fake camera and microphone): the employee on a desktop opens the
visit dialog from Today's Visits, copies the invite link, clocks in, sends the invite (the
waiting message appears) and joins; the client on a phone follows the link into the call; both
see each other; clocking out warns while the video session is active, then ends it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.fakes import DEMO_PASSWORD, PROVIDER
from tests.web.browser.harness import (
    TRACK_PEERS,
    NodeThread,
    axe_script,
    expect,
    serious_violations,
    signin,
    wait_media_flowing,
)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def axe() -> Path:
    script = axe_script()
    require(script is not None, "axe-core from npm (node_modules/axe-core)")
    assert script is not None
    return script


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeThread]:
    running = NodeThread(tmp_path_factory.mktemp("node")).start()
    yield running
    running.stop()


def _virtual_visit_of_ada(page: Any) -> dict[str, Any]:
    """A virtual visit of Dr Ada for now (the admin's API, through the signed-in page)."""
    return page.evaluate("""async () => {
      const me = await (await fetch('/api/v1/me')).json();
      const post = async (path, body) => (await fetch('/api/v1/visits' + path, {method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
        body: JSON.stringify(body)})).json();
      const client = await post('/clients', {first_name: 'Cora', last_name: 'Client',
                                            email: 'cora@example.org'});
      const code = await post('/service-codes', {code: 'VB' + Date.now(), name: 'Virtual care',
                                                allows_virtual: true});
      const ada = (await (await fetch('/api/v1/visits/employees')).json()).employees
        .find(e => e.name === 'Dr Ada Lovelace');
      const now = Date.now();
      return (await post('', {client_id: client.client.id, employee_id: ada.id,
        service_code_id: code.service_code.id, starts_at: new Date(now - 60000).toISOString(),
        ends_at: new Date(now + 3600000).toISOString()})).visit;
    }""")


def test_employee_invites_clocks_in_and_meets_the_client_on_a_phone(
        browser: Any, node: NodeThread, axe: Path) -> None:
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    signin(admin, node.url, "admin@demo.clinic", DEMO_PASSWORD)
    visit = _virtual_visit_of_ada(admin)
    admin_context.close()

    employee_context = browser.new_context(viewport={"width": 1280, "height": 800})
    client_context = browser.new_context(**PHONE)
    for ctx in (employee_context, client_context):
        ctx.add_init_script(TRACK_PEERS)
    employee = employee_context.new_page()
    try:
        signin(employee, node.url, PROVIDER, DEMO_PASSWORD)
        row = employee.locator(f"li.visit-row[data-visit='{visit['id']}']")
        expect()(row).to_contain_text("Cora Client")
        expect()(row.get_by_role("img", name="Virtual visit")).to_be_visible()
        row.get_by_role("button", name="More Details").click()
        dialog = employee.get_by_role("dialog")
        expect()(dialog.get_by_role("heading")).to_have_text("Virtual visit")
        # Not clocked in yet: no way to join.
        expect()(dialog.get_by_role("button", name="Join video session")).to_have_count(0)

        dialog.get_by_role("button", name="Copy invite link").click()
        link = dialog.get_by_label("Invite link").input_value()
        assert re.fullmatch(re.escape(node.url) + r"/visits/join/[A-Za-z0-9_-]+", link)

        dialog.get_by_role("button", name="Clock in").click()
        dialog.get_by_role("button", name="Send invite to client").click()
        waiting = dialog.locator("[data-waiting]")
        expect()(waiting).to_contain_text("The client has not joined the session yet. The last "
                                          "invite was sent at ")
        shown = re.search(r"sent at (\d\d:\d\d)\.", waiting.inner_text())
        assert shown is not None
        expect()(dialog.get_by_role("button", name="Resend invite to client")).to_be_visible()

        with employee_context.expect_page() as opened:
            dialog.get_by_role("button", name="Join video session").click()
        call = opened.value
        call.wait_for_url(lambda url: "/preview" in url)
        call.get_by_role("button", name="Join Session").click()
        call.wait_for_url(lambda url: "/call" in url)
        call.wait_for_selector("body[data-ready=true]")

        client = client_context.new_page()
        client.goto(link)
        client.wait_for_url(lambda url: "/preview" in url)
        client.get_by_role("button", name="Join Session").click()
        client.wait_for_url(lambda url: "/call" in url)
        client.wait_for_selector("body[data-ready=true]")
        for page in (call, client):
            stats = wait_media_flowing(page)
            assert stats["frames"] > 10 and stats["audioEnergy"] > 0
        expect()(call.locator(".tile:not(.self) .tile-name")).to_have_text("Cora Client")

        assert serious_violations(employee, axe) == []
        # Clocking out while the video session is active warns first.
        dialog.get_by_role("button", name="Clock out", exact=True).click()
        expect()(dialog.get_by_role("alert")).to_have_text(
            "The virtual session is still active. Remember to hang up the video call as well.")
        dialog.get_by_role("button", name="Clock out and end the video session").click()
        # The employee's call page (still open) ends with the visit's words, not the Chair's.
        expect()(call.locator("#ended-title")).to_have_text(
            "Your session with the client is over. You can now close the page.")
        expect()(client.locator("body")).to_have_attribute("data-ended", "true")
        expect()(dialog.get_by_role("button", name="Join video session")).to_have_count(0)
        expect()(dialog.get_by_role("button", name="Copy invite link")).to_have_count(0)
        # The client's link now says the visit is over.
        late = client_context.new_page()
        late.goto(link)
        expect()(late.locator("main")).to_contain_text(
            "This visit is over. You can now close the page.")
    finally:
        employee_context.close()
        client_context.close()


def test_hang_up_from_the_visit_dialog_warns_then_ends_the_session(
        browser: Any, node: NodeThread) -> None:
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    signin(admin, node.url, "admin@demo.clinic", DEMO_PASSWORD)
    visit = _virtual_visit_of_ada(admin)
    admin_context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        employee = context.new_page()
        signin(employee, node.url, PROVIDER, DEMO_PASSWORD)
        employee.locator(f"li.visit-row[data-visit='{visit['id']}']").get_by_role(
            "button", name="More Details").click()
        dialog = employee.get_by_role("dialog")
        dialog.get_by_role("button", name="Copy invite link").click()
        dialog.get_by_role("button", name="Clock in").click()
        dialog.get_by_role("button", name="Hang up", exact=True).click()
        expect()(dialog.get_by_role("alert")).to_contain_text(
            "no new video session can be opened for this visit")
        dialog.get_by_role("button", name="Hang up and end the video session").click()
        expect()(dialog.get_by_role("status")).to_have_text(
            "Your session with the client is over. You can now close the page.")
        expect()(dialog.get_by_role("button", name="Join video session")).to_have_count(0)
        # The employee still has to clock out; now without a warning.
        dialog.get_by_role("button", name="Clock out", exact=True).click()
        expect()(dialog.get_by_role("button", name="Clock out", exact=True)).to_have_count(0)
    finally:
        context.close()


def test_hang_up_on_the_call_page_client_leaves_then_employee_ends(
        browser: Any, node: NodeThread) -> None:
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    signin(admin, node.url, "admin@demo.clinic", DEMO_PASSWORD)
    visit = _virtual_visit_of_ada(admin)
    employee_context = browser.new_context(viewport={"width": 1280, "height": 800})
    client_context = browser.new_context(**PHONE)
    try:
        employee = employee_context.new_page()
        signin(employee, node.url, PROVIDER, DEMO_PASSWORD)
        employee.locator(f"li.visit-row[data-visit='{visit['id']}']").get_by_role(
            "button", name="More Details").click()
        dialog = employee.get_by_role("dialog")
        dialog.get_by_role("button", name="Copy invite link").click()
        link = dialog.get_by_label("Invite link").input_value()
        dialog.get_by_role("button", name="Clock in").click()
        with employee_context.expect_page() as opened:
            dialog.get_by_role("button", name="Join video session").click()
        call = opened.value
        call.wait_for_url(lambda url: "/preview" in url)
        call.get_by_role("button", name="Join Session").click()
        call.wait_for_url(lambda url: "/call" in url)
        call.wait_for_selector("body[data-ready=true]")

        client = client_context.new_page()
        client.goto(link)
        client.wait_for_url(lambda url: "/preview" in url)
        client.get_by_role("button", name="Join Session").click()
        client.wait_for_url(lambda url: "/call" in url)
        client.wait_for_selector("body[data-ready=true]")
        expect()(call.locator(".tile:not(.self) .tile-name")).to_have_text("Cora Client")

        # The client's Hang Up only leaves; the employee is told and the session stays open.
        client.get_by_role("button", name="Hang Up").click()
        expect()(client.locator("#ended-title")).to_have_text("You left the session")
        expect()(call.locator("#call-status")).to_have_text(
            "The client has left the session. The session stays open: the client can rejoin "
            "with the same link.")
        expect()(call.locator("body")).not_to_have_attribute("data-ended", "true")

        # The client rejoins with the same link.
        again = client_context.new_page()
        again.goto(link)
        again.wait_for_url(lambda url: "/preview" in url)
        again.get_by_role("button", name="Join Session").click()
        again.wait_for_url(lambda url: "/call" in url)
        again.wait_for_selector("body[data-ready=true]")
        expect()(call.locator(".tile:not(.self) .tile-name")).to_have_text("Cora Client")
        expect()(call.locator("#call-status")).to_be_hidden()  # the notice goes when they are back

        # The visit is moved: the link the client joined with stops working and they are told.
        admin.evaluate("""async (id) => {
          const me = await (await fetch('/api/v1/me')).json();
          const now = Date.now();
          await fetch('/api/v1/visits/' + id, {method: 'PATCH', headers: {
            'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
            body: JSON.stringify({starts_at: new Date(now - 120000).toISOString(),
                                  ends_at: new Date(now + 7200000).toISOString()})});
        }""", visit["id"])
        expect()(again.locator("#ended-text")).to_have_text(
            "The time of this visit changed, so the link you joined with no longer works. Use "
            "the link in the newest invite from your care provider.")
        expect()(call.locator("body")).not_to_have_attribute("data-ended", "true")

        # The employee's Hang Up warns first; dismissing it keeps the call.
        asked: list[str] = []

        def dismiss(d: Any) -> None:
            asked.append(d.message)
            d.dismiss()

        call.once("dialog", dismiss)
        call.get_by_role("button", name="Hang Up").click()
        expect()(call.locator("body")).not_to_have_attribute("data-ended", "true")
        assert asked == ["Hanging up ends the video session with the client: no new video "
                         "session can be opened for this visit."]

        call.once("dialog", lambda d: d.accept())
        call.get_by_role("button", name="Hang Up").click()
        expect()(call.locator("#ended-title")).to_have_text(
            "Your session with the client is over. You can now close the page.")
        # The visit's session is over: no new one for this visit; clocking out needs no warning.
        employee.reload()
        employee.locator(f"li.visit-row[data-visit='{visit['id']}']").get_by_role(
            "button", name="More Details").click()
        dialog = employee.get_by_role("dialog")
        expect()(dialog.get_by_role("button", name="Clock out", exact=True)).to_be_visible()
        expect()(dialog.get_by_role("button", name="Join video session")).to_have_count(0)
        dialog.get_by_role("button", name="Clock out", exact=True).click()
        expect()(dialog.get_by_role("button", name="Clock out", exact=True)).to_have_count(0)
    finally:
        admin_context.close()
        employee_context.close()
        client_context.close()


def test_admin_sees_a_clients_schedule_with_the_virtual_care_icon(
        browser: Any, node: NodeThread) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        admin = context.new_page()
        signin(admin, node.url, "admin@demo.clinic", DEMO_PASSWORD)
        visit = _virtual_visit_of_ada(admin)
        admin.goto(f"{node.url}/admin")
        admin.wait_for_selector("body[data-ready=true]")
        # Other tests' clients have the same name: pick this visit's client by id.
        admin.get_by_label("Client's schedule").select_option(value=visit["client"]["id"])
        rows = admin.locator(".visit-admin li[data-visit]")
        expect()(rows).to_have_count(1)
        expect()(rows.first).to_have_attribute("data-visit", visit["id"])
        expect()(rows.first.get_by_role("img", name="Virtual visit")).to_be_visible()
    finally:
        context.close()
