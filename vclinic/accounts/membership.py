"""An organisation's admin managing its accounts: roles, deactivation and password resets.

Each change and its audit row commit in one transaction. An organisation always keeps one
active admin: the last one can be neither demoted nor deactivated, so nobody is locked out of
the admin pages. Error messages name what was wrong, never the account's email or name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vclinic.accounts.directory import user_summary
from vclinic.accounts.password import hash_password
from vclinic.accounts.user import validate_password, validate_roles
from vclinic.errors import Conflict, NotFound
from vclinic.store import AuthSession, Organisation, Store, User, UserRole, audit, database

LAST_ADMIN = ("The organisation needs at least one active admin: make someone else an admin "
              "first.")


def member(org_id: str, user_id: str) -> User:
    """The account ``user_id`` of ``org_id``, or NotFound (also for another organisation's)."""
    user: User | None = User.get_or_none(User.id == user_id, User.organisation == org_id)
    if user is None:
        raise NotFound("There is no such account in your organisation.", code="user_not_found")
    return user


def _roles(user_id: str) -> set[str]:
    return {r.role for r in UserRole.select(UserRole.role).where(UserRole.user == user_id)}


def _other_active_admins(org_id: str, user_id: str) -> int:
    return int(User.select().join(UserRole).where(
        User.organisation == org_id, User.is_active, User.id != user_id,
        UserRole.role == "admin").count())


def _lock_org(org_id: str) -> None:
    # Two admins demoting each other at once must not both see the other as the remaining
    # admin: changes to one organisation's accounts take its row lock in turn (PostgreSQL;
    # SQLite has one writer anyway and no FOR UPDATE).
    query = Organisation.select(Organisation.id).where(Organisation.id == org_id)
    if database.for_update:
        query = query.for_update()
    list(query)


def _change(org_id: str, actor_id: str, user_id: str, roles: tuple[str, ...] | None,
            active: bool | None) -> dict[str, Any]:
    _lock_org(org_id)
    user = member(org_id, user_id)
    held = _roles(user.id)
    loses_admin = "admin" in held and (
        (roles is not None and "admin" not in roles) or active is False)
    if active is False and user.id == actor_id:
        raise Conflict("You cannot deactivate your own account.", code="self_deactivation")
    if loses_admin and user.is_active and not _other_active_admins(org_id, user.id):
        raise Conflict(LAST_ADMIN, code="last_admin")
    if roles is not None and set(roles) != held:
        UserRole.delete().where(UserRole.user == user.id).execute()
        for role in roles:
            UserRole.create(user=user.id, role=role)
        audit.record(org_id, actor_id, "user.roles_changed", user.id)
        held = set(roles)
    if active is not None and active != bool(user.is_active):
        User.update(is_active=active).where(User.id == user.id).execute()
        user.is_active = active
        if not active:
            # Signed out everywhere at once, not at their next request.
            AuthSession.delete().where(AuthSession.user == user.id).execute()
        audit.record(org_id, actor_id, "user.activated" if active else "user.deactivated",
                     user.id)
    return user_summary(user, held)


async def change_user(store: Store, org_id: str, actor_id: str, user_id: str,
                      roles: Iterable[str] | None = None, active: bool | None = None
                      ) -> dict[str, Any]:
    """Give the account ``roles`` and/or (de)activate it; its new summary.

    Raises NotFound (no such account in the organisation), BadRequest (unknown or no roles),
    Conflict ``last_admin`` (the change would leave no active admin) or ``self_deactivation``.
    Deactivating ends the account's sign-in sessions in the same transaction.
    """
    role_set = validate_roles(roles) if roles is not None else None
    return await store.atomic(_change, org_id, actor_id, user_id, role_set, active)


def _set_password(org_id: str, actor_id: str, user_id: str, password_hash: str) -> None:
    user = member(org_id, user_id)
    User.update(password_hash=password_hash).where(User.id == user.id).execute()
    # Whoever knew the old password is signed out with it.
    AuthSession.delete().where(AuthSession.user == user.id).execute()
    audit.record(org_id, actor_id, "user.password_reset", user.id)


async def reset_password(store: Store, org_id: str, actor_id: str, user_id: str,
                         password: str) -> None:
    """Set a new password chosen by the admin and sign the account out everywhere.

    Raises BadRequest (too short or long) or NotFound (no such account in the organisation).
    """
    validate_password(password)
    password_hash = await hash_password(password)
    await store.atomic(_set_password, org_id, actor_id, user_id, password_hash)
