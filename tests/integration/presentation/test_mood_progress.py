"""Diary statistics: averages, trend boundaries, streaks across time zones and DST, cooldown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from innertalk.domain.mood import (
    EMOTION_TAGS,
    TREND_MIN_ENTRIES,
    Trend,
    daily_averages,
    mood_chart_points,
    mood_cooldown_left,
    mood_progress,
    mood_streak,
    mood_trend,
    moving_average,
    normalize_tags,
    toggle_tag,
    whole_minutes,
)
from innertalk.domain.users import Language, UserKey
from innertalk.domain.wellbeing import MoodEntry
from innertalk.presentation.texts import catalog

ALICE = UserKey("bot", 1)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def entry(at: datetime, score: int = 5, tags: Sequence[str] = ()) -> MoodEntry:
    return MoodEntry(
        id=f"m{at.timestamp()}", key=ALICE, score=score, created_at=at, tags=tuple(tags)
    )


def daily(scores: Sequence[int], last: datetime = NOW) -> list[MoodEntry]:
    """One entry per day, the last one at ``last``, oldest first."""
    return [
        entry(last - timedelta(days=len(scores) - 1 - i), score) for i, score in enumerate(scores)
    ]


def test_no_entries_give_an_empty_progress() -> None:
    """With nothing recorded, every statistic is empty rather than zero or an error."""
    progress = mood_progress([], NOW, "UTC")
    assert progress.count == 0
    assert progress.average is None
    assert progress.latest is None
    assert progress.trend is Trend.NOT_ENOUGH_DATA
    assert progress.recent_average is None
    assert progress.streak == 0
    assert (progress.best_day, progress.worst_day) == (None, None)
    assert progress.top_tags == ()


def test_average_is_rounded_half_up_to_one_decimal() -> None:
    """6.25 shows as 6.3, not the 6.2 that binary floats and round() would give."""
    assert mood_progress(daily([6, 6, 6, 7]), NOW, "UTC").average == 6.3
    assert mood_progress(daily([6, 6, 7]), NOW, "UTC").average == 6.3
    assert mood_progress(daily([1]), NOW, "UTC").average == 1.0


def test_latest_is_the_newest_entry_whatever_the_input_order() -> None:
    """Storage returns entries newest first; the statistics must not depend on that."""
    entries = daily([3, 8, 5])
    progress = mood_progress(list(reversed(entries)), NOW, "UTC")
    assert progress.latest == entries[-1]
    assert progress.count == 3


def test_fewer_than_six_entries_have_no_trend() -> None:
    """Five entries are both 'the last five' and 'all', so no trend is claimed."""
    assert TREND_MIN_ENTRIES == 6
    assert mood_trend([1, 2, 3, 9, 10])[0] is Trend.NOT_ENOUGH_DATA


@pytest.mark.parametrize(
    ("scores", "trend"),
    [
        # overall 28/7 = 4.0, last five 21/5 = 4.2: exactly +5 % is still stable
        ([3, 4, 5, 4, 4, 4, 4], Trend.STABLE),
        # overall 29/7 ≈ 4.14, last five 4.4: +6.2 %
        ([3, 4, 5, 4, 4, 4, 5], Trend.IMPROVING),
        # overall 40/19, last five 2.0 = 0.95 x overall: exactly -5 % is still stable
        ([2] * 12 + [3, 3] + [2] * 5, Trend.STABLE),
        # overall 41/19 ≈ 2.16, last five 2.0: -7.3 %
        ([2] * 11 + [3, 3, 3] + [2] * 5, Trend.DECLINING),
        ([5, 5, 5, 5, 5, 5], Trend.STABLE),
        ([2, 2, 2, 2, 2, 9], Trend.IMPROVING),
        ([9, 9, 9, 9, 9, 2], Trend.STABLE),  # 7.6 vs 7.83: -2.9 %
        ([9] * 6 + [2] * 5, Trend.DECLINING),
    ],
)
def test_trend_compares_the_last_five_with_the_overall_average(
    scores: list[int], trend: Trend
) -> None:
    """±5 % (inclusive) of the overall average is stable; beyond it, improving or declining."""
    assert mood_trend(scores)[0] is trend
    assert mood_progress(daily(scores), NOW, "UTC").trend is trend


def test_recent_average_is_reported_with_the_trend() -> None:
    """The Progress screen can show the average the trend was judged by."""
    progress = mood_progress(daily([3, 4, 5, 4, 4, 4, 4]), NOW, "UTC")
    assert progress.recent_average == 4.2


def test_streak_counts_consecutive_days_ending_today() -> None:
    """Three days in a row up to today, with two entries on one day, is a streak of 3."""
    entries = [*daily([5, 5, 5]), entry(NOW - timedelta(hours=1))]
    assert mood_streak(entries, NOW, "UTC") == 3


def test_streak_ending_yesterday_still_counts() -> None:
    """Not having written yet today does not break a streak."""
    assert mood_streak(daily([5, 5], last=NOW - timedelta(days=1)), NOW, "UTC") == 2


def test_streak_is_zero_after_a_missed_day() -> None:
    """Nothing today or yesterday means no current streak, however long the old one was."""
    assert mood_streak(daily([5] * 10, last=NOW - timedelta(days=2)), NOW, "UTC") == 0
    assert mood_streak([], NOW, "UTC") == 0


def test_a_gap_ends_the_streak_at_the_gap() -> None:
    """Only the run of days adjacent to today counts."""
    entries = [*daily([5, 5], last=NOW - timedelta(days=3)), *daily([5, 5])]
    assert mood_streak(entries, NOW, "UTC") == 2


def test_streak_uses_the_persons_local_days() -> None:
    """Two entries on one UTC day fall on two local days in Los Angeles (UTC-8)."""
    entries = [
        entry(datetime(2026, 1, 11, 7, 0, tzinfo=UTC)),  # 10 Jan, 23:00 in Los Angeles
        entry(datetime(2026, 1, 11, 9, 0, tzinfo=UTC)),  # 11 Jan, 01:00 in Los Angeles
    ]
    now = datetime(2026, 1, 11, 20, 0, tzinfo=UTC)
    assert mood_streak(entries, now, "UTC") == 1
    assert mood_streak(entries, now, "America/Los_Angeles") == 2


def test_today_is_the_local_today() -> None:
    """At 01:00 in Moscow an entry from 22:00 UTC the day before is already yesterday's."""
    entries = [entry(datetime(2026, 1, 10, 20, 0, tzinfo=UTC))]  # 10 Jan, 23:00 Moscow
    now = datetime(2026, 1, 11, 22, 30, tzinfo=UTC)  # 12 Jan, 01:30 Moscow
    assert mood_streak(entries, now, "UTC") == 1
    assert mood_streak(entries, now, "Europe/Moscow") == 0


