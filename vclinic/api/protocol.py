"""The ``/ws`` envelope (docs/protocol.md) for a plugin that serves its own WebSocket.

A plugin's ``/ws`` message handlers need none of this (the gateway parses and replies); a plugin
route that accepts a WebSocket of its own (On-Demand's patient socket) parses each frame with
:func:`parse` and answers with :func:`reply`, :func:`error` and :func:`event`.
"""

from __future__ import annotations

from vclinic.server.protocol import (
    PROTOCOL_VERSION,
    Inbound,
    ProtocolError,
    error,
    event,
    parse,
    reply,
    unknown_type,
)

__all__ = [
    "PROTOCOL_VERSION",
    "Inbound",
    "ProtocolError",
    "error",
    "event",
    "parse",
    "reply",
    "unknown_type",
]
