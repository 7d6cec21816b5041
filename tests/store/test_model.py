from __future__ import annotations

import datetime as dt

import peewee
import pytest

from vclinic.store import (
    ActorSnapshot,
    AuditEvent,
    AuthSession,
    Organisation,
    Service,
    SnapshotStateStore,
    Store,
    User,
    UserRole,
    audit,
)


def _org_and_user() -> tuple[Organisation, User]:
    org = Organisation.create(slug="demo", name="Demo", settings={"locale": "en-GB"})
    user = User.create(organisation=org, email="a@example.org", name="A", password_hash="x")
    return org, user


async def test_organisation_keeps_settings_and_a_utc_creation_time(store: Store) -> None:
    org, _ = await store.run(_org_and_user)
    found = await store.run(Organisation.get_by_id, org.id)
    assert found.settings == {"locale": "en-GB"}
    assert found.created_at.tzinfo == dt.UTC
    assert abs(found.created_at - org.created_at) < dt.timedelta(milliseconds=1)
    assert len(found.id) >= 20


async def test_user_defaults_and_unique_email(store: Store) -> None:
    org, user = await store.run(_org_and_user)
    found = await store.run(User.get_by_id, user.id)
    assert (found.is_active, found.is_station, found.organisation_id) == (True, False, org.id)
    with pytest.raises(peewee.IntegrityError):
        await store.run(
            lambda: User.create(organisation=org, email="a@example.org", password_hash="y")
        )


async def test_roles_are_checked_and_held_once(store: Store) -> None:
    _, user = await store.run(_org_and_user)
    await store.run(lambda: UserRole.create(user=user, role="provider"))
    await store.run(lambda: UserRole.create(user=user, role="admin"))
    with pytest.raises(peewee.IntegrityError):
        await store.run(lambda: UserRole.create(user=user, role="provider"))
    with pytest.raises(peewee.IntegrityError):
        await store.run(lambda: UserRole.create(user=user, role="superuser"))
    roles = await store.run(
        lambda: sorted(r.role for r in UserRole.select().where(UserRole.user == user))
    )
    assert roles == ["admin", "provider"]


async def test_service_names_are_unique_within_an_organisation(store: Store) -> None:
    org, _ = await store.run(_org_and_user)
    other = await store.run(lambda: Organisation.create(slug="other", name="Other"))
    await store.run(lambda: Service.create(organisation=org, name="General Practice"))
    await store.run(lambda: Service.create(organisation=other, name="General Practice"))
    with pytest.raises(peewee.IntegrityError):
        await store.run(lambda: Service.create(organisation=org, name="General Practice"))
    active = await store.run(lambda: Service.get(Service.organisation == org).is_active)
    assert active is True


async def test_deleting_a_user_ends_their_sessions_and_roles(store: Store) -> None:
    now = dt.datetime.now(dt.UTC)

    def setup() -> User:
        _, user = _org_and_user()
        UserRole.create(user=user, role="staff")
        AuthSession.create(
            id="h" * 64, user=user, csrf_token="c", idle_timeout_s=60,
            absolute_expires_at=now + dt.timedelta(hours=1),
        )
        return user

    user = await store.run(setup)
    await store.run(lambda: User.delete_by_id(user.id))
    counts = await store.run(lambda: (AuthSession.select().count(), UserRole.select().count()))
    assert counts == (0, 0)


async def test_auth_session_times_come_back_in_utc(store: Store) -> None:
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))

    def setup() -> AuthSession:
        _, user = _org_and_user()
        return AuthSession.create(
            id="s" * 64, user=user, csrf_token="c", idle_timeout_s=1800,
            absolute_expires_at=expires,
        )

    await store.run(setup)
    found = await store.run(AuthSession.get_by_id, "s" * 64)
    assert found.absolute_expires_at == expires
    assert found.absolute_expires_at.tzinfo == dt.UTC
    assert found.absolute_expires_at.hour == 1


async def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.run(
            lambda: Organisation.create(slug="n", name="N", created_at=dt.datetime(2030, 1, 1))
        )


async def test_audit_events_keep_ids_and_survive_the_actor(store: Store) -> None:
    def setup() -> AuditEvent:
        org, user = _org_and_user()
        event = AuditEvent.create(
            organisation=org, actor_id=user.id, action="user.created", target_ids=[user.id]
        )
        user.delete_instance()
        return event

    event = await store.run(setup)
    found = await store.run(AuditEvent.get_by_id, event.id)
    assert found.action == "user.created"
    assert found.target_ids == [event.actor_id]


async def test_snapshot_store_saves_loads_and_counts_versions(store: Store) -> None:
    snapshots = SnapshotStateStore(store)
    assert await snapshots.load("session:abc") is None
    await snapshots.save("session:abc", {"participants": ["p1"], "phase": "waiting"})
    await snapshots.save("session:abc", {"participants": ["p1", "p2"], "phase": "live"})
    await snapshots.save("queue:org1/urgent", {"entries": []})
    assert await snapshots.load("session:abc") == {"participants": ["p1", "p2"], "phase": "live"}
    assert await snapshots.version("session:abc") == 2
    assert await snapshots.load("queue:org1/urgent") == {"entries": []}
    assert await snapshots.delete("session:abc") is True
    assert await snapshots.load("session:abc") is None
    assert await store.run(lambda: ActorSnapshot.select().count()) == 1


async def test_snapshot_state_must_be_a_dict(store: Store) -> None:
    with pytest.raises(TypeError):
        await SnapshotStateStore(store).save("session:abc", ["not", "a", "dict"])  # type: ignore[arg-type]


async def test_audit_record_commits_with_the_change_it_describes(store: Store) -> None:
    def change_then_fail() -> None:
        org, user = _org_and_user()
        audit.record(org.id, user.id, "user.created", user.id)
        raise RuntimeError("later step failed")

    with pytest.raises(RuntimeError):
        await store.atomic(change_then_fail)
    assert await store.run(lambda: AuditEvent.select().count()) == 0

    def change() -> AuditEvent:
        org, user = _org_and_user()
        return audit.record(org.id, None, "user.created", user.id)

    event = await store.atomic(change)
    found = await store.run(AuditEvent.get_by_id, event.id)
    assert (found.action, found.actor_id) == ("user.created", None)
    assert found.target_ids == event.target_ids and len(found.target_ids) == 1
    assert found.created_at.tzinfo == dt.UTC


async def test_audit_actions_cannot_be_free_text(store: Store) -> None:
    with pytest.raises(ValueError, match="audit action"):
        await store.run(audit.record, None, None, "Pat Example called about her results")
