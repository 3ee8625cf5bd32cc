"""Retention, funnel, experiment and overview figures: every backend reproduces the
hand-computed scenario of ``tests/scenarios/analytics.py`` exactly."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from innertalk.application.operations.analytics import AnalyticsStore, CrisisSignalLog
from innertalk.application.ports import Storage
from innertalk.domain.analytics import (
    ArmCounts,
    Cohort,
    CohortCounts,
    CrisisCount,
    WeeklyMood,
    cohorts,
)
from tests.scenarios.analytics import CRISIS, ORIGIN, REALMS, at, records


async def _analytics(storage: Storage) -> AnalyticsStore:
    await storage.write(records())
    return cast(AnalyticsStore, storage)


async def test_cohorts_count_starters_and_day_1_7_30_returns(storage: Storage) -> None:
    """Week 0 (a1, a2, t3): a1 wrote exactly 24 h after starting (day 1), a2 35 days after
    (days 1, 7, 30), t3 only a minute after; week 1 (a4, a5): a5 exactly 7 days after; week 2
    (a6): 25 h after. a7 started before the first week; x1 (bot-x, user id 1 like a1) wrote
    46 days after, which must not count for a1."""
    store = await _analytics(storage)
    counts = await store.cohort_counts(REALMS, ORIGIN, 3)
    assert counts == [
        CohortCounts(0, 3, (2, 1, 1)),
        CohortCounts(1, 2, (1, 1, 0)),
        CohortCounts(2, 1, (1, 0, 0)),
    ]
    assert cohorts(ORIGIN, 3, counts, at(2, 12, 0)) == [
        Cohort(at(1, 5, 0).date(), 3, (2, 1, 1)),
        Cohort(at(1, 12, 0).date(), 2, (1, 1, None)),  # day 30 of Jan 18's starters: Feb 17
        Cohort(at(1, 19, 0).date(), 1, (1, 0, None)),
    ]


async def test_funnel_counts_each_step_of_those_who_started_in_the_period(
    storage: Storage,
) -> None:
    """Jan 5-25: a1, a2, t3, a4, a5, a6 started (6); a4 never consented (5); all 5 wrote;
    t3 ended no session (4; bot-x's user 3 did, which is not t3's); returned 1-7 days after the
    first session ended: a2 exactly 7 days, a5 6 d 23 h, a6 exactly 1 day — not a1 (23 h) (3).
    From Jan 12 only a4, a5, a6 started."""
    store = await _analytics(storage)
    assert await store.funnel_counts(REALMS, ORIGIN, at(1, 26, 0)) == (6, 5, 5, 4, 3)
    assert await store.funnel_counts(REALMS, at(1, 12, 0), at(1, 26, 0)) == (3, 2, 2, 2, 2)
    assert await store.funnel_counts(REALMS, at(3, 1, 0), at(3, 2, 0)) == (0, 0, 0, 0, 0)


async def test_experiment_arms_sum_replies_latency_squares_tokens_and_votes(
    storage: Storage,
) -> None:
    """A: r1 (100 ms, helpful), r2 (300 ms, not), r3 (unmeasured, no vote): 3 replies, 2 timed,
    400 ms, 100² + 300² = 100 000; B: r4 (200 ms, helpful), r5 (400 ms, helpful) — r6 is after
    the period, and bot-x's verdict on an id ``r4`` of its own is not bot-a's r4's."""
    store = await _analytics(storage)
    arms = await store.arm_counts(REALMS, at(1, 1, 0), at(2, 1, 0))
    assert arms == [
        ArmCounts("A", 3, 2, 400.0, 100_000.0, 35, 13, 1, 1),
        ArmCounts("B", 2, 2, 600.0, 200_000.0, 70, 17, 2, 0),
    ]


async def test_mood_weeks_average_each_week_of_the_realms(storage: Storage) -> None:
    """Week 0: 8 and 6 (7.0); week 1: none; week 2: 3 — bot-x's 1 is not counted."""
    store = await _analytics(storage)
    assert await store.mood_weeks(REALMS, ORIGIN, 3) == [
        WeeklyMood(at(1, 5, 0).date(), 7.0, 2),
        WeeklyMood(at(1, 12, 0).date(), None, 0),
        WeeklyMood(at(1, 19, 0).date(), 3.0, 1),
    ]


async def test_crisis_signals_are_counted_by_category_and_severity(storage: Storage) -> None:
    """Since Jan 2: bot-a's two high suicide signals and api:t's medium abuse one; bot-x's and
    the older one are left out. The realms known are those with profiles."""
    store = await _analytics(storage)
    log = cast(CrisisSignalLog, storage)
    for mark in CRISIS:
        await log.note_crisis(mark)
    assert await store.crisis_counts(REALMS, datetime(2026, 1, 2, tzinfo=ORIGIN.tzinfo)) == [
        CrisisCount("abuse", "medium", 1),
        CrisisCount("suicide", "high", 2),
    ]
    assert await store.known_realms() == ["api:t", "bot-a", "bot-x"]
