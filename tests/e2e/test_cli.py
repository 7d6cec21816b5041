"""The ``vclinic`` command as an operator uses it: admin commands, migrate, serve and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import trio

from tests.fakes import Client


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VCLINIC_DATA_DIR": str(tmp_path), "VCLINIC_LOG_LEVEL": "warning"}
    return subprocess.run([sys.executable, "-m", "vclinic", *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def test_admin_creates_an_organisation_and_a_user(tmp_path: Path) -> None:
    org = run_cli(tmp_path, "admin", "create-org", "--name", "Riverside Family Practice")
    assert org.returncode == 0, org.stderr
    assert org.stdout.strip() == "riverside-family-practice"
    user = run_cli(tmp_path, "admin", "create-user", "--org", "riverside-family-practice",
                   "--email", "dr.lee@riverside.example", "--password", "correct-horse-9",
                   "--role", "provider", "--name", "Dr Sam Lee")
    assert user.returncode == 0, user.stderr
    again = run_cli(tmp_path, "admin", "create-user", "--org", "riverside-family-practice",
                    "--email", "dr.lee@riverside.example", "--password", "correct-horse-9",
                    "--role", "provider", "--name", "Dr Sam Lee")
    assert again.returncode == 2
    assert "already" in again.stderr
    assert "dr.lee" not in again.stderr  # no personal data in error messages


def test_unknown_organisation_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "admin", "create-user", "--org", "nowhere", "--email",
                     "a@b.example", "--password", "long-enough-1", "--role", "staff",
                     "--name", "A B")
    assert result.returncode == 2
    assert "organisation" in result.stderr.lower()


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "migrate").returncode == 0
    second = run_cli(tmp_path, "migrate")
    assert second.returncode == 0
    assert "up to date" in second.stdout


# trio-websocket leaves its client socket to the garbage collector when the server closes the
# connection first, which is what this test makes the server do.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_serve_prints_accounts_then_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "VCLINIC_DATA_DIR": str(tmp_path), "VCLINIC_LOG_LEVEL": "warning"}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "vclinic", "serve", "--port", "0", "--demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    output = b""
    with trio.fail_after(60):
        while b"Press Ctrl+C" not in output:
            chunk = await process.stdout.receive_some()
            assert chunk, "the server exited before it was ready"
            output += chunk
    text = output.decode()
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
