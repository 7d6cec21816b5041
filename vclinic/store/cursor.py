"""Cursor pagination for list endpoints: opaque cursors over a keyset, owned by the store.

A list is read in a fixed order that ends with the unique id (``created_at, id`` or
``name, id``); a page is at most ``limit`` rows, and its ``next_cursor`` names the last row, so
the next page starts right after that row's sort key however many rows were added or removed
in between (keyset pagination: each page costs the same, unlike an offset). A cursor carries
the row's id only, never a name, since it travels in URLs: the list reads the row's sort key
back. It is the base64url of a small JSON object, opaque to clients; one that does not decode,
or names a row that is not in the list, is refused with 400 ``invalid_cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from vclinic.errors import BadRequest

#: Rows per page when the client does not say, and the most it may ask for.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the cursor of the next page (None on the last), and how
    many rows the whole list holds."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int


def encode_cursor(row_id: str) -> str:
    """The cursor of the page that follows the row ``row_id``."""
    raw = json.dumps({"after": row_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The id of the row a cursor follows, or BadRequest ``invalid_cursor``."""
    try:
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        body = None
    row_id = body.get("after") if isinstance(body, dict) else None
    if not isinstance(row_id, str) or not row_id:
        raise invalid_cursor()
    return row_id


def invalid_cursor() -> BadRequest:
    """The refusal of a cursor the server did not hand out (or whose row is gone)."""
    return BadRequest("This cursor is not one the server handed out for this list; start "
                      "again from the first page.", code="invalid_cursor", field="cursor")
