"""Fixtures for the real-browser tests: Chromium (skipped locally when absent, a failure under
CI=true), a node with demo accounts in a background thread, and axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tests.web.browser.harness import TRACK_PEERS, NodeThread, axe_script
from tests.web.browser.sample_plugin import write_test_plugins


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeThread]:
    data = tmp_path_factory.mktemp("node")
    plugins = write_test_plugins(tmp_path_factory.mktemp("plugins"))
    running = NodeThread(data, plugins_dir=str(plugins)).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def axe() -> Path:
    script = axe_script()
    require(script is not None, "axe-core from npm (node_modules/axe-core)")
    assert script is not None
    return script


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) per test; its pages record their peer connections."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(TRACK_PEERS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
