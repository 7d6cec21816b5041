"""Coroutines the synchronous fast paths hand to aiortc (RTCP sends, a receiver's own handler):
run in the background, kept referenced until done, failures logged."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from vclinic.log import get_logger

log = get_logger("media.tasks")
_running: set[asyncio.Future[Any]] = set()


def background(coroutine: Coroutine[Any, Any, Any]) -> None:
    task = asyncio.ensure_future(coroutine)
    _running.add(task)
    task.add_done_callback(_done)


def _done(task: asyncio.Future[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("background_task_failed", error=type(task.exception()).__name__)
