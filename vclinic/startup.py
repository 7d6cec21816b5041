"""Why a ``vclinic`` command could not start: one exit code per cause, told in one line.

The command line turns an exception that ended a command into a :class:`Failure` (an exit code
from :class:`ExitCode`, a reason an operator's tooling can branch on, and a message a person can
act on) and prints it as one line on stderr: a JSON log line when logs are JSON, else plain
text. ``docs/deployment.md`` lists the codes. An exception that is none of these is a bug: it
keeps its traceback.
"""

from __future__ import annotations

import dataclasses
import enum
import errno
import socket
import sys
from collections.abc import Iterator
from urllib.parse import urlparse

import peewee

from vclinic.errors import (
    AddressInUse,
    ConfigError,
    DatabaseUnavailable,
    MigrationError,
    PluginError,
    VclinicError,
)
from vclinic.log import get_logger


class ExitCode(enum.IntEnum):
    """Exit status of ``vclinic``; each start-up failure has its own."""

    OK = 0
    #: An unexpected error (a bug): the traceback is logged.
    INTERNAL = 1
    #: A command was refused (bad arguments, an operator command's conflict or unknown id).
    REFUSED = 2
    #: The settings are invalid (config file, environment or command line).
    CONFIG = 3
    #: The database cannot be reached or opened.
    DATABASE = 4
    #: The HTTP address is in use or may not be bound.
    ADDRESS = 5
    #: An enabled plugin is missing, broken or incompatible.
    PLUGIN = 6
    #: A schema migration failed (it was rolled back).
    MIGRATION = 7
    #: ``vclinic audit verify`` found an edited or deleted audit row.
    AUDIT_BROKEN = 8


@dataclasses.dataclass(frozen=True)
class Failure:
    """Why a command stopped: exit code, machine-readable reason, one-line message."""

    exit_code: ExitCode
    reason: str
    message: str


def describe_database(url: str) -> str:
    """The database named without its credentials: ``postgresql://host:port/name`` or the path."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return url
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.hostname or ''}{port}{parsed.path}"


def database_unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """The error for a database that cannot be reached, naming it and the driver's first line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseUnavailable(
        f"the database {describe_database(url)} cannot be reached: {first}"
    )


def check_address(host: str, port: int) -> None:
    """Raise :class:`AddressInUse` if ``host:port`` cannot be bound (0 always can).

    Checked before anything else starts, so that a taken port fails fast and alone; the server
    binds for real moments later.
    """
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise AddressInUse(f"cannot listen on {host}:{port}: unknown host name") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise address_error(host, port, exc) from None


def address_error(host: str, port: int, exc: OSError) -> AddressInUse:
    """The error for an address the server could not bind."""
    if exc.errno == errno.EADDRINUSE:
        why = "the port is already in use by another program"
    elif exc.errno == errno.EACCES:
        why = "permission denied (ports below 1024 need privileges)"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = "the address is not one of this machine's"
    else:
        why = exc.strerror or type(exc).__name__
    return AddressInUse(f"cannot listen on {host}:{port}: {why}")


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def classify(exc: BaseException, database_url: str = "") -> Failure | None:
    """The failure ``exc`` stands for, or ``None`` for an unexpected error (a bug).

    Exception groups (from nurseries) are searched for the first error that is understood.
    """
    for leaf in _leaves(exc):
        if isinstance(leaf, peewee.OperationalError | peewee.InterfaceError):
            leaf = database_unavailable(database_url, leaf)
        if isinstance(leaf, OSError) and leaf.errno in (errno.EADDRINUSE, errno.EACCES):
            leaf = AddressInUse(f"cannot listen: {leaf.strerror}")
        match leaf:
            case ConfigError():
                return Failure(ExitCode.CONFIG, "invalid_config", leaf.message)
            case DatabaseUnavailable():
                return Failure(ExitCode.DATABASE, "database_unavailable", leaf.message)
            case AddressInUse():
                return Failure(ExitCode.ADDRESS, "address_in_use", leaf.message)
            case PluginError():
                return Failure(ExitCode.PLUGIN, "plugin_error", leaf.message)
            case MigrationError():
                return Failure(ExitCode.MIGRATION, "migration_failed", leaf.message)
            case VclinicError():
                return Failure(ExitCode.REFUSED, leaf.code, leaf.message)
    return None


def report(failure: Failure, as_json: bool) -> None:
    """Tell the operator, in one line on stderr, why the command stopped."""
    if as_json:
        event = "command_failed" if failure.exit_code is ExitCode.REFUSED else "startup_failed"
        get_logger("startup").error(event, reason=failure.reason,
                                    exit_code=int(failure.exit_code), message=failure.message)
    else:
        print(f"vclinic: {failure.message}", file=sys.stderr, flush=True)
