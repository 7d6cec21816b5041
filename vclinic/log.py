"""structlog set-up: the one place logging is configured.

JSON lines when stderr is not a terminal, a readable console format when it is. Loggers bind ids
(``actor``, ``actor_id``, ``txn_id``, ``user_id``), never names, emails or anything a patient said.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
           "error": logging.ERROR}


def configure(level: str = "info", fmt: str = "auto") -> None:
    """Configure structlog and the standard library's logging (hypercorn logs through it)."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer: Any = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[level]),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer,
        ], foreign_pre_chain=shared)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[level])
    # peewee logs every query with its parameters at debug: names, notes and other personal
    # data would reach the log, so its queries stay out of it at every level.
    logging.getLogger("peewee").setLevel(max(logging.INFO, _LEVELS[level]))


def get_logger(name: str, **bind: Any) -> Any:
    """A structlog logger bound to ``component=name`` and the given ids."""
    # Lazy: the logger takes the configuration in force when it first logs, not at import.
    return structlog.get_logger(component=name, **bind)
