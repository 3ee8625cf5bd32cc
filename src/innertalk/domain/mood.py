"""Diary statistics: averages, the trend, the streak in local days, the check-in cooldown.

Every function takes the entries and the current time as arguments and reads no clock; the
entries may come in any order (storage returns them newest first).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from innertalk.domain.sessions import local_day
from innertalk.domain.wellbeing import MoodEntry

TREND_WINDOW = 5
"""The trend compares the average of this many newest entries with the overall average."""
TREND_MIN_ENTRIES = TREND_WINDOW + 1
"""With fewer entries the newest ones *are* the overall average, so there is no trend yet."""
STABLE_TOLERANCE = Fraction(5, 100)
"""A recent average within ±5 % of the overall one (inclusive) counts as stable."""
TOP_TAGS = 3

EMOTION_TAGS: tuple[str, ...] = (
    "joyful",
    "calm",
    "grateful",
    "hopeful",
    "proud",
    "inspired",
    "loved",
    "relieved",
    "anxious",
    "sad",
    "tired",
    "angry",
    "lonely",
    "stressed",
    "overwhelmed",
    "guilty",
)
"""The fixed vocabulary of emotion tags, in keyboard order; labels live in ``diary.toml``
under ``tag_<key>``."""


class Trend(StrEnum):
    IMPROVING = "improving"
    DECLINING = "declining"
    STABLE = "stable"
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True, slots=True)
class DayAverage:
    """The mean of one local day's entries."""

    day: date
    average: float
    count: int


@dataclass(frozen=True, slots=True)
class MoodProgress:
    """What the Progress screen shows; averages are rounded to one decimal."""

    count: int
    average: float | None
    latest: MoodEntry | None
    trend: Trend
    recent_average: float | None
    """The average of the newest ``TREND_WINDOW`` entries, once there is a trend."""
    streak: int
    """Consecutive local days with an entry, ending today or yesterday."""
    best_day: DayAverage | None
    """The day with the highest average (the latest among equals); needs two days or more."""
    worst_day: DayAverage | None
    top_tags: tuple[tuple[str, int], ...]
    """The most frequent emotion tags with their counts, most frequent first."""


def mood_progress(entries: Sequence[MoodEntry], now: datetime, timezone: str) -> MoodProgress:
    """The statistics of ``entries`` as seen at ``now`` by a person living in ``timezone``."""
    ordered = sorted(entries, key=lambda entry: entry.created_at)
    days = daily_averages(ordered, timezone)
    best, worst = _extreme_days(days)
    trend, recent = mood_trend([entry.score for entry in ordered])
    return MoodProgress(
        count=len(ordered),
        average=_one_decimal(_mean([entry.score for entry in ordered])),
        latest=ordered[-1] if ordered else None,
        trend=trend,
        recent_average=_one_decimal(recent),
        streak=mood_streak(ordered, now, timezone),
        best_day=best,
        worst_day=worst,
        top_tags=_top_tags(ordered),
    )


def mood_trend(scores: Sequence[int]) -> tuple[Trend, Fraction | None]:
    """The trend of ``scores`` (oldest first) and the recent average it was judged by.

    Exact fractions keep the ±5 % boundary exact: a recent average of 4.2 against an overall
    4.0 is stable, not "improving" because of a binary rounding error.
    """
    if len(scores) < TREND_MIN_ENTRIES:
        return Trend.NOT_ENOUGH_DATA, None
    overall = Fraction(sum(scores), len(scores))
    recent = Fraction(sum(scores[-TREND_WINDOW:]), TREND_WINDOW)
    change = (recent - overall) / overall
    if abs(change) <= STABLE_TOLERANCE:
        return Trend.STABLE, recent
    return (Trend.IMPROVING if change > 0 else Trend.DECLINING), recent


