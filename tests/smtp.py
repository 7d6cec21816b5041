"""An SMTP server for tests: aiosmtpd in a subprocess on 127.0.0.1 writing to a Maildir."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import eventually


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """aiosmtpd in a subprocess on 127.0.0.1, storing what it receives in a Maildir."""
    port, maildir = free_port(), tmp_path / "maildir"
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("aiosmtpd exited before it listened")
                time.sleep(0.05)
        yield port, maildir
    finally:
        process.terminate()
        process.wait(timeout=10)


async def wait_for_mail(maildir: Path) -> list[mailbox.MaildirMessage]:
    async def delivered() -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(maildir)) if (maildir / "new").exists() else []

    return await eventually(delivered, "the SMTP server to receive the email")  # type: ignore[no-any-return]
