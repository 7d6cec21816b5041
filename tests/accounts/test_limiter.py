from __future__ import annotations

import pytest
import trio

from vclinic.accounts import SigninLimiter
from vclinic.errors import RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_attempt_after_the_last_allowed_failure_is_refused_with_a_retry_time() -> None:
    clock = Clock()
    limiter = SigninLimiter(attempts=3, window_seconds=300, clock=clock)
    keys = ["pair:a@example.org|192.0.2.1"]
    for _ in range(3):
        limiter.check(keys)
        limiter.failed(keys)
        clock.now += 10
    with pytest.raises(RateLimited) as caught:
        limiter.check(keys)
    body = caught.value.to_dict()
    assert body["code"] == "rate_limited"
    assert body["details"] == {"retry_after": 270}
    assert "example.org" not in body["message"]
    clock.now += 269
    with pytest.raises(RateLimited):
        limiter.check(keys)
    clock.now += 1
    limiter.check(keys)


def test_keys_are_limited_separately() -> None:
    limiter = SigninLimiter(attempts=2, window_seconds=60, clock=Clock())
    limiter.failed(["a"])
    limiter.failed(["a", "b"])
    with pytest.raises(RateLimited):
        limiter.check(["a"])
    with pytest.raises(RateLimited):
        limiter.check(["b", "a"])
    limiter.check(["b"])


def test_success_clears_the_account_count() -> None:
    limiter = SigninLimiter(attempts=2, window_seconds=60, clock=Clock())
    account = ["account:a@example.org"]
    limiter.failed(account)
    limiter.succeeded(account)
    limiter.failed(account)
    limiter.check(account)


def test_memory_stays_bounded_under_many_keys() -> None:
    clock = Clock()
    limiter = SigninLimiter(attempts=5, window_seconds=60, clock=clock, max_keys=100)
    for i in range(1000):
        limiter.failed([f"client:{i}"])
    assert len(limiter) == 100
    clock.now += 61
    limiter.failed(["client:new"])
    assert len(limiter) == 1


def test_made_up_keys_cannot_flush_a_lockout_out_of_memory() -> None:
    limiter = SigninLimiter(attempts=3, window_seconds=60, clock=Clock(), max_keys=50)
    victim = ["account:victim@example.org"]
    for _ in range(3):
        limiter.failed(victim)
    for i in range(5000):  # a stranger fails once with each of many made-up emails
        limiter.failed([f"account:made-up-{i}@example.org"])
    assert len(limiter) == 50
    with pytest.raises(RateLimited):
        limiter.check(victim)


async def test_uses_trio_time_by_default(autojump_clock: trio.testing.MockClock) -> None:
    limiter = SigninLimiter(attempts=1, window_seconds=30)
    limiter.failed(["account:a@example.org"])
    with pytest.raises(RateLimited):
        limiter.check(["account:a@example.org"])
    await trio.sleep(30)
    limiter.check(["account:a@example.org"])
