"""The sign-in lockout's policy, without a loop: a stranger cannot lock out an account's owner
on their known device, nor one client lock out the others."""

from __future__ import annotations

import pytest

from vclinic.accounts import Attempt, SigninLimiter, SigninLockout
from vclinic.errors import RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lockout(clock: Clock, key: bytes = b"k" * 32) -> SigninLockout:
    return SigninLockout(SigninLimiter(5, 300, clock=clock), SigninLimiter(20, 3600, clock=clock),
                         key=key)


OWNER = "dr.ada@demo.clinic"


def test_five_failures_lock_that_client_out_of_that_account_only() -> None:
    guard = lockout(Clock())
    stranger = Attempt(OWNER, "203.0.113.9")
    for _ in range(4):
        assert guard.failed(stranger) == []
    assert guard.failed(stranger) == ["pair"]
    with pytest.raises(RateLimited):
        guard.check(stranger)
    guard.check(Attempt(OWNER, "192.0.2.10"))
    guard.check(Attempt("someone.else@demo.clinic", "203.0.113.9"))


def test_strangers_everywhere_do_not_lock_the_owner_out_of_their_known_device() -> None:
    clock = Clock()
    guard = lockout(clock)
    device = guard.succeeded(Attempt(OWNER, "192.0.2.10"))
    for address in range(30):
        guard.failed(Attempt(OWNER, f"198.51.100.{address}"))
    # The backstop now refuses anyone without the device cookie, from any new address ...
    with pytest.raises(RateLimited):
        guard.check(Attempt(OWNER, "192.0.2.77"))
    # ... but the owner's own browser still may try, from home or from a new network.
    guard.check(Attempt(OWNER, "192.0.2.10", device))
    guard.check(Attempt(OWNER, "192.0.2.77", device))


def test_a_device_cookie_is_bound_to_its_account_and_key() -> None:
    guard = lockout(Clock())
    device = guard.succeeded(Attempt("other@demo.clinic", "192.0.2.10"))
    assert not guard.known_device(Attempt(OWNER, "192.0.2.10", device))
    assert not lockout(Clock(), key=b"x" * 32).known_device(
        Attempt("other@demo.clinic", "192.0.2.10", device))
    forged = device.split(".")[0] + "." + "0" * 32
    assert not guard.known_device(Attempt("other@demo.clinic", "192.0.2.10", forged))


def test_one_browser_remembers_several_accounts() -> None:
    guard = lockout(Clock())
    device = guard.succeeded(Attempt(OWNER, None))
    device = guard.succeeded(Attempt("dr.grace@demo.clinic", None, device))
    assert guard.known_device(Attempt(OWNER, None, device))
    assert guard.known_device(Attempt("DR.Grace@demo.clinic", None, device))


def test_the_owners_success_clears_their_pair_but_not_the_backstop() -> None:
    guard = lockout(Clock())
    owner = Attempt(OWNER, "192.0.2.10")
    for _ in range(4):
        guard.failed(owner)
    guard.succeeded(owner)
    assert guard.failed(owner) == []
    for address in range(20):
        guard.failed(Attempt(OWNER, f"198.51.100.{address}"))
    with pytest.raises(RateLimited):
        guard.check(Attempt(OWNER, "192.0.2.99"))


def test_a_stranger_at_the_owners_address_does_not_lock_out_the_owners_browser() -> None:
    guard = lockout(Clock())
    device = guard.succeeded(Attempt(OWNER, "192.0.2.10"))
    stranger = Attempt(OWNER, "192.0.2.10")  # same NAT address, no device cookie
    for _ in range(5):
        guard.failed(stranger)
    with pytest.raises(RateLimited):
        guard.check(stranger)
    guard.check(Attempt(OWNER, "192.0.2.10", device))
