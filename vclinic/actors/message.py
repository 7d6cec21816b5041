"""The envelope every message travels in from an ActorRef to an actor's mailbox.

Plain data: the body is a frozen dataclass of ids and values, so an envelope can be serialised
and, in cluster mode, cross nodes. Replies are routed by ``txn_id``, never by object reference.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message on its way to an actor; created by ActorRef, consumed by the actor's task."""

    txn_id: str
    body: object
    wants_reply: bool = False


def check_message(message: object) -> None:
    """Refuse anything but a frozen dataclass instance: messages must be immutable plain data."""
    if not dataclasses.is_dataclass(message) or isinstance(message, type):
        raise TypeError(f"actor messages must be frozen dataclass instances, "
                        f"not {type(message).__name__}")
    params = getattr(type(message), "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"actor message {type(message).__name__} must be a frozen dataclass")
