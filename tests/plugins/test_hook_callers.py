"""Every hook is honest: each hookspec has a caller in production code, not only in tests.

A hook is called through a typed method of ``PluginHost`` (the method names the hook), and that
method must be called from the core or a bundled plugin. A hookspec nobody calls would be a
promise to plugin authors that the server never keeps.
"""

from __future__ import annotations

import ast
from pathlib import Path

from vclinic.plugins import hookspecs, host

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(n for n in dir(hookspecs) if n.startswith("vclinic_")
               and callable(getattr(hookspecs, n)))


def _host_methods() -> dict[str, set[str]]:
    """``{hook: {PluginHost methods whose body names the hook}}``."""
    tree = ast.parse(Path(host.__file__).read_text())
    found: dict[str, set[str]] = {hook: set() for hook in HOOKS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "PluginHost":
            for method in node.body:
                if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for inner in ast.walk(method):
                    if isinstance(inner, ast.Constant) and inner.value in found:
                        found[inner.value].add(method.name)
    return found


def _called_in_production() -> set[str]:
    """Names of every method called on the plugin host (``plugins.name(...)``,
    ``self.service.plugins.name(...)``, ``host.name(...)``) in the core and bundled plugins,
    outside the host itself."""
    sources = [*(ROOT / "vclinic").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]
    called: set[str] = set()
    for path in sources:
        if path.resolve() == Path(host.__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                name = receiver.attr if isinstance(receiver, ast.Attribute) else (
                    receiver.id if isinstance(receiver, ast.Name) else "")
                if name in {"plugins", "host"}:
                    called.add(node.func.attr)
    return called


def test_every_hookspec_is_called_by_a_host_method() -> None:
    missing = [hook for hook, methods in _host_methods().items() if not methods]
    assert missing == [], f"hookspecs no PluginHost method calls: {missing}"


def test_every_hook_has_a_caller_outside_tests() -> None:
    called = _called_in_production()
    uncalled = {hook: sorted(methods) for hook, methods in _host_methods().items()
                if not methods & called}
    assert uncalled == {}, f"hooks whose PluginHost method nothing in vclinic/ or plugins/ " \
                           f"calls: {uncalled}"


def test_the_check_sees_a_hook_without_a_caller() -> None:
    # The check itself must be able to fail: a method nobody calls is found.
    assert "notification_channels" in _called_in_production()
    assert "no_such_method_anywhere" not in _called_in_production()
