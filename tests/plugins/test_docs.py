"""docs/plugins.md keeps up with the hookspecs: every hook documented, every example working."""

from __future__ import annotations

import inspect
import re
import sys
import tomllib
import types
from pathlib import Path

import pytest
from quart_trio import QuartTrio

from vclinic.plugins import PluginHost, hookspecs

from .conftest import Site

DOCS = Path(__file__).parents[2] / "docs" / "plugins.md"
HOOK_HEADING = re.compile(r"^### `(vclinic_\w+)\(([^)]*)\)`$", re.MULTILINE)
CODE_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", re.DOTALL)


def hookspec_functions() -> dict[str, types.FunctionType]:
    return {
        name: fn for name, fn in vars(hookspecs).items()
        if inspect.isfunction(fn) and hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec")
    }


def documented_hooks() -> dict[str, tuple[str, str]]:
    """``{hook: (documented parameters, the section's text)}`` from docs/plugins.md."""
    text = DOCS.read_text()
    headings = list(HOOK_HEADING.finditer(text))
    sections = {}
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        sections[match.group(1)] = (match.group(2), text[match.end():end])
    return sections


HOOKS = sorted(hookspec_functions())


def test_hookspecs_exist_and_are_prefixed() -> None:
    assert len(HOOKS) >= 13
    assert all(name.startswith("vclinic_") for name in HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook: str) -> None:
    documented = documented_hooks()
    assert hook in documented, f"{hook} is not documented in docs/plugins.md"
    params = [p.strip() for p in documented[hook][0].split(",") if p.strip()]
    assert params == list(inspect.signature(hookspec_functions()[hook]).parameters), (
        f"docs/plugins.md documents {hook} with other parameters than hookspecs.py"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_hookspec_docstring_says_who_calls_it_and_whether_it_is_firstresult(hook: str) -> None:
    doc = inspect.getdoc(hookspec_functions()[hook])
    assert doc, f"{hook} has no docstring"
    assert "Called by" in doc, f"{hook}'s docstring does not say who calls it"
    assert "firstresult" in doc, f"{hook}'s docstring does not say whether it is firstresult"


def test_docs_document_no_hook_that_does_not_exist() -> None:
    assert sorted(documented_hooks()) == HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_example_registers_with_the_host(
    hook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = documented_hooks()[hook][1]
    examples = [code for lang, code in CODE_BLOCK.findall(section) if lang == "python"]
    assert examples, f"docs/plugins.md has no Python example for {hook}"
    module = types.ModuleType(f"example_{hook}")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look it up
    exec(compile(examples[0], f"docs/plugins.md ({hook})", "exec"), module.__dict__)
    module.VCLINIC_PLUGIN_API = (1, 0)  # examples leave it out for brevity
    host = PluginHost()
    host.register(module, "example")
    assert hasattr(getattr(module, hook), f"{hookspecs.PROJECT_NAME}_impl")


def example_files(root: Path) -> dict[str, str]:
    """Write the complete example plugin's files from docs/plugins.md under ``root``."""
    files = dict(FILE_BLOCK.findall(DOCS.read_text()))
    assert {"pyproject.toml", "vclinic_hello/__init__.py", "vclinic_hello/static/section.js"} <= (
        files.keys()
    )
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return files


async def test_complete_example_plugin_installed_by_its_entry_point_works(site: Site) -> None:
    files = example_files(site.root)
    project = tomllib.loads(files["pyproject.toml"])["project"]
    site.install(project["name"], project["version"], project["entry-points"]["vclinic"], {})
    site.modules.append("vclinic_hello")
    host = PluginHost(enabled=("hello",))
    host.load()
    assert [(i.name, i.version, i.title) for i in host.installed() if i.name == "hello"] == [
        ("hello", "0.1.0", "Hello")]

    sections = host.dashboard_sections(principal=None)
    assert [s.id for s in sections] == ["hello"]
    static = host.static_dirs()
    prefix, folder = next(iter(static.items()))
    assert sections[0].module_url.startswith(prefix + "/")
    assert (folder / sections[0].module_url.removeprefix(prefix + "/")).is_file()

    app = QuartTrio(__name__)
    for blueprint in host.blueprints():
        app.register_blueprint(blueprint)
    response = await app.test_client().get("/api/v1/hello/greeting")
    assert response.status_code == 200
    assert await response.get_json() == {"greeting": "Hello from a plugin"}


def test_complete_example_plugin_works_from_the_plugins_directory(tmp_path: Path) -> None:
    example_files(tmp_path)
    host = PluginHost(enabled=("vclinic_hello",), plugins_dir=tmp_path)
    host.load()
    assert [s.id for s in host.dashboard_sections(principal=None)] == ["hello"]
    assert [bp.name for bp in host.blueprints()] == ["hello"]
