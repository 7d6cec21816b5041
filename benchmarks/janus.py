"""Janus 1.1.2 VideoRoom for the media benchmark: loopback-only config, process and HTTP API driver.

Owned by :mod:`benchmarks.media_forward`. :func:`start_janus` builds the ``getifaddrs`` shim
(``janus_loopback.c``, see there for why), writes ``janus.jcfg`` (ICE on ``lo`` only, no STUN,
IPv4 only, only the HTTP transport on 127.0.0.1 and only the VideoRoom plugin), starts
``janus -F <dir>`` pinned to the server core and waits for its API. :class:`JanusApi` drives the
VideoRoom over the HTTP API: one session kept by a long-poll loop, one handle per peer. Every SDP
Janus sends (and every candidate it trickles) is checked for addresses outside 127.0.0.0/8;
one such address aborts the run with :class:`NotLoopback`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import trio

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM_SOURCE = os.path.join(HERE, "janus_loopback.c")
PLUGINS = ("audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip",
           "streaming", "textroom", "videocall", "voicemail")
TRANSPORTS = ("websockets", "pfunix", "mqtt", "nanomsg", "rabbitmq")
EVENTS = ("gelfevh", "mqttevh", "nanomsgevh", "rabbitmqevh", "sampleevh", "wsevh")


class NotLoopback(RuntimeError):
    """Janus offered a candidate outside 127.0.0.0/8: the benchmark must not leave loopback."""


class JanusError(RuntimeError):
    """The Janus API answered with an error."""


def janus_available() -> bool:
    return shutil.which("janus") is not None and shutil.which("gcc") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_shim(directory: str) -> str:
    """Compile the ``getifaddrs`` shim into ``directory``; returns the ``.so`` path."""
    path = os.path.join(directory, "janus_loopback.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", path, SHIM_SOURCE, "-ldl"],
                   check=True, capture_output=True)
    return path


def _disable(names: tuple[str, ...]) -> str:
    return ",".join(f"libjanus_{name}.so" for name in names)


def write_config(directory: str, http_port: int) -> None:
    """Write ``janus.jcfg`` and the HTTP and VideoRoom configs into ``directory``."""
    files = {
        "janus.jcfg": f"""
general: {{
    configs_folder = "{directory}"
    interface = "127.0.0.1"
    debug_level = 3
    session_timeout = 0
    admin_secret = "{os.urandom(8).hex()}"
    protected_folders = []
}}
certificates: {{ }}
media: {{
    ipv6 = false
    rtp_port_range = "20000-40000"
    no_media_timer = 0
}}
nat: {{
    ice_enforce_list = "lo"
    full_trickle = false
    ice_lite = false
    ice_tcp = false
    ignore_mdns = true
}}
plugins: {{ disable = "{_disable(PLUGINS)}" }}
transports: {{ disable = "{_disable(TRANSPORTS)}" }}
loggers: {{ disable = "libjanus_jsonlog.so" }}
events: {{ broadcast = false disable = "{_disable(EVENTS)}" }}
""",
        "janus.transport.http.jcfg": f"""
