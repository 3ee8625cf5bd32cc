"""Job locks (one admin mailing at a time): in process and across instances through Redis,
renewed while held, failing open to the in-process twin."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from innertalk.application.ports import JobLocks
from innertalk.infrastructure.locks import LocalJobLocks
from innertalk.infrastructure.redis.connection import connect_redis
from innertalk.infrastructure.redis.locks import RedisJobLocks
from tests.fakes.sleeper import ManualSleep

Factory = Callable[[], JobLocks]


@pytest.fixture
async def clients() -> AsyncIterator[list[Redis]]:
    made: list[Redis] = []
    yield made
    for client in made:
        await client.aclose()


@pytest.fixture(params=["local", "redis"])
def make_locks(request: pytest.FixtureRequest, clients: list[Redis]) -> Factory:
    """Lock sets of one kind; for Redis each on its own client (another instance)."""
    if request.param == "local":
        shared = LocalJobLocks()
        return lambda: shared  # one process: every "instance" is the same object
    url = request.getfixturevalue("redis_url")

    def on_redis() -> JobLocks:
        clients.append(connect_redis(url))
        return RedisJobLocks(clients[-1], ttl=30)

    return on_redis


def a_job() -> str:
    return f"mailing:bot-{uuid.uuid4().hex[:8]}"


async def test_a_held_lock_is_refused_until_released(make_locks: Factory) -> None:
    """While one holder has the job, a second (another instance) is refused; after release
    it can take it, and releasing twice changes nothing."""
    one, two = make_locks(), make_locks()
    job = a_job()
    held = await one.try_acquire(job)
    assert held is not None
    assert await two.try_acquire(job) is None
    assert await one.try_acquire(job) is None
    await held.release()
    again = await two.try_acquire(job)
    assert again is not None
    await held.release()  # a stale holder's release does not free the new holder's lock
    assert await one.try_acquire(job) is None
    await again.release()


async def test_different_jobs_do_not_exclude_each_other(make_locks: Factory) -> None:
    """Two bots' mailings run at the same time."""
    locks = make_locks()
    first, second = await locks.try_acquire(a_job()), await locks.try_acquire(a_job())
    assert first is not None
    assert second is not None
    await first.release()
    await second.release()


async def test_the_redis_lock_is_renewed_while_held(redis_url: str, clients: list[Redis]) -> None:
    """Every third of the TTL the holder renews it, so a long mailing keeps its lock; a
    holder that stops renewing (a crash) loses it when the TTL runs out."""
    sleep = ManualSleep()
    clients.append(connect_redis(redis_url))
    redis = clients[-1]
    locks = RedisJobLocks(redis, ttl=30, sleep=sleep)
    job = a_job()
    held = await locks.try_acquire(job)
    assert held is not None
    await sleep.asleep()
    assert sleep.requested == [10.0]
    await redis.pexpire(f"innertalk:lock:{job}", 500)  # as if 29.5 s had passed
    await sleep.tick()
    assert 29_000 < await redis.pttl(f"innertalk:lock:{job}") <= 30_000
    await held.release()
    assert await redis.exists(f"innertalk:lock:{job}") == 0


async def test_with_redis_down_the_lock_falls_back_to_this_process(
    unused_tcp_port: int, clients: list[Redis]
) -> None:
    """Redis unreachable: the job is granted (fail open), but never twice in one process."""
    clients.append(connect_redis(f"redis://127.0.0.1:{unused_tcp_port}/0"))
    locks = RedisJobLocks(clients[-1])
    job = a_job()
    held = await locks.try_acquire(job)
    assert held is not None
    assert not held.shared
    assert await locks.try_acquire(job) is None
    await held.release()
    assert await locks.try_acquire(job) is not None
