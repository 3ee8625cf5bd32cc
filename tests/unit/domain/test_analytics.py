"""The maths of the analytics: Wilson and mean intervals, the verdict, funnel drop-off, weeks."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from innertalk.domain.analytics import (
    ArmCounts,
    FunnelStep,
    VerdictKind,
    funnel,
    mean_interval,
    verdict,
    week_start,
    wilson,
)


def arm(variant: str, helpful: int, not_helpful: int) -> ArmCounts:
    return ArmCounts(variant, helpful + not_helpful, 0, 0.0, 0.0, 0, 0, helpful, not_helpful)


def test_wilson_interval_matches_the_published_worked_example() -> None:
    """8 of 10 at 95 %: 0.4902 to 0.9433 (Wilson 1927, as in Newcombe 1998, table I)."""
    interval = wilson(8, 10)
    assert interval is not None
    assert (round(interval.low, 4), round(interval.high, 4)) == (0.4902, 0.9433)


def test_wilson_stays_within_zero_and_one_and_is_none_without_votes() -> None:
    """All-helpful and none-helpful shares keep inside [0, 1]; no votes: no interval."""
    every, none = wilson(5, 5), wilson(0, 5)
    assert every is not None
    assert every.high == 1.0
    assert none is not None
    assert none.low == 0.0
    assert wilson(0, 0) is None


def test_mean_interval_from_count_sum_and_squares() -> None:
    """100 and 300 ms: mean 200, sample sd √20000, 200 ± 1.96·100 = 4.0 … 396.0."""
    interval = mean_interval(2, 400.0, 100_000.0)
    assert interval is not None
    assert (round(interval.low, 1), round(interval.high, 1)) == (4.0, 396.0)
    assert mean_interval(1, 100.0, 10_000.0) is None


def test_verdict_names_the_more_helpful_variant_when_the_difference_is_clear() -> None:
    """90 of 100 against 50 of 100 helpful: B is more often helpful than A."""
    found = verdict([arm("A", 50, 50), arm("B", 90, 10)])
    assert (found.kind, found.better, found.worse) == (VerdictKind.BETTER, "B", "A")


def test_verdict_says_how_many_more_votes_an_unclear_difference_needs() -> None:
    """2 of 2 against 1 of 2: p̄ = 0.75, d = 0.5, n = ⌈2·0.75·0.25·(1.96/0.5)²⌉ = 6 per arm,
    so 4 + 4 = 8 more votes."""
    found = verdict([arm("A", 1, 1), arm("B", 2, 0)])
    assert found.kind is VerdictKind.UNCLEAR
    assert (found.better, found.worse) == ("B", "A")
    needed = math.ceil(2 * 0.75 * 0.25 * (1.959963984540054 / 0.5) ** 2)
    assert needed == 6
    assert found.more_votes == 8


@pytest.mark.parametrize(
    ("arms", "kind"),
    [
        ([], VerdictKind.NO_VOTES),
        ([arm("A", 0, 0)], VerdictKind.NO_VOTES),
        ([arm("A", 3, 1)], VerdictKind.SINGLE),
        ([arm("A", 3, 1), arm("B", 3, 1)], VerdictKind.SAME),
    ],
)
def test_verdict_without_two_voted_variants_or_with_equal_shares(
    arms: list[ArmCounts], kind: VerdictKind
) -> None:
    """No votes, one voted variant, or equal shares are said as such."""
    assert verdict(arms).kind is kind


def test_funnel_shares_and_drop_off_per_step() -> None:
    """6 → 5 → 5 → 4 → 3: drop-offs 1/6, 0, 1/5, 1/4; the last step is half of the start."""
    stages = funnel((6, 5, 5, 4, 3))
    assert [s.step for s in stages] == list(FunnelStep)
    assert [s.drop_off for s in stages] == pytest.approx([None, 1 / 6, 0.0, 0.2, 0.25])
    assert stages[-1].share_of_start == 0.5
    assert funnel((0, 0, 0, 0, 0))[1].drop_off is None


def test_week_start_is_monday_midnight_utc() -> None:
    """Sunday evening belongs to the week that began the Monday before."""
    sunday = datetime(2026, 1, 11, 23, 59, tzinfo=UTC)
    assert week_start(sunday) == datetime(2026, 1, 5, tzinfo=UTC)
