"""Entry point of a media worker process: ``python -m vclinic.media.worker --config JSON``.

Started and supervised by :class:`vclinic.media.client.MediaClient`. Reads request frames on
stdin and writes replies and events on stdout; file descriptor 1 is moved aside first so that a
stray ``print`` from any library lands on stderr instead of corrupting the pipe. Exits when stdin
closes (its supervisor is gone) or on ``shutdown``; it ignores SIGINT and SIGTERM, which reach it
when its node's whole process group is signalled, and leaves stopping to the node.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from vclinic.errors import VclinicError
from vclinic.log import configure, get_logger
from vclinic.media import protocol as p
from vclinic.media.worker import hooks

#: Unsent output above which ``stats`` events are dropped instead of queued.
STATS_SHED_BYTES = 1 << 20


async def serve(config: p.WorkerConfig, in_fd: int, out_fd: int) -> None:
    from vclinic.media.worker.server import Server

    loop = asyncio.get_running_loop()
    if config.udp_ports is not None:
        hooks.restrict_udp_ports(loop, *config.udp_ports)
    reader = asyncio.StreamReader(limit=p.MAX_FRAME_BYTES * 2)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(in_fd, "rb", buffering=0))
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, os.fdopen(out_fd, "wb", buffering=0))
    writer = asyncio.StreamWriter(transport, protocol, None, loop)

    def send(message: p.Message) -> None:
        if writer.is_closing():
            return
        # A supervisor that stops reading must not make the worker hoard memory: shed stats.
        if isinstance(message, p.Stats) and transport.get_write_buffer_size() > STATS_SHED_BYTES:
            return
        writer.write(p.encode_frame(message))

    server = Server(config, send)
    send(p.Hello(version=p.PROTOCOL_VERSION, pid=os.getpid()))
    stats = asyncio.ensure_future(server.report_stats())
    stop = asyncio.ensure_future(server.stopping.wait())
    decoder = p.FrameDecoder()
    try:
        while not server.stopping.is_set():
            read = asyncio.ensure_future(reader.read(65536))
            await asyncio.wait({read, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not read.done():
                read.cancel()
                break
            data = read.result()
            if not data:
                break
            try:
                objs = decoder.feed(data)
            except VclinicError:
                # The stream cannot be re-synchronised; the supervisor restarts the worker.
                get_logger("media.worker").error("corrupt_input_frame")
                break
            for obj in objs:
                server.receive(obj)
            await writer.drain()
        await asyncio.sleep(0)  # let the shutdown reply be written
        await writer.drain()
    finally:
        stats.cancel()
        stop.cancel()
        for room in list(server.rooms.values()):
            await room.close()
        writer.close()


def _profiled(run: Callable[[], None], path: str) -> None:
    """Run the worker with cProfile on the process CPU clock (``VCLINIC_MEDIA_PROFILE``): a wall
    clock would charge the time the worker waits for the CPU under load to whatever ran.
    SIGUSR1 starts collecting afresh, SIGUSR2 stops and writes ``path`` (a benchmark window,
    say); without signals the whole run is profiled and written at exit."""
    import cProfile
    import time

    profiler = cProfile.Profile(time.process_time)
    toggled = False

    def start(*_: Any) -> None:
        nonlocal toggled
        toggled = True
        profiler.clear()
        profiler.enable()

    def stop(*_: Any) -> None:
        profiler.disable()
        profiler.dump_stats(path)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    profiler.enable()
    try:
        run()
    finally:
        profiler.disable()
        if not toggled:
            profiler.dump_stats(path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m vclinic.media.worker")
    parser.add_argument("--config", default="{}")
    args = parser.parse_args()
    config = p.WorkerConfig.from_json(args.config)
    # Ctrl+C and service managers signal the node's whole process group: the worker leaves
    # stopping to its node, which asks it to shut down (recordings finish) or closes its pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    out_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    configure(level=os.environ.get("VCLINIC_LOG_LEVEL", "warning"), fmt="json")
    hooks.install(list(config.host_addresses) if config.host_addresses is not None else None)
    get_logger("media.worker").info("worker_started", pid=os.getpid())
    profile_to = os.environ.get("VCLINIC_MEDIA_PROFILE")
    if profile_to:
        _profiled(lambda: asyncio.run(serve(config, 0, out_fd)), f"{profile_to}.{os.getpid()}")
    else:
        asyncio.run(serve(config, 0, out_fd))
    # aiortc's receiver threads are not daemons: one left blocked would keep the process alive.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
