from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from vclinic.config import Settings, field_docs, load_settings, settings_table
from vclinic.errors import ConfigError

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented_with_its_default() -> None:
    described = field_docs()
    for field in dataclasses.fields(Settings):
        assert field.name in described, f"{field.name} has no #: comment in config.py"
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
        ("port = 'high'\n", {}, "setting 'port' must be a number"),
        ("", {"VCLINIC_DEMO": "maybe"}, "setting 'demo' must be true or false"),
        ("", {"VCLINIC_PORT": "70000"}, "port must be between 0 and 65535"),
        ("", {"DATABASE_URL": "mysql://x"}, "database_url must start with"),
        ("port = [\n", {}, "is not valid TOML"),
        ('trusted_proxies = ["nginx"]\n', {}, "trusted_proxies: 'nginx' is not an address"),
        ("", {"VCLINIC_METRICS_ADDRESS": "9100"}, "metrics_address must be host:port"),
        ("", {"VCLINIC_SIGNIN_ACCOUNT_ATTEMPTS": "0"}, "signin_account_attempts must be"),
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
