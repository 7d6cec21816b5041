"""Test peers: real aiortc clients on an asyncio loop in a thread, driven from trio tests.

The trio test never touches aiortc objects directly: it calls :meth:`AsyncioThread.run` with a
coroutine function, which runs on the peers' loop. Peers gather loopback host candidates only
and use no STUN server.
"""

from __future__ import annotations

import asyncio
import fractions
import re
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import av
import trio
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtp import RtpPacket

from vclinic.media import h264, vp8
from vclinic.media.worker.hooks import restrict_host_addresses

restrict_host_addresses(["127.0.0.1"])

WIDTH, HEIGHT = 320, 240
BLOCK_W, BLOCK_H = WIDTH // 4, HEIGHT // 4
FPS = 15


def draw_counter(counter: int) -> av.VideoFrame:
    """A frame whose 16 big blocks spell ``counter`` in black and white (VP8 keeps them)."""
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    y = frame.planes[0]
    rows = []
    for block_row in range(4):
        line = b"".join(
            (b"\xeb" if counter >> (block_row * 4 + col) & 1 else b"\x10") * BLOCK_W
            for col in range(4)
        )
        rows.append((line + b"\x80" * (y.line_size - WIDTH)) * BLOCK_H)
    y.update(b"".join(rows))
    for plane in frame.planes[1:]:
        plane.update(b"\x80" * plane.buffer_size)
    return frame


