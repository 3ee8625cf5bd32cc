"""How SQLite holds values: rows by column name, and datetimes as fixed-width UTC text.

Datetimes are stored as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC: one fixed width, so
comparing the text compares the instants.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from innertalk.infrastructure.storage.timestamps import as_utc


class Row(Protocol):
    """A result row by column name: ``sqlite3.Row`` or a decoded JSON object."""

    def __getitem__(self, column: str, /) -> Any: ...


Params = tuple[object, ...]


def moment_text(moment: datetime) -> str:
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def moment_from(text: str) -> datetime:
    return datetime.fromisoformat(text)


def optional_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment_text(moment)


def optional_moment(text: str | None) -> datetime | None:
    return None if text is None else moment_from(text)