general: {{
    json = "plain"
    base_path = "/janus"
    http = true
    port = {http_port}
    ip = "127.0.0.1"
    https = false
}}
admin: {{ admin_http = false admin_https = false }}
cors: {{ }}
""",
        "janus.plugin.videoroom.jcfg": "general: { }\n",
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as fh:
            fh.write(text)


def check_loopback(sdp_or_candidate: str) -> None:
    """Raise :class:`NotLoopback` when any candidate or connection address leaves 127/8."""
    for line in sdp_or_candidate.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        address = None
        if "candidate:" in line:
            fields = line.split("candidate:", 1)[1].split()
            if len(fields) >= 5:
                address = fields[4]
        elif line.startswith("c=IN "):
            address = line.split()[-1]
        if address is None:
            continue
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise NotLoopback(f"Janus offered a non-IP candidate address {address!r}") from None
        if ip.version != 4 or not ip.is_loopback:
            raise NotLoopback(f"Janus offered {address} (outside 127.0.0.0/8)")


@contextlib.asynccontextmanager
async def start_janus(
    directory: str, core: int | None, priority: int = 0,
) -> AsyncIterator[tuple[int, str]]:
    """Run Janus from a fresh config in ``directory``; yields ``(pid, api_url)``.

    ``core`` pins it (``taskset``), ``priority`` is its nice value (``nice``); every thread
    Janus starts inherits both.
    """
    port = free_port()
    write_config(directory, port)
    shim = build_shim(directory)
    env = {**os.environ, "LD_PRELOAD": shim}
    argv = ["janus", "-F", directory, "-C", os.path.join(directory, "janus.jcfg"), "-N"]
    if priority:
        argv = ["nice", "-n", str(priority), *argv]
    if core is not None:
        argv = ["taskset", "-c", str(core), *argv]
    # Opened once before Janus starts, closed when it has exited.
    log = open(os.path.join(directory, "janus.log"), "wb")  # noqa: SIM115, ASYNC230
    process = await trio.lowlevel.open_process(argv, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/janus"
    try:
        with trio.fail_after(20):
            async with httpx.AsyncClient() as client:
                while True:
                    if process.returncode is not None:
                        raise JanusError(f"janus exited with {process.returncode}; see {log.name}")
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get(f"{url}/info")).status_code == 200:
                            break
                    await trio.sleep(0.2)
        yield process.pid, url
    finally:
        with trio.CancelScope(shield=True):
            process.terminate()
            with trio.move_on_after(5):
                await process.wait()
            if process.returncode is None:
                process.kill()
                await process.wait()
            log.close()


class JanusApi:
    """A VideoRoom client over Janus's HTTP API: one session, one handle per peer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(60.0))
        self.session: int | None = None
        self._txns = (f"t{n}" for n in itertools.count())
        self._waiting: dict[str, trio.MemorySendChannel[dict[str, Any]]] = {}
        self.sdps_checked = 0

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = (await self.client.post(f"{self.url}{path}", json=body)).json()
        if reply.get("janus") == "error":
            raise JanusError(str(reply.get("error")))
        return reply  # type: ignore[no-any-return]

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str) -> AsyncIterator[JanusApi]:
        """A session on Janus at ``url``, long-polled until the block ends, then destroyed."""
        api = cls(url)
        try:
            reply = await api._post("", {"janus": "create", "transaction": next(api._txns)})
            api.session = int(reply["data"]["id"])
            async with trio.open_nursery() as nursery:
                nursery.start_soon(api._poll)
                yield api
                nursery.cancel_scope.cancel()
        finally:
            with trio.CancelScope(shield=True), trio.move_on_after(5):
                await api.close()

    async def _poll(self) -> None:
        """Long-poll the session's events and hand each to the transaction waiting for it."""
        while True:
            response = await self.client.get(f"{self.url}/{self.session}?maxev=50")
            events = response.json()
            for event in events if isinstance(events, list) else [events]:
                self._check(event)
                send = self._waiting.pop(event.get("transaction", ""), None)
                if send is not None and event.get("janus") == "event":
                    send.send_nowait(event)
                elif send is not None:
                    self._waiting[event["transaction"]] = send

    def _check(self, message: dict[str, Any]) -> None:
        jsep = message.get("jsep")
        if jsep is not None:
            check_loopback(jsep["sdp"])
            self.sdps_checked += 1
        candidate = message.get("candidate")
        if isinstance(candidate, dict) and "candidate" in candidate:
            check_loopback(candidate["candidate"])

    async def attach(self) -> int:
        reply = await self._post(f"/{self.session}", {
            "janus": "attach", "plugin": "janus.plugin.videoroom",
            "transaction": next(self._txns)})
        return int(reply["data"]["id"])

    async def message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a plugin request; returns its plugin data (and ``jsep`` under ``"jsep"``)."""
        txn = next(self._txns)
        send, receive = trio.open_memory_channel[dict[str, Any]](1)
        self._waiting[txn] = send
        request: dict[str, Any] = {"janus": "message", "body": body, "transaction": txn}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self._post(f"/{self.session}/{handle}", request)
        if reply.get("janus") != "ack":
            self._waiting.pop(txn, None)
            event = reply
        else:
            with trio.fail_after(30):
                event = await receive.receive()
        self._check(event)
        data = dict(event.get("plugindata", {}).get("data", {}))
        if "error" in data:
            raise JanusError(f"{body.get('request')}: {data['error']}")
        if "jsep" in event:
            data["jsep"] = event["jsep"]
        return data

    async def create_room(self, handle: int, room: int, publishers: int) -> None:
        await self.message(handle, {
            "request": "create", "room": room, "publishers": max(publishers, 1),
            "videocodec": "vp8", "audiocodec": "opus", "bitrate": 0, "fir_freq": 0,
            "notify_joining": False, "permanent": False,
        })

    async def publish(self, handle: int, room: int, display: str, sdp: str) -> tuple[int, str]:
        """Join ``room`` as a publisher and publish ``sdp``; returns (feed id, answer SDP)."""
        joined = await self.message(handle, {
            "request": "join", "ptype": "publisher", "room": room, "display": display})
        published = await self.message(
            handle, {"request": "publish", "audio": True, "video": True},
            {"type": "offer", "sdp": sdp})
        return int(joined["id"]), str(published["jsep"]["sdp"])

    async def subscribe(self, handle: int, room: int, feeds: list[int]) -> str:
        """Join as a subscriber of ``feeds``; returns Janus's offer SDP."""
        body = {"request": "join", "ptype": "subscriber", "room": room,
                "streams": [{"feed": feed} for feed in feeds]}
        # A feed exists only once its publisher's connection is up: retry until then.
        with trio.fail_after(20):
            while True:
                try:
                    attached = await self.message(handle, body)
                    return str(attached["jsep"]["sdp"])
                except JanusError as exc:
                    if "No such feed" not in str(exc):
                        raise
                await trio.sleep(0.2)

    async def start(self, handle: int, room: int, answer: str) -> None:
        await self.message(handle, {"request": "start", "room": room},
                           {"type": "answer", "sdp": answer})

    async def close(self) -> None:
        with contextlib.suppress(httpx.HTTPError, JanusError):
            await self._post(f"/{self.session}", {"janus": "destroy",
                                                  "transaction": next(self._txns)})
        await self.client.aclose()
