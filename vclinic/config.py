"""Settings of one vclinic deployment: defaults, then a TOML file, then the environment.

Every setting is a field of :class:`Settings`, validated by pydantic-settings;
``docs/configuration.md`` lists each with its default, and a test keeps the two in step. Values in
the TOML file are checked strictly (``port = "8000"`` and ``port = 8000.7`` are refused); the
environment overrides the file: a field ``foo_bar`` is read from ``VCLINIC_FOO_BAR`` (lists are
comma-separated, booleans are ``1/0``, ``true/false``, ``yes/no``), and ``DATABASE_URL`` sets
``database_url``.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from vclinic.errors import ConfigError

ENV_PREFIX = "VCLINIC_"

#: A list of strings: a TOML array, or a comma-separated environment variable.
StrList = Annotated[tuple[str, ...], NoDecode]
Positive = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]


class Settings(BaseSettings):
    """A deployment's settings; built once in the composition root and passed down.

    Constructing ``Settings(...)`` directly uses only the values given (tests do this);
    :func:`load_settings` layers the file, the environment and the command line.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="forbid", validate_default=True
    )

    #: Address the HTTP server listens on.
    host: str = "127.0.0.1"
    #: Port the HTTP server listens on (0 picks a free one).
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    #: URL the browser uses to reach the server; WebSocket and CSRF Origin checks accept it;
    #: emailed links lead there (required for them unless the node is reached on its own
    #: loopback address).
    public_url: str = ""
    #: Further origins allowed to open ``/ws`` and to make cookie-authenticated writes.
    allowed_origins: StrList = ()
    #: Folder for the SQLite database, the link key and recordings (``<data_dir>/recordings``).
    data_dir: str = "var"
    #: Database URL: ``sqlite:///path`` (default: ``<data_dir>/vclinic.db``) or ``postgresql://...``.
    database_url: str = ""
    #: Connections used by the database thread pool on PostgreSQL (SQLite always uses one writer).
    database_pool_size: Annotated[int, Field(ge=1)] = 8
    #: Workflow plugins enabled in this deployment, by name; ``["*"]`` enables every installed one.
    plugins: StrList = ("*",)
    #: A folder of local plugin modules (``*.py``) loaded besides the installed ones.
    plugins_dir: str = ""
    #: Create a demo organisation and demo accounts on first start.
    demo: bool = False
    #: Minutes of inactivity after which a signed-in user is signed out (automatic logoff).
    session_idle_minutes: Positive = 30
    #: Hours after sign-in after which a session ends whatever the activity.
    session_absolute_hours: Positive = 12
    #: Hours a requester station account stays signed in without activity.
    station_idle_hours: Positive = 24 * 30
    #: Failed sign-ins allowed per account from one client address in ``signin_window_seconds``.
    signin_attempts: Positive = 5
    #: The window over which failed sign-ins are counted.
    signin_window_seconds: Positive = 300
    #: Failed sign-ins allowed per account from anywhere in ``signin_account_window_seconds``;
    #: past it only browsers that signed in to the account before (known devices) may try.
    signin_account_attempts: Positive = 50
    #: The window of the per-account backstop.
    signin_account_window_seconds: Positive = 3600
    #: Addresses or networks (CIDR) of reverse proxies whose ``X-Forwarded-For``,
    #: ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` are believed; empty: none.
    trusted_proxies: StrList = ()
    #: Send the session cookie only over HTTPS (turn on behind TLS).
    secure_cookies: bool = False
    #: Largest WebSocket message accepted, in bytes.
    ws_max_message_bytes: Positive = 64 * 1024
    #: Seconds without traffic after which the server pings a WebSocket client.
    ws_ping_seconds: PositiveFloat = 20.0
    #: Seconds a client whose socket dropped stays in its session before it counts as gone.
    ws_grace_seconds: Annotated[float, Field(ge=0)] = 30.0
    #: Run media workers. Off, the node serves everything but audio and video, whose requests
    #: answer ``media_down`` (a node for tests that have no media starts faster).
    media: bool = True
    #: Media worker processes (0: one per core).
    media_workers: Annotated[int, Field(ge=0)] = 0
    #: Addresses media workers gather ICE host candidates on (empty: every interface's address).
    media_host_addresses: StrList = ()
    #: UDP ports media workers bind ICE sockets to, as ``first-last`` (e.g. ``"40000-40999"``):
    #: open this range to clients in the firewall. Empty: any free port.
    media_udp_port_range: str = ""
    #: Use H.264 (packetization-mode 1, constrained baseline) for a call's video when every
    #: participant offers it; otherwise, and for good once anyone lacks it, VP8.
    media_h264: bool = False
    #: STUN/TURN server URLs handed to clients (``stun:host:port``, ``turn:host:port``).
    ice_servers: StrList = ()
    #: Shared secret of coturn's ``use-auth-secret``; TURN credentials are minted from it.
    turn_secret: str = ""
    #: Seconds a minted TURN credential stays valid (should cover the longest visit).
    turn_ttl_seconds: Positive = 4 * 3600
    #: SMTP server for email notifications.
    smtp_host: str = "127.0.0.1"
    #: SMTP port.
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
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
    email_retry_seconds: PositiveFloat = 30.0
    #: Attempts after which an email is marked failed.
    email_max_attempts: Positive = 5
    #: Serve ``/metrics`` only on this ``host:port`` (e.g. ``127.0.0.1:9100``) instead of on the
    #: main address; empty: on the main address.
    metrics_address: str = ""
    #: Log level: debug, info, warning, error.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: Log format: ``auto`` (readable on a terminal, JSON lines otherwise), ``json`` or ``console``.
    log_format: Literal["auto", "json", "console"] = "auto"


    @field_validator("allowed_origins", "plugins", "media_host_addresses", "ice_servers",
                     "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        # The environment gives a list as one comma-separated string.
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is not an address or network") from None
        return value

    @field_validator("metrics_address")
    @classmethod
    def _check_metrics_address(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if value and (not host or not port.isdigit() or not 0 <= int(port) <= 65535):
            raise ValueError("write it as host:port, e.g. 127.0.0.1:9100")
        return value

    @field_validator("media_udp_port_range")
    @classmethod
    def _check_port_range(cls, value: str) -> str:
        if value:
            _parse_port_range(value)
        return value

    @property
    def media_udp_ports(self) -> tuple[int, int] | None:
        """``media_udp_port_range`` as (first, last), or None for any port."""
        return _parse_port_range(self.media_udp_port_range) if self.media_udp_port_range else None

    @model_validator(mode="after")
    def _check_database_url(self) -> Settings:
        if not self.resolved_database_url.startswith(("sqlite://", "postgresql://",
                                                      "postgres://")):
            raise ValueError("database_url must start with sqlite:// or postgresql://")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only the values given: load_settings layers the file, the environment and overrides,
        # so that constructing Settings in a test never picks up the process's environment.
        return (init_settings,)

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


def _parse_port_range(value: str) -> tuple[int, int]:
    first, sep, last = value.partition("-")
    if not (sep and first.strip().isdigit() and last.strip().isdigit()):
        raise ValueError("write the range as first-last, e.g. 40000-40999")
    low, high = int(first), int(last)
    if not 1024 <= low <= high <= 65535:
        raise ValueError("the range must lie within 1024-65535, first port first")
    return low, high


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of os.environ."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(Settings, env_prefix=ENV_PREFIX, case_sensitive=False,
                         env_ignore_empty=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._given, False, False, None)


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


def show_default(default: Any) -> str:
    """A setting's default as it is written in TOML."""
    if isinstance(default, tuple):
        return "[" + ", ".join(f'"{item}"' for item in default) + "]"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, str):
        return f'"{default}"'
    return str(default)


