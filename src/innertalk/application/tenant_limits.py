"""A tenant's own limits: the message rate and the daily token budget of its people.

Both wrap the deployment's adapter and implement the same port, so the Telegram middleware and
``TalkService`` stay unaware of tenants. A person whose tenant sets no limit goes through the
deployment's adapter exactly as before; one whose tenant sets its own goes through an adapter of
that limit, built once per distinct limit by the composition root's factory (in this process or
in Redis, as the deployment's is).
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from innertalk.application.ports import RateLimiter, TokenBudget
from innertalk.application.tenant_policy import TenantPolicies
from innertalk.domain.users import UserKey

log = structlog.get_logger(__name__)

RateLimiters = Callable[[str], RateLimiter]
"""Builds a limiter of a rate like ``20/minute``; ``ValueError`` for an unreadable rate."""

TokenBudgets = Callable[[int], TokenBudget]
"""Builds a budget of that many tokens a day per person."""


class TenantRateLimiter:
    """``RateLimiter``: the rate of the person's tenant (``TenantSettings.rate``), else the
    deployment's (``RATE_LIMIT``)."""

    def __init__(
        self, policies: TenantPolicies, deployment: RateLimiter, build: RateLimiters | None
    ) -> None:
        self._policies = policies
        self._deployment = deployment
        self._build = build
        self._by_rate: dict[str, RateLimiter] = {}

    async def allow(self, key: UserKey) -> bool:
        rate = (await self._policies.for_key(key)).rate
        return await self._limiter(rate).allow(key)

    def _limiter(self, rate: str | None) -> RateLimiter:
        if rate is None or self._build is None:
            return self._deployment
        limiter = self._by_rate.get(rate)
        if limiter is None:
            try:
                limiter = self._build(rate)
            except ValueError:  # a tenant's typo must not leave its people unlimited
                log.warning("tenant.rate_unreadable")
                limiter = self._deployment
            self._by_rate[rate] = limiter
        return limiter


class TenantTokenBudget:
    """``TokenBudget``: the daily tokens of the person's tenant (``TenantSettings.daily_tokens``;
    0 = no budget), else the deployment's (``USER_DAILY_TOKENS``; ``None`` = no budget)."""

    def __init__(
        self,
        policies: TenantPolicies,
        deployment: TokenBudget | None,
        build: TokenBudgets | None,
    ) -> None:
        self._policies = policies
        self._deployment = deployment
        self._build = build
        self._by_tokens: dict[int, TokenBudget] = {}

    async def exhausted_for(self, key: UserKey) -> float:
        budget = await self._budget(key)
        return 0.0 if budget is None else await budget.exhausted_for(key)

    async def spend(self, key: UserKey, tokens: int) -> None:
        budget = await self._budget(key)
        if budget is not None:
            await budget.spend(key, tokens)

    async def _budget(self, key: UserKey) -> TokenBudget | None:
        tokens = (await self._policies.for_key(key)).daily_tokens
        if tokens is None or self._build is None:
            return self._deployment
        if tokens <= 0:
            return None
        budget = self._by_tokens.get(tokens)
        if budget is None:
            budget = self._by_tokens[tokens] = self._build(tokens)
        return budget
