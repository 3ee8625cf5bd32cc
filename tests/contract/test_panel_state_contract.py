"""The panel's shared state: failed-login counters with lockouts, and server-side sessions,
in this process and in Redis (where two instances see the same counts and sessions)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from innertalk.application.panel.ports import LoginAttempts, PanelSession, PanelSessions
from innertalk.domain.users import Language
from innertalk.infrastructure.panel.attempts import LocalLoginAttempts, RedisLoginAttempts
from innertalk.infrastructure.panel.sessions import LocalPanelSessions, RedisPanelSessions
from innertalk.infrastructure.redis.connection import connect_redis
from tests.fakes.clock import FakeClock

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
SESSION = PanelSession("amy", "alpha", Language.RU, T0, T0)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[tuple[Redis, Redis]]:
    """Two clients of one Redis: two instances of the panel."""
    one, two = connect_redis(redis_url), connect_redis(redis_url)
    yield one, two
    await one.aclose()
    await two.aclose()


def subject() -> str:
    return f"name:{uuid.uuid4().hex[:8]}"


async def reach_limit(first: LoginAttempts, second: LoginAttempts, name: str) -> list[bool]:
    """Five failures, alternating between the two instances."""
    return [await (first if n % 2 else second).failed(name, 5) for n in range(5)]


async def test_local_failures_lock_at_the_limit_and_release_after_the_window() -> None:
    """The 5th failure locks; 15 minutes later the lock is gone and counting starts anew."""
    clock = FakeClock()
    attempts = LocalLoginAttempts(timer=clock.monotonic)
    name = subject()
    assert await reach_limit(attempts, attempts, name) == [False] * 4 + [True]
    assert await attempts.locked(name)
    clock.advance(15 * 60 + 1)
    assert not await attempts.locked(name)
    assert not await attempts.failed(name, 5)


async def test_local_failures_outside_the_window_do_not_count() -> None:
    """Four failures, 15 minutes pass: the next four do not lock."""
    clock = FakeClock()
    attempts = LocalLoginAttempts(timer=clock.monotonic)
    name = subject()
    for _ in range(4):
        await attempts.failed(name, 5)
    clock.advance(15 * 60 + 1)
    assert [await attempts.failed(name, 5) for _ in range(4)] == [False] * 4


async def test_a_success_clears_the_count_but_not_a_lock() -> None:
    """``clear`` forgets failures; an existing lock stays its full time."""
    attempts = LocalLoginAttempts(timer=FakeClock().monotonic)
    name = subject()
    for _ in range(4):
        await attempts.failed(name, 5)
    await attempts.clear(name)
    assert not await attempts.failed(name, 5)


async def test_redis_instances_share_failures_and_the_lock(redis: tuple[Redis, Redis]) -> None:
    """Failures counted by two instances add up; the lock holds on both for 15 minutes."""
    one, two = (RedisLoginAttempts(client) for client in redis)
    name = subject()
    assert await reach_limit(one, two, name) == [False] * 4 + [True]
    assert await one.locked(name)
    assert await two.locked(name)
    ttls = [await redis[0].ttl(key) for key in await redis[0].keys("innertalk:panel:lock:*")]
    assert ttls
    assert all(890 <= ttl <= 900 for ttl in ttls)
    assert name.encode() not in b"".join(await redis[0].keys("innertalk:panel:*"))


async def test_sessions_round_trip_and_drop(redis: tuple[Redis, Redis]) -> None:
    """Saved by one instance, loaded by another, equal; dropped, gone for both; Redis keys
    hold a hash of the id, never the id."""
    stores: list[tuple[PanelSessions, PanelSessions]] = [
        (RedisPanelSessions(redis[0]), RedisPanelSessions(redis[1])),
    ]
    local = LocalPanelSessions(timer=FakeClock().monotonic)
    stores.append((local, local))
    for first, second in stores:
        session_id = uuid.uuid4().hex
        await first.save(session_id, SESSION, 3600)
        assert await second.load(session_id) == SESSION
        await second.drop(session_id)
        assert await first.load(session_id) is None
    session_id = uuid.uuid4().hex
    await stores[0][0].save(session_id, SESSION, 3600)
    assert session_id.encode() not in b"".join(await redis[0].keys("innertalk:panel:*"))


async def test_a_local_session_expires_after_its_ttl() -> None:
    """Kept for ``ttl`` seconds of the injected clock, then gone."""
    clock = FakeClock()
    sessions = LocalPanelSessions(timer=clock.monotonic)
    await sessions.save("id", SESSION, 60)
    clock.advance(59)
    assert await sessions.load("id") == SESSION
    clock.advance(2)
    assert await sessions.load("id") is None
