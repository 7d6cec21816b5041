"""Settings of one vclinic deployment: defaults, then a TOML file, then the environment.

Every setting is a field of :class:`Settings`; ``docs/configuration.md`` lists each with its
default, and a test keeps the two in step. The environment overrides the file: a field ``foo_bar``
is read from ``VCLINIC_FOO_BAR`` (lists are comma-separated, booleans are ``1/0``, ``true/false``,
``yes/no``), and ``DATABASE_URL`` sets ``database_url``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vclinic.errors import ConfigError

ENV_PREFIX = "VCLINIC_"


@dataclasses.dataclass(frozen=True)
class Settings:
    """A deployment's settings; built once in the composition root and passed down."""

    #: Address the HTTP server listens on.
    host: str = "127.0.0.1"
    #: Port the HTTP server listens on (0 picks a free one).
    port: int = 8000
    #: URL the browser uses to reach the server; WebSocket and CSRF Origin checks accept it.
    public_url: str = ""
    #: Further origins allowed to open ``/ws`` and to make cookie-authenticated writes.
    allowed_origins: tuple[str, ...] = ()
    #: Folder for the SQLite database, the link key and recordings (``<data_dir>/recordings``).
    data_dir: str = "var"
    #: Database URL: ``sqlite:///path`` (default: ``<data_dir>/vclinic.db``) or ``postgresql://...``.
    database_url: str = ""
    #: Connections used by the database thread pool on PostgreSQL (SQLite always uses one writer).
    database_pool_size: int = 8
    #: Workflow plugins enabled in this deployment, by name; ``["*"]`` enables every installed one.
    plugins: tuple[str, ...] = ("*",)
    #: A folder of local plugin modules (``*.py``) loaded besides the installed ones.
    plugins_dir: str = ""
    #: Create a demo organisation and demo accounts on first start.
    demo: bool = False
    #: Minutes of inactivity after which a signed-in user is signed out (automatic logoff).
    session_idle_minutes: int = 30
    #: Hours after sign-in after which a session ends whatever the activity.
    session_absolute_hours: int = 12
    #: Hours a requester station account stays signed in without activity.
    station_idle_hours: int = 24 * 30
    #: Failed sign-ins allowed per account from one client address in ``signin_window_seconds``.
    signin_attempts: int = 5
    #: The window over which failed sign-ins are counted.
    signin_window_seconds: int = 300
    #: Failed sign-ins allowed per account from anywhere in ``signin_account_window_seconds``;
    #: past it only browsers that signed in to the account before (known devices) may try.
    signin_account_attempts: int = 50
    #: The window of the per-account backstop.
    signin_account_window_seconds: int = 3600
    #: Addresses or networks (CIDR) of reverse proxies whose ``X-Forwarded-For``,
    #: ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` are believed; empty: none.
    trusted_proxies: tuple[str, ...] = ()
    #: Send the session cookie only over HTTPS (turn on behind TLS).
    secure_cookies: bool = False
    #: Largest WebSocket message accepted, in bytes.
    ws_max_message_bytes: int = 64 * 1024
    #: Seconds without traffic after which the server pings a WebSocket client.
    ws_ping_seconds: float = 20.0
    #: Seconds a client whose socket dropped stays in its session before it counts as gone.
    ws_grace_seconds: float = 30.0
    #: Run media workers. Off, the node serves everything but audio and video, whose requests
    #: answer ``media_down`` (a node for tests that have no media starts faster).
    media: bool = True
    #: Media worker processes (0: one per core).
    media_workers: int = 0
    #: Addresses media workers gather ICE host candidates on (empty: every interface's address).
    media_host_addresses: tuple[str, ...] = ()
    #: Use H.264 (packetization-mode 1, constrained baseline) for a call's video when every
    #: participant offers it; otherwise, and for good once anyone lacks it, VP8.
    media_h264: bool = False
    #: STUN/TURN server URLs handed to clients (``stun:host:port``, ``turn:host:port``).
    ice_servers: tuple[str, ...] = ()
    #: Shared secret of coturn's ``use-auth-secret``; TURN credentials are minted from it.
    turn_secret: str = ""
    #: Seconds a minted TURN credential stays valid (should cover the longest visit).
    turn_ttl_seconds: int = 4 * 3600
    #: SMTP server for email notifications.
    smtp_host: str = "127.0.0.1"
    #: SMTP port.
    smtp_port: int = 25
    #: Sender address of email notifications.
    smtp_from: str = "vclinic@localhost"
    #: Display name on the From header of email notifications (``vclinic <clinic@...>``).
    smtp_from_name: str = "vclinic"
    #: Upgrade the SMTP connection with STARTTLS.
    smtp_starttls: bool = False
    #: SMTP user name (empty: no authentication).
    smtp_username: str = ""
    #: SMTP password.
    smtp_password: str = ""
    #: Seconds before the first retry of an email that failed; doubled for each further attempt.
    email_retry_seconds: float = 30.0
    #: Attempts after which an email is marked failed.
    email_max_attempts: int = 5
    #: Serve ``/metrics`` only on this ``host:port`` (e.g. ``127.0.0.1:9100``) instead of on the
    #: main address; empty: on the main address.
    metrics_address: str = ""
    #: Log level: debug, info, warning, error.
    log_level: str = "info"
    #: Log format: ``auto`` (readable on a terminal, JSON lines otherwise), ``json`` or ``console``.
    log_format: str = "auto"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir) / 'vclinic.db'}"

    @property
    def origins(self) -> frozenset[str]:
        """Origins accepted for WebSocket upgrades and cookie-authenticated writes."""
        found = {o.rstrip("/") for o in self.allowed_origins}
        if self.public_url:
            found.add(self.public_url.rstrip("/"))
        return frozenset(found)


