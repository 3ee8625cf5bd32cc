"""The rate limiter, in memory and in a real Redis: limits hold, and Redis shares them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from innertalk.application.ports import RateLimiter
from innertalk.domain.users import UserKey
from innertalk.infrastructure.ratelimit import LimitsRateLimiter, LocalRateLimiter
from tests.fakes.clock import FakeClock

Factory = Callable[[str], RateLimiter]


@pytest.fixture(params=["local", "limits-memory", "redis"])
def limiter_for(request: pytest.FixtureRequest) -> Factory:
    if request.param == "local":
        return LocalRateLimiter
    uri = "memory://" if request.param == "limits-memory" else request.getfixturevalue("redis_url")
    return lambda rate: LimitsRateLimiter(rate, uri)


def someone() -> UserKey:
    return UserKey(f"bot-{uuid.uuid4().hex[:8]}", 42)


async def test_messages_beyond_the_rate_are_refused(limiter_for: Factory) -> None:
    """With 5/minute the sixth message in a minute is refused."""
    limiter = limiter_for("5/minute")
    key = someone()
    assert [await limiter.allow(key) for _ in range(6)] == [True] * 5 + [False]


async def test_people_have_separate_limits(limiter_for: Factory) -> None:
    """One person's flood does not use up another person's allowance."""
    limiter = limiter_for("2/minute")
    flooder, other = someone(), someone()
    for _ in range(5):
        await limiter.allow(flooder)
    assert await limiter.allow(other)


async def test_redis_limits_are_shared_by_instances(redis_url: str) -> None:
    """Two limiters on one Redis (two bot instances) count the same person's messages together."""
    first = LimitsRateLimiter("4/minute", redis_url)
    second = LimitsRateLimiter("4/minute", redis_url)
    key = someone()
    results = [await (first if n % 2 else second).allow(key) for n in range(6)]
    assert results == [True] * 4 + [False] * 2


async def test_an_unreachable_redis_fails_open(unused_tcp_port: int) -> None:
    """With Redis down the limiter allows messages instead of silencing everyone."""
    limiter = LimitsRateLimiter("1/minute", f"redis://127.0.0.1:{unused_tcp_port}/0")
    key = someone()
    assert [await limiter.allow(key) for _ in range(3)] == [True, True, True]


def test_a_bad_rate_is_refused() -> None:
    """A rate that limits cannot parse fails at construction with a clear message."""
    with pytest.raises(ValueError, match="20/minute"):
        LimitsRateLimiter("twenty per minute")


async def test_the_in_process_window_moves() -> None:
    """In the in-process limiter a refused person is allowed again once the window has moved
    past their oldest message, and not before."""
    clock = FakeClock()
    limiter = LocalRateLimiter("2/minute", timer=clock.monotonic)
    key = someone()
    assert await limiter.allow(key)
    clock.advance(30)
    assert await limiter.allow(key)
    assert not await limiter.allow(key)
    clock.advance(29)
    assert not await limiter.allow(key), "the first message is 59 s old: still in the window"
    clock.advance(2)
    assert await limiter.allow(key)
    assert not await limiter.allow(key)
