"""The per-person daily token budget, in memory and in a real Redis (shared by instances)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from innertalk.domain.users import UserKey
from innertalk.infrastructure.ratelimit import LimitsTokenBudget
from innertalk.infrastructure.redis.connection import connect_redis

Factory = Callable[[int], LimitsTokenBudget]


@pytest.fixture(params=["local", "redis"])
async def budget_for(request: pytest.FixtureRequest) -> AsyncIterator[Factory]:
    """``budget_for(tokens)``; each Redis budget on a client of its own (another instance)."""
    clients: list[Redis] = []
    if request.param == "local":
        yield lambda tokens: LimitsTokenBudget(tokens)
        return
    url = request.getfixturevalue("redis_url")

    def on_redis(tokens: int) -> LimitsTokenBudget:
        clients.append(connect_redis(url))
        return LimitsTokenBudget(tokens, url, pool=clients[-1].connection_pool)

    yield on_redis
    for client in clients:
        await client.aclose()


def someone() -> UserKey:
    return UserKey(f"bot-{uuid.uuid4().hex[:8]}", 7)


async def test_the_budget_refuses_once_spent_until_the_day_is_over(budget_for: Factory) -> None:
    """Spending up to the budget still allows; past it, the wait is about a day at most."""
    budget, key = budget_for(1000), someone()
    assert await budget.exhausted_for(key) == 0
    await budget.spend(key, 999)
    assert await budget.exhausted_for(key) == 0
    await budget.spend(key, 300)  # the reply that crossed the line is counted in full
    wait = await budget.exhausted_for(key)
    assert 23 * 3600 < wait <= 24 * 3600


async def test_people_have_separate_budgets(budget_for: Factory) -> None:
    """One person's spending leaves another person's budget whole."""
    budget, spender, other = budget_for(100), someone(), someone()
    await budget.spend(spender, 500)
    assert await budget.exhausted_for(spender) > 0
    assert await budget.exhausted_for(other) == 0


async def test_two_instances_share_one_budget(redis_url: str) -> None:
    """Replies answered by two instances count against the same budget, atomically."""
    clients = [connect_redis(redis_url), connect_redis(redis_url)]
    try:
        one, two = (LimitsTokenBudget(1000, redis_url, pool=c.connection_pool) for c in clients)
        key = someone()
        await one.spend(key, 600)
        assert await two.exhausted_for(key) == 0
        await two.spend(key, 600)
        assert await one.exhausted_for(key) > 0
    finally:
        for client in clients:
            await client.aclose()


async def test_an_unreachable_redis_refuses_nobody(unused_tcp_port: int) -> None:
    """With Redis down, spending is not counted and nobody is refused (fail open)."""
    budget = LimitsTokenBudget(1, f"redis://127.0.0.1:{unused_tcp_port}/0")
    key = someone()
    await budget.spend(key, 50)
    assert await budget.exhausted_for(key) == 0


def test_a_budget_needs_tokens() -> None:
    """0 means "no budget" in settings; the adapter itself refuses it loudly."""
    with pytest.raises(ValueError, match="at least one token"):
        LimitsTokenBudget(0)