def read_counter(frame: av.VideoFrame) -> int:
    """The counter drawn by :func:`draw_counter`, read from block centres."""
    frame = frame.reformat(width=WIDTH, height=HEIGHT, format="yuv420p")
    y = frame.planes[0]
    data = bytes(y)
    value = 0
    for block_row in range(4):
        for col in range(4):
            row = block_row * BLOCK_H + BLOCK_H // 2
            px = data[row * y.line_size + col * BLOCK_W + BLOCK_W // 2]
            if px > 128:
                value |= 1 << (block_row * 4 + col)
    return value


class CounterTrack(MediaStreamTrack):
    """Synthetic camera: frames numbered 0, 1, 2, ... at :data:`FPS`."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.counter = 0
        self._start: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._start + self.counter / FPS - time.monotonic()))
        frame = draw_counter(self.counter & 0xFFFF)
        frame.pts = self.counter * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        self.counter += 1
        return frame


_CHROME_PTS = {96: 111, 97: 96, 98: 97}  # opus, VP8, its RTX as Chrome numbers them
_CHROME_EXT = {1: 4, 2: 1, 3: 2}  # mid, audio level, abs-send-time


def chrome_numbering(sdp: str) -> str:
    """Renumber aiortc's payload types and extension ids the way Chrome numbers them."""
    def pt(match: re.Match[str]) -> str:
        return str(_CHROME_PTS.get(int(match.group(0)), int(match.group(0))))

    lines = []
    for line in sdp.split("\r\n"):
        if line.startswith(("m=audio", "m=video")):
            head, fmts = line.split(" UDP/TLS/RTP/SAVPF ")
            line = f"{head} UDP/TLS/RTP/SAVPF " + re.sub(r"\d+", pt, fmts)
        elif line.startswith(("a=rtpmap:", "a=fmtp:", "a=rtcp-fb:")):
            line = re.sub(r"(?<=:)\d+|(?<=apt=)\d+", pt, line)
        elif line.startswith("a=extmap:"):
            number, rest = line[9:].split(" ", 1)
            line = f"a=extmap:{_CHROME_EXT.get(int(number), int(number))} {rest}"
        lines.append(line)
    return "\r\n".join(lines)


def _ufrag(sdp: str) -> str | None:
    return next((line[12:] for line in sdp.splitlines() if line.startswith("a=ice-ufrag:")), None)


_KEYFRAME_START = {"video/VP8": vp8.is_keyframe_start, "video/H264": h264.is_keyframe_start}


def video_preferences(codecs: tuple[str, ...]) -> list[Any]:
    """aiortc's capabilities for ``codecs`` (``"vp8"``, ``"h264"``: packetization-mode 1,
    constrained baseline ``42e01f``), in that order, plus RTX."""
    caps = RTCRtpSender.getCapabilities("video").codecs
    wanted = {"vp8": ("video/VP8", {}),
              "h264": ("video/H264", {"level-asymmetry-allowed": "1",
                                      "packetization-mode": "1", "profile-level-id": "42e01f"})}
    chosen = [next(c for c in caps if (c.mimeType, c.parameters) == wanted[name])
              for name in codecs]
    return chosen + [c for c in caps if c.mimeType == "video/rtx"]


class Peer:
    """One aiortc client: publishes a counter video and silence, decodes what it receives.

    ``video_codecs`` limits the video codecs it offers (``("h264",)``: an H.264-only client);
    ``None`` offers aiortc's defaults (VP8, then H.264).
    """

    def __init__(self, name: str, chrome: bool = False,
                 video_codecs: tuple[str, ...] | None = None) -> None:
        self.name = name
        self.chrome = chrome
        self.video_codecs = video_codecs
        self.pc: RTCPeerConnection | None = None
        self.counters: dict[str, list[int]] = {}
        self.audio_frames: dict[str, int] = {}
        self.first_video_packet_keyframe: dict[str, bool] = {}
        self.keyframes: dict[str, int] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def offer(self, audio: bool = True, video: bool = True, screen: bool = False) -> str:
        """Start a fresh connection and return its offer."""
        await self.close()
        # aiortc's default "balanced" policy loses a second video track when the answer
        # bundles everything (the track stays on a transport that is then stopped).
        self.pc = pc = RTCPeerConnection(RTCConfiguration(
            iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        pc.on("track", lambda track: self._on_track(pc, track))
        if audio:
            pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        if video:
            pc.addTransceiver(CounterTrack(), direction="sendonly")
        if screen:
            pc.addTransceiver(CounterTrack(), direction="sendonly")
        if not (audio or video or screen):
            pc.addTransceiver("audio", direction="recvonly")
        if self.video_codecs is not None:
            for transceiver in pc.getTransceivers():
                if transceiver.kind == "video":
                    transceiver.setCodecPreferences(video_preferences(self.video_codecs))
        offer = await pc.createOffer()
        if self.chrome:
            offer = RTCSessionDescription(sdp=chrome_numbering(offer.sdp), type="offer")
        await pc.setLocalDescription(offer)
        return pc.localDescription.sdp

    async def add_screen(self) -> tuple[str, str]:
        """Start sharing a screen on the existing connection: a new offer and the new mid."""
        assert self.pc is not None
        self.pc.addTransceiver(CounterTrack(), direction="sendonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        mid = self.pc.getTransceivers()[-1].mid
        assert mid is not None
        return self.pc.localDescription.sdp, mid

    async def accept(self, answer: str) -> None:
        assert self.pc is not None
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def answer(self, offer: str) -> str | None:
        """Answer a server offer; ``None`` for a stale one (made for an earlier connection)."""
        pc = self.pc
        if pc is None or _ufrag(offer) != _ufrag(pc.remoteDescription.sdp):
            return None
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        answer = await pc.createAnswer()
        if pc is not self.pc:
            return None  # the test restarted the connection meanwhile: this offer is stale
        await pc.setLocalDescription(answer)
        return pc.localDescription.sdp

    def _on_track(self, pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
        if pc is not self.pc:
            return  # a track of a connection the test has since replaced
        transceiver = next(t for t in pc.getTransceivers() if t.receiver.track is track)
        mid = transceiver.mid or "?"
        if track.kind == "video":
            self._watch_keyframes(transceiver, mid)
        self._tasks.append(asyncio.ensure_future(self._consume(track, mid)))

    def _watch_keyframes(self, transceiver: Any, mid: str) -> None:
        receiver = transceiver.receiver
        original = receiver._handle_rtp_packet

        async def handle(packet: RtpPacket, arrival_time_ms: int) -> None:
            detect = next((_KEYFRAME_START[c.mimeType] for c in transceiver._codecs
                           if c.payloadType == packet.payload_type
                           and c.mimeType in _KEYFRAME_START), None)
            if detect is None or not packet.payload:
                await original(packet, arrival_time_ms)
                return
            keyframe = detect(packet.payload)
            self.first_video_packet_keyframe.setdefault(mid, keyframe)
            if keyframe:
                self.keyframes[mid] = self.keyframes.get(mid, 0) + 1
            await original(packet, arrival_time_ms)

        receiver._handle_rtp_packet = handle

    async def _consume(self, track: MediaStreamTrack, mid: str) -> None:
        try:
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.counters.setdefault(mid, []).append(read_counter(frame))
                else:
                    self.audio_frames[mid] = self.audio_frames.get(mid, 0) + 1
        except (MediaStreamError, asyncio.CancelledError):
            pass

    def snapshot(self) -> dict[str, Any]:
        return {
            "counters": {k: list(v) for k, v in self.counters.items()},
            "audio": dict(self.audio_frames),
            "first_keyframe": dict(self.first_video_packet_keyframe),
            "keyframes": dict(self.keyframes),
            "state": self.pc.connectionState if self.pc else "closed",
            "video_codecs": self.negotiated_video_codecs(),
        }

    def negotiated_video_codecs(self) -> dict[str, str]:
        """Each video transceiver's negotiated codec (``video/VP8``, ``video/H264``) by mid."""
        if self.pc is None:
            return {}
        return {t.mid: t._codecs[0].mimeType for t in self.pc.getTransceivers()
                if t.kind == "video" and t.mid is not None and t._codecs}

    def reset_media(self) -> None:
        self.counters.clear()
        self.audio_frames.clear()
        self.first_video_packet_keyframe.clear()
        self.keyframes.clear()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self.pc is not None:
            pc, self.pc = self.pc, None
            await pc.close()


class AsyncioThread:
    """An asyncio loop on a daemon thread, for aiortc peers inside a trio test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        future = asyncio.run_coroutine_threadsafe(fn(*args), self.loop)
        return await trio.to_thread.run_sync(future.result, abandon_on_cancel=True)

    def block(self, fn: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        """Run a coroutine function on the loop and wait for it (for synchronous fixtures)."""
        future = asyncio.run_coroutine_threadsafe(fn(*args, **kwargs), self.loop)
        return future.result(timeout=60)

    def call(self, fn: Callable[[], Any]) -> Any:
        async def wrapper() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(wrapper(), self.loop).result()

    def stop(self, peers: list[Peer]) -> None:
        async def close_all() -> None:
            for peer in peers:
                await peer.close()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close_all(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()
