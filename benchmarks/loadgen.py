"""Load-generator process for the media benchmarks: many aiortc peers on one asyncio loop.

Started by :mod:`benchmarks.media_forward` as ``python benchmarks/loadgen.py --role ROLE``; it
reads one JSON request per line on stdin and writes one JSON reply per line on stdout
(``{"id": n, "result": ...}`` or ``{"id": n, "error": "..."}``). Roles:

- ``publish``: peers that send Opus silence and a synthetic video whose frames carry
  ``publisher << 20 | counter`` in big black-and-white blocks; each frame's creation time
  (``time.monotonic()``, shared by every process on the machine) is kept as its stamp. The VP8
  bitrate is pinned so that every server under test receives the same stream.
- ``decode``: subscribers that decode video and read the code back, recording when each frame
  came out of the decoder (latency = decode time - stamp).
- ``count``: subscribers that count RTP packets as aioice hands them over and drop them there
  (no SRTP decryption, no jitter buffer, no decoder), so many of them fit on one core. DTLS,
  STUN and RTCP still take aiortc's normal path, so connections stay up.

Every peer gathers loopback host candidates only and uses no STUN server.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import os
import sys
import threading
import time
from typing import Any

import aioice.ice
import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.codecs import vpx
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtcdtlstransport import RTCDtlsTransport

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vclinic.media.worker import hooks

hooks.restrict_host_addresses(["127.0.0.1"])

COLUMNS, ROWS = 16, 2  # 32 bits of code in the top band of the frame
NOISE_FRAMES = 8


def draw_code(code: int, width: int, height: int, noise: list[bytes]) -> av.VideoFrame:
    """A frame whose top band spells ``code`` in 32 blocks; the rest is changing noise."""
    frame = av.VideoFrame(width, height, "yuv420p")
    y = frame.planes[0]
    band = height // 4
    block_w, block_h = width // COLUMNS, band // ROWS
    rows = []
    for row in range(ROWS):
        line = b"".join(
            (b"\xeb" if code >> (row * COLUMNS + col) & 1 else b"\x10") * block_w
            for col in range(COLUMNS)
        )
        rows.append(line.ljust(y.line_size, b"\x80") * block_h)
    top = b"".join(rows).ljust(band * y.line_size, b"\x80")
    y.update(top + noise[code % len(noise)][: y.buffer_size - len(top)])
    for plane in frame.planes[1:]:
        plane.update(b"\x80" * plane.buffer_size)
    return frame


def read_code(frame: av.VideoFrame, width: int, height: int) -> int:
    """The code drawn by :func:`draw_code`, read at block centres."""
    if frame.width != width or frame.height != height or frame.format.name != "yuv420p":
        frame = frame.reformat(width=width, height=height, format="yuv420p")
    y = frame.planes[0]
    data = bytes(y)
    band = height // 4
    block_w, block_h = width // COLUMNS, band // ROWS
    value = 0
    for row in range(ROWS):
        for col in range(COLUMNS):
            offset = (row * block_h + block_h // 2) * y.line_size + col * block_w + block_w // 2
            if data[offset] > 128:
                value |= 1 << (row * COLUMNS + col)
    return value


def noise_bank(width: int, height: int) -> list[bytes]:
    """Mid-grey noise planes (amplitude limited so VP8 spends its bits without choking)."""
    size = width * height
    out = []
    for _ in range(NOISE_FRAMES):
        raw = os.urandom(size)
        out.append(bytes(96 + (b & 63) for b in raw))
    return out


class CodeTrack(MediaStreamTrack):
    """Synthetic camera of publisher ``index``: stamps every frame it hands to the encoder."""

    kind = "video"

    def __init__(self, index: int, args: argparse.Namespace, noise: list[bytes]) -> None:
        super().__init__()
        self.index = index
        self.args = args
        self.noise = noise
        self.counter = 0
        self.stamps: list[tuple[int, float]] = []
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            delay = self._start + self.counter / self.args.fps - time.monotonic()
            if delay < -0.5:
                # The process was starved of CPU (a shared machine): skip ahead, do not burst.
                self._start -= delay
                delay = 0.0
            await asyncio.sleep(max(0.0, delay))
        code = self.index << 20 | (self.counter & 0xFFFFF)
        frame = draw_code(code, self.args.width, self.args.height, self.noise)
        frame.pts = self.counter * (90000 // self.args.fps)
        frame.time_base = fractions.Fraction(1, 90000)
        self.counter += 1
        self.stamps.append((code, time.monotonic()))
        return frame


def pin_vp8_bitrate(bitrate: int) -> None:
    """Make every VP8 encoder in this process ignore REMB: all servers get the same stream."""
    def fixed(self: Any) -> int:
        return bitrate

    vpx.Vp8Encoder.target_bitrate = property(fixed, lambda self, value: None)  # type: ignore


def count_rtp() -> None:
    """Count RTP packets in and out per DTLS transport."""
    receive, send = RTCDtlsTransport._handle_rtp_data, RTCDtlsTransport._send_rtp

    async def counted(self: Any, data: bytes, arrival_time_ms: int) -> None:
        self.bench_rtp = getattr(self, "bench_rtp", 0) + 1
        await receive(self, data, arrival_time_ms)

    async def counted_send(self: Any, data: bytes) -> None:
        self.bench_sent = getattr(self, "bench_sent", 0) + 1
        await send(self, data)

    RTCDtlsTransport._handle_rtp_data = counted  # type: ignore[method-assign]
    RTCDtlsTransport._send_rtp = counted_send  # type: ignore[method-assign]


def drop_rtp_at_ice() -> None:
    """Count and drop RTP in aioice, before the DTLS transport's queue and SRTP."""
    original = aioice.ice.Connection.data_received

    def data_received(self: Any, data: bytes, component: int) -> None:
        # RFC 7983 / 5761 demultiplexing: 128..191 first byte is RTP or RTCP; RTCP packet
        # types are 192..223 in the second byte.
        if len(data) > 1 and 127 < data[0] < 192 and not 191 < data[1] < 224:
            self.bench_rtp = getattr(self, "bench_rtp", 0) + 1
            return
        original(self, data, component)

    aioice.ice.Connection.data_received = data_received  # type: ignore[method-assign]


