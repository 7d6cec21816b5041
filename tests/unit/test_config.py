from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from vclinic.config import Settings, field_docs, load_settings, settings_table
from vclinic.errors import ConfigError

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented_with_its_default() -> None:
    described = field_docs()
    for name in Settings.model_fields:
        assert name in described, f"{name} has no #: comment in config.py"
    # Regenerate with: python -c "from vclinic.config import settings_table as t; print(t())"
    assert settings_table() in DOC.read_text(), "docs/configuration.md's table is out of date"


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    path = tmp_path / "vclinic.toml"
    path.write_text('port = 9000\nplugins = ["sessions"]\nlog_level = "debug"\n')
    env = {"VCLINIC_PORT": "9100", "VCLINIC_DEMO": "yes", "DATABASE_URL": "postgresql://x/y"}
    settings = load_settings(path, env=env, host="0.0.0.0")
    assert settings.port == 9100
    assert settings.plugins == ("sessions",)
    assert settings.demo is True
    assert settings.log_level == "debug"
    assert settings.host == "0.0.0.0"
    assert settings.resolved_database_url == "postgresql://x/y"


def test_sqlite_default_lives_in_the_data_dir() -> None:
    settings = load_settings(env={"VCLINIC_DATA_DIR": "/srv/vclinic"})
    assert settings.resolved_database_url == "sqlite:////srv/vclinic/vclinic.db"


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("prot = 1\n", {}, "unknown settings in config file: prot"),
        ("port = 'high'\n", {}, "setting 'port': input should be a valid integer"),
        ("", {"VCLINIC_DEMO": "maybe"}, "setting 'demo': input should be a valid boolean"),
        ("", {"VCLINIC_PORT": "70000"}, "setting 'port': input should be less than or equal"),
        # A TOML file is typed: a quoted number or a fraction is a mistake, not a port.
        ('port = "8000"\n', {}, "setting 'port': input should be a valid integer"),
        ("port = 8000.7\n", {}, "setting 'port': input should be a valid integer"),
        ("signin_attempts = 0\n", {}, "setting 'signin_attempts': input should be greater"),
        ("secure_cookies = 1\n", {}, "setting 'secure_cookies': input should be a valid bool"),
        ('plugins = "sessions"\n', {}, "setting 'plugins': input should be a valid tuple"),
        ('log_format = "xml"\n', {}, "setting 'log_format': input should be 'auto'"),
        ("", {"VCLINIC_SIGNIN_ATTEMPTS": "0"}, "setting 'signin_attempts': input should be"),
        ('media_udp_port_range = "40000"\n', {}, "setting 'media_udp_port_range': write the "
         "range as first-last"),
        ('media_udp_port_range = "500-600"\n', {}, "must lie within 1024-65535"),
        ("", {"DATABASE_URL": "mysql://x"}, "database_url must start with"),
        ("port = [\n", {}, "is not valid TOML"),
        ('trusted_proxies = ["nginx"]\n', {},
         "setting 'trusted_proxies': 'nginx' is not an address"),
        ("", {"VCLINIC_METRICS_ADDRESS": "9100"},
         "setting 'metrics_address': write it as host:port"),
        ("", {"VCLINIC_SIGNIN_ACCOUNT_ATTEMPTS": "0"},
         "setting 'signin_account_attempts': input should be greater"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    tmp_path: Path, content: str, env: dict[str, str], message: str
) -> None:
    path = tmp_path / "vclinic.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings(path, env=env)


def test_missing_config_file_is_named() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings("/nonexistent/vclinic.toml", env={})


def test_environment_values_are_parsed_as_documented() -> None:
    env = {"VCLINIC_ALLOWED_ORIGINS": "https://a.example, https://b.example",
           "VCLINIC_SECURE_COOKIES": "1", "VCLINIC_WS_PING_SECONDS": "7.5",
           "VCLINIC_SMTP_STARTTLS": "no"}
    settings = load_settings(env=env)
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.secure_cookies is True
    assert settings.ws_ping_seconds == 7.5
    assert settings.smtp_starttls is False


def test_a_whole_number_is_accepted_where_a_fraction_may_be_given(tmp_path: Path) -> None:
    path = tmp_path / "vclinic.toml"
    path.write_text("[vclinic]\nws_ping_seconds = 5\nmedia_h264 = true\n")
    settings = load_settings(path, env={})
    assert settings.ws_ping_seconds == 5.0
    assert settings.media_h264 is True


def test_settings_cannot_be_changed_after_start() -> None:
    settings = load_settings(env={})
    with pytest.raises(ValidationError):
        settings.port = 9  # type: ignore[misc]


def test_media_udp_port_range_is_read_as_two_ports() -> None:
    assert load_settings(env={}).media_udp_ports is None
    settings = load_settings(env={"VCLINIC_MEDIA_UDP_PORT_RANGE": "40000-40999"})
    assert settings.media_udp_ports == (40000, 40999)
