"""Figures of one measured window, computed from two load-generator snapshots and CPU readings.

Owned by :mod:`benchmarks.media_forward`; pure functions, no I/O except :func:`cpu_seconds`.
Forwarded packets are the RTP packets the subscribers received (counted in the load generators,
after SRTP decryption), the same way for every server.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.fleet import Snapshot

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of every thread of ``pid`` so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def core_busy_seconds() -> dict[int, float]:
    """Busy (non-idle, non-iowait) CPU seconds per core so far, from ``/proc/stat``."""
    out = {}
    with open("/proc/stat") as fh:
        for line in fh:
            name, *values = line.split()
            if name.startswith("cpu") and name != "cpu":
                ticks = [int(v) for v in values]
                out[int(name[3:])] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS
    return out


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Step:
    """One step of a sweep: ``subscribers`` receiving ``publishers`` for ``seconds``."""

    publishers: int
    subscribers: int
    seconds: float
    server_cpu_percent: float
    clients_cpu_percent: float
    forwarded_packets: int
    forwarded_packets_per_second: float
    cpu_us_per_forwarded_packet: float | None
    delivered_ratio: float | None
    sent_fps: float
    decoded_fps: float
    latency_ms_p50: float | None
    latency_ms_p99: float | None
    connected: int
    #: How busy the server's and the clients' cores were (every process, ours or not).
    server_core_busy_percent: float | None = None
    clients_core_busy_percent: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def holds(self, ratio: float, max_latency_ms: float) -> bool:
        """The server kept up: frames and packets arrived (``ratio`` of them), without backlog.

        A decoder catching up on a backlog decodes more frames than were sent, so the latency
        bound is what tells a late burst from a healthy window.
        """
        return (
            self.decoded_fps >= ratio * self.sent_fps
            and (self.delivered_ratio or 0.0) >= ratio
            and self.latency_ms_p50 is not None and self.latency_ms_p50 <= max_latency_ms
            and self.connected == self.subscribers
        )


def step_figures(
    *, publishers: list[str], subscribers: list[str], decoders: list[str],
    before: Snapshot, after: Snapshot, server_cpu: float, clients_cpu: float,
    stamps: dict[int, float], cores: tuple[float, float] | None = None,
) -> Step:
    """Figures of the window between ``before`` and ``after``.

    ``stamps`` maps every frame code the publishers made so far to its creation time (frames
    decoded early in the window were made before it); ``server_cpu`` and ``clients_cpu`` are CPU
    seconds spent in the window; ``cores`` the busy seconds of the server and client cores.
    """
    seconds = max(after.at - before.at, 1e-6)
    forwarded = sum(after.packets.get(s, 0) - before.packets.get(s, 0) for s in subscribers)
    sent = sum(after.sent.get(s, 0) - before.sent.get(s, 0) for s in publishers)
    per_decoder: dict[str, int] = {}
    latencies = []
    for name, code, decoded_at in after.decoded:
        per_decoder[name] = per_decoder.get(name, 0) + 1
        made = stamps.get(code)
        if made is not None:
            latencies.append((decoded_at - made) * 1000)
    streams = max(len(decoders) * len(publishers), 1)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    return Step(
        publishers=len(publishers),
        subscribers=len(subscribers),
        seconds=round(seconds, 3),
        server_cpu_percent=round(100 * server_cpu / seconds, 2),
        clients_cpu_percent=round(100 * clients_cpu / seconds, 2),
        forwarded_packets=forwarded,
        forwarded_packets_per_second=round(forwarded / seconds, 1),
        cpu_us_per_forwarded_packet=(
            round(server_cpu * 1e6 / forwarded, 2) if forwarded else None),
        delivered_ratio=round(forwarded / (sent * len(subscribers)), 4) if sent else None,
        sent_fps=round(len(after.stamps) / seconds / max(len(publishers), 1), 2),
        decoded_fps=round(sum(per_decoder.values()) / seconds / streams, 2),
        latency_ms_p50=round(p50, 1) if p50 is not None else None,
        latency_ms_p99=round(p99, 1) if p99 is not None else None,
        connected=sum(1 for s in subscribers if after.states.get(s) == "connected"),
        server_core_busy_percent=round(100 * cores[0] / seconds, 1) if cores else None,
        clients_core_busy_percent=round(100 * cores[1] / seconds, 1) if cores else None,
    )
