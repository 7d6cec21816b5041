"""The orchestrator's view of the load generators: processes of aiortc peers, driven from trio.

Owned by :mod:`benchmarks.media_forward`; one :class:`Fleet` per measured server. A fleet holds
one publisher process, one process of decoding subscribers and as many processes of counting
subscribers as needed (``per_process`` each). Every process inherits the orchestrator's CPU
affinity (the client core). Nothing here imports aiortc.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import trio

# Started with -P: run as a script, loadgen.py would put benchmarks/ first on sys.path, where
# benchmarks/queue.py shadows the standard library's queue module (which trio imports).
LOADGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loadgen.py")


class LoadGenError(RuntimeError):
    """A load generator failed a request or died."""


@dataclass(frozen=True)
class Video:
    """What every publisher sends."""

    width: int = 640
    height: int = 480
    fps: int = 30
    bitrate: int = 1_000_000

    def argv(self) -> list[str]:
        return ["--width", str(self.width), "--height", str(self.height), "--fps",
                str(self.fps), "--bitrate", str(self.bitrate)]


class LoadGenProcess:
    """One ``loadgen.py`` process and its JSON-lines request/reply channel."""

    def __init__(self, role: str, video: Video, priority: int = 0) -> None:
        self.role = role
        self.video = video
        self.priority = priority
        self.process: trio.Process | None = None
        self._ids = itertools.count()
        self._waiting: dict[int, trio.MemorySendChannel[dict[str, Any]]] = {}
        self._lock = trio.Lock()
        self.peers: list[str] = []

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Start the process and read its replies until it exits or this task is cancelled."""
        nice = ["nice", "-n", str(self.priority)] if self.priority else []
        self.process = await trio.lowlevel.open_process(
            [*nice, sys.executable, "-P", LOADGEN, "--role", self.role, *self.video.argv()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        task_status.started()
        buffer = b""
        assert self.process.stdout is not None
        try:
            while True:
                data = await self.process.stdout.receive_some(65536)
                if not data:
                    break
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    reply = json.loads(line)
                    send = self._waiting.pop(reply["id"], None)
                    if send is not None:
                        send.send_nowait(reply)
        finally:
            for send in self._waiting.values():
                send.close()
            self._waiting.clear()
            with trio.CancelScope(shield=True):
                if self.process.returncode is None:
                    self.process.kill()
                await self.process.wait()

    async def call(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        request_id = next(self._ids)
        send, receive = trio.open_memory_channel[dict[str, Any]](1)
        self._waiting[request_id] = send
        async with self._lock:
            await self.process.stdin.send_all(
                json.dumps({"id": request_id, "op": op, "args": args}).encode() + b"\n")
        try:
            reply = await receive.receive()
        except trio.EndOfChannel:
            raise LoadGenError(f"load generator ({self.role}) exited") from None
        if "error" in reply:
            raise LoadGenError(f"load generator ({self.role}) {op}: {reply['error']}")
        return reply["result"]  # type: ignore[no-any-return]

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


@dataclass
class Snapshot:
    """Counters read from every load generator at one moment."""

    at: float
    packets: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    stamps: list[tuple[int, float]] = field(default_factory=list)
    decoded: list[tuple[str, int, float]] = field(default_factory=list)


class Fleet:
    """Publisher, decoding and counting load generators for one measured server."""

    def __init__(
        self, nursery: trio.Nursery, video: Video, per_process: int = 16, priority: int = 0,
    ) -> None:
        self.nursery = nursery
        self.video = video
        self.priority = priority
        self.per_process = per_process
        self.publishers: LoadGenProcess | None = None
        self.decoders: LoadGenProcess | None = None
        self.counters: list[LoadGenProcess] = []
        self.owner: dict[str, LoadGenProcess] = {}

    async def _start(self, role: str) -> LoadGenProcess:
        # Publishers and decoders set the pace every server is judged by: on a shared machine
        # they get ``priority`` (a nice value); the counting subscribers do not.
        priority = self.priority if role in ("publish", "decode") else 0
        process = LoadGenProcess(role, self.video, priority)
        await self.nursery.start(process.run)
        return process

    async def process_for(self, name: str, role: str) -> LoadGenProcess:
        """The process that will hold peer ``name`` (started on first use)."""
        if role == "publish":
            if self.publishers is None:
                self.publishers = await self._start("publish")
            process = self.publishers
        elif role == "decode":
            if self.decoders is None:
                self.decoders = await self._start("decode")
            process = self.decoders
        else:
            if not self.counters or len(self.counters[-1].peers) >= self.per_process:
                self.counters.append(await self._start("count"))
            process = self.counters[-1]
        process.peers.append(name)
        self.owner[name] = process
        return process

    def processes(self) -> list[LoadGenProcess]:
        return [p for p in (self.publishers, self.decoders, *self.counters) if p is not None]

    async def snapshot(self) -> Snapshot:
        """Read every process's counters (concurrently, so the moment is nearly the same)."""
        snap = Snapshot(at=trio.current_time())
        results: list[dict[str, Any]] = []

        async def read(process: LoadGenProcess) -> None:
            results.append(await process.call("stats"))

        async with trio.open_nursery() as nursery:
            for process in self.processes():
                nursery.start_soon(read, process)
        snap.at = (snap.at + trio.current_time()) / 2
        for result in results:
            snap.packets.update(result["packets"])
            snap.sent.update(result["sent"])
            snap.states.update(result["states"])
            snap.stamps.extend((int(c), float(t)) for c, t in result["stamps"])
            snap.decoded.extend((str(n), int(c), float(t)) for n, c, t in result["decoded"])
        return snap

    async def close(self) -> None:
        for process in self.processes():
            if process.process is not None and process.process.returncode is None:
                try:
                    with trio.move_on_after(5):
                        await process.call("close")
                except LoadGenError:
                    pass
