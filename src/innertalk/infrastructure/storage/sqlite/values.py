"""How SQLite holds values: rows by column name, and datetimes as fixed-width UTC text.

Datetimes are stored as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC: one fixed width, so
comparing the text compares the instants.
"""

from __future__ import annotations

from typing import Any, Protocol

from innertalk.infrastructure.storage.timestamps import moment_from as moment_from
from innertalk.infrastructure.storage.timestamps import moment_text as moment_text
from innertalk.infrastructure.storage.timestamps import optional_moment as optional_moment
from innertalk.infrastructure.storage.timestamps import optional_text as optional_text


class Row(Protocol):
    """A result row by column name: ``sqlite3.Row`` or a decoded JSON object."""

    def __getitem__(self, column: str, /) -> Any: ...


Params = tuple[object, ...]
