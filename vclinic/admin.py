"""Operator commands behind ``vclinic admin`` and ``vclinic audit``: accounts and the audit trail.

Passwords come from a prompt or standard input, never from the command line (where every local
user could read them in the process list). Each change is one transaction with its audit event.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

import trio

from vclinic import accounts
from vclinic.accounts.password import hash_password
from vclinic.accounts.user import normalise_email, validate_password
from vclinic.errors import BadRequest, NotFound
from vclinic.startup import ExitCode
from vclinic.store import AuditEvent, AuthSession, Organisation, Store, User, UserRole, audit
from vclinic.store.fhir import audit_bundle


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a prompt that does not echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise BadRequest("The two passwords differ; nothing was changed")
    if not password:
        raise BadRequest("No password was given; nothing was changed")
    validate_password(password)
    return password


def _user_by_email(email: str) -> User:
    user: User | None = User.get_or_none(User.email == normalise_email(email))
    if user is None:
        raise NotFound("No account has this email address", field="email")
    return user


def _set_password(email: str, password_hash: str) -> tuple[str, int]:
    user = _user_by_email(email)
    User.update(password_hash=password_hash).where(User.id == user.id).execute()
    ended = AuthSession.delete().where(AuthSession.user == user.id).execute()
    audit.record(user.organisation_id, None, "user.password_reset", user.id)
    return user.id, int(ended)


def _deactivate(email: str) -> tuple[str, int]:
    user = _user_by_email(email)
    User.update(is_active=False).where(User.id == user.id).execute()
    ended = AuthSession.delete().where(AuthSession.user == user.id).execute()
    audit.record(user.organisation_id, None, "user.deactivated", user.id)
    return user.id, int(ended)


def _users(org_slug: str | None) -> list[tuple[User, str, list[str]]]:
    query = User.select(User, Organisation).join(Organisation).order_by(Organisation.slug,
                                                                         User.created_at)
    if org_slug is not None:
        if Organisation.get_or_none(Organisation.slug == org_slug) is None:
            raise NotFound("Organisation not found", field="organisation")
        query = query.where(Organisation.slug == org_slug)
    roles: dict[str, list[str]] = {}
    for row in UserRole.select().order_by(UserRole.role):
        roles.setdefault(row.user_id, []).append(row.role)
    return [(user, user.organisation.slug, roles.get(user.id, [])) for user in query]


async def run_admin(store: Store, args: argparse.Namespace) -> int:
    """Run ``vclinic admin <command>``; prints what was done (ids, not personal data)."""
    match args.admin_command:
        case "create-org":
            org = await accounts.create_org(store, args.name)
            print(org.slug)
        case "create-user":
            password = read_password(args.password_stdin)
            # create_user records the user.created audit event in its transaction.
            user = await accounts.create_user(store, args.org, args.email, password, args.role,
                                              args.name, station=args.station)
            print(f"Created user {user.id} with role {args.role}.")
        case "list-users":
            rows = await store.run(_users, args.org)
            header = ["id", "organisation", "roles", "state"] + (["email"] if args.emails else [])
            lines = [header]
            for user, slug, roles in rows:
                state = ("active" if user.is_active else "deactivated") + (
                    ", station" if user.is_station else "")
                line = [user.id, slug, ",".join(roles) or "-", state]
                lines.append([*line, user.email] if args.emails else line)
            widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
            for line in lines:
                print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                      .rstrip())
            print(f"{len(rows)} user(s)")
        case "reset-password":
            password = read_password(args.password_stdin)
            user_id, ended = await store.atomic(_set_password, args.email,
                                                await hash_password(password))
            print(f"New password set for user {user_id}; {ended} session(s) ended.")
        case "deactivate-user":
            user_id, ended = await store.atomic(_deactivate, args.email)
            print(f"Deactivated user {user_id}; {ended} session(s) ended.")
    return ExitCode.OK


def _org_id(slug: str) -> str:
    org: Organisation | None = Organisation.get_or_none(Organisation.slug == slug)
    if org is None:
        raise NotFound("Organisation not found", field="organisation")
    return str(org.id)


def _export(session_id: str) -> dict[str, Any]:
    events: list[AuditEvent] = audit.events_of(session_id)
    if not events:
        raise NotFound("No audit events name this session", field="session")
    return audit_bundle(events)


async def _read_anchors(path: trio.Path) -> dict[str, tuple[int, str]]:
    """The chains' newest rows kept by an earlier ``verify --anchors`` (none the first time)."""
    if not await path.exists():
        return {}
    try:
        kept = json.loads(await path.read_text())
        return {str(chain): (int(seq), str(hash_)) for chain, (seq, hash_) in kept.items()}
    except (ValueError, TypeError, AttributeError):
        raise BadRequest(f"{path} is not an anchors file written by vclinic audit verify",
                         field="anchors") from None


async def run_audit(store: Store, args: argparse.Namespace) -> int:
    """Run ``vclinic audit verify`` or ``vclinic audit export``."""
    if args.audit_command == "verify":
        org_id = await store.run(_org_id, args.org) if args.org else None
        report = await store.run(audit.verify, org_id)
        anchors = trio.Path(args.anchors) if args.anchors else None
        broken = report.broken
        if broken is None and anchors is not None:
            kept = await _read_anchors(anchors)
            if org_id is not None:
                kept = {org_id: kept[org_id]} if org_id in kept else {}
            broken = await store.run(audit.check_anchors, kept)
        if broken is not None:
            print(f"vclinic: the audit trail is broken at {broken.describe()}", file=sys.stderr)
            return ExitCode.AUDIT_BROKEN
        print(f"The audit trail is intact: {report.events} event(s) in {report.chains} "
              "chain(s).")
        if anchors is not None:
            kept = {**await _read_anchors(anchors), **report.heads}
            staged = trio.Path(f"{anchors}.new")
            await staged.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
            await staged.replace(anchors)
        return ExitCode.OK
    bundle = await store.run(_export, args.session)
    text = json.dumps(bundle, indent=2) + "\n"
    if args.output:
        await trio.Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return ExitCode.OK
