"""Real-browser harness: a node in a background trio thread, Debian's Chromium through
Playwright's sync API, and axe-core injected from npm.

Playwright's sync API cannot run inside trio, so browser tests are plain ``def`` tests: the node
runs in its own thread with its own trio loop (:class:`NodeThread`), and the test reaches its
services (the notifier, the bus) through ``NodeThread.call``.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import trio

from tests.fakes import DEMO_PASSWORD, PROVIDER, start_node
from vclinic.server.run import Running

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--no-sandbox",
    "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]
REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


class NodeThread:
    """A real node (hypercorn, actors, store) served from a background thread's trio loop."""

    def __init__(self, data_dir: Path, **settings: Any) -> None:
        self.data_dir = data_dir
        # Its pages are used by real browsers, whose calls need a media worker.
        self.settings = {"media": True, **settings}
        self.running: Running | None = None
        self.error: BaseException | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="vclinic-node", daemon=True)

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.urls[0]

    def start(self) -> NodeThread:
        self._thread.start()
        if not self._ready.wait(60) or self.running is None:
            raise RuntimeError("the node did not start") from self.error
        return self

    def _run(self) -> None:
        try:
            trio.run(self._main)
        except BaseException as exc:  # reported by stop() in the test's thread
            self.error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        async with trio.open_nursery() as nursery:
            self.running = await start_node(nursery, self.data_dir, **self.settings)
            self._ready.set()

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``await fn(*args)`` in the node's trio loop and return its result."""
        return trio.from_thread.run(fn, *args, trio_token=self._token)

    def call_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return trio.from_thread.run_sync(fn, *args, trio_token=self._token)

    def stop(self) -> None:
        if self.running is not None and self._thread.is_alive():
            self.call_sync(self.running.stop.set)
        self._thread.join(60)
        if self.error is not None:
            raise self.error


