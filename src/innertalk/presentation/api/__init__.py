"""The integration API under ``/api/v1`` (docs/api.md): a partner's backend talks with the
companion for its own people. Handlers are thin: parse, call one use case, render.

``build_api_router`` gives one ``APIRouter`` with the API, its OpenAPI schema
(``/api/openapi.json``) and offline Swagger UI (``/api/docs``); every error it answers is
``application/problem+json`` without the app it is mounted on having to do anything.
"""

from __future__ import annotations

from dataclasses import fields

from fastapi import APIRouter, Depends

from innertalk.domain.stats import BotStats
from innertalk.domain.tenants import ApiKey, Scope
from innertalk.presentation.api import analytics, messages, people
from innertalk.presentation.api.access import ApiContext, KeyRate, caller
from innertalk.presentation.api.docs import docs_router
from innertalk.presentation.api.models import StatsOut
from innertalk.presentation.api.problems import ProblemRoute, problem_responses

__all__ = ["ApiContext", "KeyRate", "build_api_router"]

PREFIX = "/api/v1"
_COUNTS = tuple(f.name for f in fields(BotStats) if f.type in ("int", int))
"""The figures that add up across realms (people, messages, sessions…)."""


def build_api_router(ctx: ApiContext) -> APIRouter:
    """The API's routes, schema and docs, over ``ctx``'s use cases and tenant directory."""
    api = APIRouter(prefix=PREFIX, route_class=ProblemRoute)
    people.register(api, ctx)
    messages.register(api, ctx)
    _stats(api, ctx)
    if ctx.analytics is not None:
        analytics.register(api, ctx, ctx.analytics)
    router = APIRouter()
    router.include_router(api)
    router.include_router(docs_router(api.routes))
    return router


def _stats(router: APIRouter, ctx: ApiContext) -> None:
    statistician = caller(ctx, Scope.STATS)

    @router.get(
        "/stats",
        responses=problem_responses(401, 403, 429),
        summary="The tenant's statistics",
    )
    async def stats(key: ApiKey = Depends(statistician)) -> StatsOut:  # noqa: B008
        realms = await ctx.directory.realms(key.tenant)
        figures = [(realm, await ctx.services.admin.stats(realm)) for realm in realms]
        return StatsOut(
            tenant=key.tenant,
            totals={name: sum(getattr(one, name) for _, one in figures) for name in _COUNTS},
            realms=[_realm(realm, one) for realm, one in figures],
        )


def _realm(realm: str, stats: BotStats) -> dict[str, object]:
    counts = {name: getattr(stats, name) for name in _COUNTS}
    return {
        "realm": realm,
        **counts,
        "mood_this_week": stats.mood_this_week,
        "mood_last_week": stats.mood_last_week,
    }
