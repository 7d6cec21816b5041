"""Media forwarding benchmark: vclinic's media worker against Janus 1.1.2 VideoRoom, on loopback.

Run with ``make bench-media`` (or ``python benchmarks/media_forward.py [--quick]``). P publishers
send VP8 + Opus to S subscribers, S growing step by step until the decoding subscribers get
fewer than ``--min-fps-ratio`` of the frames sent, or ``--max-subscribers``. The server is
pinned to core 0, the orchestrator and every load generator to core 1. Each step is measured
for a fixed window; the server's CPU comes from ``/proc/<pid>/stat``. Both servers are loaded
by the same clients in the same run; the side-by-side table goes to ``docs/benchmarks.md``
(between markers, other sections untouched) and the figures to
``docs/benchmarks/media_forward.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import trio

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import report
from benchmarks.fleet import Fleet, LoadGenError, Video
from benchmarks.janus import JanusError, janus_available
from benchmarks.measure import Step, core_busy_seconds, cpu_seconds, step_figures
from benchmarks.target import JanusTarget, Target, VclinicTarget

SERVER_CORE, CLIENT_CORE = 0, 1
QUICK = {
    "publishers": 1, "decoders": 1, "steps": "1,4", "max_subscribers": 4, "window": 2.0,
    "settle": 1.0, "budget": 60.0, "width": 320, "height": 240, "fps": 15, "bitrate": 300_000,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="media_forward", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument("--decoders", type=int, default=2,
                        help="subscribers that decode video (the others only count packets)")
    parser.add_argument("--steps", default="2,4,8,16,24,32,48,64,80,96",
                        help="subscriber counts to sweep")
    parser.add_argument("--max-subscribers", type=int, default=96)
    parser.add_argument("--window", type=float, default=5.0, help="seconds measured per step")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds between the last join of a step and its window")
    parser.add_argument("--min-fps-ratio", type=float, default=0.9,
                        help="a step holds when this share of frames and packets arrives")
    parser.add_argument("--max-latency-ms", type=float, default=1000.0,
                        help="a step whose median latency is longer has a backlog: it fails")
    parser.add_argument("--budget", type=float, default=240.0,
                        help="seconds per server after which its sweep stops growing")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--bitrate", type=int, default=600_000)
    parser.add_argument("--servers", default="vclinic,janus")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and clients")
    parser.add_argument("--priority", type=int, default=-5,
                        help="nice value of the servers, publishers and decoding subscribers "
                             "(the machine may be shared; 0 leaves priorities alone)")
    parser.add_argument("--json", default="docs/benchmarks/media_forward.json")
    parser.add_argument("--markdown", default="docs/benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="print the figures only")
    if parser.parse_args(argv).quick:
        # Quick mode changes the defaults only: flags given explicitly still win.
        parser.set_defaults(**QUICK)
    return parser.parse_args(argv)


def video_of(args: argparse.Namespace) -> Video:
    return Video(width=args.width, height=args.height, fps=args.fps, bitrate=args.bitrate)


class Lane:
    """One server under test with its own load generators and the figures measured so far."""

    def __init__(self, target: Target, fleet: Fleet, args: argparse.Namespace) -> None:
        self.target = target
        self.fleet = fleet
        self.args = args
        self.publishers = [f"pub{i}" for i in range(args.publishers)]
        self.subscribers: list[str] = []
        self.stamps: dict[int, float] = {}
        self.steps: list[Step] = []

    @property
    def name(self) -> str:
        return self.target.name

    async def publish(self) -> None:
        for index, name in enumerate(self.publishers):
            with trio.fail_after(30):
                await self.target.add_publisher(self.fleet, name, index)

    async def grow(self, count: int) -> bool:
        """Add subscribers up to ``count`` and wait until each receives; False on timeout."""
        with trio.move_on_after(60 + 2 * count):
            while len(self.subscribers) < count:
                name = f"sub{len(self.subscribers)}"
                role = "decode" if len(self.subscribers) < self.args.decoders else "count"
                await self.target.add_subscriber(self.fleet, name, role)
                self.subscribers.append(name)
            await _wait_receiving(self.fleet, self.subscribers)
            return True
        return False

    async def measure(self) -> Step:
        return await _measure(self.fleet, self.target, self.args, self.publishers,
                              self.subscribers, self.stamps)


async def sweep(lane: Lane, args: argparse.Namespace, log: Callable[[str], None]) -> None:
    """Grow ``lane`` step by step, measuring a window at each step, until frames drop.

    (Measuring two servers in turn by pausing one's publishers was tried: a paused and resumed
    aiortc stream stalls its subscribers' jitter buffers for seconds, so servers run in turn.)
    """
    steps = [s for s in (int(x) for x in args.steps.split(",")) if s <= args.max_subscribers]
    started = time.monotonic()
    for count in steps:
        if not await lane.grow(count):
            log(f"{lane.name}: {count} subscribers did not all connect in time; stopping")
            return
        await trio.sleep(args.settle)
        step = await lane.measure()
        if not _holds(step, args):
            # One noisy window (the machine may be shared) is not a drop: measure again.
            log(f"{lane.name}: {report.step_line(step)} (dropping; measuring again)")
            step = await lane.measure()
        lane.steps.append(step)
        log(f"{lane.name}: {report.step_line(step)}")
        if not _holds(step, args):
            log(f"{lane.name}: frames dropped (or backlog); the sweep ends here")
            return
        if time.monotonic() - started > args.budget:
            log(f"{lane.name}: time budget spent, stopping the sweep")
            return


def _holds(step: Step, args: argparse.Namespace) -> bool:
    return step.holds(args.min_fps_ratio, args.max_latency_ms)


async def _measure(
    fleet: Fleet, target: Target, args: argparse.Namespace, publishers: list[str],
    subscribers: list[str], stamps: dict[int, float],
) -> Step:
    """One window of ``args.window`` seconds at the current load."""
    before, server0, clients0, cores0 = await _read(fleet, target, stamps)
    await trio.sleep(args.window)
    after, server1, clients1, cores1 = await _read(fleet, target, stamps)
    cores = None
    if not args.no_pin and {SERVER_CORE, CLIENT_CORE} <= set(cores0):
        cores = (cores1[SERVER_CORE] - cores0[SERVER_CORE],
                 cores1[CLIENT_CORE] - cores0[CLIENT_CORE])
    return step_figures(
        publishers=publishers, subscribers=subscribers, decoders=subscribers[: args.decoders],
        before=before, after=after, server_cpu=server1 - server0,
        clients_cpu=clients1 - clients0, stamps=stamps, cores=cores)


async def _read(fleet: Fleet, target: Target, stamps: dict[int, float]) -> tuple[Any, ...]:
    server = cpu_seconds(target.pid)
    clients = sum(cpu_seconds(p.pid()) for p in fleet.processes()) + time.process_time()
    cores = core_busy_seconds()
    snap = await fleet.snapshot()
    stamps.update(snap.stamps)
    return snap, server, clients, cores


async def _wait_receiving(fleet: Fleet, subscribers: list[str]) -> None:
    """Wait until every subscriber has received media since this call started."""
    first = await fleet.snapshot()
    while True:
        await trio.sleep(0.25)
        snap = await fleet.snapshot()
        if all(snap.packets.get(s, 0) > first.packets.get(s, 0) for s in subscribers):
            return


def _server(name: str, args: argparse.Namespace) -> AbstractAsyncContextManager[Any]:
    core = None if args.no_pin else SERVER_CORE
    if name == "vclinic":
        return VclinicTarget.running(core, args.priority)
    return JanusTarget.running(core, args.priority, args.publishers)


async def run(args: argparse.Namespace, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Sweep every requested server in turn (one running at a time); returns the figures."""
    if not args.no_pin and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {CLIENT_CORE})
    names = args.servers.split(",")
    if "janus" in names and not janus_available():
        raise SystemExit("janus (Debian package `janus`) and gcc are needed for --servers janus")
    results: dict[str, list[Step]] = {}
    for name in names:
        results[name] = []
        try:
            async with _server(name, args) as target, trio.open_nursery() as nursery:
                log(f"{name}: server pid {target.pid}")
                lane = Lane(target, Fleet(nursery, video_of(args), priority=args.priority), args)
                lane.steps = results[name]
                await lane.publish()
                await sweep(lane, args, log)
                await lane.fleet.close()
                nursery.cancel_scope.cancel()
        except (LoadGenError, JanusError, trio.TooSlowError) as exc:
            # Keep the steps measured so far; the report shows where the sweep ended.
            log(f"{name}: sweep ended early: {type(exc).__name__}: {exc}")
    return report.figures(results, args, video_of(args))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    figures = trio.run(run, args)
    print(report.markdown(figures))
    if not args.no_write:
        report.write(figures, args.json, args.markdown)
        print(f"wrote {args.json} and {args.markdown}")


if __name__ == "__main__":
    main()
