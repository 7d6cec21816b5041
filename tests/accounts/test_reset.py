"""Password-reset links: a link works once, not after it expires, not when altered, not for a
deactivated account; each refusal leaves the password as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from vclinic.accounts import authenticate, create_org, create_user
from vclinic.accounts.membership import change_user
from vclinic.accounts.reset import make_token, redeem
from vclinic.errors import BadRequest
from vclinic.store import Store, User, utcnow

KEY = b"k" * 32
PASSWORD = "long-enough-1"


async def _user(store: Store) -> tuple[str, User]:
    org = await create_org(store, "Reset Clinic")
    await create_user(store, org.slug, "boss@example.org", PASSWORD, "admin", "Boss")
    user = await create_user(store, org.slug, "ada@example.org", PASSWORD, "provider", "Ada")
    return org.id, user


async def test_a_reset_link_sets_the_password_once(store: Store) -> None:
    _, user = await _user(store)
    token = make_token(KEY, user, utcnow())
    await redeem(store, KEY, token, "brand-new-pass")
    assert (await authenticate(store, "ada@example.org", "brand-new-pass")).id == user.id
    with pytest.raises(BadRequest, match="not valid any more"):
        await redeem(store, KEY, token, "third-pass-123")
    assert await authenticate(store, "ada@example.org", "brand-new-pass")


@pytest.mark.parametrize("spoil", ["expired", "altered", "other_key", "garbage"])
async def test_a_bad_reset_link_changes_nothing(store: Store, spoil: str) -> None:
    _, user = await _user(store)
    now = utcnow() - dt.timedelta(hours=25) if spoil == "expired" else utcnow()
    token = make_token(b"x" * 32 if spoil == "other_key" else KEY, user, now)
    if spoil == "altered":
        user_id, expires, signature = token.split(".")
        token = f"{user_id}.{int(expires) + 3600}.{signature}"
    if spoil == "garbage":
        token = "not-a-token"
    with pytest.raises(BadRequest, match="not valid any more"):
        await redeem(store, KEY, token, "brand-new-pass")
    assert await authenticate(store, "ada@example.org", PASSWORD)


async def test_a_deactivated_account_cannot_use_its_link(store: Store) -> None:
    org_id, user = await _user(store)
    boss = await store.run(User.get, User.email == "boss@example.org")
    token = make_token(KEY, user, utcnow())
    await change_user(store, org_id, boss.id, user.id, active=False)
    with pytest.raises(BadRequest, match="not valid any more"):
        await redeem(store, KEY, token, "brand-new-pass")
