"""How the MongoDB adapter holds values: documents, owners, and moments as fixed-width text.

Moments are ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (as in SQLite): one width, so comparing
the text compares the instants, and microseconds survive (a BSON date keeps milliseconds).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.timestamps import as_utc

Document = dict[str, Any]


def owner(key: UserKey) -> Document:
    """The owner fields every document carries (and the ``_id`` of one-per-person ones)."""
    return {"bot_id": key.bot_id, "user_id": key.user_id}


def moment_text(moment: datetime) -> str:
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def moment_from(text: str) -> datetime:
    return datetime.fromisoformat(text)


def optional_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment_text(moment)


def optional_moment(text: str | None) -> datetime | None:
    return None if text is None else moment_from(text)
