"""Patches to aiortc 1.16 / aioice 0.13 that turn it into a packet forwarder; owned by the worker.

Applied once per worker process by :func:`install` before any peer connection exists. Each patch
replaces a module-level name that aiortc looks up at call time (verified in the installed source,
see ``docs/media.md``):

- ``aiortc.rtcrtpreceiver.decoder_worker``: the thread every receiver starts; ours drains its
  queue and decodes nothing, so forwarding costs no decoder.
- ``aiortc.rtcrtpreceiver.get_decoder`` / ``aiortc.rtcrtpsender.get_encoder``: counted, so the
  worker can report how many codec instances it ever made (a forwarding worker makes none).
- ``aioice.ice.get_host_addresses``: restricted to configured addresses (tests: 127.0.0.1, which
  aioice otherwise never offers).
- the worker loop's ``create_datagram_endpoint``: with ``media_udp_ports`` set, a socket aioice
  asks to bind to port 0 is bound to a free port of that range instead, so a firewall can open
  just the range (aioice 0.13 has no such option).
"""

from __future__ import annotations

import asyncio
import errno
import queue
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import aioice.ice
import aiortc.rtcrtpreceiver
import aiortc.rtcrtpsender

#: Codec instances created in this process, by ``"encoder:vp8"``-style key.
codec_instances: Counter[str] = Counter()
_installed = False


def _draining_decoder_worker(
    loop: asyncio.AbstractEventLoop,
    input_q: queue.Queue[Any],
    output_q: asyncio.Queue[Any],
    decode_error: threading.Event,
) -> None:
    """Stand-in for aiortc's decoder thread: discard encoded frames, end the track on ``None``."""
    while input_q.get() is not None:
        pass
    # The loop may already be closed when a worker shuts down; then nobody waits for the track.
    if not loop.is_closed():
        asyncio.run_coroutine_threadsafe(output_q.put(None), loop)


def _counting(kind: str, factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def make(codec: Any) -> Any:
        codec_instances[f"{kind}:{codec.name.lower()}"] += 1
        return factory(codec)

    return make


def restrict_host_addresses(addresses: list[str]) -> None:
    """Gather host candidates on exactly ``addresses`` (used by the worker and by test peers)."""
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(addresses)


def install(host_addresses: list[str] | None) -> None:
    """Apply every patch; idempotent. ``host_addresses=None`` keeps aioice's own choice."""
    global _installed
    if _installed:
        return
    _installed = True
    aiortc.rtcrtpreceiver.decoder_worker = _draining_decoder_worker
    aiortc.rtcrtpreceiver.get_decoder = _counting(  # type: ignore[assignment]
        "decoder", aiortc.rtcrtpreceiver.get_decoder)
    aiortc.rtcrtpsender.get_encoder = _counting(  # type: ignore[assignment]
        "encoder", aiortc.rtcrtpsender.get_encoder)
    if host_addresses is not None:
        restrict_host_addresses(host_addresses)


def restrict_udp_ports(loop: asyncio.AbstractEventLoop, low: int, high: int) -> None:
    """Bind every UDP socket that asks for "any port" on ``loop`` to a free port in
    ``low..high``; binding fails with EADDRINUSE when the whole range is taken."""
    original = loop.create_datagram_endpoint

    async def in_range(factory: Any, local_addr: Any = None, **kwargs: Any) -> Any:
        if local_addr is None or local_addr[1] != 0:
            return await original(factory, local_addr=local_addr, **kwargs)
        ports = list(range(low, high + 1))
        # Start anywhere in the range: a restarted worker does not fight over the first ports.
        first = random.randrange(len(ports))
        for port in ports[first:] + ports[:first]:
            try:
                return await original(factory, local_addr=(local_addr[0], port), **kwargs)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, f"no free UDP port in {low}-{high}")

    loop.create_datagram_endpoint = in_range  # type: ignore[method-assign,assignment]
