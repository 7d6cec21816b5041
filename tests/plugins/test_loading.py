"""Loading plugins from the entry-point group, a plugins directory and a deployment's config."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from vclinic.config import load_settings
from vclinic.errors import PluginError
from vclinic.plugins import PluginHost
from vclinic.plugins.discovery import from_entry_points

from .conftest import Site

HELLO = """
    from quart import Blueprint
    from vclinic.plugins import hookimpl

    VCLINIC_PLUGIN_API = (1, 0)
    __version__ = "0.3"
    bp = Blueprint("{name}", __name__, url_prefix="/api/v1/{name}")

    @hookimpl
    def vclinic_register_blueprints():
        return [bp]
"""


def write(path: Path, source: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))


@pytest.fixture
def no_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep workflow plugins installed in this environment out of directory-only tests."""
    monkeypatch.setattr("vclinic.plugins.discovery.importlib.metadata.entry_points",
                        lambda group: [])


@pytest.mark.usefixtures("no_installed_plugins")
def test_plugins_directory_loads_modules_and_packages(tmp_path: Path) -> None:
    write(tmp_path / "hello.py", HELLO.format(name="hello"))
    write(tmp_path / "json.py", HELLO.format(name="json"))  # must not shadow the stdlib
    write(tmp_path / "greeter" / "__init__.py", """
        from .routes import bp
        from vclinic.plugins import hookimpl

        VCLINIC_PLUGIN_API = (1, 0)

        @hookimpl
        def vclinic_register_blueprints():
            return [bp]
    """)
    write(tmp_path / "greeter" / "routes.py", """
        from quart import Blueprint
        bp = Blueprint("greeter", __name__)
    """)
    write(tmp_path / "_helpers.py", "raise RuntimeError('not a plugin')\n")
    write(tmp_path / "notes.txt", "not a plugin\n")
    host = PluginHost(plugins_dir=tmp_path)
    host.load()
    assert sorted(bp.name for bp in host.blueprints()) == ["greeter", "hello", "json"]
    info = {i.name: i for i in host.installed()}
    assert sorted(info) == ["greeter", "hello", "json"]
    assert info["hello"].version == "0.3"
    assert info["hello"].source == f"directory {tmp_path}"
    import json

    assert hasattr(json, "dumps")


@pytest.mark.usefixtures("no_installed_plugins")
def test_disabled_plugin_in_directory_is_listed_but_never_imported(tmp_path: Path) -> None:
    write(tmp_path / "hello.py", HELLO.format(name="hello"))
    write(tmp_path / "broken.py", "raise RuntimeError('imported although disabled')\n")
    host = PluginHost(enabled=("hello",), plugins_dir=tmp_path)
    host.load()
    assert [(i.name, i.enabled) for i in host.installed()] == [("broken", False), ("hello", True)]


@pytest.mark.usefixtures("no_installed_plugins")
def test_enabled_plugin_that_fails_to_import_names_the_plugin(tmp_path: Path) -> None:
    write(tmp_path / "broken.py", "import no_such_module_anywhere\n")
    host = PluginHost(plugins_dir=tmp_path)
    with pytest.raises(PluginError, match=r"plugin 'broken' .* could not be imported: "
                                          r"ModuleNotFoundError"):
        host.load()


def test_missing_plugins_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="is not a directory"):
        PluginHost(plugins_dir=tmp_path / "nope").load()


def test_entry_point_plugin_is_found_with_its_distribution(site: Site) -> None:
    site.install("vclinic-hello", "1.2.0", {"hello_ep": "vclinic_test_hello_ep"},
                 {"vclinic_test_hello_ep": HELLO.format(name="hello_ep")})
    host = PluginHost(enabled=("hello_ep",))
    host.load()
    info = {i.name: i for i in host.installed()}
    assert info["hello_ep"].enabled
    assert info["hello_ep"].version == "1.2.0"
    assert info["hello_ep"].source == "entry point vclinic-hello 1.2.0"
    assert [bp.name for bp in host.blueprints()] == ["hello_ep"]


