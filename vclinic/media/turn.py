"""TURN credentials per participant (coturn's ``use-auth-secret``) and the ICE servers clients get.

Owned by the media package; pure functions called by :class:`vclinic.media.service.MediaService`.
coturn's REST-API scheme (``use-auth-secret`` / ``static-auth-secret``): the username is
``"<expiry unix time>:<participant id>"`` and the password is
``base64(HMAC-SHA1(secret, username))``; coturn recomputes the password from the shared secret and
refuses the username once its expiry time has passed, so nothing is stored server-side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TurnCredential:
    """A TURN username and password valid until ``expires_at`` (unix seconds)."""

    username: str
    credential: str
    expires_at: int


def turn_credential(secret: str, participant_id: str, expires_at: int) -> TurnCredential:
    """The credential coturn accepts for ``participant_id`` until ``expires_at``."""
    if not secret:
        raise ValueError("a TURN credential needs the shared secret (setting turn_secret)")
    if ":" in participant_id:
        raise ValueError("a participant id in a TURN username must not contain ':'")
    username = f"{int(expires_at)}:{participant_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredential(username=username, credential=base64.b64encode(digest).decode(),
                          expires_at=int(expires_at))


def is_turn_url(url: str) -> bool:
    return url.startswith(("turn:", "turns:"))


def client_ice_servers(urls: tuple[str, ...] | list[str],
                       credential: TurnCredential | None) -> list[dict[str, Any]]:
    """``RTCIceServer`` dictionaries for a browser: STUN URLs as is, TURN URLs with credentials.

    TURN URLs are left out when there is no credential (no ``turn_secret``): a TURN server that
    cannot be used only slows ICE down.
    """
    stun = [u for u in urls if not is_turn_url(u)]
    turn = [u for u in urls if is_turn_url(u)]
    servers: list[dict[str, Any]] = []
    if stun:
        servers.append({"urls": stun})
    if turn and credential is not None:
        servers.append({"urls": turn, "username": credential.username,
                        "credential": credential.credential})
    return servers
