"""Fixtures for the Public Conference tests: a real node on loopback with the demo organisation
(and an SMTP server on 127.0.0.1 when a test asks for one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio

from tests.fakes import base_url, start_node
from tests.public_conference.office import Office
from tests.smtp import smtp_server  # noqa: F401 - a fixture
from vclinic.server.run import Running


@pytest.fixture
async def node(nursery: trio.Nursery, tmp_path: Path) -> Running:
    return await start_node(nursery, tmp_path)


@pytest.fixture
async def office(node: Running) -> AsyncIterator[Office]:
    people = await Office.open(base_url(node))
    yield people
    await people.aclose()
