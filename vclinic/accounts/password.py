"""Password hashing with argon2id, computed in worker threads so the trio thread never stalls.

One hash costs about 64 MiB and a tenth of a second of a core (argon2-cffi's RFC 9106 profile), so
at most two run at once: a burst of sign-ins queues instead of exhausting memory.
"""

from __future__ import annotations

import argon2
import trio
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vclinic.ids import new_token

_hasher = argon2.PasswordHasher()
_limiter = trio.CapacityLimiter(2)
_dummy_hash: str | None = None


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; encodes its own parameters)."""
    return await trio.to_thread.run_sync(_hasher.hash, password, limiter=_limiter)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    """True if ``password`` matches ``password_hash``; False on mismatch or a malformed hash."""
    return await trio.to_thread.run_sync(_verify, password_hash, password, limiter=_limiter)


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with other parameters than today's (rehash it at sign-in)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


async def spend_verify_time(password: str) -> None:
    """Verify ``password`` against a throw-away hash: used when there is no account, so that a
    wrong email takes as long to refuse as a wrong password and cannot be told apart by timing."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password(new_token())
    await verify_password(_dummy_hash, password)
