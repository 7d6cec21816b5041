from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from vclinic.accounts import (
    create_org,
    create_user,
    end_session,
    end_user_sessions,
    purge_expired_sessions,
    resolve_session,
    start_session,
)
from vclinic.config import Settings
from vclinic.ids import token_hash
from vclinic.store import AuthSession, Store, User

T0 = dt.datetime(2030, 5, 1, 9, 0, tzinfo=dt.UTC)
SETTINGS = Settings(session_idle_minutes=30, session_absolute_hours=12, station_idle_hours=720)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture
async def provider(store: Store) -> User:
    org = await create_org(store, "Demo Clinic")
    return await create_user(
        store, org.slug, "dr.ada@example.org", "long-enough-1", ["provider", "admin"], "Dr Ada"
    )


@pytest.fixture
async def station(store: Store) -> User:
    org = await create_org(store, "Station Clinic")
    return await create_user(
        store, org.slug, "station@example.org", "long-enough-1", "requester", "Front desk",
        station=True,
    )


async def _row(store: Store, token: str) -> AuthSession | None:
    found: AuthSession | None = await store.run(
        AuthSession.get_or_none, AuthSession.id == token_hash(token)
    )
    return found


async def test_a_started_session_resolves_to_its_principal(store: Store, provider: User) -> None:
    token, row = await start_session(store, provider, SETTINGS, now=T0)
    assert row.id == token_hash(token) != token
    principal = await resolve_session(store, token, now=T0 + minutes(1))
    assert principal is not None
    assert principal.user_id == provider.id
    assert principal.org_slug == "demo-clinic"
    assert principal.roles == frozenset({"provider", "admin"})
    assert principal.has_role("admin") and not principal.has_role("requester")
    assert (principal.name, principal.email) == ("Dr Ada", "dr.ada@example.org")
    assert principal.session_id == row.id
    assert principal.csrf_token == row.csrf_token and len(principal.csrf_token) >= 32
    assert principal.is_station is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        principal.name = "someone else"  # type: ignore[misc]


async def test_unknown_or_malformed_tokens_resolve_to_nobody(store: Store, provider: User) -> None:
    await start_session(store, provider, SETTINGS, now=T0)
    assert await resolve_session(store, "not-a-token", now=T0) is None
    assert await resolve_session(store, "", now=T0) is None
    assert await resolve_session(store, "x" * 10_000, now=T0) is None


async def test_idle_session_is_signed_out_and_deleted(store: Store, provider: User) -> None:
    token, _ = await start_session(store, provider, SETTINGS, now=T0)
    assert await resolve_session(store, token, now=T0 + minutes(29)) is not None
    # Activity at minute 29 restarted the idle clock.
    assert await resolve_session(store, token, now=T0 + minutes(58)) is not None
    assert await resolve_session(store, token, now=T0 + minutes(88)) is None
    assert await _row(store, token) is None
    # Once gone, always gone, even if the clock were read differently.
    assert await resolve_session(store, token, now=T0 + minutes(60)) is None


async def test_last_seen_is_written_at_most_once_a_minute(store: Store, provider: User) -> None:
    token, _ = await start_session(store, provider, SETTINGS, now=T0)
    await resolve_session(store, token, now=T0 + dt.timedelta(seconds=30))
    row = await _row(store, token)
    assert row is not None and row.last_seen_at == T0
    await resolve_session(store, token, now=T0 + dt.timedelta(seconds=90))
    row = await _row(store, token)
    assert row is not None and row.last_seen_at == T0 + dt.timedelta(seconds=90)


async def test_absolute_timeout_ends_even_an_active_session(store: Store, provider: User) -> None:
    token, _ = await start_session(store, provider, SETTINGS, now=T0)
    now = T0
    while now < T0 + dt.timedelta(hours=12) - minutes(20):
        now += minutes(20)
        assert await resolve_session(store, token, now=now) is not None
    assert await resolve_session(store, token, now=T0 + dt.timedelta(hours=12)) is None


async def test_station_stays_signed_in_for_its_own_idle_time(store: Store, station: User) -> None:
    token, row = await start_session(store, station, SETTINGS, now=T0)
    assert row.idle_timeout_s == 720 * 3600
    later = T0 + dt.timedelta(days=20)
    principal = await resolve_session(store, token, now=later)
    assert principal is not None and principal.is_station
    assert principal.roles == frozenset({"requester"})
    assert await resolve_session(store, token, now=later + dt.timedelta(days=31)) is None


async def test_deactivated_user_loses_their_session(store: Store, provider: User) -> None:
    token, _ = await start_session(store, provider, SETTINGS, now=T0)
    await store.run(lambda: User.update(is_active=False).where(User.id == provider.id).execute())
    assert await resolve_session(store, token, now=T0 + minutes(1)) is None


async def test_sign_out_ends_one_session_and_sign_out_everywhere_ends_all(
    store: Store, provider: User
) -> None:
    first, _ = await start_session(store, provider, SETTINGS, now=T0)
    second, _ = await start_session(store, provider, SETTINGS, now=T0)
    third, _ = await start_session(store, provider, SETTINGS, now=T0)
    assert await end_session(store, first) is True
    assert await end_session(store, first) is False
    assert await resolve_session(store, first, now=T0) is None
    assert await resolve_session(store, second, now=T0) is not None
    assert await end_user_sessions(store, provider.id) == 2
    assert await resolve_session(store, third, now=T0) is None


async def test_purge_deletes_only_expired_sessions(
    store: Store, provider: User, station: User
) -> None:
    idle, _ = await start_session(store, provider, SETTINGS, now=T0)
    fresh, _ = await start_session(store, provider, SETTINGS, now=T0 + minutes(50))
    kiosk, _ = await start_session(store, station, SETTINGS, now=T0)
    assert await purge_expired_sessions(store, now=T0 + minutes(60)) == 1
    assert await _row(store, idle) is None
    assert await _row(store, fresh) is not None
    assert await _row(store, kiosk) is not None