def field_docs() -> dict[str, str]:
    """Each setting's one-line description, read from the ``#:`` comments above its field."""
    source = Path(__file__).read_text().splitlines()
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in source:
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
            continue
        name = stripped.split(":", 1)[0]
        if pending and name.isidentifier():
            docs[name] = " ".join(pending)
        pending = []
    return docs


def settings_table() -> str:
    """The Markdown table of every setting, as ``docs/configuration.md`` shows it."""
    docs = field_docs()
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for field in dataclasses.fields(Settings):
        default = field.default
        if isinstance(default, tuple):
            shown = "[" + ", ".join(f'"{item}"' for item in default) + "]"
        elif isinstance(default, bool):
            shown = str(default).lower()
        elif isinstance(default, str):
            shown = f'"{default}"'
        else:
            shown = str(default)
        rows.append(f"| `{field.name}` | `{ENV_PREFIX}{field.name.upper()}` | `{shown}` | "
                    f"{docs[field.name]} |")
    return "\n".join(rows) + "\n"


def _convert(name: str, annotation: Any, raw: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is tuple:
        items = [p.strip() for p in raw.split(",") if p.strip()] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ConfigError(f"setting {name!r} must be a list of strings")
        return tuple(items)
    if origin in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if annotation is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"setting {name!r} must be true or false, not {raw!r}")
    if annotation in (int, float):
        if isinstance(raw, bool):
            raise ConfigError(f"setting {name!r} must be a number")
        try:
            return annotation(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name!r} must be a number, not {raw!r}") from None
    if annotation is str:
        if not isinstance(raw, str):
            raise ConfigError(f"setting {name!r} must be a string")
        return raw
    raise ConfigError(f"setting {name!r} has an unsupported type")  # pragma: no cover


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings from the defaults, the TOML file at ``path``, the environment, then
    ``overrides`` (used by the command line and by tests). Unknown keys are an error, so that a
    misspelt setting is not silently ignored."""
    env = os.environ if env is None else env
    hints = typing.get_type_hints(Settings)
    names = {f.name for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}

    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"config file {os.fspath(path)!r} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {os.fspath(path)!r} is not valid TOML: {exc}") from None
        section = data.get("vclinic", data)
        unknown = sorted(set(section) - names)
        if unknown:
            raise ConfigError(f"unknown settings in config file: {', '.join(unknown)}")
        for key, raw in section.items():
            values[key] = _convert(key, hints[key], raw)

    for key in names:
        env_key = ENV_PREFIX + key.upper()
        if env_key in env:
            values[key] = _convert(key, hints[key], env[env_key])
    if env.get("DATABASE_URL"):
        values["database_url"] = env["DATABASE_URL"]

    for key, raw in overrides.items():
        if key not in names:
            raise ConfigError(f"unknown setting {key!r}")
        if raw is not None:
            values[key] = _convert(key, hints[key], raw) if isinstance(raw, str) else raw

    settings = Settings(**values)
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    if not 0 <= settings.port <= 65535:
        raise ConfigError("port must be between 0 and 65535")
    if settings.log_format not in ("auto", "json", "console"):
        raise ConfigError("log_format must be auto, json or console")
    if settings.log_level not in ("debug", "info", "warning", "error"):
        raise ConfigError("log_level must be debug, info, warning or error")
    url = settings.resolved_database_url
    if not url.startswith(("sqlite://", "postgresql://", "postgres://")):
        raise ConfigError("database_url must start with sqlite:// or postgresql://")
    if settings.media_workers < 0:
        raise ConfigError("media_workers must be 0 (one per core) or more")
    if settings.metrics_address:
        host, _, port = settings.metrics_address.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ConfigError("metrics_address must be host:port, e.g. 127.0.0.1:9100")
    for network in settings.trusted_proxies:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"trusted_proxies: {network!r} is not an address or network"
                              ) from None
    for positive in ("session_idle_minutes", "session_absolute_hours", "ws_max_message_bytes",
                     "turn_ttl_seconds", "signin_attempts", "signin_window_seconds",
                     "signin_account_attempts", "signin_account_window_seconds"):
        if getattr(settings, positive) <= 0:
            raise ConfigError(f"{positive} must be greater than zero")
