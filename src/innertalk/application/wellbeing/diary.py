"""DiaryService: mood check-ins with a cooldown, and the Progress statistics and chart data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from innertalk.application.ids import new_id
from innertalk.application.ports import Clock, ProfileStore, RecordStore, WellbeingStore
from innertalk.domain.mood import (
    MoodProgress,
    mood_chart_points,
    mood_cooldown_left,
    mood_progress,
    normalize_tags,
)
from innertalk.domain.sessions import local_day
from innertalk.domain.users import UserKey
from innertalk.domain.wellbeing import MoodEntry

PROGRESS_ENTRIES = 2000
"""Entries read for Progress: years of daily check-ins; the chart needs at most 90 days."""


@dataclass(frozen=True, slots=True)
class ChartWords:
    """The chart's words in the reader's language (``diary.toml`` ``chart_*``)."""

    title: str
    axis: str
    daily: str
    moving_average: str
    empty: str


class ChartRenderer(Protocol):
    """Draws the mood chart as PNG bytes (blocking, CPU-bound: called in a worker thread)."""

    def __call__(
        self, points: Sequence[tuple[date, float]], *, days: int, end: date, words: ChartWords
    ) -> bytes: ...


class DiaryStore(RecordStore, WellbeingStore, ProfileStore, Protocol):
    """What the diary reads and writes."""


class MoodCooldownError(Exception):
    """A check-in came sooner than ``MOOD_COOLDOWN`` after the previous one."""

    def __init__(self, left: timedelta) -> None:
        super().__init__(f"next check-in possible in {left}")
        self.left = left


@dataclass(frozen=True, slots=True)
class Progress:
    """The statistics and the chart points of the last ``days`` days (local dates)."""

    stats: MoodProgress
    points: tuple[tuple[date, float], ...]
    today: date
    days: int
    timezone: str


class DiaryService:
    """Records mood entries and computes Progress in the person's time zone."""

    def __init__(
        self,
        *,
        store: DiaryStore,
        clock: Clock,
        cooldown: timedelta,
        charts: ChartRenderer | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._cooldown = cooldown
        self._charts = charts

    async def cooldown_left(self, key: UserKey) -> timedelta | None:
        """How long until the next check-in is possible; ``None`` when it is possible now."""
        latest = await self._store.moods(key, 1)
        if not latest:
            return None
        return mood_cooldown_left(latest[0].created_at, self._clock.now(), self._cooldown)

    async def record(
        self, key: UserKey, score: int, *, tags: Iterable[str] = (), note: str = ""
    ) -> MoodEntry:
        """Store a check-in; ``MoodCooldownError`` when it is too soon, ``InvalidMoodError``
        for a score outside 1-10."""
        left = await self.cooldown_left(key)
        if left is not None:
            raise MoodCooldownError(left)
        entry = MoodEntry(
            id=new_id(),
            key=key,
            score=score,
            created_at=self._clock.now(),
            tags=normalize_tags(tags),
            note=note.strip()[:2000],
        )
        await self._store.write([entry])
        return entry

    async def progress(self, key: UserKey, *, days: int = 30) -> Progress:
        """Statistics over every entry and the daily points of the last ``days`` days."""
        profile = await self._store.get_profile(key)
        timezone = profile.timezone if profile else "UTC"
        entries = await self._store.moods(key, PROGRESS_ENTRIES)
        now = self._clock.now()
        return Progress(
            stats=mood_progress(entries, now, timezone),
            points=mood_chart_points(entries, now, timezone, days),
            today=local_day(now, timezone),
            days=days,
            timezone=timezone,
        )

    async def chart(self, progress: Progress, words: ChartWords) -> bytes | None:
        """The PNG of ``progress``' points, drawn in a worker thread; ``None`` without a
        renderer."""
        if self._charts is None:
            return None
        return await asyncio.to_thread(
            self._charts, progress.points, days=progress.days, end=progress.today, words=words
        )
