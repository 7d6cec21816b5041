"""The ``vclinic`` command as an operator uses it: admin commands, migrate, serve and SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import trio

from tests.fakes import Client


def run_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VCLINIC_DATA_DIR": str(tmp_path), "VCLINIC_LOG_LEVEL": "warning"}
    return subprocess.run([sys.executable, "-m", "vclinic", *args], env=env, text=True,
                          input=stdin, capture_output=True, timeout=120, check=False)


def test_admin_creates_an_organisation_and_a_user(tmp_path: Path) -> None:
    org = run_cli(tmp_path, "admin", "create-org", "--name", "Riverside Family Practice")
    assert org.returncode == 0, org.stderr
    assert org.stdout.strip() == "riverside-family-practice"
    user = run_cli(tmp_path, "admin", "create-user", "--org", "riverside-family-practice",
                   "--email", "dr.lee@riverside.example", "--password-stdin",
                   "--role", "provider", "--name", "Dr Sam Lee", stdin="correct-horse-9\n")
    assert user.returncode == 0, user.stderr
    again = run_cli(tmp_path, "admin", "create-user", "--org", "riverside-family-practice",
                    "--email", "dr.lee@riverside.example", "--password-stdin",
                    "--role", "provider", "--name", "Dr Sam Lee", stdin="correct-horse-9\n")
    assert again.returncode == 2
    assert "already" in again.stderr
    assert "dr.lee" not in again.stderr  # no personal data in error messages


def test_unknown_organisation_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "admin", "create-user", "--org", "nowhere", "--email",
                     "a@b.example", "--password-stdin", "--role", "staff",
                     "--name", "A B", stdin="long-enough-1\n")
    assert result.returncode == 2
    assert "organisation" in result.stderr.lower()


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    second = run_cli(tmp_path, "migrate")
    assert second.returncode == 0
    assert "up to date" in second.stdout


async def _until_ready(process: trio.Process) -> bytes:
    """What ``vclinic serve`` printed up to "Press Ctrl+C" (it is then serving)."""
    assert process.stdout is not None
    output = b""
    with trio.fail_after(60):
        while b"Press Ctrl+C" not in output:
            chunk = await process.stdout.receive_some()
            assert chunk, "the server exited before it was ready"
            output += chunk
    return output


# trio-websocket leaves its client socket to the garbage collector when the server closes the
# connection first, which is what this test makes the server do.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_serve_prints_accounts_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    # No media workers: this test sends no audio or video (stopping them is tested below).
    env = {**os.environ, "VCLINIC_DATA_DIR": str(tmp_path), "VCLINIC_LOG_LEVEL": "warning",
           "VCLINIC_MEDIA": "0"}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "vclinic", "serve", "--port", "0", "--demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    text = (await _until_ready(process)).decode()
    assert "admin@demo.clinic" in text and "station@demo.clinic" in text
    url = next(w for w in text.split() if w.startswith("http://")).rstrip("/")
    client = Client(url)
    try:
        assert (await client.signin("dr.ada@demo.clinic")).status_code == 200
        async with client.ws() as ws:
            await ws.next_event("hello")
            process.send_signal(signal.SIGTERM)
            with trio.fail_after(30):
                closed = await _wait_closed(ws)
            assert closed == 1001
    finally:
        await client.aclose()
    with trio.fail_after(30):
        assert await process.wait() == 0
    try:
        async with httpx.AsyncClient() as http:
            await http.get(url + "/healthz")
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the server still answers after SIGTERM")


async def _wait_closed(ws: object) -> int | None:
    from trio_websocket import ConnectionClosed

    try:
        while True:
            await ws.receive()  # type: ignore[attr-defined]
    except ConnectionClosed as closed:
        return closed.reason.code  # type: ignore[no-any-return]


class _Served:
    """``vclinic serve`` in its own process group, as a terminal runs it; its log collected."""

    def __init__(self, process: trio.Process, url: str) -> None:
        self.process = process
        self.url = url
        self.log = bytearray()
        self._grew = trio.Event()

    async def collect(self, stream: trio.abc.ReceiveStream) -> None:
        while chunk := await stream.receive_some():
            self.log += chunk
            self._grew.set()
            self._grew = trio.Event()

    async def wait_for_log(self, needle: bytes, count: int) -> None:
        with trio.fail_after(60):
            while self.log.count(needle) < count:
                await self._grew.wait()

    async def stop(self, signum: signal.Signals) -> int:
        """Signal the whole group, as Ctrl+C (SIGINT) or a service manager (SIGTERM) does."""
        os.killpg(self.process.pid, signum)
        with trio.fail_after(60):
            return await self.process.wait()


@asynccontextmanager
async def _serve_in_own_group(nursery: trio.Nursery, tmp_path: Path, *, log_level: str,
                              workers: int, media: bool = True) -> AsyncIterator[_Served]:
    env = {**os.environ, "VCLINIC_DATA_DIR": str(tmp_path), "VCLINIC_LOG_LEVEL": log_level,
           "VCLINIC_LOG_FORMAT": "json", "VCLINIC_MEDIA": "1" if media else "0"}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "vclinic", "serve", "--port", "0", "--demo",
         "--media-workers", str(workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    output = await _until_ready(process)
    url = next(w for w in output.decode().split() if w.startswith("http://")).rstrip("/")
    served = _Served(process, url)
    served.log += output
    nursery.start_soon(served.collect, process.stdout)
    nursery.start_soon(served.collect, process.stderr)
    try:
        yield served
    finally:
        # A test that failed halfway must not leave a node or its workers running.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_signalling_the_process_group_stops_without_restarting_media_workers(
        nursery: trio.Nursery, tmp_path: Path, signum: signal.Signals) -> None:
    async with _serve_in_own_group(nursery, tmp_path, log_level="info", workers=2) as served:
        await served.wait_for_log(b'"media_worker_ready"', 2)
        assert await served.stop(signum) == 0
        assert _group_is_gone(served.process.pid), "a process of the node outlived it"
    log = served.log.decode()
    assert '"stopped"' in log
    assert "media_worker_restarted" not in log
    assert "media_worker_died" not in log


async def test_patient_search_keeps_the_name_out_of_the_log(nursery: trio.Nursery,
                                                            tmp_path: Path) -> None:
    async with _serve_in_own_group(nursery, tmp_path, log_level="debug", workers=1,
                                   media=False) as served:
        client = Client(served.url)
        try:
            assert (await client.signin("dr.ada@demo.clinic")).status_code == 200
            made = await client.request("POST", "/api/v1/patients",
                                        json={"display_name": "Zebedee Quillfeather"})
            assert made.status_code == 201
            found = await client.request("POST", "/api/v1/patients/search",
                                         json={"q": "Quillfeather"})
            assert [p["display_name"] for p in found.json()["patients"]] == [
                "Zebedee Quillfeather"]
            refused = await client.request("POST", "/api/v1/patients/search",
                                           json={"q": "Quillfeather" * 10})
            assert refused.status_code == 400
            assert "Quillfeather" not in refused.text
            # The old query-string search is gone, so the name cannot reach a URL that way.
            assert (await client.request("GET", "/api/v1/patients?q=Quillfeather")
                    ).status_code == 405
        finally:
            await client.aclose()
        assert await served.stop(signal.SIGTERM) == 0
    assert b"Quillfeather" not in served.log  # not even in debug SQL logging
    assert b'"stopped"' in served.log
