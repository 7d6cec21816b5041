"""WebM recording of one participant's forwarded media, remuxed with PyAV, never re-encoded.

Owned by a room's recording; one per consenting participant. UpTracks hand it RTP packets as a
sink. VP8 frames are reassembled with aiortc's depayloader and jitter buffer, Opus payloads are
whole frames; both are muxed as they are (``add_stream`` only declares the streams). The file
opens at the first VP8 keyframe, whose header gives width and height, or, when no video comes
within :data:`AUDIO_ONLY_AFTER` seconds, as audio only; audio waits in a bounded buffer until then.
Clusters are written out every second, so what was recorded survives the worker's death.
"""

from __future__ import annotations

import struct
import time
from fractions import Fraction
from typing import Any

import av
from aiortc.codecs import depayload
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtp import RtpPacket

from vclinic.log import get_logger
from vclinic.media.vp8 import keyframe_size

log = get_logger("media.recorder")

AUDIO_ONLY_AFTER = 2.0
#: Muxer options: close a cluster at least every second and write each packet through, so that
#: a worker that dies mid-recording leaves a readable file missing at most about a second.
_MUX_OPTIONS = {"cluster_time_limit": "1000", "flush_packets": "1"}
MAX_PENDING_AUDIO = 500
_VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
_OPUS_HEAD = b"OpusHead" + struct.pack("<BBHIhB", 1, 2, 312, 48000, 0, 0)
_CLOCK = {"video": 90000, "audio": 48000}


class _Timeline:
    """Maps one stream's RTP timestamps to pts on the recording's shared clock."""

    def __init__(self, clock: int, started: float) -> None:
        self.clock = clock
        self.started = started
        self.base: int | None = None
        self.offset = 0
        self.last_ts = 0
        self.unwrapped = 0
        self.last_pts = -1

    def pts(self, timestamp: int) -> int:
        if self.base is None:
            self.base = self.last_ts = timestamp
            self.offset = int((time.monotonic() - self.started) * self.clock)
        delta = (timestamp - self.last_ts) & 0xFFFFFFFF
        if delta < 0x80000000:
            self.unwrapped += delta
        else:
            self.unwrapped -= 0x100000000 - delta
        self.last_ts = timestamp
        return self.unwrapped + self.offset


class ParticipantRecorder:
    """One WebM file (VP8 + Opus) for one participant of a recorded room."""

    def __init__(self, path: str, handle: str) -> None:
        self.path = path
        self.handle = handle
        self.started = time.monotonic()
        self._container: Any = None
        self._streams: dict[str, Any] = {}
        self._timelines = {k: _Timeline(c, self.started) for k, c in _CLOCK.items()}
        self._jitter = JitterBuffer(capacity=128, is_video=True)
        self._pending_audio: list[tuple[bytes, int]] = []
        self._first_audio: float | None = None
        self._end = 0.0
        self.closed = False

    def on_packet(self, packet: RtpPacket, codec: str) -> None:
        """Sink for an UpTrack: take one RTP packet (RTX already unwrapped)."""
        if self.closed:
            return
        try:
            if codec == "vp8":
                self._on_video(packet)
            elif codec == "opus":
                self._on_audio(packet)
        except (av.FFmpegError, ValueError, OSError):
            log.exception("recording_write_failed", handle=self.handle)

    def _on_video(self, packet: RtpPacket) -> None:
        try:
            packet._data = depayload(_VP8, packet.payload)  # type: ignore[attr-defined]
        except ValueError:
            return
        _pli, frame = self._jitter.add(packet)
        if frame is None:
            return
        if self._container is None:
            size = keyframe_size(frame.data)
            if size is None:
                return
            self._open(size)
        if "video" in self._streams:
            self._mux("video", frame.data, frame.timestamp, keyframe=not frame.data[0] & 1)

    def _on_audio(self, packet: RtpPacket) -> None:
        if self._container is None:
            now = time.monotonic()
            self._first_audio = self._first_audio or now
            self._pending_audio.append((packet.payload, packet.timestamp))
            del self._pending_audio[:-MAX_PENDING_AUDIO]
            if now - self._first_audio < AUDIO_ONLY_AFTER:
                return
            self._open(None)
            return
        if "audio" in self._streams:
            self._mux("audio", packet.payload, packet.timestamp, keyframe=True)

    def _open(self, size: tuple[int, int] | None) -> None:
        self._container = av.open(self.path, "w", format="webm", options=_MUX_OPTIONS)
        if size is not None:
            video = self._container.add_stream("libvpx", rate=30)
            video.width, video.height = size
            video.time_base = Fraction(1, 90000)
            self._streams["video"] = video
        audio = self._container.add_stream("libopus", rate=48000)
        audio.codec_context.extradata = _OPUS_HEAD
        audio.time_base = Fraction(1, 48000)
        self._streams["audio"] = audio
        pending, self._pending_audio = self._pending_audio, []
        for payload, timestamp in pending:
            self._mux("audio", payload, timestamp, keyframe=True)

    def _mux(self, kind: str, data: bytes, timestamp: int, keyframe: bool) -> None:
        timeline = self._timelines[kind]
        pts = timeline.pts(timestamp)
        if pts <= timeline.last_pts:
            return
        timeline.last_pts = pts
        packet = av.Packet(data)
        packet.stream = self._streams[kind]
        packet.pts = packet.dts = pts
        packet.time_base = Fraction(1, timeline.clock)
        packet.is_keyframe = keyframe
        self._container.mux(packet)
        self._end = max(self._end, pts / timeline.clock)

    def close(self) -> float | None:
        """Finish the file; its duration in seconds, or ``None`` when nothing was written."""
        self.closed = True
        if self._container is None:
            return None
        self._container.close()
        return self._end
