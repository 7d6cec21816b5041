"""An organisation's admin managing accounts, on SQLite and PostgreSQL: the last active admin
stays, nobody deactivates themselves, deactivation signs out, and a refused change writes
nothing (no role, no audit event)."""

from __future__ import annotations

import pytest
import trio

from vclinic.accounts import create_org, create_user, resolve_session, start_session
from vclinic.accounts.membership import change_user
from vclinic.config import load_settings
from vclinic.errors import Conflict, NotFound
from vclinic.store import AuditEvent, Store, User

PASSWORD = "long-enough-1"


async def _org(store: Store) -> tuple[str, User, User]:
    org = await create_org(store, "Membership Clinic")
    first = await create_user(store, org.slug, "first@example.org", PASSWORD, "admin", "First")
    second = await create_user(store, org.slug, "second@example.org", PASSWORD, "admin",
                               "Second")
    return org.id, first, second


async def _actions(store: Store) -> list[str]:
    return await store.run(lambda: [e.action for e in AuditEvent.select()])


async def test_two_admins_demoting_each_other_at_once_leave_one(store: Store) -> None:
    org_id, first, second = await _org(store)
    outcomes: list[str] = []

    async def demote(actor: User, target: User) -> None:
        try:
            await change_user(store, org_id, actor.id, target.id, roles=["provider"])
            outcomes.append("demoted")
        except Conflict as exc:
            outcomes.append(exc.code)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(demote, first, second)
        nursery.start_soon(demote, second, first)
    assert sorted(outcomes) == ["demoted", "last_admin"]
    assert (await _actions(store)).count("user.roles_changed") == 1


async def test_the_last_admin_stays_and_nobody_deactivates_themselves(store: Store) -> None:
    org_id, first, second = await _org(store)
    await change_user(store, org_id, first.id, second.id, active=False)
    with pytest.raises(Conflict) as last:
        await change_user(store, org_id, second.id, first.id, roles=["provider"])
    assert last.value.code == "last_admin"
    with pytest.raises(Conflict) as self_off:
        await change_user(store, org_id, first.id, first.id, active=False)
    assert self_off.value.code == "self_deactivation"
    assert await _actions(store) == ["user.created", "user.created", "user.deactivated"]


async def test_deactivating_signs_the_account_out(store: Store) -> None:
    org_id, first, second = await _org(store)
    token, _ = await start_session(store, second, load_settings(env={}))
    assert await resolve_session(store, token) is not None
    summary = await change_user(store, org_id, first.id, second.id, active=False)
    assert summary["is_active"] is False
    assert await resolve_session(store, token) is None


async def test_another_organisations_account_is_not_found(store: Store) -> None:
    org_id, first, _ = await _org(store)
    other = await create_org(store, "Other Clinic")
    stranger = await create_user(store, other.slug, "x@example.org", PASSWORD, "provider", "X")
    with pytest.raises(NotFound):
        await change_user(store, org_id, first.id, stranger.id, active=False)
    assert (await store.run(User.get_by_id, stranger.id)).is_active
