"""Workflow plugins reach the core only through its public facade, ``vclinic.api``.

Parses every Python file under ``plugins/`` (no import, so a plugin's own dependencies need not
be installed) and fails naming each file and line that imports another ``vclinic`` module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
FACADE = "vclinic.api"


def core_imports(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of each import of a ``vclinic`` module other than the facade."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "vclinic":
                # ``from vclinic import api`` is the facade; ``from vclinic import store`` not.
                modules = [f"vclinic.{alias.name}" for alias in node.names]
        else:
            continue
        for module in modules:
            is_core = module == "vclinic" or module.startswith("vclinic.")
            is_facade = module == FACADE or module.startswith(f"{FACADE}.")
            if is_core and not is_facade:
                found.append((node.lineno, module))
    return found


FILES = sorted(p for p in PLUGINS.rglob("*.py") if ".egg-info" not in str(p))


def test_the_bundled_plugins_are_all_checked() -> None:
    names = {p.relative_to(PLUGINS).parts[0] for p in FILES}
    assert {"on_demand", "sessions", "virtual_clinic"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PLUGINS)))
def test_plugin_file_imports_only_the_facade(path: Path) -> None:
    found = core_imports(path.read_text())
    assert not found, f"{path.relative_to(PLUGINS)} imports core internals: " + ", ".join(
        f"line {line}: {module}" for line, module in found)


@pytest.mark.parametrize(("source", "expected"), [
    ("from vclinic.api import hookimpl", []),
    ("import vclinic.api.web", []),
    ("from vclinic import api", []),
    ("from vclinic_sessions import routes", []),
    ("from vclinic.store import User", [(1, "vclinic.store")]),
    ("import vclinic.server.security as s", [(1, "vclinic.server.security")]),
    ("from vclinic import notifications", [(1, "vclinic.notifications")]),
    ("def f():\n    from vclinic.sessions import link", [(2, "vclinic.sessions")]),
    ("if TYPE_CHECKING:\n    from vclinic.context import AppContext", [(2, "vclinic.context")]),
])
def test_the_check_tells_core_imports_from_the_facade(
        source: str, expected: list[tuple[int, str]]) -> None:
    assert core_imports(source) == expected
