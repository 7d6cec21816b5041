"""Notice: one notification on its way out, as the notifications service hands it to channels.

A notice names whom it is for in the ways channels can reach: ``user_id`` (a user of the portal:
the bell reaches them), ``email`` (an address: the email channel reaches it) and, for a plugin's
channel, ``phone``. A channel delivers the notices it can reach and ignores the others. ``data``
holds ids and same-origin URLs only; ``title`` and ``body`` may name a session and are never
logged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Notice:
    """One notification for one recipient; see the module docstring."""

    #: What it is about, dotted: ``session.invited``, ``on_demand.declined``.
    kind: str
    #: The bell's title and the email's subject.
    title: str
    user_id: str | None = None
    email: str | None = None
    phone: str | None = None
    #: The email's text (the bell shows the title only).
    body: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    #: ``(filename, content_type, content)``, e.g. an iCalendar invitation; email only.
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    #: Only these channels (by name); None: every enabled channel.
    channels: tuple[str, ...] | None = None
