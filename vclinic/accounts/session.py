"""Sign-in sessions: started at sign-in, resolved from the cookie on each request, ended at
sign-out or after idle or absolute timeouts (automatic logoff).

The cookie carries a random token; the store keeps only its SHA-256 as the session id, so a leaked
database does not let anyone sign in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from vclinic.config import Settings
from vclinic.ids import OrgId, SessionId, UserId, new_token, token_hash
from vclinic.store import AuthSession, Organisation, Store, User, UserRole, audit, utcnow

#: A session's last_seen_at is written at most this often, so page loads do not all write.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
_TOKEN_MAX = 128


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a request acts for: resolved from its session, handed to routes and actors."""

    user_id: UserId
    org_id: OrgId
    org_slug: str
    roles: frozenset[str]
    name: str
    email: str
    session_id: SessionId
    csrf_token: str
    is_station: bool
    #: For a guest (role ``guest``, no user account): the one telehealth session they may
    #: reach, and their participant in it. None for signed-in users.
    guest_session_id: str | None = None
    participant_id: str | None = None
    #: The workflows the organisation uses (its ``settings["workflows"]``), or None when it
    #: never narrowed them: then it uses every workflow the deployment enables.
    workflows: frozenset[str] | None = None

    def has_role(self, *roles: str) -> bool:
        """True if the user holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def uses_workflow(self, name: str) -> bool:
        """True unless the organisation turned the (deployed) workflow ``name`` off."""
        return self.workflows is None or name in self.workflows

    @property
    def is_guest(self) -> bool:
        """True for a guest who joined through a session link."""
        return self.guest_session_id is not None


def session_lifetimes(settings: Settings, is_station: bool) -> tuple[dt.timedelta, dt.timedelta]:
    """(idle timeout, absolute lifetime) of a new session.

    A requester station is a shared device meant to stay signed in, so its absolute lifetime is
    at least its idle timeout; otherwise the idle setting would never apply.
    """
    absolute = dt.timedelta(hours=settings.session_absolute_hours)
    if is_station:
        idle = dt.timedelta(hours=settings.station_idle_hours)
        return idle, max(absolute, idle)
    return dt.timedelta(minutes=settings.session_idle_minutes), absolute


async def start_session(
    store: Store, user: User, settings: Settings, now: dt.datetime | None = None
) -> tuple[str, AuthSession]:
    """Start a session for ``user``; return the cookie token (shown once, never stored) and the
    session row."""
    now = now or utcnow()
    idle, absolute = session_lifetimes(settings, bool(user.is_station))
    token = new_token()

    def create() -> AuthSession:
        row: AuthSession = AuthSession.create(
            id=token_hash(token), user=user.id, csrf_token=new_token(), created_at=now,
            last_seen_at=now, idle_timeout_s=int(idle.total_seconds()),
            absolute_expires_at=now + absolute,
        )
        audit.record(user.organisation_id, user.id, "user.signed_in", user.id)
        return row

    return token, await store.atomic(create)


def is_expired(row: AuthSession, now: dt.datetime) -> bool:
    """True if the session passed its absolute lifetime or sat idle too long."""
    idle_until = row.last_seen_at + dt.timedelta(seconds=row.idle_timeout_s)
    return now >= row.absolute_expires_at or now >= idle_until


def _resolve(session_id: str, now: dt.datetime) -> Principal | None:
    row = (
        AuthSession.select(AuthSession, User, Organisation)
        .join(User)
        .join(Organisation)
        .where(AuthSession.id == session_id)
        .first()
    )
    if row is None:
        return None
    user = row.user
    if is_expired(row, now) or not user.is_active:
        AuthSession.delete().where(AuthSession.id == session_id).execute()
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        AuthSession.update(last_seen_at=now).where(AuthSession.id == session_id).execute()
    roles = frozenset(
        r.role for r in UserRole.select(UserRole.role).where(UserRole.user == user.id)
    )
    return Principal(
        user_id=UserId(user.id),
        org_id=OrgId(user.organisation.id),
        org_slug=user.organisation.slug,
        roles=roles,
        name=user.name,
        email=user.email,
        session_id=SessionId(row.id),
        csrf_token=row.csrf_token,
        is_station=bool(user.is_station),
        workflows=_workflows(user.organisation.settings),
    )


def _workflows(settings: Any) -> frozenset[str] | None:
    chosen = settings.get("workflows") if isinstance(settings, dict) else None
    return None if chosen is None else frozenset(str(w) for w in chosen)


async def resolve_session(
    store: Store, token: str, now: dt.datetime | None = None
) -> Principal | None:
    """Who the session cookie ``token`` signs in, or None if it is unknown or expired.

    An expired session is deleted; a live one has its idle clock restarted (written at most once
    per TOUCH_INTERVAL).
    """
    if not token or len(token) > _TOKEN_MAX:
        return None
    return await store.run(_resolve, token_hash(token), now or utcnow())


async def end_session(store: Store, token: str) -> bool:
    """Sign out the session of ``token``; True if there was one."""
    if not token or len(token) > _TOKEN_MAX:
        return False
    session_id = token_hash(token)
    deleted = await store.run(
        lambda: AuthSession.delete().where(AuthSession.id == session_id).execute()
    )
    return bool(deleted)


async def end_user_sessions(store: Store, user_id: UserId | str) -> int:
    """Sign the user out everywhere (password change, deactivation); the number ended."""
    deleted = await store.run(
        lambda: AuthSession.delete().where(AuthSession.user == user_id).execute()
    )
    return int(deleted)


def _purge(now: dt.datetime) -> int:
    # Idle expiry depends on each row's own timeout, which SQLite and PostgreSQL cannot add to a
    # timestamp the same way; the candidates are few, so it is decided here.
    oldest_idle = now - dt.timedelta(minutes=1)
    expired = [
        row.id
        for row in AuthSession.select().where(
            (AuthSession.absolute_expires_at <= now) | (AuthSession.last_seen_at <= oldest_idle)
        )
        if is_expired(row, now)
    ]
    for start in range(0, len(expired), 500):
        AuthSession.delete().where(AuthSession.id.in_(expired[start:start + 500])).execute()
    return len(expired)


async def purge_expired_sessions(store: Store, now: dt.datetime | None = None) -> int:
    """Delete every expired session (housekeeping; resolving also deletes them one by one)."""
    return await store.run(_purge, now or utcnow())
