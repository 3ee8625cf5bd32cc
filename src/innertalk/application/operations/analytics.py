"""AnalyticsService: the overview, retention cohorts, the funnel and experiments over a set of
realms (a tenant's, or every realm for operators of all tenants), computed by the database.

Stores count and sum (SQL GROUP BY, aggregation pipelines); this module only shapes the
counts into reports (``domain.analytics``). Nothing here reads what anyone wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from innertalk.application.ports import Clock, StatsStore
from innertalk.application.tenancy import TenantDirectory
from innertalk.domain.analytics import (
    WEEK,
    ArmCounts,
    Cohort,
    CohortCounts,
    CrisisCount,
    CrisisMark,
    FunnelStage,
    Overview,
    Verdict,
    WeeklyMood,
    cohorts,
    funnel,
    verdict,
    week_start,
)
from innertalk.domain.stats import BotStats, ModelSpend, cost_per_active_person

MOOD_WEEKS = 12
COHORT_WEEKS = 12


class AnalyticsStore(Protocol):
    """Counts over many realms at once, each one query (or pipeline) in the database."""

    async def known_realms(self) -> list[str]:
        """Every realm anyone has a profile in."""
        ...

    async def cohort_counts(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[CohortCounts]:
        """People who started in each week from ``origin`` on (weeks without anyone left out),
        and how many wrote at least 1, 7 and 30 days after starting."""
        ...

    async def funnel_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> tuple[int, int, int, int, int]:
        """Of the people who started in [since, until): started, and also consented, also wrote,
        also ended a session, also wrote again 1-7 days after their first session ended."""
        ...

    async def arm_counts(
        self, realms: Sequence[str], since: datetime, until: datetime
    ) -> list[ArmCounts]:
        """Per experiment variant, the replies written in [since, until), by variant."""
        ...

    async def mood_weeks(
        self, realms: Sequence[str], origin: datetime, weeks: int
    ) -> list[WeeklyMood]:
        """The average mood score of each week from ``origin`` on (every week, empty ones with
        ``None``)."""
        ...

    async def crisis_counts(self, realms: Sequence[str], since: datetime) -> list[CrisisCount]:
        """Crisis signals noted since ``since`` by category and severity."""
        ...


class CrisisSignalLog(Protocol):
    """Where crisis signals are noted as counts (``SafetyService.alert`` writes them)."""

    async def note_crisis(self, mark: CrisisMark) -> None: ...


@dataclass(frozen=True, slots=True)
class Experiments:
    arms: tuple[ArmCounts, ...]
    verdict: Verdict


@dataclass(slots=True)
class AnalyticsService:
    store: AnalyticsStore
    stats: StatsStore
    directory: TenantDirectory
    clock: Clock
    cost_of: Callable[[ModelSpend], float | None] | None = None
    """US dollars a model's tokens cost (``LLM_PRICES``); ``None``: cost is not shown."""

    async def realms(self, tenant: str | None) -> list[str]:
        """The tenant's realms; every realm in the store for ``None`` (operators of all)."""
        if tenant is None:
            return await self.store.known_realms()
        return await self.directory.realms(tenant)

    async def overview(self, tenant: str | None) -> Overview:
        now = self.clock.now()
        realms = await self.realms(tenant)
        per_realm = [await self.stats.bot_stats(realm, now) for realm in realms]
        origin = week_start(now) - (MOOD_WEEKS - 1) * WEEK
        mood = await self.store.mood_weeks(realms, origin, MOOD_WEEKS)
        crisis = await self.store.crisis_counts(realms, now - timedelta(days=30))
        return Overview(
            people=sum(s.users for s in per_realm),
            new_24h=sum(s.new_24h for s in per_realm),
            new_7d=sum(s.new_7d for s in per_realm),
            dau=sum(s.dau for s in per_realm),
            wau=sum(s.wau for s in per_realm),
            mau=sum(s.mau for s in per_realm),
            messages=sum(s.messages for s in per_realm),
            sessions=sum(s.sessions for s in per_realm),
            mood=tuple(mood),
            crisis=tuple(crisis),
            cost_per_active_person=self._cost(per_realm),
        )

    def _cost(self, per_realm: list[BotStats]) -> float | None:
        if self.cost_of is None or not per_realm:
            return None
        return cost_per_active_person(_merged(per_realm), self.cost_of)

    async def retention(self, tenant: str | None, weeks: int = COHORT_WEEKS) -> list[Cohort]:
        """The last ``weeks`` weekly cohorts, oldest first (this week's included)."""
        now = self.clock.now()
        origin = week_start(now) - (weeks - 1) * WEEK
        counts = await self.store.cohort_counts(await self.realms(tenant), origin, weeks)
        return cohorts(origin, weeks, counts, now)

    async def funnel(
        self, tenant: str | None, since: datetime, until: datetime | None = None
    ) -> list[FunnelStage]:
        until = until or self.clock.now()
        counts = await self.store.funnel_counts(await self.realms(tenant), since, until)
        return funnel(counts)

    async def experiments(
        self, tenant: str | None, since: datetime, until: datetime | None = None
    ) -> Experiments:
        until = until or self.clock.now()
        arms = await self.store.arm_counts(await self.realms(tenant), since, until)
        return Experiments(tuple(arms), verdict(arms))


def _merged(per_realm: list[BotStats]) -> BotStats:
    """One ``BotStats`` carrying only what the cost needs: every realm's spend and DAU."""
    spend = tuple(s for stats in per_realm for s in stats.spend_24h)
    return replace(per_realm[0], dau=sum(s.dau for s in per_realm), spend_24h=spend)