@pytest.mark.parametrize(
    "days",
    [
        # spring forward: 29 March 2026, 02:00 -> 03:00 in Berlin
        [date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)],
        # fall back: 25 October 2026, 03:00 -> 02:00 in Berlin
        [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26), date(2026, 10, 27)],
    ],
)
def test_streak_survives_daylight_saving_changes(days: list[date]) -> None:
    """Late-evening entries on consecutive local days stay consecutive across a DST change."""
    berlin = ZoneInfo("Europe/Berlin")
    entries = [entry(datetime(d.year, d.month, d.day, 23, 30, tzinfo=berlin)) for d in days]
    last = days[-1]
    now = datetime(last.year, last.month, last.day, 23, 50, tzinfo=berlin)
    assert mood_streak(entries, now, "Europe/Berlin") == len(days)


def test_dst_day_is_a_calendar_day_not_24_hours() -> None:
    """Entries 24 h apart across the spring change sit on local days 28 and 30: no streak."""
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 28, 23, 30, tzinfo=berlin)  # 22:30 UTC
    after = datetime(2026, 3, 30, 0, 30, tzinfo=berlin)  # 22:30 UTC the next day
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=24)
    now = datetime(2026, 3, 30, 9, 0, tzinfo=berlin)
    assert mood_streak([entry(before), entry(after)], now, "Europe/Berlin") == 1
    assert mood_streak([entry(before), entry(after)], now, "UTC") == 2


def test_unknown_time_zone_falls_back_to_utc() -> None:
    """A stale or mistyped zone name never crashes the Progress screen."""
    assert mood_progress(daily([5, 6]), NOW, "Mars/Olympus").streak == 2


def test_best_and_worst_days_need_two_days() -> None:
    """One day cannot be both the best and the worst; among equals the latest day wins."""
    assert mood_progress(daily([7]), NOW, "UTC").best_day is None
    progress = mood_progress(daily([3, 9, 4, 9, 3]), NOW, "UTC")
    assert progress.best_day is not None
    assert progress.worst_day is not None
    assert (progress.best_day.day, progress.best_day.average) == (date(2026, 11, 19), 9.0)
    assert (progress.worst_day.day, progress.worst_day.average) == (date(2026, 11, 20), 3.0)


