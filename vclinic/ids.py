"""Identifier types and random tokens.

Ids are opaque random strings, safe in URLs and logs because they carry no patient data. Secret
tokens (join links, session cookies) are 256-bit random values of which only the SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import NewType

OrgId = NewType("OrgId", str)
UserId = NewType("UserId", str)
SessionId = NewType("SessionId", str)
ProviderId = NewType("ProviderId", str)
TxnId = NewType("TxnId", str)


def new_id() -> str:
    """A new random id: 16 bytes, URL-safe, 22 characters."""
    return secrets.token_urlsafe(16)


def new_token() -> str:
    """A new secret token: 32 bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