class LoadGen:
    """The peers of one load-generator process, by name."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.tracks: dict[str, CodeTrack] = {}
        self.decoded: list[tuple[str, int, float]] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.noise = noise_bank(args.width, args.height) if args.role == "publish" else []

    def _pc(self, name: str) -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(
            iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.pcs[name] = pc
        if self.args.role == "decode":
            pc.on("track", lambda track: self._on_track(name, track))
        return pc

    def _on_track(self, name: str, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            task = asyncio.ensure_future(self._consume(name, track))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _consume(self, name: str, track: MediaStreamTrack) -> None:
        width, height = self.args.width, self.args.height
        try:
            while True:
                frame = await track.recv()
                self.decoded.append((name, read_code(frame, width, height), time.monotonic()))
        except (MediaStreamError, asyncio.CancelledError):
            pass

    async def publish(self, name: str, index: int, audio: bool = True) -> dict[str, Any]:
        pc = self._pc(name)
        if audio:
            pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        track = self.tracks[name] = CodeTrack(index, self.args, self.noise)
        pc.addTransceiver(track, direction="sendonly")
        await pc.setLocalDescription(await pc.createOffer())
        return {"sdp": pc.localDescription.sdp}

    async def offer_receive(self, name: str) -> dict[str, Any]:
        """A receive-only offer (the subscriber's first offer to an SFU that offers back)."""
        pc = self._pc(name)
        pc.addTransceiver("audio", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        return {"sdp": pc.localDescription.sdp}

    async def accept(self, name: str, sdp: str) -> dict[str, Any]:
        await self.pcs[name].setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
        return {}

    async def answer(self, name: str, sdp: str) -> dict[str, Any]:
        """Answer an offer from the server, on a new connection if ``name`` has none."""
        pc = self.pcs.get(name) or self._pc(name)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return {"sdp": pc.localDescription.sdp}

    async def stats(self) -> dict[str, Any]:
        """Packets received so far per peer, connection states; drains stamps and decodes."""
        packets, sent, states = {}, {}, {}
        for name, pc in self.pcs.items():
            transports = {id(t.receiver.transport): t.receiver.transport
                          for t in pc.getTransceivers() if t.receiver.transport is not None}
            packets[name] = sum(
                getattr(t, "bench_rtp", 0) + getattr(t.transport._connection, "bench_rtp", 0)
                for t in transports.values())
            sent[name] = sum(getattr(t, "bench_sent", 0) for t in transports.values())
            states[name] = pc.connectionState
        stamps = []
        for track in self.tracks.values():
            stamps.extend(track.stamps)
            track.stamps = []
        decoded, self.decoded = self.decoded, []
        return {"packets": packets, "sent": sent, "states": states, "stamps": stamps,
                "decoded": decoded}

    async def close(self) -> dict[str, Any]:
        for task in list(self.tasks):
            task.cancel()
        for pc in self.pcs.values():
            await pc.close()
        self.pcs.clear()
        return {}


async def serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read_stdin, daemon=True).start()
    gen = LoadGen(args)
    out = sys.stdout

    async def run(request: dict[str, Any]) -> None:
        try:
            result = await getattr(gen, request["op"])(**request.get("args", {}))
            reply: dict[str, Any] = {"id": request["id"], "result": result}
        except Exception as exc:  # reported to the orchestrator, which aborts the run
            reply = {"id": request["id"], "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()

    pending: set[asyncio.Task[None]] = set()
    while (line := await lines.get()) is not None:
        request = json.loads(line)
        if request["op"] not in ("publish", "offer_receive", "accept", "answer", "stats",
                                 "close"):
            continue
        task = asyncio.ensure_future(run(request))
        pending.add(task)
        task.add_done_callback(pending.discard)
        if request["op"] == "close":
            await task
            break
    await gen.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="loadgen")
    parser.add_argument("--role", choices=("publish", "decode", "count"), required=True)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--bitrate", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.role == "count":
        # Nothing reaches a receiver, so no decoder thread has work; keep aiortc's anyway off.
        hooks.install(["127.0.0.1"])
    if args.role == "publish":
        pin_vp8_bitrate(args.bitrate)
    count_rtp()
    if args.role == "count":
        drop_rtp_at_ice()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