def test_top_tags_are_the_most_frequent_known_tags() -> None:
    """Tags are counted once per entry, unknown keys ignored, ties in vocabulary order."""
    entries = [
        entry(NOW, 5, ["sad", "tired", "sad"]),
        entry(NOW - timedelta(hours=3), 5, ["tired", "calm", "made-up"]),
        entry(NOW - timedelta(hours=6), 5, ["anxious", "calm"]),
    ]
    assert mood_progress(entries, NOW, "UTC").top_tags == (
        ("calm", 2),
        ("tired", 2),
        ("anxious", 1),
    )


def test_daily_averages_group_by_local_day() -> None:
    """Entries are averaged per day of the person's calendar, oldest day first."""
    entries = [
        entry(datetime(2026, 5, 1, 22, 0, tzinfo=UTC), 4),  # 2 May in Moscow
        entry(datetime(2026, 5, 2, 8, 0, tzinfo=UTC), 8),
        entry(datetime(2026, 5, 1, 8, 0, tzinfo=UTC), 3),
    ]
    averages = daily_averages(entries, "Europe/Moscow")
    assert [(d.day, d.average, d.count) for d in averages] == [
        (date(2026, 5, 1), 3.0, 1),
        (date(2026, 5, 2), 6.0, 2),
    ]


def test_chart_points_cover_only_the_last_days() -> None:
    """A 30-day chart gets today and the 29 days before it, nothing older."""
    entries = daily([5] * 40)
    points = mood_chart_points(entries, NOW, "UTC", days=30)
    assert len(points) == 30
    assert points[0][0] == date(2026, 10, 22)
    assert points[-1] == (date(2026, 11, 20), 5.0)
    with pytest.raises(ValueError, match="at least 1"):
        mood_chart_points(entries, NOW, "UTC", days=0)


def test_moving_average_skips_days_without_entries() -> None:
    """A gap is left out of the window's mean, not counted as a zero."""
    points = [(date(2026, 1, 1), 2.0), (date(2026, 1, 2), 4.0), (date(2026, 1, 9), 9.0)]
    assert moving_average(points, 7) == (
        (date(2026, 1, 1), 2.0),
        (date(2026, 1, 2), 3.0),
        (date(2026, 1, 9), 9.0),
    )
    assert moving_average([], 7) == ()
    with pytest.raises(ValueError, match="at least 1"):
        moving_average(points, 0)


def test_cooldown_is_over_when_there_was_no_entry_or_enough_time_passed() -> None:
    """No last entry, or exactly the cooldown since it, allows a new entry."""
    two_hours = timedelta(hours=2)
    assert mood_cooldown_left(None, NOW, two_hours) is None
    assert mood_cooldown_left(NOW - two_hours, NOW, two_hours) is None
    assert mood_cooldown_left(NOW - timedelta(days=1), NOW, two_hours) is None
    assert mood_cooldown_left(NOW, NOW, timedelta(0)) is None


def test_cooldown_reports_the_time_left() -> None:
    """Thirty minutes after an entry, a two-hour cooldown has 90 minutes to go."""
    left = mood_cooldown_left(NOW - timedelta(minutes=30), NOW, timedelta(hours=2))
    assert left == timedelta(minutes=90)


def test_cooldown_never_exceeds_itself_for_future_entries() -> None:
    """An entry stamped in the future (clock skew) does not lock the diary for longer."""
    left = mood_cooldown_left(NOW + timedelta(hours=5), NOW, timedelta(hours=2))
    assert left == timedelta(hours=2)


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(1, 1), (20, 1), (60, 1), (61, 2), (120, 2), (5399, 90)]
)
def test_whole_minutes_round_up(seconds: int, minutes: int) -> None:
    """'In 1 min' rather than 'in 0 min' for a few seconds left."""
    assert whole_minutes(timedelta(seconds=seconds)) == minutes


def test_tags_are_normalized_and_toggled() -> None:
    """Unknown tags vanish, duplicates collapse, order follows the vocabulary."""
    assert normalize_tags(["tired", "nonsense", "calm", "tired"]) == ("calm", "tired")
    assert toggle_tag(("calm",), "sad") == ("calm", "sad")
    assert toggle_tag(("calm", "sad"), "calm") == ("sad",)
    assert toggle_tag((), "nonsense") == ()


def test_every_emotion_tag_has_a_label_in_every_language() -> None:
    """Each tag key has a tag_<key> text in diary.toml, and no label lacks a tag."""
    assert len(EMOTION_TAGS) == len(set(EMOTION_TAGS)) == 16
    for language in Language:
        labels = {key for key in catalog("diary", language) if key.startswith("tag_")}
        assert labels == {f"tag_{tag}" for tag in EMOTION_TAGS}