def mood_streak(entries: Iterable[MoodEntry], now: datetime, timezone: str) -> int:
    """How many consecutive local days, ending today or yesterday, have at least one entry.

    A streak that ended yesterday still counts: the person may simply not have written today
    yet. Days are calendar days in ``timezone``, so a DST change does not break a streak.
    """
    days = {local_day(entry.created_at, timezone) for entry in entries}
    today = local_day(now, timezone)
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def daily_averages(
    entries: Iterable[MoodEntry], timezone: str, *, since: date | None = None
) -> tuple[DayAverage, ...]:
    """One average per local day that has entries (from ``since`` on), oldest day first."""
    by_day: dict[date, list[int]] = {}
    for entry in entries:
        day = local_day(entry.created_at, timezone)
        if since is None or day >= since:
            by_day.setdefault(day, []).append(entry.score)
    return tuple(
        DayAverage(day, float(Fraction(sum(scores), len(scores))), len(scores))
        for day, scores in sorted(by_day.items())
    )


def mood_chart_points(
    entries: Iterable[MoodEntry], now: datetime, timezone: str, days: int
) -> tuple[tuple[date, float], ...]:
    """Daily averages of the last ``days`` local days (today included), for the chart."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    since = local_day(now, timezone) - timedelta(days=days - 1)
    return tuple((day.day, day.average) for day in daily_averages(entries, timezone, since=since))


def moving_average(
    points: Sequence[tuple[date, float]], window_days: int
) -> tuple[tuple[date, float], ...]:
    """For each point, the mean of the points within the ``window_days`` days ending on it.

    Days without entries are left out of the mean rather than counted as zero, so a gap in
    the diary does not drag the line down.
    """
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    ordered = sorted(points)
    smoothed = []
    for day, _ in ordered:
        start = day - timedelta(days=window_days - 1)
        values = [value for other, value in ordered if start <= other <= day]
        smoothed.append((day, sum(values) / len(values)))
    return tuple(smoothed)


def mood_cooldown_left(
    last_entry_at: datetime | None, now: datetime, cooldown: timedelta
) -> timedelta | None:
    """How long until the next check-in is allowed, or ``None`` when it is allowed now.

    An entry stamped in the future (a clock step back) never makes the wait longer than
    ``cooldown`` itself.
    """
    if last_entry_at is None:
        return None
    left = min(last_entry_at + cooldown - now, cooldown)
    return left if left > timedelta(0) else None


def whole_minutes(delta: timedelta) -> int:
    """``delta`` in minutes, rounded up: "in 1 min" rather than "in 0 min" for 20 seconds."""
    return max(1, math.ceil(delta.total_seconds() / 60))


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Known tags only, each once, in vocabulary order (unknown keys are dropped)."""
    chosen = set(tags)
    return tuple(tag for tag in EMOTION_TAGS if tag in chosen)


def toggle_tag(selected: Iterable[str], tag: str) -> tuple[str, ...]:
    """``selected`` with ``tag`` added, or removed when it was already there."""
    current = set(normalize_tags(selected))
    current.symmetric_difference_update({tag})
    return normalize_tags(current)


def _mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def _one_decimal(value: Fraction | None) -> float | None:
    """Half-up rounding to one decimal (6.25 → 6.3), unlike ``round``'s banker's rounding."""
    if value is None:
        return None
    return math.floor(value * 10 + Fraction(1, 2)) / 10


def _extreme_days(days: Sequence[DayAverage]) -> tuple[DayAverage | None, DayAverage | None]:
    if len(days) < 2:
        return None, None
    # Iterating newest first makes max/min pick the latest day among equals.
    newest_first = list(reversed(days))
    best = max(newest_first, key=lambda day: day.average)
    worst = min(newest_first, key=lambda day: day.average)
    return best, worst


def _top_tags(entries: Iterable[MoodEntry]) -> tuple[tuple[str, int], ...]:
    counts = Counter(tag for entry in entries for tag in normalize_tags(entry.tags))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], EMOTION_TAGS.index(item[0])))
    return tuple(ranked[:TOP_TAGS])
