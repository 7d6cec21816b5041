"""Password-reset links an admin emails to an account, and redeeming them.

The link needs no table: its token is ``<user id>.<expiry>.<HMAC>``, signed with the node's key
over the id, the expiry and the account's current password hash. Setting a new password changes
the hash, so a link works once; it also stops working when it expires (RESET_HOURS) or the
account is deactivated. The token travels in the URL's fragment (``/reset#<token>``), which
browsers do not send to servers, so it stays out of access logs.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

import peewee

from vclinic.accounts.membership import member
from vclinic.accounts.password import hash_password
from vclinic.accounts.user import insert_user, validate_new_user, validate_password
from vclinic.errors import BadRequest, Conflict
from vclinic.ids import new_token
from vclinic.notifications.email import enqueue
from vclinic.store import AuthSession, Organisation, Store, User, audit, utcnow

RESET_HOURS = 24
#: An invitation's link lasts longer: the person may not read their email the same day.
INVITE_HOURS = 72
SUBJECT = "Set a new password for vclinic"
INVITE_SUBJECT = "Your vclinic account"
BAD_LINK = ("This password reset link is not valid any more. Ask your organisation's admin "
            "for a new one.")
_TOKEN_MAX = 200


def _signature(key: bytes, user_id: str, expires: int, password_hash: str) -> str:
    message = f"vclinic-password-reset:{user_id}.{expires}.{password_hash}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(key: bytes, user: User, now: dt.datetime, hours: int = RESET_HOURS) -> str:
    """The reset token of ``user``, valid ``hours`` from ``now`` and until the password
    changes."""
    expires = int((now + dt.timedelta(hours=hours)).timestamp())
    return f"{user.id}.{expires}.{_signature(key, user.id, expires, user.password_hash)}"


def _email_reset(org_id: str, actor_id: str, user_id: str, key: bytes, base_url: str) -> str:
    user = member(org_id, user_id)
    if not user.is_active:
        raise Conflict("Reactivate the account before sending it a reset link.",
                       code="user_inactive")
    org = Organisation.get_by_id(org_id)
    link = f"{base_url.rstrip('/')}/reset#{make_token(key, user, utcnow())}"
    body = (f"Hello {user.name or ''},\n\n"
            f"An admin of {org.name} asked vclinic to let you set a new password.\n"
            f"Open this link within {RESET_HOURS} hours to choose it:\n\n{link}\n\n"
            "The link works once. If you did not expect this email, tell your admin.\n")
    row = enqueue(user.email, SUBJECT, body, kind="account.password_reset")
    audit.record(org_id, actor_id, "user.password_reset_sent", user.id)
    return str(row.id)


def _email_invitation(user: User, org_name: str, actor_id: str, key: bytes,
                      base_url: str) -> None:
    link = f"{base_url.rstrip('/')}/reset#{make_token(key, user, utcnow(), INVITE_HOURS)}"
    body = (f"Hello {user.name or ''},\n\n"
            f"An admin of {org_name} made you an account on vclinic, the practice's video "
            f"visits.\nOpen this link within {INVITE_HOURS} hours to choose your password:"
            f"\n\n{link}\n\nThen sign in with this email address.\n")
    enqueue(user.email, INVITE_SUBJECT, body, kind="account.invitation")
    audit.record(user.organisation_id, actor_id, "user.invited", user.id)


async def invite_user(store: Store, key: bytes, org_slug: str, actor_id: str, email: str,
                      roles: str | Iterable[str], name: str, station: bool, base_url: str
                      ) -> User:
    """Create the account with an unusable random password and email it a link to choose its
    own, in one transaction (no account without its invitation). Raises as ``create_user``."""
    email, role_set, name = validate_new_user(email, roles, name)
    password_hash = await hash_password(new_token())

    def create() -> User:
        user = insert_user(org_slug, email, password_hash, role_set, name, station, actor_id)
        _email_invitation(user, user.organisation.name, actor_id, key, base_url)
        return user

    try:
        return await store.atomic(create)
    except peewee.IntegrityError:
        raise Conflict("An account with this email address already exists",
                       field="email") from None


async def email_reset(store: Store, key: bytes, org_id: str, actor_id: str, user_id: str,
                      base_url: str) -> str:
    """Queue an email to the account with a link to set a new password (its id, ids only in
    logs). NotFound for an account of another organisation, Conflict when it is deactivated."""
    email_id: str = await store.atomic(_email_reset, org_id, actor_id, user_id, key, base_url)
    return email_id


def _parse(token: str) -> tuple[str, int, str]:
    parts = token.split(".") if 0 < len(token) <= _TOKEN_MAX else []
    if len(parts) != 3 or not parts[1].isdigit():
        raise BadRequest(BAD_LINK, code="invalid_reset_link")
    return parts[0], int(parts[1]), parts[2]


def _redeem(key: bytes, token: str, password_hash: str, now: dt.datetime) -> None:
    user_id, expires, signature = _parse(token)
    user: User | None = User.get_or_none(User.id == user_id)
    if (user is None or not user.is_active or now.timestamp() > expires
            or not hmac.compare_digest(
                signature, _signature(key, user.id, expires, user.password_hash))):
        raise BadRequest(BAD_LINK, code="invalid_reset_link")
    User.update(password_hash=password_hash).where(User.id == user.id).execute()
    AuthSession.delete().where(AuthSession.user == user.id).execute()
    audit.record(user.organisation_id, user.id, "user.password_reset_completed", user.id)


async def redeem(store: Store, key: bytes, token: str, password: str) -> None:
    """Set ``password`` for the account the reset ``token`` names; BadRequest for a short
    password or a link that is unknown, used, expired or of a deactivated account."""
    _parse(token)
    validate_password(password)
    password_hash = await hash_password(password)
    await store.atomic(_redeem, key, token, password_hash, utcnow())
