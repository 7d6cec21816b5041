"""``vclinic plugins`` lists the installed plugins and whether each is enabled."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import run_cli
from vclinic.startup import ExitCode


def test_plugins_lists_local_plugins_and_their_state(tmp_path: Path) -> None:
    plugins = tmp_path / "local_plugins"
    plugins.mkdir()
    for name in ("greeter", "dormant"):
        (plugins / f"{name}.py").write_text(
            "from vclinic.plugins import hookimpl\n"
            "VCLINIC_PLUGIN_API = (1, 0)\n"
        )
    config = tmp_path / "vclinic.toml"
    config.write_text(f'plugins_dir = "{plugins}"\nplugins = ["greeter"]\n')
    result = run_cli(tmp_path, "--config", str(config), "plugins")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]
            if line.strip() and "installed" not in line}
    assert rows["greeter"][2] == "yes"
    assert rows["dormant"][2] == "no"
    assert result.stdout.strip().endswith(", 1 enabled")


def test_enabling_an_unknown_plugin_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "vclinic.toml"
    config.write_text('plugins = ["no_such_plugin"]\n')
    result = run_cli(tmp_path, "--config", str(config), "plugins")
    assert result.returncode == ExitCode.PLUGIN
    assert "no_such_plugin" in result.stderr
