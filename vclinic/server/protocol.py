"""The ``/ws`` JSON envelope, sans I/O: parsing what clients send and shaping what they receive.

Client to server::

    {"v": 1, "type": "session.join", "txn": "c1", "data": {...}}

Server to client, one of::

    {"v": 1, "type": "reply", "txn": "c1", "data": {...}}                 # answer to txn c1
    {"v": 1, "type": "error", "txn": "c1", "error": {"code": ..., "message": ...}}
    {"v": 1, "type": "notification.created", "seq": 42, "data": {...}}    # an event

Events carry a per-connection sequence number that increases by one, so a client can tell that it
missed some and resume from the last one it saw. ``docs/protocol.md`` is the reference.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from vclinic.errors import BadRequest, PayloadTooLarge, VclinicError

PROTOCOL_VERSION = 1
_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_MAX_TXN = 64
#: Deepest nesting of arrays and objects accepted in a message (the envelope counts as one).
MAX_DEPTH = 32


class ProtocolError(BadRequest):
    """A message that breaks the envelope rules; answered with an error event, never fatal."""

    code = "bad_message"

    def __init__(self, message: str, *, code: str | None = None, txn: str | None = None) -> None:
        super().__init__(message, code=code)
        self.txn = txn


@dataclasses.dataclass(frozen=True)
class Inbound:
    """One validated client message."""

    type: str
    txn: str | None
    data: dict[str, Any]


def parse(raw: str | bytes, max_bytes: int) -> Inbound:
    """Validate one client message against the envelope rules, or raise :class:`ProtocolError`."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise ProtocolError(
            f"The message is {size} bytes; the limit is {max_bytes} bytes.",
            code=PayloadTooLarge.code, txn=_txn_of(raw),
        )
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("The message is not valid JSON.", code="malformed_json") from None
    except RecursionError:
        body = None
    if body is None or _too_deep(body):
        txn = body.get("txn") if isinstance(body, dict) else None
        raise ProtocolError(f"The message nests arrays or objects more than {MAX_DEPTH} deep.",
                            code="too_deep",
                            txn=txn if isinstance(txn, str) and 0 < len(txn) <= _MAX_TXN else None)
    if not isinstance(body, dict):
        raise ProtocolError("The message must be a JSON object.")
    txn = body.get("txn")
    if txn is not None and (not isinstance(txn, str) or not 0 < len(txn) <= _MAX_TXN):
        raise ProtocolError(f"'txn' must be a string of 1 to {_MAX_TXN} characters.")
    if body.get("v") != PROTOCOL_VERSION:
        raise ProtocolError(
            f"Unsupported protocol version; this server speaks version {PROTOCOL_VERSION}.",
            code="unsupported_version", txn=txn,
        )
    kind = body.get("type")
    if not isinstance(kind, str) or not _TYPE.match(kind):
        raise ProtocolError("'type' must be a dotted lower-case name.", txn=txn)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise ProtocolError("'data' must be a JSON object.", txn=txn)
    return Inbound(type=kind, txn=txn, data=data)


def _too_deep(body: Any) -> bool:
    """True when ``body`` nests containers deeper than MAX_DEPTH (checked without recursion)."""
    level: list[Any] = [body]
    for _ in range(MAX_DEPTH):
        level = [child for item in level
                 for child in (item.values() if isinstance(item, dict)
                               else item if isinstance(item, list) else ())
                 if isinstance(child, dict | list)]
        if not level:
            return False
    return True


def _txn_of(raw: str | bytes) -> str | None:
    """The ``txn`` of a message refused for its size, so that the client can match the error
    (messages are at most 1 MiB here: hypercorn closes the socket above that)."""
    try:
        txn = json.loads(raw).get("txn")
    except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        return None
    return txn if isinstance(txn, str) and 0 < len(txn) <= _MAX_TXN else None


def reply(txn: str | None, data: dict[str, Any] | None = None) -> str:
    """The answer to a client message."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": "reply", "txn": txn, "data": data or {}})


def error(txn: str | None, err: VclinicError) -> str:
    """An error answer to a client message (``txn`` is None when it could not be read)."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": "error", "txn": txn, "error": err.to_dict()})


def event(seq: int, kind: str, data: dict[str, Any]) -> str:
    """A server event with its sequence number."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": kind, "seq": seq, "data": data})


def event_with_data(seq: int, kind: str, data_json: str) -> str:
    """:func:`event` around ``data`` already encoded (``json.dumps`` defaults): the same text,
    so that an event fanned out to many connections is encoded once, not once per connection."""
    return (f'{{"v": {PROTOCOL_VERSION}, "type": {json.dumps(kind)}, "seq": {seq}, '
            f'"data": {data_json}}}')


def unknown_type(message: Inbound) -> BadRequest:
    """The error for a message type no enabled component handles."""
    return BadRequest(f"Unknown message type {message.type!r}.", code="unknown_type")
