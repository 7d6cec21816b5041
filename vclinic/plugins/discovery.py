"""Finding installed plugins without importing them; used by the plugin host.

Two places hold plugins: the entry-point group ``vclinic`` of installed distributions, and a
deployment's plugins directory (``*.py`` files and packages). Discovery only reads names and
versions, so that a plugin the deployment does not enable is never imported: a broken or
incompatible disabled plugin cannot stop the server.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.machinery
import importlib.metadata
import os
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path

from vclinic.errors import PluginError

ENTRY_POINT_GROUP = "vclinic"


@dataclasses.dataclass(frozen=True)
class Candidate:
    """An installed plugin found by discovery; ``load()`` imports it and returns the plugin."""

    name: str
    version: str
    source: str
    load: Callable[[], object] = dataclasses.field(compare=False, repr=False)


def from_entry_points(
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> list[Candidate]:
    """The plugins declared in the ``vclinic`` entry-point group of installed distributions.

    The same entry point seen twice (a distribution on ``sys.path`` twice) counts once; two
    different entry points with one name are an error, since config could not tell them apart.
    """
    if entry_points is None:
        entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    found: dict[str, tuple[str, Candidate]] = {}
    for ep in entry_points:
        dist = ep.dist
        version = dist.version if dist is not None else ""
        dist_name = dist.name if dist is not None else "?"
        candidate = Candidate(
            name=ep.name,
            version=version,
            source=f"entry point {dist_name} {version}".rstrip(),
            load=ep.load,
        )
        if ep.name in found:
            if found[ep.name][0] == ep.value:
                continue
            raise PluginError(
                f"two entry points in group {ENTRY_POINT_GROUP!r} are named {ep.name!r}: "
                f"{found[ep.name][0]!r} and {ep.value!r}; uninstall one of them"
            )
        found[ep.name] = (ep.value, candidate)
    return [candidate for _, candidate in found.values()]


def from_directory(directory: str | os.PathLike[str]) -> list[Candidate]:
    """The plugins in a deployment's plugins directory: each ``name.py`` and each package.

    Files starting with ``_`` or ``.`` are skipped. Modules are imported under a package name
    private to the directory, so a file called ``json.py`` does not shadow the standard library.
    """
    root = Path(directory)
    if not root.is_dir():
        raise PluginError(f"plugins_dir {os.fspath(directory)!r} is not a directory")
    candidates = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_file() and path.suffix == ".py":
            name = path.stem
        elif path.is_dir() and (path / "__init__.py").is_file():
            name = path.name
        else:
            continue
        if not name.isidentifier():
            continue
        candidates.append(Candidate(
            name=name,
            version="",
            source=f"directory {root}",
            load=_directory_loader(root, name),
        ))
    return candidates


def _directory_loader(root: Path, name: str) -> Callable[[], object]:
    def load() -> object:
        package = _directory_package(root)
        return importlib.import_module(f"{package}.{name}")

    return load


def _directory_package(root: Path) -> str:
    """A synthetic package whose ``__path__`` is ``root``, so that plugin packages in the
    directory can use relative imports; named after the directory to keep two apart."""
    resolved = root.resolve()
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:12]
    name = f"_vclinic_plugins_dir_{digest}"
    if name not in sys.modules:
        package = types.ModuleType(name, f"vclinic plugins directory {resolved}")
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(resolved)]
        package.__spec__ = spec
        package.__path__ = [str(resolved)]
        sys.modules[name] = package
    return name
