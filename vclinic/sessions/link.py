"""Session links and guests: tokens, following a link, joining as a guest, the guest principal.

A link's token is random and opaque: ``HMAC-SHA256(link key, link id)``, where the link key is a
random secret in ``<data_dir>/link.key`` (never in the database). Only the token's SHA-256 is
stored; the key lets a chair see and share a link again. Following ``/join/<token>`` sets the
short-lived ``vclinic_join`` cookie and redirects to ``/join`` (no token in the address); there a
guest gives a display name and gets the ``vclinic_session`` cookie of a :class:`GuestSession`,
bound to that one session.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from vclinic.accounts import Principal
from vclinic.errors import BadRequest, Gone, NotFound
from vclinic.ids import OrgId, SessionId, UserId, new_token, token_hash
from vclinic.sessions.model import GuestSession, JoinLink, Participant, TelehealthSession
from vclinic.store.field import utcnow

#: A guest's cookie session lasts at most this long (and ends when the session closes).
GUEST_HOURS = 12
_TOKEN_MAX = 128


@functools.cache
def link_key(data_dir: str) -> bytes:
    """The node's link key, created on first use (shared by nodes that share ``data_dir``)."""
    path = Path(data_dir) / "link.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as out:
        key = os.urandom(32)
        out.write(key)
    return key


def token_for(key: bytes, link_id: str) -> str:
    digest = hmac.new(key, b"vclinic-join-link:" + link_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def create_link(key: bytes, session_id: str, kind: str = "guest") -> JoinLink:
    """A new link for ``session_id`` (inside the caller's transaction)."""
    link_id = JoinLink._meta.fields["id"].default()
    row: JoinLink = JoinLink.create(id=link_id, token_hash=token_hash(token_for(key, link_id)),
                                    session=session_id, kind=kind)
    return row


def links(key: bytes, session_id: str) -> dict[str, Any]:
    """The session's current links: the guest link and the colleagues' (sign-in) address."""
    row = (JoinLink.select().where(JoinLink.session == session_id, JoinLink.kind == "guest",
                                   JoinLink.revoked_at.is_null())
           .order_by(JoinLink.created_at.desc()).first())
    guest = None
    if row is not None:
        token = token_for(key, row.id)
        # A link made under another key (a replaced link.key) still works but cannot be shown.
        if token_hash(token) == row.token_hash:
            guest = {"id": row.id, "path": f"/join/{token}"}
    return {"guest": guest, "practice": {"path": f"/preview?session={session_id}"}}


def rotate(key: bytes, session_id: str) -> dict[str, Any]:
    """Revoke the session's guest links and make a new one (run in a transaction)."""
    JoinLink.update(revoked_at=utcnow()).where(JoinLink.session == session_id,
                                               JoinLink.revoked_at.is_null()).execute()
    create_link(key, session_id)
    return links(key, session_id)


def follow(token: str) -> tuple[JoinLink, TelehealthSession]:
    """The link of ``token`` and its session, if it may still be used."""
    if not token or len(token) > _TOKEN_MAX:
        raise NotFound("This link is not valid.", code="link_invalid")
    row = JoinLink.get_or_none(JoinLink.token_hash == token_hash(token))
    if row is None:
        raise NotFound("This link is not valid.", code="link_invalid")
    session = row.session
    if session.status != "open":
        raise Gone("This session has ended; its links no longer work.", code="session_closed")
    if row.revoked_at is not None:
        raise Gone("This link was replaced; ask the person who sent it for the new one.",
                   code="link_revoked")
    return row, session


def start_guest(participant_id: str, session_id: str) -> tuple[str, GuestSession]:
    """A guest's cookie session for a participant the session actor created."""
    token = new_token()
    row: GuestSession = GuestSession.create(
        id=token_hash(token), participant=participant_id, session=session_id,
        csrf_token=new_token(), expires_at=utcnow() + dt.timedelta(hours=GUEST_HOURS))
    return token, row


def check_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= 60 or any(ord(ch) < 32 for ch in cleaned):
        raise BadRequest("Enter a display name of 1 to 60 characters.", code="invalid_name")
    return cleaned


def _resolve_guest(cookie_hash: str, now: dt.datetime) -> Principal | None:
    row = (GuestSession.select(GuestSession, Participant, TelehealthSession)
           .join(Participant).switch(GuestSession).join(TelehealthSession)
           .where(GuestSession.id == cookie_hash).first())
    if row is None:
        return None
    session, participant = row.session, row.participant
    if now >= row.expires_at or session.status != "open" or participant.removed:
        GuestSession.delete().where(GuestSession.id == cookie_hash).execute()
        return None
    return Principal(
        user_id=UserId(f"guest:{participant.id}"), org_id=OrgId(session.organisation_id),
        org_slug="", roles=frozenset({"guest"}), name=participant.display_name, email="",
        session_id=SessionId(row.id), csrf_token=row.csrf_token, is_station=False,
        guest_session_id=session.id, participant_id=participant.id)


async def resolve_guest(store: Any, token: str) -> Principal | None:
    """The guest principal of a ``vclinic_session`` cookie, or None (unknown, expired, the
    session closed or the guest was removed)."""
    if not token or len(token) > _TOKEN_MAX:
        return None
    return await store.run(_resolve_guest, token_hash(token), utcnow())  # type: ignore[no-any-return]
