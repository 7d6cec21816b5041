"""``vclinic serve`` that cannot start says why in one line on stderr, with its own exit code."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from vclinic.startup import ExitCode


def serve(
    tmp_path: Path, *args: str, config: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "vclinic"]
    if config:
        path = tmp_path / "vclinic.toml"
        path.write_text(config)
        command += ["--config", str(path)]
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith("VCLINIC_") and key != "DATABASE_URL"}
    environ |= {"VCLINIC_DATA_DIR": str(tmp_path / "data"), "VCLINIC_MEDIA_WORKERS": "1", **env}
    return subprocess.run([*command, "serve", "--port", "0", *args], env=environ, text=True,
                          capture_output=True, timeout=120, check=False)


def one_json_line(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line: dict[str, object] = json.loads(lines[0])
    assert line["event"] == "startup_failed"
    assert line["level"] == "error"
    return line


@pytest.mark.parametrize("config", ['port = "8000"\n', "port = 8000.7\n", "signin_attempts = 0\n"])
def test_a_setting_of_the_wrong_type_is_one_line_naming_it(tmp_path: Path, config: str) -> None:
    result = serve(tmp_path, config=config)
    assert result.returncode == ExitCode.CONFIG
    line = one_json_line(result)
    assert line["reason"] == "invalid_config"
    name = config.split(" ")[0]
    assert f"setting '{name}'" in str(line["message"])


def test_on_a_terminal_format_the_error_is_plain_text(tmp_path: Path) -> None:
    result = serve(tmp_path, config="prot = 1\n", VCLINIC_LOG_FORMAT="console")
    assert result.returncode == ExitCode.CONFIG
    assert result.stderr == "vclinic: unknown settings in config file: prot\n"


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path: Path) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = serve(tmp_path, DATABASE_URL=f"postgresql://vclinic:s3cret@127.0.0.1:{port}/clinic")
    assert result.returncode == ExitCode.DATABASE
    line = one_json_line(result)
    assert line["reason"] == "database_unavailable"
    assert f"postgresql://127.0.0.1:{port}/clinic cannot be reached" in str(line["message"])
    assert "s3cret" not in result.stderr


def test_a_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    result = serve(tmp_path, DATABASE_URL=f"sqlite:///{folder}")
    assert result.returncode == ExitCode.DATABASE
    assert "cannot be reached" in str(one_json_line(result)["message"])


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve(tmp_path, "--port", str(port))
    assert result.returncode == ExitCode.ADDRESS
    line = one_json_line(result)
    assert line["message"] == f"cannot listen on 127.0.0.1:{port}: the port is already in use " \
                              "by another program"


def test_a_missing_plugin_is_one_line(tmp_path: Path) -> None:
    result = serve(tmp_path, config='plugins = ["sessions", "billing"]\n')
    assert result.returncode == ExitCode.PLUGIN
    assert "not installed: billing" in str(one_json_line(result)["message"])


def test_a_failing_migration_is_one_line_and_rolled_back(tmp_path: Path) -> None:
    plugins = tmp_path / "local_plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text(
        "from vclinic.plugins import Migration, hookimpl\n"
        "VCLINIC_PLUGIN_API = (1, 0)\n"
        "def apply(db):\n"
        "    db.execute_sql('CREATE TABLE broken_half (id INTEGER)')\n"
        "    db.execute_sql('ALTER TABLE no_such_table ADD COLUMN x INTEGER')\n"
        "@hookimpl\n"
        "def vclinic_register_migrations():\n"
        "    return [Migration('broken:0001', apply)]\n"
    )
    config = f'plugins_dir = "{plugins}"\nplugins = ["sessions", "broken"]\n'
    result = serve(tmp_path, config=config, VCLINIC_LOG_LEVEL="warning")
    assert result.returncode == ExitCode.MIGRATION
    line = one_json_line(result)
    assert line["reason"] == "migration_failed"
    assert "migration broken:0001 failed and was rolled back" in str(line["message"])
    with sqlite3.connect(tmp_path / "data" / "vclinic.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "broken_half" not in tables
    assert "organisations" in tables  # the migrations before it stay applied
