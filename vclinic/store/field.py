"""Field types shared by the store's models and by plugin models.

Both behave the same on SQLite and PostgreSQL, so a schema created by a migration has the same
columns on either database.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee

UTC = dt.UTC


def iso(value: dt.datetime | None) -> str | None:
    """``value`` in ISO 8601, or None; how API bodies show stored times."""
    return value.isoformat() if value is not None else None


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime (what every timestamp column holds)."""
    return dt.datetime.now(UTC)


class UTCDateTimeField(peewee.DateTimeField):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime.

    Stored naive because SQLite has no time zones and PostgreSQL's ``timestamp`` column (peewee's
    default) would otherwise compare differently; every value is converted to UTC first.
    """

    def db_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given for a UTC timestamp column")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            return value.astimezone(UTC)
        return value


class JSONTextField(peewee.TextField):
    """A JSON document stored as text: portable, and opaque to queries on purpose."""

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)
