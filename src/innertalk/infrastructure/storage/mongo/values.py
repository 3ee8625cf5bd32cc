"""How the MongoDB adapter holds values: documents, owners, and moments as fixed-width text.

Moments are ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (as in SQLite): one width, so comparing
the text compares the instants, and microseconds survive (a BSON date keeps milliseconds).
"""

from __future__ import annotations

from typing import Any

from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.timestamps import moment_from as moment_from
from innertalk.infrastructure.storage.timestamps import moment_text as moment_text
from innertalk.infrastructure.storage.timestamps import optional_moment as optional_moment
from innertalk.infrastructure.storage.timestamps import optional_text as optional_text

Document = dict[str, Any]


def owner(key: UserKey) -> Document:
    """The owner fields every document carries (and the ``_id`` of one-per-person ones)."""
    return {"bot_id": key.bot_id, "user_id": key.user_id}
