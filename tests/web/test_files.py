"""A file response cancelled while it starts closes its file (quart-trio 0.12 leaves it open)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import trio

from vclinic.server.files import SafeFileBody


async def test_a_file_response_cancelled_while_starting_closes_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "live.js"
    path.write_bytes(b"x" * 10_000)
    opened: list[Any] = []
    real_open = trio.open_file

    with trio.CancelScope() as scope:
        async def open_then_client_leaves(*args: Any, **kwargs: Any) -> Any:
            file = await real_open(*args, **kwargs)
            opened.append(file)
            scope.cancel()  # the client goes away between the open and the seek
            return file

        monkeypatch.setattr(trio, "open_file", open_then_client_leaves)
        async with SafeFileBody(path):
            raise AssertionError("the body must not start once its client has gone")
    monkeypatch.undo()
    [file] = opened
    assert file.closed
    async with SafeFileBody(path) as body:
        assert b"".join([chunk async for chunk in body]) == path.read_bytes()
