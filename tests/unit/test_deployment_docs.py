"""The systemd unit and environment file of ``docs/deployment.md`` work as written: systemd
accepts the unit, its exit codes are the server's, and the environment file's variables and the
sample ``vclinic.toml`` load into the settings the service runs with."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require
from vclinic.config import load_settings
from vclinic.startup import ExitCode

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "deployment.md"
SAMPLE = REPO / "vclinic.toml"


def _block(language: str, first_line: str) -> str:
    """The fenced ``language`` block of the guide that starts with ``first_line``."""
    for found in re.finditer(rf"```{language}\n(.*?)```", GUIDE.read_text(), re.DOTALL):
        if found.group(1).startswith(first_line):
            return found.group(1)
    raise AssertionError(f"docs/deployment.md has no {language} block starting {first_line!r}")


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(_block("ini", "[Unit]"))
    return unit


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze")
    assert analyze is not None
    # The unit as written, run by this checkout's vclinic instead of /opt/vclinic/venv's.
    text = _block("ini", "[Unit]").replace("/opt/vclinic/venv/bin/vclinic",
                                           str(Path(sys.executable).with_name("vclinic")))
    (tmp_path / "vclinic.service").write_text(text)
    checked = subprocess.run([analyze, "verify", str(tmp_path / "vclinic.service")],
                             capture_output=True, text=True, timeout=60, check=False)
    # systemd ignores a line it cannot parse (exit status 0) and says so on stderr.
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr


def test_the_units_exit_codes_are_the_servers() -> None:
    service = _unit()["Service"]
    not_retried = {int(code) for code in service["RestartPreventExitStatus"].split()}
    assert not_retried == {ExitCode.CONFIG, ExitCode.ADDRESS, ExitCode.PLUGIN,
                           ExitCode.MIGRATION}
    assert ExitCode.DATABASE not in not_retried  # a database still starting is retried
    argv = shlex.split(service["ExecStart"])
    assert argv[1:] == ["--config", "/etc/vclinic/vclinic.toml", "serve"]


def test_the_environment_file_and_sample_config_load_as_the_service_would() -> None:
    service = _unit()["Service"]
    env = dict(line.split("=", 1) for line in _block("sh", "# /etc/vclinic/vclinic.env")
               .splitlines() if line and not line.startswith("#"))
    assert service["EnvironmentFile"] == "/etc/vclinic/vclinic.env"
    name, value = service["Environment"].split("=", 1)
    env[name] = value
    settings = load_settings(SAMPLE, env=env)
    assert str(settings.data_dir) == "/var/lib/vclinic" == service["WorkingDirectory"]
    assert settings.database_url == env["DATABASE_URL"]
    assert settings.smtp_password == env["VCLINIC_SMTP_PASSWORD"]
    assert settings.turn_secret == env["VCLINIC_TURN_SECRET"]
