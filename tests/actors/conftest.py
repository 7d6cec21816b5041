"""Fixtures shared by the actor tests."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing


def _count_tasks(task: trio.lowlevel.Task) -> int:
    return 1 + sum(_count_tasks(child) for nursery in task.child_nurseries
                   for child in nursery.child_tasks)


@pytest.fixture
def live_tasks() -> Callable[[], int]:
    """Counts every task of the current trio run, to show a test left none behind."""
    def count() -> int:
        root = trio.lowlevel.current_root_task()
        assert root is not None
        return _count_tasks(root)

    return count


def _fail_when_hung(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    @functools.wraps(test)  # keeps the signature, so fixtures are still injected
    async def guarded(**kwargs: Any) -> None:
        # A broken reply path hangs a caller forever; fail instead of blocking the whole run.
        # Under a MockClock the limit is virtual and far beyond what any test sleeps.
        mock = isinstance(trio.lowlevel.current_clock(), trio.testing.MockClock)
        with trio.fail_after(10_000 if mock else 30):
            await test(**kwargs)

    return guarded


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every async test under tests/actors a hang guard (pytest-trio has none)."""
    here = Path(__file__).parent
    for item in items:
        test = getattr(item, "obj", None)
        if isinstance(item, pytest.Function) and here in item.path.parents \
                and inspect.iscoroutinefunction(test):
            item.obj = _fail_when_hung(test)
