"""Sign-in lockout that a stranger cannot turn against an account or a clinic.

Two limits, both :class:`~vclinic.accounts.limiter.SigninLimiter` counters of failures:

- **per account and address pair** (``signin_attempts`` in ``signin_window_seconds``): a client
  guessing one account's password is stopped quickly, and only that client for that account.
  Behind a reverse proxy the address is the real client's (``trusted_proxies``), so one person's
  typos never lock out the rest of the clinic, and failures for a made-up email lock out nobody.
- **per account, from anywhere** (``signin_account_attempts`` in ``signin_account_window_seconds``):
  a slower backstop against guessing spread over many addresses. It never applies to a *known
  device*: a browser that signed in to the account before carries a device cookie, signed with
  the node's key and bound to the account, so the owner's correct password from their own
  computer or phone still works while strangers are refused. Known devices also have their own
  pair count, so strangers sharing the owner's address (a clinic behind one NAT address) do not
  lock the owner's browser out either.

A success clears the pair's count (the owner typed it right from there) but not the account's:
otherwise an attacker could rely on the owner signing in to reset their budget.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets

from vclinic.accounts.limiter import SigninLimiter
from vclinic.accounts.user import normalise_email

#: The cookie that marks a browser as a known device of the accounts that signed in on it.
DEVICE_COOKIE = "vclinic_device"
#: Accounts remembered per browser (a shared clinic computer signs several people in).
DEVICE_ACCOUNTS = 8
#: How long a browser stays a known device after its last successful sign-in.
DEVICE_COOKIE_SECONDS = 180 * 24 * 3600


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: the email typed, the client address (None if unknown), and the
    device cookie the browser sent (empty if none)."""

    email: str
    client: str | None
    device_cookie: str = ""


class SigninLockout:
    """The sign-in limits of one node; owned by the AppContext, used by the sign-in route."""

    def __init__(self, pair: SigninLimiter, account: SigninLimiter, key: bytes) -> None:
        self.pair = pair
        self.account = account
        self._key = hashlib.sha256(b"vclinic-signin-device:" + key).digest()

    def _pair_key(self, attempt: Attempt) -> str:
        # A known device counts apart from strangers at the same address (one clinic behind
        # one NAT address), so their guesses do not lock the owner's own browser out.
        device = "|known" if self.known_device(attempt) else ""
        return f"pair:{normalise_email(attempt.email)}|{attempt.client or '-'}{device}"

    def _account_key(self, attempt: Attempt) -> str:
        return f"account:{normalise_email(attempt.email)}"

    def check(self, attempt: Attempt) -> None:
        """Raise RateLimited when this attempt may not be tried now."""
        self.pair.check([self._pair_key(attempt)])
        if not self.known_device(attempt):
            self.account.check([self._account_key(attempt)])

    def failed(self, attempt: Attempt) -> list[str]:
        """Count a failed attempt; return the limits it used up (``pair``, ``account``)."""
        self.pair.failed([self._pair_key(attempt)])
        self.account.failed([self._account_key(attempt)])
        locked = []
        if self.pair.retry_after([self._pair_key(attempt)]) > 0:
            locked.append("pair")
        if self.account.retry_after([self._account_key(attempt)]) > 0:
            locked.append("account")
        return locked

    def succeeded(self, attempt: Attempt) -> str:
        """Clear the pair's failures; return the device cookie value to set, which now also
        names this account."""
        self.pair.succeeded([self._pair_key(attempt)])
        mine = self._device_token(attempt.email)
        others = [t for t in _tokens(attempt.device_cookie)
                  if not self._token_for(t, attempt.email)]
        return "~".join([*others[-(DEVICE_ACCOUNTS - 1):], mine])

    def known_device(self, attempt: Attempt) -> bool:
        """True when the browser's device cookie holds a valid token for this account."""
        return any(self._token_for(t, attempt.email) for t in _tokens(attempt.device_cookie))

    def _mac(self, nonce: str, email: str) -> str:
        message = f"{nonce}|{normalise_email(email)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def _device_token(self, email: str) -> str:
        nonce = secrets.token_urlsafe(12)
        return f"{nonce}.{self._mac(nonce, email)}"

    def _token_for(self, token: str, email: str) -> bool:
        nonce, _, mac = token.partition(".")
        return bool(nonce and mac) and hmac.compare_digest(mac, self._mac(nonce, email))


def _tokens(cookie: str) -> list[str]:
    return [t for t in cookie.split("~") if t][:DEVICE_ACCOUNTS]
