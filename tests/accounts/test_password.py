from __future__ import annotations

import threading

import argon2
import pytest
import trio

from vclinic.accounts import password as password_module
from vclinic.accounts.password import hash_password, needs_rehash, verify_password

pytestmark = pytest.mark.usefixtures("production_hasher")


async def test_production_parameters_are_argon2id_rfc9106_low_memory() -> None:
    hashed = await hash_password("correct horse")
    assert argon2.extract_parameters(hashed) == argon2.profiles.RFC_9106_LOW_MEMORY


async def test_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    hashed = await hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert await verify_password(hashed, "correct horse") is True
    assert await verify_password(hashed, "wrong horse") is False
    assert await verify_password("not a hash", "correct horse") is False


async def test_the_same_password_hashes_differently_each_time() -> None:
    assert await hash_password("same-password") != await hash_password("same-password")


async def test_hashing_runs_off_the_trio_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    original = password_module._hasher

    class Spy(argon2.PasswordHasher):
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            seen.append(threading.get_ident())
            return original.hash(password)

    monkeypatch.setattr(password_module, "_hasher", Spy())
    await hash_password("some-password")
    assert seen and seen[0] != threading.get_ident()


async def test_hashes_made_with_older_parameters_need_rehashing() -> None:
    old = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("pw-123456")
    assert needs_rehash(old) is True
    assert needs_rehash(await hash_password("pw-123456")) is False
    assert await verify_password(old, "pw-123456") is True


async def test_many_hashes_in_parallel_all_complete() -> None:
    results: list[bool] = []

    async def one(i: int) -> None:
        hashed = await hash_password(f"password-{i}")
        results.append(await verify_password(hashed, f"password-{i}"))

    async with trio.open_nursery() as nursery:
        for i in range(4):
            nursery.start_soon(one, i)
    assert results == [True] * 4
