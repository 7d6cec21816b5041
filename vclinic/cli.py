"""The ``vclinic`` command: serve, migrate, list plugins, and operator commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import trio

from vclinic import __version__
from vclinic.bootstrap import load_plugins, prepare_store
from vclinic.config import Settings, load_settings
from vclinic.errors import BadRequest, ConfigError
from vclinic.log import configure
from vclinic.startup import ExitCode, Failure, classify, report
from vclinic.store import ROLES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vclinic", description="Self-hosted telehealth server.")
    parser.add_argument("--version", action="version", version=f"vclinic {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML settings file")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--config", metavar="FILE", dest="sub_config", help="TOML settings file")
    serve.add_argument("--demo", action="store_true", default=None,
                       help="create a demo organisation and accounts on first start")
    serve.add_argument("--media-workers", type=int, help="media worker processes (0: one per core)")

    for name, text in (("migrate", "apply pending database migrations"),
                       ("plugins", "list installed plugins and whether each is enabled")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--config", metavar="FILE", dest="sub_config")

    admin = commands.add_parser("admin", help="operator commands").add_subparsers(
        dest="admin_command", required=True)
    org = admin.add_parser("create-org", help="create an organisation; prints its slug")
    org.add_argument("--name", required=True)
    user = admin.add_parser("create-user", help="create a user in an organisation")
    user.add_argument("--org", required=True, metavar="SLUG")
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--name", required=True, metavar="FULL NAME")
    user.add_argument("--station", action="store_true",
                      help="a dedicated requester station that stays signed in")
    listing = admin.add_parser("list-users", help="list accounts (ids, roles, state; no emails "
                               "unless --emails)")
    listing.add_argument("--org", metavar="SLUG", help="only this organisation")
    listing.add_argument("--emails", action="store_true", help="show email addresses too")
    reset = admin.add_parser("reset-password", help="set a new password; signs the user out")
    reset.add_argument("--email", required=True)
    deactivate = admin.add_parser("deactivate-user",
                                  help="stop an account signing in and end its sessions")
    deactivate.add_argument("--email", required=True)
    for sub in (user, reset):
        sub.add_argument("--password-stdin", action="store_true",
                         help="read the password from standard input instead of a prompt")
        # Refused: a password on the command line is visible to every local user (ps).
        sub.add_argument("--password", help=argparse.SUPPRESS)
    for sub in (org, user, listing, reset, deactivate):
        sub.add_argument("--config", metavar="FILE", dest="sub_config")

    audit = commands.add_parser("audit", help="check or export the audit trail").add_subparsers(
        dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="check every audit chain; exit 8 if one is broken")
    verify.add_argument("--org", metavar="SLUG", help="only this organisation")
    verify.add_argument("--anchors", metavar="FILE",
                        help="check each chain still holds the last row recorded in FILE by the "
                        "previous run (finds deleted newest rows), then record the new ones")
    export = audit.add_parser("export", help="one encounter's events as a FHIR R4 Bundle of "
                              "AuditEvent resources")
    export.add_argument("--session", required=True, metavar="ID", help="the session's id")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    for sub in (verify, export):
        sub.add_argument("--config", metavar="FILE", dest="sub_config")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``vclinic`` command; the exit code says why it stopped (see ``ExitCode``)."""
    args = _parser().parse_args(argv)
    config = getattr(args, "sub_config", None) or args.config
    overrides: dict[str, Any] = {}
    if args.command == "serve":
        overrides = {"host": args.host, "port": args.port, "demo": args.demo,
                     "media_workers": args.media_workers}
    try:
        settings = load_settings(config, **overrides)
    except ConfigError as err:
        # The settings that say how to log are the ones that failed: take the format from the
        # environment if it is a valid one.
        fmt = os.environ.get("VCLINIC_LOG_FORMAT", "auto")
        fmt = fmt if fmt in ("auto", "json", "console") else "auto"
        configure("info", fmt)
        return _fail(Failure(ExitCode.CONFIG, "invalid_config", err.message), fmt)
    configure(settings.log_level, settings.log_format)
    try:
        return trio.run(_COMMANDS[args.command], settings, args)
    except KeyboardInterrupt:
        return ExitCode.OK
    except Exception as exc:
        failure = classify(exc, settings.resolved_database_url)
        if failure is None:
            raise
        return _fail(failure, settings.log_format)


def _fail(failure: Failure, fmt: str) -> int:
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    report(failure, as_json)
    return failure.exit_code


async def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from vclinic.server.run import serve

    async with trio.open_nursery() as nursery:
        running = await nursery.start(serve, settings)
        _announce(running.urls, running.context.demo)
    return 0


def _announce(urls: list[str], demo: Any) -> None:
    url = urls[0].replace("0.0.0.0", "127.0.0.1") if urls else "?"
    lines = ["", f"vclinic is running: open {url}/ in your browser.",
             f"  API docs: {url}/docs   health: {url}/healthz", ""]
    if demo is not None:
        lines += [*demo.lines(), ""]
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), flush=True)


async def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    store = await prepare_store(settings, load_plugins(settings))
    store.close()
    print("The database is up to date.")
    return 0


async def _plugins(settings: Settings, args: argparse.Namespace) -> int:
    from vclinic.plugins.listing import format_plugin_table

    print(format_plugin_table(load_plugins(settings)))
    return 0


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    from vclinic.admin import run_admin

    if getattr(args, "password", None) is not None:
        raise BadRequest("--password is no longer accepted: a password on the command line is "
                         "visible to other users of this machine; give it at the prompt or with "
                         "--password-stdin")
    store = await prepare_store(settings, load_plugins(settings))
    try:
        return await run_admin(store, args)
    finally:
        store.close()


async def _audit(settings: Settings, args: argparse.Namespace) -> int:
    from vclinic.admin import run_audit

    store = await prepare_store(settings, load_plugins(settings))
    try:
        return await run_audit(store, args)
    finally:
        store.close()


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Awaitable[int]]] = {
    "serve": _serve, "migrate": _migrate, "plugins": _plugins, "admin": _admin, "audit": _audit,
}