def wait_for(page: Any, predicate: str, arg: Any = None, *, timeout: float = 30000,
             polling: float = 100) -> None:
    """Wait until ``predicate`` (an expression, or a function of ``arg``) is truthy in ``page``;
    raise Playwright's TimeoutError after ``timeout`` ms.

    ``page.wait_for_function`` compiles its predicate with ``eval`` inside the page, which the
    pages' Content-Security-Policy (no ``'unsafe-eval'``) refuses; ``page.evaluate`` goes through
    the DevTools protocol, which the policy does not restrict (and it awaits async predicates).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"timed out after {timeout} ms waiting for {predicate}")
        page.wait_for_timeout(polling)


def axe_script() -> Path | None:
    """axe.min.js from node_modules, installed with npm (not saved to package.json) if absent."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund", "axe-core@4"],
                       cwd=REPO, check=False, capture_output=True, timeout=300)
    return AXE if AXE.exists() else None


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.help} — `
      + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""


def serious_violations(page: Any, axe: Path) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    # Evaluated rather than added as a <script> element, which the pages' CSP would refuse.
    page.evaluate(axe.read_text())
    return page.evaluate(AXE_RUN)  # type: ignore[no-any-return]


# Every RTCPeerConnection a page creates, for reading getStats from tests without any hook in
# the page's own code.
TRACK_PEERS = """(() => {
  const Original = window.RTCPeerConnection;
  window.__peers = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Original(...args);
    window.__peers.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
})();"""

INBOUND = """async () => {
  const out = {frames: 0, audioEnergy: 0, audioPackets: 0, state: null};
  const pcs = (window.__peers || []).filter(pc => pc.connectionState === 'connected');
  const pc = pcs[pcs.length - 1];
  if (!pc) return out;
  out.state = pc.connectionState;
  (await pc.getStats()).forEach(s => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') out.frames += s.framesDecoded || 0;
    if (s.kind === 'audio') {
      out.audioEnergy += s.totalAudioEnergy || 0;
      out.audioPackets += s.packetsReceived || 0;
    }
  });
  return out;
}"""


def inbound(page: Any) -> dict[str, Any]:
    """Frames decoded and audio received on the page's current peer connection."""
    return page.evaluate(INBOUND)  # type: ignore[no-any-return]


_API = """async ([method, path, body]) => {
  const me = await (await fetch('/api/v1/me')).json();
  const response = await fetch(`/api/v1${path}`, {method, headers: {
    'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
    body: body === null ? undefined : JSON.stringify(body)});
  return {status: response.status, body: await response.json().catch(() => null)};
}"""


def api(page: Any, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """Call ``/api/v1<path>`` from the page, as its signed-in user (cookie and CSRF token):
    ``{"status", "body"}``."""
    return page.evaluate(_API, [method, path, body])  # type: ignore[no-any-return]


def accept_next_dialog(page: Any) -> list[str]:
    """Accept the page's next ``confirm()``; the list it returns fills with its message."""
    messages: list[str] = []

    def accept(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    return messages


def signin(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/signin")
    # The page's script handles the form once it says so; a click before that would submit
    # natively (a loaded machine can take that long).
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/dashboard")
    page.wait_for_selector("body[data-ready=true]")


def create_session(page: Any, name: str) -> tuple[str, str | None]:
    """Start a Session (an Invitation session, the reminder confirmed) as the signed-in user of
    ``page`` through ``POST /api/v1/sessions``; returns its id and its guest link's path."""
    body = page.evaluate("""async (name) => {
      const me = await (await fetch('/api/v1/me')).json();
      const response = await fetch('/api/v1/sessions', {method: 'POST', headers: {
        'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},
        body: JSON.stringify({name, confirm_link_reminder: true})});
      return {status: response.status, body: await response.json().catch(() => null)};
    }""", name)
    if body["status"] != 201:
        raise RuntimeError(f"creating a session answered {body['status']}: {body['body']}")
    data = body["body"]
    guest = (data.get("links") or {}).get("guest")
    return data["session"]["id"], guest["path"] if guest else None


GUEST = "Pat Guest"
WAIT_MS = 30000


def expect() -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def poll(page: Any, check: Any, what: str) -> dict[str, Any]:
    """Read the page's inbound stats until ``check(stats)`` holds (page.wait_for_function does
    not await an async predicate, and getStats is async)."""
    for _ in range(WAIT_MS // 250):
        stats = inbound(page)
        if check(stats):
            return stats
        page.wait_for_timeout(250)
    raise AssertionError(f"{what}: last stats {stats}")


def wait_media_flowing(page: Any) -> dict[str, Any]:
    """Wait until video frames are decoded and advancing and audio energy arrived."""
    first = poll(page, lambda s: s["frames"] > 5 and s["audioEnergy"] > 0,
                 "no video frames or no audio arrived")
    return poll(page, lambda s: s["frames"] > first["frames"] + 10 and s["audioEnergy"] > 0,
                "video frames stopped advancing")


def open_call(browser: Any, node: NodeThread, guest_browser: Any = None,
              guest_camera: str | None = None, **guest_options: Any) -> tuple[Any, Any, str]:
    """A provider starts a session and joins it; a guest follows the link and joins too, in
    ``guest_browser`` (default: the same browser) with ``guest_options`` for its context
    (a phone: ``is_mobile``, ``has_touch``, ``viewport``), choosing the camera labelled
    ``guest_camera`` on the Camera Preview if given."""
    provider_context = browser.new_context()
    guest_context = (guest_browser or browser).new_context(**guest_options)
    for ctx in (provider_context, guest_context):
        ctx.add_init_script(TRACK_PEERS)
    provider = provider_context.new_page()
    signin(provider, node.url, PROVIDER, DEMO_PASSWORD)
    session_id, link = create_session(provider, "Follow-up consult")
    assert link, "creating a session returns its guest link"
    provider.goto(f"{node.url}/preview?session={session_id}")
    provider.get_by_role("button", name="Join Session").click()
    provider.wait_for_selector("body[data-ready=true]")

    guest = guest_context.new_page()
    guest.goto(node.url + link if link.startswith("/") else link)
    guest.wait_for_url(f"{node.url}/join")
    guest.get_by_label("Your name").fill(GUEST)
    guest.get_by_role("button", name="Continue").click()
    guest.wait_for_url(lambda url: "/preview" in url or "/call" in url)
    if guest_camera is not None:
        guest.wait_for_url(lambda url: "/preview" in url)
        camera = guest.get_by_label("Camera", exact=True)
        camera.select_option(label=guest_camera)
        wait_for(guest, """() => (JSON.parse(sessionStorage.getItem('vclinic.devices'))
          || {}).videoId === document.getElementById('camera').value""")
    if "/preview" in guest.url:
        guest.get_by_role("button", name="Join Session").click()
    guest.wait_for_url(lambda url: "/call" in url)
    guest.wait_for_selector("body[data-ready=true]")
    return provider, guest, session_id


def close_all(*pages: Any) -> None:
    for page in pages:
        page.context.close()
