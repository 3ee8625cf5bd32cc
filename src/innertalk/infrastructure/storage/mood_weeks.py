"""Weekly mood averages from stored (maybe sealed) scores, shared by SQLite and MongoDB.

Scores may be sealed, so they are opened and averaged here rather than in the database (the
same reason as ``sealing.weekly_moods``); only the window's mood entries are read, never a
note or a tag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from innertalk.domain.analytics import WEEK, WeeklyMood
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sealing import FieldSeal
from innertalk.infrastructure.storage.timestamps import moment_from


def mood_weeks(
    seal: FieldSeal, entries: list[tuple[UserKey, Any, str]], origin: datetime, weeks: int
) -> list[WeeklyMood]:
    """Each week's average of (owner, stored score, moment text) entries from ``origin`` on."""
    sums = [0] * weeks
    counts = [0] * weeks
    for key, stored, moment in entries:
        index = (moment_from(moment) - origin) // WEEK
        if 0 <= index < weeks:
            sums[index] += int(seal.open_value(stored, key, "mood_score"))
            counts[index] += 1
    return [
        WeeklyMood(
            (origin + index * WEEK).date(),
            round(sums[index] / counts[index], 1) if counts[index] else None,
            counts[index],
        )
        for index in range(weeks)
    ]
