"""A throwaway PostgreSQL cluster for one test: its own data folder and port, stopped at will.

Tests that take the database down use this, never the machine's shared server. Run as root, the
cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio

from tests.conftest import require


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A PostgreSQL server on 127.0.0.1:``port`` whose data lives in ``folder``."""

    def __init__(self, bindir: str, folder: str, port: int, prefix: list[str]) -> None:
        self.bindir = bindir
        self.folder = folder
        self.port = port
        self.prefix = prefix
        self.url = f"postgresql://vclinic@127.0.0.1:{port}/postgres"

    async def _ctl(self, *args: str) -> None:
        await trio.run_process(
            [*self.prefix, f"{self.bindir}/pg_ctl", "-D", f"{self.folder}/data", "-w", *args],
            capture_stdout=True, capture_stderr=True,
        )

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        await self._ctl("-o", options, "-l", f"{self.folder}/log", "start")

    async def stop(self) -> None:
        await self._ctl("-m", "fast", "stop")


@asynccontextmanager
async def throwaway_cluster() -> AsyncIterator[Cluster]:
    """Create, start and finally remove a cluster; skips when PostgreSQL is not installed."""
    bindir = _binaries()
    require(bindir is not None, "PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    assert bindir is not None
    folder = tempfile.mkdtemp(prefix="vclinic-pg-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(bindir, folder, _free_port(), prefix)
    try:
        await trio.run_process(
            [*prefix, f"{bindir}/initdb", "-D", f"{folder}/data", "-A", "trust", "-U", "vclinic",
             "--no-sync", "-E", "UTF8"], capture_stdout=True, capture_stderr=True)
        await cluster.start()
        try:
            yield cluster
        finally:
            with trio.CancelScope(shield=True):
                await trio.run_process(
                    [*prefix, f"{bindir}/pg_ctl", "-D", f"{folder}/data", "-m", "immediate",
                     "stop"], check=False, capture_stdout=True, capture_stderr=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
