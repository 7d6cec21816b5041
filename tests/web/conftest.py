from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio

from tests.fakes import Client, base_url, start_node
from vclinic.server.run import Running


@pytest.fixture
async def node(nursery: trio.Nursery, tmp_path: Path) -> Running:
    return await start_node(nursery, tmp_path)


@pytest.fixture
async def client(node: Running) -> AsyncIterator[Client]:
    c = Client(base_url(node))
    yield c
    await c.aclose()
