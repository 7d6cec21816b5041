"""The wheels as an operator installs them (docs/deployment.md): built from the source tree,
installed into a fresh virtualenv, served by that venv's ``vclinic serve``.

Offline and quick: the wheels are built without build isolation (setuptools and wheel come with
the test extra), and the fresh venv reaches the third-party dependencies of this test run through
a ``.pth`` line, while vclinic and its plugins come only from the wheels just built. Required
under CI=true (a missing build tool fails the run instead of skipping).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest
import trio

from tests.conftest import require
from tests.e2e.test_cli import _until_ready

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, text=True, capture_output=True,
                            timeout=300, check=False)
    assert result.returncode == 0, f"{args[:4]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _copy_sources(into: Path) -> list[Path]:
    """The projects to build, copied so the build writes nothing into the checkout."""
    junk = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    shutil.copytree(ROOT / "vclinic", into / "vclinic", symlinks=True, ignore=junk)
    shutil.copytree(ROOT / "web", into / "web", ignore=junk)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, into / name)
    plugins = []
    for plugin in PLUGINS:
        shutil.copytree(plugin, into / "plugins" / plugin.name, ignore=junk)
        plugins.append(into / "plugins" / plugin.name)
    return [into, *plugins]


def _fresh_venv(path: Path) -> Path:
    """A venv without vclinic whose Python finds this run's third-party packages."""
    _run(sys.executable, "-m", "venv", "--without-pip", path, cwd=path.parent)
    python = path / "bin" / "python"
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                   cwd=path.parent).strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # Appended after the venv's own site-packages, so the installed wheels come first. The
    # editable installs of this run are not active there: their .pth hooks are not processed.
    Path(purelib, "vclinic_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def test_wheel_install_serves_the_pages_and_static_files(tmp_path: Path) -> None:
    require(importlib.util.find_spec("setuptools") is not None
            and importlib.util.find_spec("wheel") is not None,
            "setuptools and wheel (the test extra) to build the wheels")
    projects = _copy_sources(tmp_path / "src")
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
         "--no-build-isolation", "-w", wheels, *projects, cwd=tmp_path)
    built = sorted(wheels.glob("*.whl"))
    assert len(built) == 1 + len(PLUGINS), [w.name for w in built]

    python = _fresh_venv(tmp_path / "venv")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", *built, cwd=tmp_path)
    where = _run(python, "-c", "import vclinic, vclinic_sessions; "
                 "print(vclinic.__file__); print(vclinic_sessions.__file__)", cwd=tmp_path)
    for line in where.split():
        assert line.startswith(str(tmp_path / "venv")), f"not imported from the wheel: {line}"
    # Every file of the UI and of each plugin's static folder was installed.
    assert _installed(python, "vclinic", "web", tmp_path) == _files(ROOT / "web")
    for plugin in PLUGINS:
        package = f"vclinic_{plugin.name}"
        assert _installed(python, package, "static", tmp_path) == _files(
            plugin / package / "static"), package

    served = trio.run(_fetch_from_served, tmp_path)
    assert served["/signin"][0] == 200
    assert "<title>" in served["/signin"][1].decode()
    assert served["/signin"][1] == (ROOT / "web" / "signin.html").read_bytes()
    assert served["/static/css/app.css"] == (200, (ROOT / "web/static/css/app.css").read_bytes())
    section = PLUGINS[0] / f"vclinic_{PLUGINS[0].name}" / "static" / "section.js"
    assert served[f"/static/{PLUGINS[0].name}/section.js"] == (200, section.read_bytes())
    # The API reference works from the wheel too: its page and its vendored renderer.
    assert served["/docs"] == (200, (ROOT / "web/apidocs/swagger.html").read_bytes())
    bundle = ROOT / "web/static/vendor/swagger-ui/swagger-ui-bundle.js"
    assert served["/static/vendor/swagger-ui/swagger-ui-bundle.js"] == (200, bundle.read_bytes())


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def _installed(python: Path, package: str, folder: str, cwd: Path) -> set[str]:
    """The files under ``folder`` of ``package`` as installed for ``python``."""
    listing = _run(python, "-c", f"""
import importlib.resources as r
from pathlib import Path
root = Path(str(r.files({package!r}) / {folder!r}))
print("\\n".join(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()))
""", cwd=cwd)
    return set(listing.split("\n")) - {""}


async def _fetch_from_served(tmp_path: Path) -> dict[str, tuple[int, bytes]]:
    """Start the fresh venv's ``vclinic serve`` outside the checkout and GET a few paths."""
    env = {**os.environ, "VCLINIC_DATA_DIR": str(tmp_path / "data"),
           "VCLINIC_LOG_LEVEL": "warning", "VCLINIC_MEDIA": "0"}
    env.pop("PYTHONPATH", None)
    process = await trio.lowlevel.open_process(
        [str(tmp_path / "venv" / "bin" / "vclinic"), "serve", "--port", "0", "--demo"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        output = (await _until_ready(process)).decode()
        url = next(w for w in output.split() if w.startswith("http://")).rstrip("/")
        plugin = PLUGINS[0].name
        paths = ["/signin", "/static/css/app.css", f"/static/{plugin}/section.js", "/docs",
                 "/static/vendor/swagger-ui/swagger-ui-bundle.js"]
        async with httpx.AsyncClient(base_url=url) as http:
            responses = {path: await http.get(path) for path in paths}
        return {path: (r.status_code, r.content) for path, r in responses.items()}
    finally:
        process.terminate()
        with trio.fail_after(60):
            await process.wait()
