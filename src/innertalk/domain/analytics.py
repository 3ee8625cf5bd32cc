"""Analytics an operator reads: retention cohorts, the funnel, experiment arms with their 95 %
intervals and a verdict in plain words. Counts only: nothing here knows what anyone wrote.

Exact definitions (docs/operations.md, *Analytics*): a person *starts* when their profile is
created; *day-N return* means a message of theirs at least N × 24 h after they started; a
cohort is the people who started in one week (Monday 00:00 UTC onwards).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

Z95 = 1.959963984540054
"""The two-sided 95 % quantile of the standard normal distribution."""
RETURN_DAYS = (1, 7, 30)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week ``moment`` lies in."""
    day = moment.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(), UTC)


@dataclass(frozen=True, slots=True)
class CohortCounts:
    """What a store counts for one cohort: its size and how many returned by each day."""

    week: int
    """Weeks after the report's first cohort (0 is the oldest)."""
    size: int
    returned: tuple[int, ...]
    """People who returned, one count per day of ``RETURN_DAYS``."""


@dataclass(frozen=True, slots=True)
class Cohort:
    """One week's starters and their day-1/7/30 return; ``None`` while the cohort is too young
    (its youngest member started less than N days ago)."""

    starts: date
    size: int
    returned: tuple[int | None, ...]

    def share(self, index: int) -> float | None:
        count = self.returned[index]
        return None if count is None or not self.size else count / self.size


def cohorts(
    origin: datetime, weeks: int, counts: list[CohortCounts], now: datetime
) -> list[Cohort]:
    """Every week from ``origin`` (a Monday), empty ones too, with figures only once old enough."""
    by_week = {c.week: c for c in counts}
    result = []
    for index in range(weeks):
        starts = origin + index * WEEK
        found = by_week.get(index, CohortCounts(index, 0, (0,) * len(RETURN_DAYS)))
        result.append(
            Cohort(
                starts.date(),
                found.size,
                tuple(
                    count if starts + WEEK + days * DAY <= now else None
                    for days, count in zip(RETURN_DAYS, found.returned, strict=True)
                ),
            )
        )
    return result


class FunnelStep(StrEnum):
    STARTED = "started"
    CONSENTED = "consented"
    FIRST_MESSAGE = "first_message"
    SESSION_ENDED = "session_ended"
    RETURNED = "returned_7d"


@dataclass(frozen=True, slots=True)
class FunnelStage:
    step: FunnelStep
    people: int
    share_of_start: float | None
    drop_off: float | None
    """The share of the previous step's people who did not reach this one."""


def funnel(counts: tuple[int, ...]) -> list[FunnelStage]:
    """The stages from each step's count (each step counts people who reached every earlier
    one, so counts never grow)."""
    stages = []
    for index, (step, people) in enumerate(zip(FunnelStep, counts, strict=True)):
        previous = counts[index - 1] if index else None
        stages.append(
            FunnelStage(
                step,
                people,
                people / counts[0] if counts[0] else None,
                1 - people / previous if previous else None,
            )
        )
    return stages


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


def wilson(successes: int, trials: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval of a share (sound for small counts and shares near 0 or 1)."""
    if trials <= 0:
        return None
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = share + z * z / (2 * trials)
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    return Interval(
        max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)
    )


def mean_interval(count: int, total: float, squares: float, z: float = Z95) -> Interval | None:
    """A normal interval of a mean from its count, sum and sum of squares (the sample standard
    deviation); ``None`` below two values."""
    if count < 2:
        return None
    mean = total / count
    variance = max(0.0, (squares - count * mean * mean) / (count - 1))
    spread = z * math.sqrt(variance / count)
    return Interval(mean - spread, mean + spread)


@dataclass(frozen=True, slots=True)
class ArmCounts:
    """What a store sums for one experiment variant."""

    variant: str
    replies: int
    timed: int
    """Replies with a measured latency."""
    latency_sum: float
    latency_squares: float
    input_tokens: int
    output_tokens: int
    helpful: int
    not_helpful: int

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_share(self) -> float | None:
        return self.helpful / self.votes if self.votes else None

    @property
    def helpful_interval(self) -> Interval | None:
        return wilson(self.helpful, self.votes)

    @property
    def mean_latency(self) -> float | None:
        return self.latency_sum / self.timed if self.timed else None

    @property
    def latency_interval(self) -> Interval | None:
        return mean_interval(self.timed, self.latency_sum, self.latency_squares)


class VerdictKind(StrEnum):
    NO_VOTES = "no_votes"
    SINGLE = "single"
    BETTER = "better"
    UNCLEAR = "unclear"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: VerdictKind
    better: str = ""
    worse: str = ""
    more_votes: int = 0
    """About how many more votes (both arms together) would settle it, if shares hold."""


def verdict(arms: list[ArmCounts]) -> Verdict:
    """Compare the two arms with the most votes by a two-proportion z-test at 95 %."""
    voted = sorted((a for a in arms if a.votes), key=lambda a: (-a.votes, a.variant))
    if not voted:
        return Verdict(VerdictKind.NO_VOTES)
    if len(voted) == 1:
        return Verdict(VerdictKind.SINGLE)
    first, second = sorted(voted[:2], key=lambda a: a.variant)
    p1, p2 = first.helpful / first.votes, second.helpful / second.votes
    pooled = (first.helpful + second.helpful) / (first.votes + second.votes)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / first.votes + 1 / second.votes))
    better, worse = (first, second) if p1 > p2 else (second, first)
    if spread and abs(p1 - p2) / spread > Z95:
        return Verdict(VerdictKind.BETTER, better.variant, worse.variant)
    if p1 == p2:
        return Verdict(VerdictKind.SAME, better.variant, worse.variant)
    # votes per arm at which the present difference would clear 95 %: n = 2 p̄q̄ (z / d)²
    needed = math.ceil(2 * pooled * (1 - pooled) * (Z95 / (p1 - p2)) ** 2)
    more = max(0, needed - first.votes) + max(0, needed - second.votes)
    return Verdict(VerdictKind.UNCLEAR, better.variant, worse.variant, max(more, 1))


@dataclass(frozen=True, slots=True)
class WeeklyMood:
    starts: date
    average: float | None
    entries: int


@dataclass(frozen=True, slots=True)
class CrisisMark:
    """That a crisis signal arose: where, what kind, how severe and when — nothing else (no
    person, no words), so the overview can count signals by category."""

    realm: str
    category: str
    severity: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CrisisCount:
    category: str
    severity: str
    count: int


@dataclass(frozen=True, slots=True)
class Overview:
    """The overview's figures over a set of realms (DAU/WAU/MAU: wrote within 1/7/30 days)."""

    people: int
    new_24h: int
    new_7d: int
    dau: int
    wau: int
    mau: int
    messages: int
    sessions: int
    mood: tuple[WeeklyMood, ...]
    crisis: tuple[CrisisCount, ...]
    cost_per_active_person: float | None
