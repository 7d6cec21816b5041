"""Fixtures for the Virtual Clinic tests: a real node on loopback with the demo organisation,
and signed-in clients for a provider, a second provider, the requester station and the admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trio

from tests.fakes import base_url, start_node
from tests.virtual_clinic.clinic import Clinic
from vclinic.server.run import Running


@pytest.fixture
async def node(nursery: trio.Nursery, tmp_path: Path) -> Running:
    return await start_node(nursery, tmp_path)


@pytest.fixture
async def clinic(node: Running) -> AsyncIterator[Clinic]:
    people = await Clinic.open(base_url(node))
    yield people
    await people.aclose()

