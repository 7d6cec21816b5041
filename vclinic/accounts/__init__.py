"""Accounts: organisations, users, passwords, sign-in sessions and sign-in rate limits.

Domain logic only (no HTTP): the web layer calls these and maps vclinic.errors to responses.
"""

from __future__ import annotations

from vclinic.accounts.demo import DEMO_PASSWORD, DemoAccount, DemoInfo, seed_demo
from vclinic.accounts.directory import list_users, organisation_summary, user_summary
from vclinic.accounts.limiter import SigninLimiter
from vclinic.accounts.lockout import DEVICE_COOKIE, DEVICE_COOKIE_SECONDS, Attempt, SigninLockout
from vclinic.accounts.organisation import create_org, get_org, slugify
from vclinic.accounts.password import hash_password, needs_rehash, verify_password
from vclinic.accounts.session import (
    Principal,
    end_session,
    end_user_sessions,
    purge_expired_sessions,
    resolve_session,
    session_lifetimes,
    start_session,
)
from vclinic.accounts.user import (
    BAD_CREDENTIALS,
    authenticate,
    create_user,
    normalise_email,
    set_password,
    user_id_for_email,
    user_roles,
)

__all__ = [
    "BAD_CREDENTIALS",
    "DEMO_PASSWORD",
    "DEVICE_COOKIE",
    "DEVICE_COOKIE_SECONDS",
    "Attempt",
    "DemoAccount",
    "DemoInfo",
    "Principal",
    "SigninLimiter",
    "SigninLockout",
    "authenticate",
    "create_org",
    "create_user",
    "end_session",
    "end_user_sessions",
    "get_org",
    "hash_password",
    "list_users",
    "needs_rehash",
    "normalise_email",
    "organisation_summary",
    "purge_expired_sessions",
    "resolve_session",
    "seed_demo",
    "session_lifetimes",
    "set_password",
    "slugify",
    "start_session",
    "user_id_for_email",
    "user_roles",
    "user_summary",
    "verify_password",
]
