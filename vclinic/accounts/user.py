"""Creating user accounts and checking sign-in credentials.

Error messages say what was wrong with the request, never the email or name it contained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import peewee

from vclinic.accounts.organisation import NAME_MAX
from vclinic.accounts.password import (
    hash_password,
    needs_rehash,
    spend_verify_time,
    verify_password,
)
from vclinic.errors import BadRequest, Conflict, NotFound, Unauthorized
from vclinic.ids import UserId
from vclinic.store import ROLES, Organisation, Store, User, UserRole, audit

PASSWORD_MIN = 8
# argon2 takes any length, but a megabyte "password" is only a way to burn CPU.
PASSWORD_MAX = 1024
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

BAD_CREDENTIALS = "Email or password is incorrect"


def normalise_email(email: str) -> str:
    """The form in which emails are stored and looked up: stripped and lowercased."""
    return email.strip().lower()


def validate_email(email: str) -> str:
    """The normalised ``email``, or BadRequest if it does not look like an address."""
    email = normalise_email(email)
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise BadRequest("Enter an email address like name@example.org", field="email")
    return email


def validate_password(password: str) -> None:
    """BadRequest unless ``password`` is between PASSWORD_MIN and PASSWORD_MAX characters."""
    if len(password) < PASSWORD_MIN:
        raise BadRequest(
            f"Password must be at least {PASSWORD_MIN} characters long", field="password"
        )
    if len(password) > PASSWORD_MAX:
        raise BadRequest(
            f"Password must be at most {PASSWORD_MAX} characters long", field="password"
        )


def validate_roles(roles: str | Iterable[str]) -> tuple[str, ...]:
    """The roles as a sorted tuple without repeats; BadRequest if empty or unknown."""
    found = {roles} if isinstance(roles, str) else set(roles)
    if not found:
        raise BadRequest("Give the account at least one role", field="roles")
    unknown = found - set(ROLES)
    if unknown:
        raise BadRequest(f"Roles must be among: {', '.join(ROLES)}", field="roles")
    return tuple(sorted(found))


def validate_new_user(email: str, roles: str | Iterable[str], name: str
                      ) -> tuple[str, tuple[str, ...], str]:
    """The normalised email, roles and name of a new account; BadRequest naming the field."""
    email = validate_email(email)
    role_set = validate_roles(roles)
    name = " ".join(name.split())
    if len(name) > NAME_MAX:
        raise BadRequest(f"Name must be at most {NAME_MAX} characters long", field="name")
    return email, role_set, name


def insert_user(
    org_slug: str, email: str, password_hash: str, roles: tuple[str, ...], name: str,
    station: bool, actor_id: str | None,
) -> User:
    """Insert a validated account and its roles, audited (in the caller's transaction)."""
    org = Organisation.get_or_none(Organisation.slug == org_slug)
    if org is None:
        raise NotFound("Organisation not found", field="organisation")
    if User.select().where(User.email == email).exists():
        raise Conflict("An account with this email address already exists", field="email")
    user: User = User.create(
        organisation=org, email=email, name=name, password_hash=password_hash,
        is_station=station,
    )
    for role in roles:
        UserRole.create(user=user, role=role)
    audit.record(org.id, actor_id, "user.created", user.id)
    return user


async def create_user(
    store: Store,
    org_slug: str,
    email: str,
    password: str,
    roles: str | Iterable[str],
    name: str = "",
    station: bool = False,
    actor_id: str | None = None,
) -> User:
    """Create an active account in the organisation ``org_slug`` holding ``roles``.

    Raises BadRequest (malformed email, short password, unknown role, over-long name), NotFound
    (no such organisation) or Conflict (the email is taken). The audit trail names
    ``actor_id`` (the admin; None for the CLI and the demo seed) as the creator.
    """
    email, role_set, name = validate_new_user(email, roles, name)
    validate_password(password)
    password_hash = await hash_password(password)
    try:
        return await store.atomic(
            insert_user, org_slug, email, password_hash, role_set, name, station, actor_id
        )
    except peewee.IntegrityError:
        # Lost a race with another creation of the same email.
        raise Conflict(
            "An account with this email address already exists", field="email"
        ) from None


def _roles_of(user_id: str) -> frozenset[str]:
    rows = UserRole.select(UserRole.role).where(UserRole.user == user_id)
    return frozenset(row.role for row in rows)


async def user_roles(store: Store, user_id: UserId | str) -> frozenset[str]:
    """The roles the user holds."""
    return await store.run(_roles_of, user_id)


def _set_hash(user_id: str, password_hash: str) -> None:
    User.update(password_hash=password_hash).where(User.id == user_id).execute()


async def authenticate(store: Store, email: str, password: str) -> User:
    """The active user with this email and password, or Unauthorized.

    Every refusal raises the same error after the same amount of hashing work, so a caller cannot
    learn whether an email has an account. A hash made with older parameters is replaced.
    """
    user: User | None = None
    if len(password) <= PASSWORD_MAX:
        user = await store.run(User.get_or_none, User.email == normalise_email(email))
    if user is None:
        await spend_verify_time(password[:PASSWORD_MAX])
        raise Unauthorized(BAD_CREDENTIALS, code="invalid_credentials")
    if not await verify_password(user.password_hash, password) or not user.is_active:
        raise Unauthorized(BAD_CREDENTIALS, code="invalid_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
        await store.run(_set_hash, user.id, user.password_hash)
    return user


async def user_id_for_email(store: Store, email: str) -> str | None:
    """The id of the account with this email, or None (for logs that must not hold emails)."""
    user = await store.run(User.get_or_none, User.email == normalise_email(email))
    return None if user is None else str(user.id)


async def set_password(store: Store, user_id: UserId | str, password: str) -> None:
    """Give the user a new password (validated) and end none of their sessions: the caller
    decides whether to sign them out elsewhere."""
    validate_password(password)
    password_hash = await hash_password(password)
    updated = await store.run(
        lambda: User.update(password_hash=password_hash).where(User.id == user_id).execute()
    )
    if not updated:
        raise NotFound("Account not found", field="user")
