"""``/api/v1/stats/retention``, ``/funnel`` and ``/experiments``: the panel's analytics as data,
for the key's tenant's realms, computed by the database (``AnalyticsService``).

Definitions are in docs/operations.md (*Analytics*); every figure is a count or a share.
"""

# No ``from __future__ import annotations``: FastAPI reads the routes' annotations at run time.
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from innertalk.application.operations.analytics import AnalyticsService, Experiments
from innertalk.domain.analytics import (
    RETURN_DAYS,
    ArmCounts,
    Cohort,
    FunnelStage,
    Interval,
)
from innertalk.domain.tenants import ApiKey, Scope
from innertalk.domain.users import Language
from innertalk.presentation.api.access import ApiContext, caller
from innertalk.presentation.api.problems import Problem, problem_responses
from innertalk.presentation.verdicts import verdict_text

DEFAULT_PERIOD = timedelta(days=30)
ERRORS = problem_responses(401, 403, 422, 429)


class CohortOut(BaseModel):
    week_start: date = Field(description="The Monday (UTC) the cohort's week began.")
    size: int = Field(description="People who started (profile created) that week.")
    returned: dict[str, int | None] = Field(
        description="`day1`, `day7`, `day30`: people who wrote at least N × 24 h after they "
        "started; `null` while the cohort is too young."
    )
    shares: dict[str, float | None] = Field(description="The same as shares of `size`.")

    @classmethod
    def of(cls, cohort: Cohort) -> "CohortOut":
        names = [f"day{days}" for days in RETURN_DAYS]
        return cls(
            week_start=cohort.starts,
            size=cohort.size,
            returned=dict(zip(names, cohort.returned, strict=True)),
            shares={name: cohort.share(i) for i, name in enumerate(names)},
        )


class RetentionOut(BaseModel):
    tenant: str
    cohorts: list[CohortOut] = Field(description="Oldest first; the current week last.")


class StepOut(BaseModel):
    step: str = Field(
        description="`started`, `consented`, `first_message`, `session_ended`, `returned_7d`."
    )
    people: int
    share_of_start: float | None
    drop_off: float | None = Field(description="Share of the previous step lost at this one.")

    @classmethod
    def of(cls, stage: FunnelStage) -> "StepOut":
        return cls(
            step=stage.step.value,
            people=stage.people,
            share_of_start=stage.share_of_start,
            drop_off=stage.drop_off,
        )


class FunnelOut(BaseModel):
    tenant: str
    since: datetime
    until: datetime
    steps: list[StepOut]


class IntervalOut(BaseModel):
    low: float
    high: float

    @classmethod
    def of(cls, interval: Interval | None) -> "IntervalOut | None":
        return None if interval is None else cls(low=interval.low, high=interval.high)


class VariantOut(BaseModel):
    variant: str
    replies: int
    mean_latency_ms: float | None
    latency_interval: IntervalOut | None = Field(description="95 %, normal; from 2 timings.")
    input_tokens: int
    output_tokens: int
    helpful: int
    not_helpful: int
    helpful_share: float | None
    helpful_interval: IntervalOut | None = Field(description="95 %, Wilson.")

    @classmethod
    def of(cls, arm: ArmCounts) -> "VariantOut":
        latency, helpful = arm.latency_interval, arm.helpful_interval
        return cls(
            variant=arm.variant,
            replies=arm.replies,
            mean_latency_ms=arm.mean_latency,
            latency_interval=IntervalOut.of(latency),
            input_tokens=arm.input_tokens,
            output_tokens=arm.output_tokens,
            helpful=arm.helpful,
            not_helpful=arm.not_helpful,
            helpful_share=arm.helpful_share,
            helpful_interval=IntervalOut.of(helpful),
        )


class VerdictOut(BaseModel):
    kind: str = Field(description="`no_votes`, `single`, `better`, `same` or `unclear`.")
    better: str = Field(description="The variant more often helpful (so far).")
    worse: str
    more_votes: int = Field(description="For `unclear`: about how many more votes settle it.")
    text: str = Field(description="The verdict in plain English.")


class ExperimentsOut(BaseModel):
    tenant: str
    since: datetime
    until: datetime
    variants: list[VariantOut]
    verdict: VerdictOut


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def period(
    since: datetime | None, until: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """[since, until): the last 30 days unless given; a 422 problem when it is empty."""
    try:
        end = _utc(until) or now
        start = _utc(since) or end - DEFAULT_PERIOD
    except OverflowError:
        raise Problem(422, "`until` is too early", kind="invalid-period") from None
    if start >= end:
        raise Problem(422, "`since` must be before `until`", kind="invalid-period")
    return start, end


Since = Annotated[
    datetime | None, Query(description="Start (inclusive, ISO 8601); default `until` − 30 days.")
]
Until = Annotated[datetime | None, Query(description="End (exclusive, ISO 8601); default now.")]


def register(router: APIRouter, ctx: ApiContext, analytics: AnalyticsService) -> None:
    statistician = caller(ctx, Scope.STATS)
    Key = Annotated[ApiKey, Depends(statistician)]

    @router.get("/stats/retention", responses=ERRORS, summary="Weekly retention cohorts")
    async def retention(
        key: Key, weeks: Annotated[int, Query(ge=1, le=52, description="Cohorts.")] = 12
    ) -> RetentionOut:
        cohorts = await analytics.retention(key.tenant, weeks)
        return RetentionOut(tenant=key.tenant, cohorts=[CohortOut.of(c) for c in cohorts])

    @router.get("/stats/funnel", responses=ERRORS, summary="The funnel from start to return")
    async def funnel(key: Key, since: Since = None, until: Until = None) -> FunnelOut:
        start, end = period(since, until, analytics.clock.now())
        stages = await analytics.funnel(key.tenant, start, end)
        return FunnelOut(
            tenant=key.tenant, since=start, until=end, steps=[StepOut.of(s) for s in stages]
        )

    @router.get("/stats/experiments", responses=ERRORS, summary="Experiment variants compared")
    async def experiments(key: Key, since: Since = None, until: Until = None) -> ExperimentsOut:
        start, end = period(since, until, analytics.clock.now())
        found: Experiments = await analytics.experiments(key.tenant, start, end)
        return ExperimentsOut(
            tenant=key.tenant,
            since=start,
            until=end,
            variants=[VariantOut.of(arm) for arm in found.arms],
            verdict=VerdictOut(
                kind=found.verdict.kind.value,
                better=found.verdict.better,
                worse=found.verdict.worse,
                more_votes=found.verdict.more_votes,
                text=verdict_text(found.verdict, Language.EN),
            ),
        )
