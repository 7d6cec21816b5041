from __future__ import annotations

import argon2
import pytest

from vclinic.accounts import (
    BAD_CREDENTIALS,
    authenticate,
    create_org,
    create_user,
    set_password,
    user_roles,
)
from vclinic.accounts.organisation import slugify
from vclinic.errors import BadRequest, Conflict, NotFound, Unauthorized
from vclinic.store import Store, User

PASSWORD = "long-enough-1"


async def test_organisation_slugs_come_from_the_name_and_stay_unique(store: Store) -> None:
    first = await create_org(store, "Demo Clinic")
    second = await create_org(store, "Demo  Clinic!")
    third = await create_org(store, "demo clinic")
    slugs = (first.slug, second.slug, third.slug)
    assert slugs == ("demo-clinic", "demo-clinic-2", "demo-clinic-3")
    assert second.name == "Demo Clinic!"


def test_slugify_handles_accents_and_symbols() -> None:
    assert slugify("Clínica São João") == "clinica-sao-joao"
    assert slugify("***") == "org"


async def test_organisation_name_is_required(store: Store) -> None:
    with pytest.raises(BadRequest, match="Organisation name"):
        await create_org(store, "   ")


async def test_created_user_has_lowercased_email_and_roles(store: Store) -> None:
    org = await create_org(store, "Demo Clinic")
    user = await create_user(
        store, org.slug, "  Dr.Ada@Example.ORG ", PASSWORD, ["provider", "admin"], "Dr Ada"
    )
    assert user.email == "dr.ada@example.org"
    assert user.organisation_id == org.id
    assert user.password_hash.startswith("$argon2id$")
    assert await user_roles(store, user.id) == frozenset({"provider", "admin"})


@pytest.mark.parametrize(
    ("email", "password", "roles", "message"),
    [
        ("not-an-email", PASSWORD, "staff", "email address"),
        ("a@b", PASSWORD, "staff", "email address"),
        ("person@example.org", "short", "staff", "at least 8 characters"),
        ("person@example.org", PASSWORD, "superuser", "Roles must be among"),
        ("person@example.org", PASSWORD, [], "at least one role"),
    ],
)
async def test_invalid_accounts_are_refused_without_echoing_the_input(
    store: Store, email: str, password: str, roles: str | list[str], message: str
) -> None:
    org = await create_org(store, "Demo Clinic")
    with pytest.raises(BadRequest, match=message) as caught:
        await create_user(store, org.slug, email, password, roles, "Pat Example")
    assert email not in caught.value.message
    assert "Pat Example" not in caught.value.message
    assert await store.run(lambda: User.select().count()) == 0


async def test_unknown_organisation_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="Organisation not found"):
        await create_user(store, "nowhere", "a@example.org", PASSWORD, "staff")


async def test_email_is_taken_whatever_its_case(store: Store) -> None:
    org = await create_org(store, "Demo Clinic")
    await create_user(store, org.slug, "a@example.org", PASSWORD, "staff")
    with pytest.raises(Conflict, match="already exists") as caught:
        await create_user(store, org.slug, "A@Example.org", PASSWORD, "staff")
    assert "example.org" not in caught.value.message


async def test_authenticate_accepts_the_right_password_in_any_email_case(store: Store) -> None:
    org = await create_org(store, "Demo Clinic")
    created = await create_user(store, org.slug, "a@example.org", PASSWORD, "staff")
    user = await authenticate(store, "A@EXAMPLE.org ", PASSWORD)
    assert user.id == created.id


async def test_every_refusal_looks_the_same(store: Store) -> None:
    org = await create_org(store, "Demo Clinic")
    await create_user(store, org.slug, "a@example.org", PASSWORD, "staff")
    await create_user(store, org.slug, "gone@example.org", PASSWORD, "staff")
    await store.run(
        lambda: User.update(is_active=False).where(User.email == "gone@example.org").execute()
    )
    errors = []
    for email, password in [
        ("a@example.org", "wrong-password"),
        ("nobody@example.org", PASSWORD),
        ("gone@example.org", PASSWORD),
    ]:
        with pytest.raises(Unauthorized) as caught:
            await authenticate(store, email, password)
        errors.append(caught.value.to_dict())
    assert errors == [{"code": "invalid_credentials", "message": BAD_CREDENTIALS}] * 3


@pytest.mark.usefixtures("production_hasher")
async def test_sign_in_upgrades_a_hash_made_with_old_parameters(store: Store) -> None:
    org = await create_org(store, "Demo Clinic")
    user = await create_user(store, org.slug, "a@example.org", PASSWORD, "staff")
    old = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await store.run(lambda: User.update(password_hash=old).where(User.id == user.id).execute())
    await authenticate(store, "a@example.org", PASSWORD)
    stored = await store.run(lambda: User.get_by_id(user.id).password_hash)
    assert stored != old
    assert "m=65536" in stored
    assert (await authenticate(store, "a@example.org", PASSWORD)).id == user.id


async def test_set_password_replaces_the_old_one(store: Store) -> None:
    org = await create_org(store, "Demo Clinic")
    user = await create_user(store, org.slug, "a@example.org", PASSWORD, "staff")
    await set_password(store, user.id, "another-password")
    with pytest.raises(Unauthorized):
        await authenticate(store, "a@example.org", PASSWORD)
    assert (await authenticate(store, "a@example.org", "another-password")).id == user.id
    with pytest.raises(BadRequest):
        await set_password(store, user.id, "short")
    with pytest.raises(NotFound):
        await set_password(store, "no-such-user", "another-password")