def settings_table() -> str:
    """The Markdown table of every setting, as ``docs/configuration.md`` shows it."""
    docs = field_docs()
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{name}` | `{ENV_PREFIX}{name.upper()}` | `{show_default(field.default)}` "
                    f"| {docs[name]} |")
    return "\n".join(rows) + "\n"


def _describe(error: Any) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "settings"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] in ("int_type", "float_type", "string_type", "bool_type", "tuple_type",
                         "int_from_float", "int_parsing", "float_parsing", "bool_parsing",
                         "literal_error", "greater_than", "greater_than_equal",
                         "less_than_equal", "less_than", "extra_forbidden"):
        message = message[0].lower() + message[1:]
        if error["type"] == "extra_forbidden":
            return f"unknown setting {name!r}"
        return f"setting {name!r}: {message} (got {error['input']!r})"
    return message if name == "settings" else f"setting {name!r}: {message}"


def _config_error(exc: ValidationError, where: str = "") -> ConfigError:
    first = _describe(exc.errors()[0])
    return ConfigError(f"{first}{where}")


def _read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings in the TOML file at ``path``, each checked strictly against its type."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {os.fspath(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {os.fspath(path)!r} cannot be read: "
                          f"{exc.__class__.__name__}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {os.fspath(path)!r} is not valid TOML: {exc}") from None
    section = data.get("vclinic", data)
    if not isinstance(section, dict):
        raise ConfigError(f"config file {os.fspath(path)!r}: [vclinic] must be a table")
    fields = Settings.model_fields
    unknown = sorted(set(section) - set(fields))
    if unknown:
        raise ConfigError(f"unknown settings in config file: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, raw in section.items():
        value = tuple(raw) if isinstance(raw, list) else raw
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(fields[key].annotation or Any)
            values[key] = adapter.validate_python(value, strict=True)
        except ValidationError as exc:
            error = {**exc.errors()[0], "loc": (key,), "input": raw}
            raise ConfigError(f"{_describe(error)} in config file") from None
    return values


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings from the defaults, the TOML file at ``path``, the environment, then
    ``overrides`` (used by the command line and by tests; ``None`` means "not given"). Unknown
    keys and values of the wrong type are an error naming the setting."""
    env = os.environ if env is None else env
    values: dict[str, Any] = _read_file(path) if path is not None else {}
    try:
        values.update(_EnvSource(env)())
    except Exception as exc:  # pydantic-settings raises SettingsError for undecodable values
        raise ConfigError(f"an environment variable could not be read: {exc}") from None
    if env.get("DATABASE_URL"):
        values["database_url"] = env["DATABASE_URL"]
    for key, raw in overrides.items():
        if key not in Settings.model_fields:
            raise ConfigError(f"unknown setting {key!r}")
        if raw is not None:
            values[key] = raw
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise _config_error(exc) from None