def test_entry_point_plugin_for_another_api_is_refused(site: Site) -> None:
    site.install("vclinic-old", "0.1", {"old_ep": "vclinic_test_old_ep"},
                 {"vclinic_test_old_ep": "VCLINIC_PLUGIN_API = (0, 4)\n"})
    with pytest.raises(PluginError, match=r"'old_ep' was written for plugin API 0\.4, but this "
                                          r"vclinic provides plugin API 1\.0"):
        PluginHost(enabled=("old_ep",)).load()


def test_two_entry_points_with_one_name_are_refused(site: Site) -> None:
    site.install("vclinic-a", "1.0", {"twin_ep": "vclinic_test_twin_a"},
                 {"vclinic_test_twin_a": HELLO.format(name="a")})
    site.install("vclinic-b", "1.0", {"twin_ep": "vclinic_test_twin_b"},
                 {"vclinic_test_twin_b": HELLO.format(name="b")})
    with pytest.raises(PluginError, match=r"two entry points .* named 'twin_ep'"):
        from_entry_points()


def test_entry_point_and_directory_plugin_with_one_name_are_refused(
    site: Site, tmp_path: Path
) -> None:
    site.install("vclinic-same", "1.0", {"same_ep": "vclinic_test_same_ep"},
                 {"vclinic_test_same_ep": HELLO.format(name="same")})
    write(tmp_path / "plugins" / "same_ep.py", HELLO.format(name="same2"))
    host = PluginHost(enabled=("same_ep",), plugins_dir=tmp_path / "plugins")
    with pytest.raises(PluginError, match="two plugins are named 'same_ep'"):
        host.load()


@pytest.mark.usefixtures("no_installed_plugins")
def test_deployment_config_enables_plugins_by_name(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    for name in ("visits", "queue", "conference"):
        write(plugins / f"{name}.py", HELLO.format(name=name))
    config = tmp_path / "vclinic.toml"
    config.write_text(f'plugins = ["visits", "queue"]\nplugins_dir = "{plugins}"\n')
    host = PluginHost.from_settings(load_settings(config, env={}))
    host.load()
    assert sorted(bp.name for bp in host.blueprints()) == ["queue", "visits"]
    assert [(i.name, i.enabled) for i in host.installed()] == [
        ("conference", False), ("queue", True), ("visits", True)]


@pytest.mark.usefixtures("no_installed_plugins")
def test_default_config_enables_every_installed_plugin(tmp_path: Path) -> None:
    write(tmp_path / "visits.py", HELLO.format(name="visits"))
    host = PluginHost.from_settings(load_settings(env={}, plugins_dir=str(tmp_path)))
    host.load()
    assert [(i.name, i.enabled) for i in host.installed()] == [("visits", True)]


def test_loading_twice_is_refused() -> None:
    host = PluginHost(enabled=())
    host.load()
    with pytest.raises(PluginError, match="already loaded"):
        host.load()


def test_plugin_object_from_an_entry_point_declares_its_api_in_its_module(site: Site) -> None:
    site.install("vclinic-cls", "2.0", {"cls_ep": "vclinic_test_cls_ep:plugin"},
                 {"vclinic_test_cls_ep": """
                     from quart import Blueprint
                     from vclinic.plugins import hookimpl

                     VCLINIC_PLUGIN_API = (1, 0)

                     class Plugin:
                         @hookimpl
                         def vclinic_register_blueprints(self):
                             return [Blueprint("cls_ep", __name__)]

                     plugin = Plugin()
                 """})
    host = PluginHost(enabled=("cls_ep",))
    host.load()
    assert [bp.name for bp in host.blueprints()] == ["cls_ep"]


def test_an_entry_point_seen_twice_on_the_path_counts_once(site: Site, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    site.install("vclinic-dup", "1.0", {"dup_ep": "vclinic_test_dup_ep"},
                 {"vclinic_test_dup_ep": HELLO.format(name="dup")})
    monkeypatch.syspath_prepend(str(site.root))  # the same folder twice, as with editable installs
    monkeypatch.syspath_prepend(str(site.root.parent / "site-packages"))
    assert [c.name for c in from_entry_points() if c.name == "dup_ep"] == ["dup_ep"]
